package analyze

import (
	"slices"
	"strings"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/policy"
)

// redundantStatements warns about a statement that another statement of
// the same effect already covers: same principals, every action and
// resource of it matched by the other, and the other unconditional. Under
// the evaluation logic one matching Allow (or Deny) is as good as two, so
// the covered statement changes nothing.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
func (l *linter) redundantStatements(stmts []*stmtInfo) {
	for i, a := range stmts {
		for j, b := range stmts {
			if i == j || !covers(b.s, a.s) {
				continue
			}
			// Identical statements cover each other: report the later.
			if covers(a.s, b.s) && i < j {
				continue
			}
			l.add(a, "REDUNDANT_STATEMENT", a.s.Pos, "statement %s already %s everything this statement does (it is unconditional and covers its actions and resources)", b.label, verbFor(b.s.Effect))
			break
		}
	}
}

// covers reports whether statement b matches every request a matches.
func covers(b, a *policy.Statement) bool {
	if a.Effect != b.Effect || len(b.Conditions) > 0 || a.Action.Not || b.Action.Not || a.Resource.Not || b.Resource.Not {
		return false
	}
	if !samePrincipals(&a.Principal, &b.Principal) {
		return false
	}
	for _, v := range a.Action.Values {
		if !slices.ContainsFunc(b.Action.Values, func(w policy.Value) bool { return patternCovers(w.Text, v.Text, true) }) {
			return false
		}
	}
	if a.Resource.Present != b.Resource.Present {
		return false
	}
	for _, v := range a.Resource.Values {
		if !slices.ContainsFunc(b.Resource.Values, func(w policy.Value) bool { return patternCovers(w.Text, v.Text, false) }) {
			return false
		}
	}
	return true
}

// patternCovers: every string pattern a matches, pattern b matches too.
// For actions this is decided exactly when a has no wildcard (b must match
// a's text, as the catalog matches action names); for resources only "*"
// and equal text count, since matching ARN patterns is the engine's
// business and a conservative answer only misses a warning.
func patternCovers(b, a string, action bool) bool {
	if b == "*" {
		return true
	}
	if action {
		if !strings.ContainsAny(a, "*?") {
			return catalog.WildcardMatch(b, a)
		}
		return strings.EqualFold(a, b)
	}
	return a == b
}

func samePrincipals(a, b *policy.Principals) bool {
	if a.Present != b.Present || a.Not != b.Not || a.Wildcard != b.Wildcard || len(a.Entries) != len(b.Entries) {
		return false
	}
	key := func(ps *policy.Principals) []string {
		out := make([]string, len(ps.Entries))
		for i, e := range ps.Entries {
			out[i] = string(e.Kind) + "\x00" + e.Value
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(key(a), key(b))
}

func verbFor(e policy.Effect) string {
	if e == policy.Deny {
		return "denies"
	}
	return "allows"
}
