package analyze

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/policy"
)

// LintOptions say how a document is linted.
type LintOptions struct {
	// Type is the policy type the document is used as; it decides which
	// elements are allowed and which checks apply (principal checks to
	// resource and trust policies, ...). policy.TypeAny checks grammar only
	// for elements.
	Type policy.Type
	// Source names the document in findings.
	Source string
	// Catalog is the service reference; nil means catalog.Default().
	Catalog *catalog.Catalog
}

// Lint validates a policy document. Grammar errors end the analysis (the
// rest needs a parsed document); everything else is reported together,
// sorted by position.
func Lint(data []byte, opts LintOptions) *Result {
	res := &Result{Source: opts.Source, Type: opts.Type.String(), Findings: []Finding{}}
	p, err := policy.Parse(data, policy.Options{Type: policy.TypeAny, Source: opts.Source})
	if err != nil {
		var list policy.ErrorList
		if errors.As(err, &list) {
			for _, e := range list {
				res.add("POLICY_SYNTAX", e.Pos, "", "%s", e.Msg)
			}
		} else {
			res.add("POLICY_SYNTAX", policy.Pos{}, "", "%v", err)
		}
		return res.finish()
	}
	res = LintPolicy(p, opts)
	emptyConditions(data, res, p.Statements)
	return res.finish()
}

// LintPolicy lints a document already parsed (with any type). Empty
// Condition blocks, which the parsed model does not record, are found only
// by Lint.
func LintPolicy(p *policy.Policy, opts LintOptions) *Result {
	res := &Result{Source: opts.Source, Type: opts.Type.String(), Findings: []Finding{}}
	if res.Source == "" {
		res.Source = p.Source
	}
	for _, e := range p.Validate(opts.Type) {
		res.add("POLICY_TYPE_ELEMENT", e.Pos, "", "%s", e.Msg)
	}
	c := opts.Catalog
	if c == nil {
		c = catalog.Default()
	}
	l := &linter{c: c, t: opts.Type, res: res}
	stmts := make([]*stmtInfo, len(p.Statements))
	for i := range p.Statements {
		stmts[i] = l.statement(&p.Statements[i])
	}
	l.redundantStatements(stmts)
	return res.finish()
}

func (r *Result) add(code string, p policy.Pos, stmt string, format string, args ...any) {
	rule := ruleIndex[code]
	line, col := pos(p)
	r.Findings = append(r.Findings, Finding{
		Code: code, Severity: rule.Severity, Message: fmt.Sprintf(format, args...),
		Line: line, Col: col, Statement: stmt, Doc: rule.Doc,
	})
}

func (r *Result) finish() *Result {
	slices.SortStableFunc(r.Findings, func(a, b Finding) int {
		if c := cmp.Compare(a.Line, b.Line); c != 0 {
			return c
		}
		return cmp.Compare(a.Col, b.Col)
	})
	r.Counts = map[string]int{}
	for _, s := range severityNames {
		r.Counts[s] = 0
	}
	for _, f := range r.Findings {
		r.Counts[f.Severity.String()]++
	}
	return r
}

type linter struct {
	c   *catalog.Catalog
	t   policy.Type
	res *Result
}

// stmtInfo is what the statement checks learned, kept for the checks
// across statements.
type stmtInfo struct {
	s     *policy.Statement
	label string
	// actions are the catalog actions each Action value resolves to
	// (nil for an unknown one); allKnown is false when any is unknown.
	actions  [][]*catalog.Action
	allKnown bool
}

func (l *linter) statement(s *policy.Statement) *stmtInfo {
	si := &stmtInfo{s: s, label: s.Label(), allKnown: true}
	l.actions(si)
	l.resources(si)
	l.conditions(si)
	// SCPs and RCPs grant nothing (they bound what other policies grant),
	// so the checks of what an Allow grants do not apply to them.
	// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
	if s.Effect == policy.Allow && l.t != policy.TypeSCP && l.t != policy.TypeRCP {
		l.allowChecks(si)
		l.principalChecks(si)
	}
	return si
}

func (l *linter) add(si *stmtInfo, code string, p policy.Pos, format string, args ...any) {
	l.res.add(code, p, si.label, format, args...)
}

