package generate

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/trail"
)

// Statement is one statement of a generated policy, in the order IAM
// writes its elements.
type Statement struct {
	Sid       string                         `json:"Sid"`
	Effect    string                         `json:"Effect"`
	Action    []string                       `json:"Action"`
	Resource  []string                       `json:"Resource"`
	Condition map[string]map[string][]string `json:"Condition,omitempty"`
}

// Document is a generated identity policy.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// chars is the document's size as IAM counts it: its JSON without
// whitespace outside strings (the compact encoding has none).
func (d *Document) chars() int {
	b, _ := json.Marshal(d)
	return len(b)
}

// statements turns the grants into statements grouped by service and by
// resource set, deterministic: sorted by service, then by resources.
// Dependent actions the service reference lists are added (with notes).
func (g *Generator) statements(notes *[]string) []Statement {
	// action -> resources; PassRole: service -> roles.
	res := map[string]map[string]bool{}
	pass := map[string]map[string]bool{}
	tagOnCreate := map[string]map[string]bool{} // tagging action NUL resource -> create actions
	for k := range g.grants {
		if k.action == "iam:PassRole" && k.passedTo != "" {
			if pass[k.passedTo] == nil {
				pass[k.passedTo] = map[string]bool{}
			}
			pass[k.passedTo][k.resource] = true
			continue
		}
		if k.createAction != "" {
			rk := k.action + "\x00" + k.resource
			if tagOnCreate[rk] == nil {
				tagOnCreate[rk] = map[string]bool{}
			}
			tagOnCreate[rk][k.createAction] = true
			continue
		}
		if res[k.action] == nil {
			res[k.action] = map[string]bool{}
		}
		res[k.action][k.resource] = true
	}
	g.addDependent(res, notes)

	type group struct {
		service string
		key     string
		res     []string
		actions []string
	}
	groups := map[string]*group{}
	for action, set := range res {
		list := withoutCovered(sortedSet(set))
		if set["*"] {
			list = []string{"*"}
		}
		if g.o.GroupResources {
			list = groupResources(list)
		}
		svc, _, _ := strings.Cut(action, ":")
		key := svc + "\x00" + strings.Join(list, "\x00")
		gr := groups[key]
		if gr == nil {
			gr = &group{service: svc, key: key, res: list}
			groups[key] = gr
		}
		gr.actions = append(gr.actions, action)
	}
	ordered := make([]*group, 0, len(groups))
	for _, gr := range groups {
		sort.Strings(gr.actions)
		if g.o.AllowWildcards {
			gr.actions = collapseActions(g.c, gr.actions)
		}
		ordered = append(ordered, gr)
	}
	sort.Slice(ordered, func(i, j int) bool { return ordered[i].key < ordered[j].key })
	var out []Statement
	perService := map[string]int{}
	sid := func(svc string) string {
		perService[svc]++
		return fmt.Sprintf("%sAllow%d", sidWord(svc), perService[svc])
	}
	for _, gr := range ordered {
		out = append(out, Statement{Sid: sid(gr.service), Effect: "Allow", Action: gr.actions, Resource: gr.res})
	}
	// Tags given to resources as they are created: ec2:CreateTags
	// (ecs:TagResource) on the new resources, limited by
	// ec2:CreateAction (ecs:CreateAction) to the calls that made them, so
	// that it allows tagging no existing resource. Resources whose
	// tagging action and create actions are the same share a statement.
	byActions := map[string][]string{} // tagging action NUL create actions -> resources
	for rk, acts := range tagOnCreate {
		action, res, _ := strings.Cut(rk, "\x00")
		k := action + "\x00" + strings.Join(sortedSet(acts), "\x00")
		byActions[k] = append(byActions[k], res)
	}
	for _, k := range sortedSet(boolSet(keys(byActions))) {
		resources := byActions[k]
		sort.Strings(resources)
		parts := strings.Split(k, "\x00")
		action := parts[0]
		svc, _, _ := strings.Cut(action, ":")
		out = append(out, Statement{Sid: sid(sidWord(svc) + "TagOnCreate"), Effect: "Allow", Action: []string{action}, Resource: resources,
			Condition: map[string]map[string][]string{"StringEquals": {trail.CreateActionKey(action): parts[1:]}}})
	}
	if len(tagOnCreate) > 0 {
		*notes = append(*notes, fmt.Sprintf("tagging actions added for %d resource(s) tagged as they were created (ec2:CreateTags, ecs:TagResource), limited by ec2:CreateAction or ecs:CreateAction to the calls that created them", len(tagOnCreate)))
	}
	services := sortedSet(boolSet(keys(pass)))
	for _, svc := range services {
		roles := sortedSet(pass[svc])
		out = append(out, Statement{Sid: sid("PassRole"), Effect: "Allow", Action: []string{"iam:PassRole"}, Resource: roles,
			Condition: map[string]map[string][]string{"StringEquals": {"iam:PassedToService": {svc}}}})
		*notes = append(*notes, fmt.Sprintf("iam:PassRole added for %d role(s) passed to %s, limited by iam:PassedToService", len(roles), svc))
	}
	return out
}

