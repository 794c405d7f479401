package analyze

import (
	"testing"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/policy"
)

// referenceDisagreements are the errors an AWS managed policy can rightly
// get: the document names an action, service or condition key the
// embedded service reference does not list (retired services such as
// AWS DeepLens, actions renamed or withdrawn), or pairs a key with
// actions the reference says do not support it. Access Analyzer reports
// the same errors in AWS's own policies ("AWS managed policies with this
// error", https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-error-invalid-action).
// Every other error would be lint's mistake.
var referenceDisagreements = map[string]bool{
	"INVALID_ACTION": true, "INVALID_SERVICE_IN_ACTION": true, "INVALID_SERVICE": true,
	"INVALID_SERVICE_CONDITION_KEY": true, "INVALID_GLOBAL_CONDITION_KEY": true,
	"UNSUPPORTED_ACTION_FOR_CONDITION_KEY": true, "MISSING_QUALIFIER": true,
}

// TestLintAWSManagedPolicies lints every embedded AWS managed policy as an
// identity policy: AWS's own documents are grammatical and use only
// elements identity policies allow, so no error other than a
// disagreement with the service reference may appear; the findings are
// counted by check.
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
			counts[f.IssueCode]++
			if f.Severity == SeverityError && !referenceDisagreements[f.IssueCode] {
				t.Errorf("%s:%d:%d %s: %s", m.Name, f.Line, f.Col, f.IssueCode, f.Message)
			}
		}
	}
	t.Logf("findings over %d managed policies: %v", len(c.ManagedPolicies()), counts)
}
