package analyze

import (
	"fmt"
	"strings"

	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/policy"
)

// resources checks each Resource/NotResource value is "*" or an ARN.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
func (l *linter) resources(si *stmtInfo) {
	seen := map[string]policy.Pos{}
	for _, v := range si.s.Resource.Values {
		if first, dup := seen[v.Text]; dup {
			l.add(si, "DUPLICATE_RESOURCE", v.Pos, "%s is listed twice (first at %s)", v.Text, first)
		} else {
			seen[v.Text] = v.Pos
		}
		if v.Text == "*" {
			continue
		}
		if !isARNShaped(v.Text) {
			l.add(si, "MALFORMED_ARN", v.Pos, "%q is not \"*\" nor an ARN: an ARN has six colon-separated parts, arn:partition:service:region:account-id:resource", v.Text)
		}
	}
}

// isARNShaped: "arn:" and at least six colon-separated parts. A policy
// variable may stand for any part.
func isARNShaped(s string) bool {
	if strings.HasPrefix(s, "${") {
		return true
	}
	_, ok := arn.Parse(s)
	return ok
}

// actionResourceMismatch warns when a listed action works on none of the
// statement's resources: such a pairing can never match a request, so the
// statement does less than it says. Only definite mismatches are
// reported: a resource with wildcards or variables is judged by its
// service field alone.
func (l *linter) actionResourceMismatch(si *stmtInfo) {
	s := si.s
	if !s.Resource.Present || s.Resource.Not || len(s.Resource.Values) == 0 {
		return
	}
	for _, v := range s.Resource.Values {
		if v.Text == "*" {
			return
		}
	}
	// One finding per statement and kind, at the first action concerned,
	// so a long action list does not bury the rest of the report.
	var starOnly, mismatched []string
	var starPos, misPos policy.Pos
	for i, v := range s.Action.Values {
		if strings.ContainsAny(v.Text, "*?") || si.actions[i] == nil {
			continue
		}
		a := si.actions[i][0]
		switch {
		case len(a.Resources) == 0:
			if starOnly == nil {
				starPos = v.Pos
			}
			starOnly = append(starOnly, a.FullName)
		case !l.anyResourceFits(a, s.Resource.Values):
			if mismatched == nil {
				misPos = v.Pos
			}
			mismatched = append(mismatched, fmt.Sprintf("%s (works on %s)", a.FullName, typeNames(a)))
		}
	}
	if starOnly != nil {
		l.add(si, "ACTION_RESOURCE_MISMATCH", starPos, "%s: no resource-level permissions (the reference lists no resource type), so AWS requires Resource \"*\" and this statement's resources never apply to %s", listSome(starOnly), pronoun(len(starOnly)))
	}
	if mismatched != nil {
		l.add(si, "ACTION_RESOURCE_MISMATCH", misPos, "none of the statement's resources is of a type %s works on: %s", pluralVerb(len(mismatched)), listSome(mismatched))
	}
}

// listSome joins names, eliding past five.
func listSome(names []string) string {
	if len(names) <= 5 {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:5], ", "), len(names)-5)
}

func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

func pluralVerb(n int) string {
	if n == 1 {
		return "the action"
	}
	return "each action"
}

// anyResourceFits reports whether some resource value may be of a type
// the action works on (true when it cannot tell).
func (l *linter) anyResourceFits(a *catalog.Action, values []policy.Value) bool {
	for _, v := range values {
		if !isARNShaped(v.Text) {
			return true // reported as MALFORMED_ARN; no second finding
		}
		var may, known bool
		if strings.ContainsAny(v.Text, "*?") || strings.Contains(v.Text, "${") {
			may, known = l.c.ActionMayApplyTo(a.FullName, v.Text)
		} else {
			may, known = l.c.ActionAppliesTo(a.FullName, v.Text)
		}
		if may || !known {
			return true
		}
	}
	return false
}

func typeNames(a *catalog.Action) string {
	names := make([]string, len(a.Resources))
	for i, r := range a.Resources {
		names[i] = r.Type.Name
	}
	return strings.Join(names, ", ")
}