// addDependent adds the dependent actions the service reference lists for
// each granted action (for the action, and for the resource types it was
// used on), on the same resources when they apply to them, else on "*"
// (said in a note when the dependent action has resource types).
func (g *Generator) addDependent(res map[string]map[string]bool, notes *[]string) {
	added := map[string]bool{}
	wide := map[string]bool{}
	actions := keys(res)
	sort.Strings(actions)
	for _, name := range actions {
		a, ok := g.c.Action(name)
		if !ok {
			continue
		}
		deps := map[string]bool{}
		for _, d := range a.DependentActions {
			deps[d] = true
		}
		for r := range res[name] {
			for _, ar := range a.Resources {
				if applies, _ := g.c.ActionAppliesTo(name, r); applies && len(ar.DependentActions) > 0 {
					if types := g.c.ResourceTypesForARN(r); containsType(types, ar.Type) {
						for _, d := range ar.DependentActions {
							deps[d] = true
						}
					}
				}
			}
		}
		for d := range deps {
			da, ok := g.c.Action(d)
			if !ok {
				*notes = append(*notes, fmt.Sprintf("dependent action %s of %s is not in the service reference and was not added", d, name))
				continue
			}
			d = da.FullName
			if res[d] == nil {
				res[d] = map[string]bool{}
			}
			for r := range res[name] {
				if len(da.Resources) == 0 {
					res[d]["*"] = true
				} else if applies, _ := g.c.ActionAppliesTo(d, r); applies {
					res[d][r] = true
				} else {
					res[d]["*"] = true
					wide[d] = true
				}
			}
			added[d+" (for "+name+")"] = true
		}
	}
	if len(added) > 0 {
		*notes = append(*notes, "dependent actions the service reference lists were added: "+strings.Join(sortedSet(added), ", "))
	}
	if len(wide) > 0 {
		*notes = append(*notes, "dependent actions granted on \"*\" because the records do not name their resources: "+strings.Join(sortedSet(wide), ", "))
	}
}

func containsType(types []*catalog.ResourceType, t *catalog.ResourceType) bool {
	for _, x := range types {
		if x == t {
			return true
		}
	}
	return false
}

// withoutCovered drops the ARNs that another ARN of the same list ending
// in its only wildcard already matches (subnet/subnet-1 beside subnet/*,
// which RunInstances can give): IAM's "*" matches any characters, so the
// statement grants exactly what it did, in fewer lines.
func withoutCovered(list []string) []string {
	var wild []string
	for _, s := range list {
		if p, ok := strings.CutSuffix(s, "*"); ok && !strings.ContainsAny(p, "*?") {
			wild = append(wild, p)
		}
	}
	if len(wild) == 0 {
		return list
	}
	out := list[:0:0]
	for _, s := range list {
		covered := false
		for _, p := range wild {
			if s != p+"*" && strings.HasPrefix(s, p) {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, s)
		}
	}
	return out
}

