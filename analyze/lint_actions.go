package analyze

import (
	"slices"
	"strings"

	"github.com/iamwhy/iamwhy/catalog"
)

// actions resolves each Action/NotAction value against the catalog.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
func (l *linter) actions(si *stmtInfo) {
	s := si.s
	si.actions = make([][]*catalog.Action, len(s.Action.Values))
	seen := make(map[string]int, len(s.Action.Values))
	elem := elementName(s.Action, "Action")
	for i, v := range s.Action.Values {
		text := v.Text
		lower := strings.ToLower(text)
		if j, dup := seen[lower]; dup {
			l.addS(si, "REDUNDANT_ACTION", v.Pos, "%s is listed twice in %s (first as %s): the action is redundant; remove one", text, elem, s.Action.Values[j].Text)
		} else {
			seen[lower] = i
		}
		if strings.Contains(text, "${") {
			// "Policy variables are supported in the Resource and
			// Condition elements" only.
			l.addS(si, "VARIABLE_UNSUPPORTED_IN_ELEMENT", v.Pos, "policy variables are supported in the Resource and Condition elements: remove the policy variable from %s %q", elem, text)
		}
		if text == "*" {
			si.actions[i] = l.matchActions("*")
			continue
		}
		prefix, name, ok := strings.Cut(text, ":")
		if !ok || prefix == "" || name == "" {
			si.allKnown = false
			l.addS(si, "INVALID_ACTION", v.Pos, "the action %q does not exist: an action is service:ActionName", text)
			continue
		}
		if strings.ContainsAny(prefix, "*?") {
			l.addS(si, "WILDCARD_IN_SERVICE_NAME", v.Pos, "%q: avoid using wildcards (*, ?) in the service name because it might grant unintended access to other AWS services with similar names", text)
		} else if _, known := l.c.Service(prefix); !known {
			si.allKnown = false
			if l.evidence().services[strings.ToLower(prefix)] {
				l.notInReference(si, v.Pos, "INVALID_SERVICE_IN_ACTION", "the service "+prefix+" of the action "+text)
				continue
			}
			l.addS(si, "INVALID_SERVICE_IN_ACTION", v.Pos, "the service %s specified in the action %s does not exist%s", prefix, text, l.didYouMeanService(prefix))
			continue
		}
		// SCPs: "values can include wildcards (*) only at the end of
		// the string" (iam:Get* but not iam:*role).
		// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html#scp-syntax-action
		if k := strings.IndexAny(name, "*?"); k >= 0 && (k != len(name)-1 || name[k] == '?') {
			l.addS(si, "SCP_SYNTAX_ERROR_ACTION_WILDCARD", v.Pos, "SCP actions can include wildcards (*) only at the end of a string: update %s", text)
		}
		matched := l.matchActions(text)
		if len(matched) == 0 {
			si.allKnown = false
			if l.evidence().action(text) {
				l.notInReference(si, v.Pos, "INVALID_ACTION", "the action "+text)
			} else if strings.ContainsAny(text, "*?") {
				l.addS(si, "INVALID_ACTION", v.Pos, "the action %s does not exist: the pattern matches no action of the service reference", text)
			} else {
				l.addS(si, "INVALID_ACTION", v.Pos, "the action %s does not exist in %s%s", text, prefix, l.didYouMeanAction(prefix, name))
			}
			continue
		}
		si.actions[i] = matched
	}
	// An action another value's wildcard already covers.
	var wild []int
	for i, v := range s.Action.Values {
		if strings.ContainsAny(v.Text, "*?") && si.actions[i] != nil {
			wild = append(wild, i)
		}
	}
	if len(wild) > 0 {
		for i, v := range s.Action.Values {
			if strings.ContainsAny(v.Text, "*?") || si.actions[i] == nil {
				continue
			}
			for _, j := range wild {
				if catalog.WildcardMatch(s.Action.Values[j].Text, si.actions[i][0].FullName) {
					l.addS(si, "REDUNDANT_ACTION", v.Pos, "%s is redundant: %s in the same statement already covers it", v.Text, s.Action.Values[j].Text)
					break
				}
			}
		}
	}
	if !s.Action.Not {
		l.collapsible(si)
		l.actionResourceMismatch(si)
	}
}

