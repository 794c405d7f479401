package unused

import (
	"strings"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/policy"
)

// expandGrants lists the actions each Allow statement grants, expanded
// against the service reference (Action patterns, or every action but the
// NotAction ones), minus those an unconditional Deny on every resource
// takes away. Resources and conditions do not narrow the list: an action
// granted on any resource is granted.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
func (a *Analyzer) expandGrants(st *principalState) {
	denied := map[string]bool{}
	for _, d := range st.docs {
		for i := range d.doc.Statements {
			s := &d.doc.Statements[i]
			if s.Effect == policy.Deny && len(s.Conditions) == 0 && allResources(s.Resource) && !s.Action.Not {
				for act := range a.expand(s.Action) {
					denied[act] = true
				}
			}
		}
	}
	for _, d := range st.docs {
		d.stmtActions = make([]map[string]bool, len(d.doc.Statements))
		for i := range d.doc.Statements {
			s := &d.doc.Statements[i]
			if s.Effect != policy.Allow {
				continue
			}
			acts := a.expand(s.Action)
			d.stmtActions[i] = acts
			for act := range acts {
				if denied[act] {
					continue
				}
				if l := st.grants[act]; len(l) == 0 || l[len(l)-1] != d.name {
					st.grants[act] = append(l, d.name)
				}
			}
		}
	}
}

func allResources(l policy.List) bool {
	if l.Not {
		return false
	}
	for _, v := range l.Values {
		if v.Text == "*" {
			return true
		}
	}
	return false
}

// expand returns the catalog actions an Action or NotAction element
// matches. Names the catalog does not know are kept as written when they
// hold no wildcard.
func (a *Analyzer) expand(l policy.List) map[string]bool {
	out := map[string]bool{}
	if !l.Present {
		return out
	}
	if !l.Not {
		for _, v := range l.Values {
			a.expandPattern(v.Text, out)
		}
		return out
	}
	not := map[string]bool{}
	for _, v := range l.Values {
		a.expandPattern(v.Text, not)
	}
	for _, svc := range a.c.Services() {
		for _, act := range svc.Actions {
			if !not[act.FullName] {
				out[act.FullName] = true
			}
		}
	}
	return out
}

func (a *Analyzer) expandPattern(p string, out map[string]bool) {
	if p == "*" {
		for _, svc := range a.c.Services() {
			for _, act := range svc.Actions {
				out[act.FullName] = true
			}
		}
		return
	}
	matched := a.c.MatchActions(p)
	for _, act := range matched {
		out[act.FullName] = true
	}
	if len(matched) == 0 && !strings.ContainsAny(p, "*?") {
		out[p] = true
	}
}

// serviceOf is the action's service prefix.
func serviceOf(action string) string {
	s, _, _ := strings.Cut(action, ":")
	return s
}

// accessLevel is the catalog's access level of an action.
func accessLevel(c *catalog.Catalog, action string) (catalog.AccessLevel, bool) {
	act, ok := c.Action(action)
	if !ok {
		return 0, false
	}
	return act.Access, true
}
