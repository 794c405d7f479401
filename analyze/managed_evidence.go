package analyze

import (
	"strings"
	"sync"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/policy"
)

// managedEvidence is what the AWS managed policies bundled in the catalog
// show IAM accepts.
// AWS publishes and updates its managed policies itself: a name in a
// current AWS managed policy is AWS's own use of it. The IAM service reference lags behind
// (new services and actions appear in managed policies first) and drops
// retired services whose managed policies stay. Where the reference and
// AWS's own policies disagree, lint cannot tell which is right, so it
// does not report an error: it reports NOT_IN_SERVICE_REFERENCE, a
// warning that names the Access Analyzer check the reference alone
// would fail. The rule is about names, never about a policy: a name
// counts wherever it is used.
type managedEvidence struct {
	services map[string]bool // service prefixes of Action values
	actions  map[string]bool // "prefix:name" of Action values without wildcards
	keys     map[string]bool // condition keys
	// keyActions are the (action, key) pairs a statement combines:
	// "prefix:name\x00key", for actions without wildcards.
	keyActions map[string]bool
	// unqualified are the keys used with an operator without
	// ForAllValues/ForAnyValue (Null, which tests presence, aside).
	unqualified map[string]bool
}

// The evidence of the last catalog asked for: one catalog serves a run,
// and keeping only one bounds the memory of a process that loads several.
var (
	evidenceMu  sync.Mutex
	evidenceCat *catalog.Catalog
	evidenceVal *managedEvidence
)

// evidence returns the catalog's managed-policy evidence, built on first
// use (it parses every bundled managed policy, about 0.2 s of CPU). Only
// a finding that would otherwise be an error asks for it.
func (l *linter) evidence() *managedEvidence {
	evidenceMu.Lock()
	defer evidenceMu.Unlock()
	if evidenceCat != l.c || evidenceVal == nil {
		evidenceCat, evidenceVal = l.c, buildEvidence(l.c)
	}
	return evidenceVal
}

func buildEvidence(c *catalog.Catalog) *managedEvidence {
	e := &managedEvidence{services: map[string]bool{}, actions: map[string]bool{}, keys: map[string]bool{}, keyActions: map[string]bool{}, unqualified: map[string]bool{}}
	for _, m := range c.ManagedPolicies() {
		doc, _, ok := c.ManagedPolicy(m.ARN)
		if !ok {
			continue
		}
		p, err := policy.Parse(doc, policy.Options{Type: policy.TypeIdentity, Source: m.Name})
		if err != nil {
			continue
		}
		for i := range p.Statements {
			e.addStatement(&p.Statements[i])
		}
	}
	return e
}

func (e *managedEvidence) addStatement(s *policy.Statement) {
	var named []string
	for _, v := range s.Action.Values {
		prefix, name, ok := strings.Cut(strings.ToLower(v.Text), ":")
		if !ok {
			continue
		}
		e.services[prefix] = true
		if strings.ContainsAny(name, "*?") {
			continue
		}
		// NotAction names the action too, but does not apply the
		// statement's conditions to it.
		e.actions[prefix+":"+name] = true
		if !s.Action.Not {
			named = append(named, prefix+":"+name)
		}
	}
	for _, c := range s.Conditions {
		k := strings.ToLower(c.Key)
		e.keys[k] = true
		for _, a := range named {
			e.keyActions[a+"\x00"+k] = true
		}
		if op, ok := parseOperator(c.Operator); ok && op.set == "" && op.family != famNull {
			e.unqualified[k] = true
		}
	}
}

// action reports whether AWS managed policies use the action (a name or a
// pattern, case-insensitive): a pattern counts when it is used itself or
// matches an action they name.
func (e *managedEvidence) action(text string) bool {
	lower := strings.ToLower(text)
	if e.actions[lower] {
		return true
	}
	if !strings.ContainsAny(lower, "*?") {
		return false
	}
	for a := range e.actions {
		if catalog.WildcardMatch(lower, a) {
			return true
		}
	}
	return false
}

// notInReference reports the NOT_IN_SERVICE_REFERENCE warning in place of
// the error aaCode: what the reference lacks and that AWS managed policies
// use it.
func (l *linter) notInReference(si *stmtInfo, at policy.Pos, aaCode, what string) {
	l.addS(si, "NOT_IN_SERVICE_REFERENCE", at, "%s is not in the IAM service reference lint embeds, but AWS managed policies use it, so IAM accepts it (the reference lags behind new services and actions and drops retired ones); lint cannot check it further. Access Analyzer, which follows the reference, may report %s", what, aaCode)
}