// groupResources replaces several ARNs by their longest common prefix
// plus "*", when the prefix reaches past the ARN's account field into the
// resource part (a prefix such as "arn:aws:s3:::" would grant every
// bucket, so the ARNs stay listed).
func groupResources(list []string) []string {
	if len(list) < 2 {
		return list
	}
	p := list[0]
	for _, s := range list[1:] {
		for !strings.HasPrefix(s, p) {
			p = p[:len(p)-1]
		}
	}
	fields := strings.SplitN(p, ":", 6)
	if len(fields) < 6 || fields[5] == "" {
		return list
	}
	return []string{p + "*"}
}

// collapseActions writes "service:Verb*" for the actions sharing a verb
// when the pattern matches exactly actions already in the list (so it
// grants nothing more).
func collapseActions(c *catalog.Catalog, actions []string) []string {
	in := boolSet(actions)
	byPattern := map[string][]string{}
	for _, a := range actions {
		svc, name, _ := strings.Cut(a, ":")
		verb := leadingVerb(name)
		if verb == "" || verb == name {
			continue
		}
		byPattern[svc+":"+verb+"*"] = append(byPattern[svc+":"+verb+"*"], a)
	}
	out := map[string]bool{}
	for _, a := range actions {
		out[a] = true
	}
	for pat, members := range byPattern {
		if len(members) < 2 {
			continue
		}
		all := true
		for _, m := range c.MatchActions(pat) {
			if !in[m.FullName] {
				all = false
				break
			}
		}
		if all {
			for _, m := range members {
				delete(out, m)
			}
			out[pat] = true
		}
	}
	return sortedSet(out)
}

// leadingVerb is the first capitalised word of an action name ("Get" of
// "GetObject").
func leadingVerb(name string) string {
	for i := 1; i < len(name); i++ {
		if name[i] >= 'A' && name[i] <= 'Z' {
			return name[:i]
		}
	}
	return name
}

// sidWord makes a Sid prefix from a service prefix: letters and digits,
// first letter upper-case ("s3" -> "S3", "ec2-instance-connect" ->
// "Ec2instanceconnect").
func sidWord(svc string) string {
	var b strings.Builder
	for _, r := range svc {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	s := b.String()
	if s == "" {
		return "S"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func boolSet(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, s := range list {
		m[s] = true
	}
	return m
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// split packs statements into documents of at most max characters,
// splitting a statement whose resource (or action) list alone is too big.
func split(stmts []Statement, max int) [][]Statement {
	var docs [][]Statement
	var cur []Statement
	size := func(ss []Statement) int { d := Document{Version: "2012-10-17", Statement: ss}; return d.chars() }
	for _, s := range stmts {
		for _, part := range splitStatement(s, max, size) {
			if len(cur) > 0 && size(append(append([]Statement(nil), cur...), part)) > max {
				docs = append(docs, cur)
				cur = nil
			}
			cur = append(cur, part)
		}
	}
	if len(cur) > 0 || len(docs) == 0 {
		docs = append(docs, cur)
	}
	return docs
}

// splitStatement halves a statement's resource list, else its action
// list, until each part fits alone.
func splitStatement(s Statement, max int, size func([]Statement) int) []Statement {
	if size([]Statement{s}) <= max {
		return []Statement{s}
	}
	switch {
	case len(s.Resource) > 1:
		a, b := s, s
		h := len(s.Resource) / 2
		a.Resource, b.Resource = s.Resource[:h], s.Resource[h:]
		a.Sid, b.Sid = s.Sid+"a", s.Sid+"b"
		return append(splitStatement(a, max, size), splitStatement(b, max, size)...)
	case len(s.Action) > 1:
		a, b := s, s
		h := len(s.Action) / 2
		a.Action, b.Action = s.Action[:h], s.Action[h:]
		a.Sid, b.Sid = s.Sid+"a", s.Sid+"b"
		return append(splitStatement(a, max, size), splitStatement(b, max, size)...)
	}
	return []Statement{s} // one action on one resource: cannot be smaller
}
