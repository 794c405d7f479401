package analyze

import (
	"slices"
	"strings"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/policy"
)

// maxCoverComparisons bounds the statements one statement is compared
// with: the candidates come from an index (statements naming the same
// action or resource, or a wildcard), so only a document of thousands of
// near-identical wildcard statements reaches it.
const maxCoverComparisons = 512

// redundantStatements suggests removing a statement that another
// statement of the same effect already covers: same principals, every
// action and resource of it matched by the other, and the other
// unconditional. Under the evaluation logic one matching Allow (or Deny)
// is as good as two, so the covered statement changes nothing.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
//
// Candidates are found through an index of the unconditional statements
// by action and by resource, so the check is linear in the number of
// statements for documents of the usual kind.
func (l *linter) redundantStatements(stmts []*stmtInfo) {
	byAction := map[string][]int{}
	byResource := map[string][]int{}
	var wildAction, starResource []int
	for j, b := range stmts {
		s := b.s
		if len(s.Conditions) > 0 || s.Action.Not || s.Resource.Not {
			continue
		}
		wild := false
		for _, v := range s.Action.Values {
			if strings.ContainsAny(v.Text, "*?") {
				wild = true
			} else {
				byAction[strings.ToLower(v.Text)] = append(byAction[strings.ToLower(v.Text)], j)
			}
		}
		if wild {
			wildAction = append(wildAction, j)
		}
		star := false
		for _, v := range s.Resource.Values {
			if v.Text == "*" {
				star = true
			} else {
				byResource[v.Text] = append(byResource[v.Text], j)
			}
		}
		if star || !s.Resource.Present {
			starResource = append(starResource, j)
		}
	}
	for i, a := range stmts {
		s := a.s
		if len(s.Action.Values) == 0 || s.Action.Not || s.Resource.Not {
			continue
		}
		cands := append(append([]int(nil), byAction[strings.ToLower(s.Action.Values[0].Text)]...), wildAction...)
		if len(s.Resource.Values) > 0 {
			alt := append(append([]int(nil), byResource[s.Resource.Values[0].Text]...), starResource...)
			if len(alt) < len(cands) {
				cands = alt
			}
		}
		slices.Sort(cands)
		cands = slices.Compact(cands)
		if len(cands) > maxCoverComparisons {
			cands = cands[:maxCoverComparisons]
		}
		for _, j := range cands {
			b := stmts[j]
			if i == j || !covers2(b.s, a.s) {
				continue
			}
			// Identical statements cover each other: report the later.
			if covers2(a.s, b.s) && i < j {
				continue
			}
			l.addS(a, "REDUNDANT_STATEMENT", s.Pos, "the statement is redundant: statement %s already %s everything this statement does (it is unconditional and covers its actions and resources); remove the redundant statement", b.label, verbFor(b.s.Effect))
			break
		}
	}
}

// covers2 reports whether statement b matches every request a matches.
func covers2(b, a *policy.Statement) bool {
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
// For actions this is decided exactly when a has no wildcard (b must
// match a's text, as the catalog matches action names); for resources a
// literal a is matched against b, and otherwise only "*" and equal text
// count, since a conservative answer only misses a suggestion.
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
	if !strings.ContainsAny(a, "*?") {
		return globMatch(b, a)
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