// actions resolves each Action/NotAction value against the catalog.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
func (l *linter) actions(si *stmtInfo) {
	s := si.s
	si.actions = make([][]*catalog.Action, len(s.Action.Values))
	for i, v := range s.Action.Values {
		text := v.Text
		for _, w := range s.Action.Values[:i] {
			if strings.EqualFold(w.Text, text) {
				l.add(si, "DUPLICATE_ACTION", v.Pos, "%s is listed twice in %s (first at %s)", text, elementName(s.Action, "Action"), w.Pos)
				break
			}
		}
		if text == "*" {
			si.actions[i] = l.c.MatchActions("*")
			continue
		}
		prefix, name, ok := strings.Cut(text, ":")
		if !ok || prefix == "" || name == "" {
			si.allKnown = false
			l.add(si, "UNKNOWN_ACTION", v.Pos, "%q is not an action: want service:ActionName", text)
			continue
		}
		if !strings.ContainsAny(prefix, "*?") {
			if _, known := l.c.Service(prefix); !known {
				si.allKnown = false
				l.add(si, "UNKNOWN_SERVICE", v.Pos, "%q: no service has the prefix %q", text, prefix)
				continue
			}
		}
		matched := l.c.MatchActions(text)
		if len(matched) == 0 {
			si.allKnown = false
			if strings.ContainsAny(text, "*?") {
				l.add(si, "UNKNOWN_ACTION", v.Pos, "%s matches no action of the service reference", text)
			} else {
				l.add(si, "UNKNOWN_ACTION", v.Pos, "%s is not an action of %s", text, prefix)
			}
			continue
		}
		si.actions[i] = matched
	}
	// An action another value's wildcard already covers.
	for i, v := range s.Action.Values {
		if strings.ContainsAny(v.Text, "*?") || si.actions[i] == nil {
			continue
		}
		for j, w := range s.Action.Values {
			if j != i && strings.ContainsAny(w.Text, "*?") && catalog.WildcardMatch(w.Text, si.actions[i][0].FullName) {
				l.add(si, "REDUNDANT_ACTION", v.Pos, "%s is already covered by %s in the same statement", v.Text, w.Text)
				break
			}
		}
	}
	if !s.Action.Not {
		l.collapsible(si)
		l.actionResourceMismatch(si)
	}
}

func elementName(list policy.List, base string) string {
	if list.Not {
		return "Not" + base
	}
	return base
}

// collapsible suggests a wildcard where the statement lists exactly the
// actions it would match: all of a service's actions (service:*), or all
// of a service's actions with one verb (service:Get*). The suggestion
// names the trade-off: a wildcard also matches actions AWS adds later.
func (l *linter) collapsible(si *stmtInfo) {
	listed := map[string]map[string]bool{} // prefix -> lower-case full names
	first := map[string]policy.Pos{}
	for i, v := range si.s.Action.Values {
		if strings.ContainsAny(v.Text, "*?") || si.actions[i] == nil {
			continue
		}
		a := si.actions[i][0]
		p := a.Service.Prefix
		if listed[p] == nil {
			listed[p] = map[string]bool{}
			first[p] = v.Pos
		}
		listed[p][strings.ToLower(a.FullName)] = true
	}
	for prefix, set := range listed {
		if len(set) < 3 {
			continue
		}
		if svc, _ := l.c.Service(prefix); len(svc.Actions) == len(set) {
			l.add(si, "COLLAPSIBLE_ACTIONS", first[prefix], "the statement lists all %d %s actions: %s:* says the same (and also matches actions AWS adds later)", len(set), prefix, prefix)
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
			pattern := prefix + ":" + verb + "*"
			matched := l.c.MatchActions(pattern)
			if len(matched) < 3 || !allIn(matched, set) {
				continue
			}
			l.add(si, "COLLAPSIBLE_ACTIONS", first[prefix], "the statement lists all %d actions %s matches: the wildcard says the same (and also matches actions AWS adds later)", len(matched), canonicalPattern(matched[0], verb))
		}
	}
}

// leadingVerb is the lower-case leading word of an action name
// ("getobject" -> "get" is not knowable from lower case, so the verbs are
// the common ones AWS uses).
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