// didYouMeanService suggests a prefix differing only in case or by one
// edit.
func (l *linter) didYouMeanService(prefix string) string {
	for _, svc := range l.c.Services() {
		if strings.EqualFold(svc.Prefix, prefix) || editDistance1(svc.Prefix, strings.ToLower(prefix)) {
			return ": did you mean " + svc.Prefix + "?"
		}
	}
	return ""
}

func (l *linter) didYouMeanAction(prefix, name string) string {
	svc, ok := l.c.Service(prefix)
	if !ok {
		return ""
	}
	ln := strings.ToLower(name)
	for _, a := range svc.Actions {
		if editDistance1(strings.ToLower(a.Name()), ln) {
			return ": did you mean " + a.FullName + "?"
		}
	}
	return ""
}

// editDistance1 reports whether a and b differ by exactly one insertion,
// deletion or substitution.
func editDistance1(a, b string) bool {
	if a == b {
		return false
	}
	if len(a) < len(b) {
		a, b = b, a
	}
	if len(a)-len(b) > 1 {
		return false
	}
	i := 0
	for i < len(b) && a[i] == b[i] {
		i++
	}
	if len(a) == len(b) {
		return a[i+1:] == b[i+1:]
	}
	return a[i+1:] == b[i:]
}

// collapsible suggests a wildcard where the statement lists exactly the
// actions it would match: all of a service's actions (service:*), or all
// of a service's actions with one verb (service:Get*). The suggestion
// names the trade-off: a wildcard also matches actions AWS adds later.
func (l *linter) collapsible(si *stmtInfo) {
	listed := map[string]map[string]bool{} // prefix -> lower-case full names
	first := map[string]int{}
	for i, v := range si.s.Action.Values {
		if strings.ContainsAny(v.Text, "*?") || si.actions[i] == nil {
			continue
		}
		a := si.actions[i][0]
		p := a.Service.Prefix
		if listed[p] == nil {
			listed[p] = map[string]bool{}
			first[p] = i
		}
		listed[p][strings.ToLower(a.FullName)] = true
	}
	for _, prefix := range sortedKeys(listed) {
		set := listed[prefix]
		if len(set) < 3 {
			continue
		}
		at := si.s.Action.Values[first[prefix]].Pos
		if svc, _ := l.c.Service(prefix); len(svc.Actions) == len(set) {
			l.addS(si, "COLLAPSIBLE_ACTIONS", at, "the statement lists all %d %s actions: %s:* says the same (and also matches actions AWS adds later)", len(set), prefix, prefix)
			continue
		}
		verbs := map[string]int{}
		for name := range set {
			verbs[leadingVerb(name[len(prefix)+1:])]++
		}
		for _, verb := range sortedKeys(verbs) {
			if verb == "" || verbs[verb] < 3 {
				continue
			}
			matched := l.c.MatchActions(prefix + ":" + verb + "*")
			if len(matched) < 3 || !allIn(matched, set) {
				continue
			}
			l.addS(si, "COLLAPSIBLE_ACTIONS", at, "the statement lists all %d actions %s matches: the wildcard says the same (and also matches actions AWS adds later)", len(matched), canonicalPattern(matched[0], verb))
		}
	}
}

// leadingVerb is the lower-case leading word of an action name among the
// verbs AWS commonly uses.
func leadingVerb(lowerName string) string {
	for _, v := range [...]string{"describe", "get", "list", "put", "delete", "create", "update", "tag", "untag"} {
		if strings.HasPrefix(lowerName, v) {
			return v
		}
	}
	return ""
}

func canonicalPattern(a *catalog.Action, verb string) string {
	return a.FullName[:len(a.Service.Prefix)+1+len(verb)] + "*"
}

func allIn(as []*catalog.Action, set map[string]bool) bool {
	for _, a := range as {
		if !set[strings.ToLower(a.FullName)] {
			return false
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
