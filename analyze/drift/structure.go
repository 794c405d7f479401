package drift

import (
	"sort"

	"github.com/iamwhy/iamwhy/policy"
	"github.com/iamwhy/iamwhy/snapshot"
)

// structure finds what only one environment has.
type structure struct {
	a, b     *snapshot.Environment
	names    names
	ownerTag string
	report   *Report
}

// entity is a user, group or role with what is attached to it, in its own
// environment's names.
type entity struct {
	arn      string
	kind     string   // user, group, role
	policies []string // managed policy ARNs, and OWNER_ARN#name for inline policies
	groups   []string // a user's groups, by ARN
	boundary string
	trusted  []string // the principals a role's trust policy allows
	tags     []snapshot.Tag
}

func entities(env *snapshot.Environment) []*entity {
	var out []*entity
	for _, id := range env.AccountIDs() {
		a := env.Accounts[id]
		if a == nil {
			continue
		}
		groupARN := map[string]string{}
		for _, g := range a.Groups {
			groupARN[g.Name] = g.ARN
			e := &entity{arn: g.ARN, kind: "group"}
			e.attach(g.ARN, g.ManagedPolicies, g.InlinePolicies)
			out = append(out, e)
		}
		for _, u := range a.Users {
			e := &entity{arn: u.ARN, kind: "user", boundary: u.BoundaryARN, tags: u.Tags}
			e.attach(u.ARN, u.ManagedPolicies, u.InlinePolicies)
			for _, g := range u.Groups {
				if ga := groupARN[g]; ga != "" {
					e.groups = append(e.groups, ga)
				} else {
					e.groups = append(e.groups, "arn:aws:iam::"+id+":group/"+g)
				}
			}
			out = append(out, e)
		}
		for _, r := range a.Roles {
			e := &entity{arn: r.ARN, kind: "role", boundary: r.BoundaryARN, tags: r.Tags}
			e.attach(r.ARN, r.ManagedPolicies, r.InlinePolicies)
			e.trusted = trusted(r.Trust)
			out = append(out, e)
		}
	}
	return out
}

func (e *entity) attach(owner string, managed []snapshot.AttachedManagedPolicy, inline []snapshot.InlinePolicy) {
	for _, m := range managed {
		e.policies = append(e.policies, m.ARN)
	}
	for _, p := range inline {
		e.policies = append(e.policies, owner+"#"+p.Name)
	}
}

