package analyze

import (
	"testing"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/policy"
)

// TestLintAWSManagedPolicies lints every embedded AWS managed policy as an
// identity policy: AWS's own documents are grammatical and use only
// elements identity policies allow, so neither POLICY_SYNTAX nor
// POLICY_TYPE_ELEMENT may appear; the other findings are counted (real
// ones exist: retired services, ARNs missing a part).
func TestLintAWSManagedPolicies(t *testing.T) {
	if testing.Short() {
		t.Skip("lints 1,500+ documents")
	}
	c := catalog.Default()
	counts := map[string]int{}
	for _, m := range c.ManagedPolicies() {
		doc, _, _ := c.ManagedPolicy(m.ARN)
		res := Lint(doc, LintOptions{Type: policy.TypeIdentity, Source: m.Name, Catalog: c})
		for _, f := range res.Findings {
			counts[f.Code]++
			if f.Code == "POLICY_SYNTAX" || f.Code == "POLICY_TYPE_ELEMENT" {
				t.Errorf("%s:%d:%d %s: %s", m.Name, f.Line, f.Col, f.Code, f.Message)
			}
		}
	}
	t.Logf("findings over %d managed policies: %v", len(c.ManagedPolicies()), counts)
}