// trusted lists the principals the Allow statements of a trust policy
// name (service and federated principals by name, "*" for anyone).
func trusted(d *snapshot.Document) []string {
	if d == nil {
		return nil
	}
	p, err := d.Policy(policy.TypeTrust)
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for i := range p.Statements {
		st := &p.Statements[i]
		if st.Effect != policy.Allow || !st.Principal.Present {
			continue
		}
		if st.Principal.Wildcard {
			seen["*"] = true
			continue
		}
		prefix := ""
		if st.Principal.Not {
			prefix = "NotPrincipal "
		}
		for _, e := range st.Principal.Entries {
			seen[prefix+e.Value] = true
		}
	}
	for v := range seen {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

func (s *structure) add(d Difference) {
	d.Kind = "structure"
	if d.Conditions == nil {
		d.Conditions = []Condition{}
	}
	s.report.Differences = append(s.report.Differences, d)
}

// side returns the two name fields of a structure difference: the name on
// the side that has it, null on the other.
func sideNames(onlyIn, name string) (a, b *string) {
	if onlyIn == "a" {
		return str(name), nil
	}
	return nil, str(name)
}

func (s *structure) compare() {
	s.principals()
	s.resources()
	s.organisation()
}

func (s *structure) principals() {
	ea, eb := entities(s.a), entities(s.b)
	byA := map[string]*entity{}
	for _, e := range ea {
		byA[e.arn] = e
	}
	byB := map[string]*entity{}
	for _, e := range eb {
		byB[s.names.FromB(e.arn)] = e
	}
	for _, e := range ea {
		if e.kind != "group" && snapshot.Owner(e.tags, s.ownerTag) == nil {
			s.report.NoOwner = append(s.report.NoOwner, e.arn)
		}
	}
	for _, e := range eb {
		if e.kind != "group" && snapshot.Owner(e.tags, s.ownerTag) == nil {
			s.report.NoOwner = append(s.report.NoOwner, e.arn)
		}
	}
	keys := map[string]bool{}
	for k := range byA {
		keys[k] = true
	}
	for k := range byB {
		keys[k] = true
	}
	list := make([]string, 0, len(keys))
	for k := range keys {
		list = append(list, k)
	}
	sort.Strings(list)
	for _, k := range list {
		x, y := byA[k], byB[k]
		switch {
		case y == nil:
			s.only("a", x)
			continue
		case x == nil:
			s.only("b", y)
			continue
		}
		if x.kind != "group" {
			s.report.Pairs.Principals++
		}
		base := Difference{PrincipalA: str(x.arn), PrincipalB: str(y.arn),
			OwnerA: snapshot.Owner(x.tags, s.ownerTag), OwnerB: snapshot.Owner(y.tags, s.ownerTag)}
		s.sets("policy_attachment", base, x.policies, y.policies, func(d *Difference, v string) { d.Policy = str(v) })
		s.sets("group_membership", base, x.groups, y.groups, func(d *Difference, v string) { d.Policy = str(v) })
		s.sets("boundary", base, nonEmpty(x.boundary), nonEmpty(y.boundary), func(d *Difference, v string) { d.Policy = str(v) })
		s.sets("trust", base, x.trusted, y.trusted, func(d *Difference, v string) { d.Trusted = str(v) })
	}
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// only reports a principal or group one side lacks.
func (s *structure) only(side string, e *entity) {
	what := "principal"
	if e.kind == "group" {
		what = "group"
	} else if side == "a" {
		s.report.Pairs.OnlyInA = append(s.report.Pairs.OnlyInA, e.arn)
	} else {
		s.report.Pairs.OnlyInB = append(s.report.Pairs.OnlyInB, e.arn)
	}
	d := Difference{What: str(what), OnlyIn: str(side), OwnerA: nil, OwnerB: nil}
	d.PrincipalA, d.PrincipalB = sideNames(side, e.arn)
	if side == "a" {
		d.OwnerA = snapshot.Owner(e.tags, s.ownerTag)
	} else {
		d.OwnerB = snapshot.Owner(e.tags, s.ownerTag)
	}
	s.add(d)
}

// sets reports the values (in each side's names) only one side has, after
// translating B's into A's names.
func (s *structure) sets(what string, base Difference, xs, ys []string, set func(*Difference, string)) {
	inA := map[string]bool{}
	for _, v := range xs {
		inA[v] = true
	}
	inB := map[string]bool{}
	for _, v := range ys {
		inB[s.names.FromB(v)] = true
	}
	for _, v := range xs {
		if !inB[v] {
			d := base
			d.What, d.OnlyIn = str(what), str("a")
			set(&d, v)
			s.add(d)
		}
	}
	for _, v := range ys {
		if !inA[s.names.FromB(v)] {
			d := base
			d.What, d.OnlyIn = str(what), str("b")
			set(&d, v)
			s.add(d)
		}
	}
}

// resources pairs the resource records and reports those, and the
// resource policies, only one side has.
func (s *structure) resources() {
	byB := map[string]*snapshot.Resource{}
	for arnB, r := range s.b.Resources {
		if r != nil && r.ARN != "" {
			byB[s.names.FromB(arnB)] = r
		}
	}
	keys := map[string]bool{}
	for a, r := range s.a.Resources {
		if r != nil && r.ARN != "" {
			keys[a] = true
		}
	}
	for k := range byB {
		keys[k] = true
	}
	list := make([]string, 0, len(keys))
	for k := range keys {
		list = append(list, k)
	}
	sort.Strings(list)
	for _, k := range list {
		x, y := s.a.Resources[k], byB[k]
		switch {
		case x != nil && y != nil:
			s.report.Pairs.Resources++
			switch {
			case x.Policy != nil && y.Policy == nil:
				s.add(Difference{What: str("resource_policy"), ResourceA: str(x.ARN), ResourceB: str(y.ARN), OnlyIn: str("a"), Policy: str(x.ARN)})
			case x.Policy == nil && y.Policy != nil:
				s.add(Difference{What: str("resource_policy"), ResourceA: str(x.ARN), ResourceB: str(y.ARN), OnlyIn: str("b"), Policy: str(y.ARN)})
			}
		case x != nil:
			s.report.Pairs.OnlyInA = append(s.report.Pairs.OnlyInA, x.ARN)
			s.add(Difference{What: str(resourceWhat(x)), ResourceA: str(x.ARN), OnlyIn: str("a"), Policy: policyOf(x)})
		default:
			s.report.Pairs.OnlyInB = append(s.report.Pairs.OnlyInB, y.ARN)
			s.add(Difference{What: str(resourceWhat(y)), ResourceB: str(y.ARN), OnlyIn: str("b"), Policy: policyOf(y)})
		}
	}
}

func resourceWhat(r *snapshot.Resource) string {
	if r.Policy != nil {
		return "resource_policy"
	}
	return "resource"
}

func policyOf(r *snapshot.Resource) *string {
	if r.Policy != nil {
		return str(r.ARN)
	}
	return nil
}

// organisation reports, for each paired account, the SCPs and RCPs
// attached along its path from the root that only one side has. Policies
// pair by id (after the map), else by their text.
func (s *structure) organisation() {
	for _, acct := range s.a.AccountIDs() {
		other := s.names.ToB(acct)
		if !s.knows(s.b, other) {
			continue
		}
		la, ga := s.a.SCPLevels(acct)
		lb, gb := s.b.SCPLevels(other)
		if ga || gb {
			s.attachments("scp_attachment", acct, la, lb, policy.TypeSCP)
		}
		ra, _ := s.a.RCPLevels(acct)
		rb, _ := s.b.RCPLevels(other)
		s.attachments("rcp_attachment", acct, ra, rb, policy.TypeRCP)
	}
}

func (s *structure) knows(env *snapshot.Environment, account string) bool {
	for _, id := range env.AccountIDs() {
		if id == account {
			return true
		}
	}
	return false
}

func (s *structure) attachments(what, account string, la, lb []snapshot.PolicyLevel, t policy.Type) {
	type att struct{ id, text string }
	collect := func(levels []snapshot.PolicyLevel, from func(string) string) []att {
		var out []att
		seen := map[string]bool{}
		for _, lv := range levels {
			for _, p := range lv.Policies {
				if seen[p.ID] {
					continue
				}
				seen[p.ID] = true
				text := ""
				if p.Document != nil {
					if doc, err := p.Document.Policy(t); err == nil {
						b, _ := doc.MarshalJSON()
						text = from(string(b))
					}
				}
				out = append(out, att{p.ID, text})
			}
		}
		return out
	}
	id := func(s string) string { return s }
	xs, ys := collect(la, id), collect(lb, s.names.FromB)
	matchedA, matchedB := make([]bool, len(xs)), make([]bool, len(ys))
	for pass := 0; pass < 2; pass++ {
		for i, x := range xs {
			if matchedA[i] {
				continue
			}
			for j, y := range ys {
				if matchedB[j] {
					continue
				}
				if (pass == 0 && x.id == s.names.FromB(y.id)) || (pass == 1 && x.text != "" && x.text == y.text) {
					matchedA[i], matchedB[j] = true, true
					break
				}
			}
		}
	}
	for i, x := range xs {
		if !matchedA[i] {
			s.add(Difference{What: str(what), Account: str(account), OnlyIn: str("a"), Policy: str(x.id)})
		}
	}
	for j, y := range ys {
		if !matchedB[j] {
			s.add(Difference{What: str(what), Account: str(account), OnlyIn: str("b"), Policy: str(y.id)})
		}
	}
}
