package analyze

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/policy"
)

// TestLintAWSManagedPolicies lints every embedded AWS managed policy as an
// identity policy and requires no error: AWS's own documents are
// grammatical, use only elements identity policies allow, and name only
// services, actions and keys IAM accepts. Names the service reference
// lacks are NOT_IN_SERVICE_REFERENCE warnings (managedEvidence), which
// TestNotInServiceReference checks apart. The findings are counted by
// check and severity (go test -v); docs/lint.md quotes the counts.
func TestLintAWSManagedPolicies(t *testing.T) {
	if testing.Short() {
		t.Skip("lints 1,500+ documents")
	}
	c := catalog.Default()
	counts := map[string]int{}
	bySeverity := map[Severity]int{}
	sev := map[string]Severity{}
	for _, m := range c.ManagedPolicies() {
		doc, _, _ := c.ManagedPolicy(m.ARN)
		res := Lint(doc, LintOptions{Type: policy.TypeIdentity, Source: m.Name, Catalog: c})
		for _, f := range res.Findings {
			counts[f.IssueCode]++
			bySeverity[f.Severity]++
			sev[f.IssueCode] = f.Severity
			if f.Severity == SeverityError {
				t.Errorf("%s:%d:%d %s: %s", m.Name, f.Line, f.Col, f.IssueCode, f.Message)
			}
		}
	}
	if n := len(c.ManagedPolicies()); n < 1000 {
		t.Fatalf("only %d managed policies in the catalog", n)
	}
	codes := make([]string, 0, len(counts))
	for k := range counts {
		codes = append(codes, k)
	}
	sort.Slice(codes, func(i, j int) bool {
		if counts[codes[i]] != counts[codes[j]] {
			return counts[codes[i]] > counts[codes[j]]
		}
		return codes[i] < codes[j]
	})
	var b strings.Builder
	for _, k := range codes {
		fmt.Fprintf(&b, "\n%s\t%s\t%d", k, sev[k], counts[k])
	}
	t.Logf("%d managed policies; ERROR %d, SECURITY_WARNING %d, WARNING %d, SUGGESTION %d; findings by check:%s", len(c.ManagedPolicies()),
		bySeverity[SeverityError], bySeverity[SeveritySecurityWarning], bySeverity[SeverityWarning], bySeverity[SeveritySuggestion], b.String())
}

// TestNotInServiceReference: a name the service reference lacks is an
// error unless AWS managed policies use it; then it is the
// NOT_IN_SERVICE_REFERENCE warning, whatever policy uses it.
func TestNotInServiceReference(t *testing.T) {
	stmt := func(action, cond string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"*"` + cond + `}]}`
	}
	for _, tc := range []struct {
		name, doc, code string
	}{
		{"retired service used by AWS", stmt("deeplens:ListDevices", ""), "NOT_IN_SERVICE_REFERENCE"},
		{"unknown service", stmt("deeplensx:ListDevices", ""), "INVALID_SERVICE_IN_ACTION"},
		{"action newer than the reference", stmt("budgets:CreateBudget", ""), "NOT_IN_SERVICE_REFERENCE"},
		{"unknown action of a known service", stmt("budgets:CreateBudgetX", ""), "INVALID_ACTION"},
		{"global key used by AWS", stmt("sso:ListInstances", `,"Condition":{"StringEquals":{"aws:PrincipalOrgMasterAccountId":"111122223333"}}`), "NOT_IN_SERVICE_REFERENCE"},
		{"unknown global key", stmt("sso:ListInstances", `,"Condition":{"StringEquals":{"aws:PrincipalOrgMasterAccountIdX":"111122223333"}}`), "INVALID_GLOBAL_CONDITION_KEY"},
		{"key of a retired service used by AWS", stmt("deepracer:ListModels", `,"Condition":{"Bool":{"deepracer:MultiUser":"true"}}`), "NOT_IN_SERVICE_REFERENCE"},
		{"key of an unknown service", stmt("s3:ListBucket", `,"Condition":{"Bool":{"deepracerx:MultiUser":"true"}}`), "INVALID_SERVICE"},
		{"multivalued key AWS compares single-valued", stmt("events:PutEvents", `,"Condition":{"StringEquals":{"events:detail-type":"x"}}`), "NOT_IN_SERVICE_REFERENCE"},
		{"key AWS pairs with an action the reference does not list", stmt("ec2:DescribeInstances", `,"Condition":{"StringEquals":{"ec2:ResourceTag/eks":"x"}}`), "NOT_IN_SERVICE_REFERENCE"},
		{"key no one pairs with the action", stmt("ec2:DescribeRegions", `,"Condition":{"StringEquals":{"ec2:Vpc":"arn:aws:ec2:us-east-1:111122223333:vpc/vpc-1"}}`), "UNSUPPORTED_ACTION_FOR_CONDITION_KEY"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := Lint([]byte(tc.doc), LintOptions{Type: policy.TypeIdentity})
			var codes []string
			found := false
			for _, f := range res.Findings {
				codes = append(codes, f.IssueCode)
				found = found || f.IssueCode == tc.code
				if tc.code == "NOT_IN_SERVICE_REFERENCE" && f.Severity == SeverityError {
					t.Errorf("error %s: %s", f.IssueCode, f.Message)
				}
			}
			if !found {
				t.Errorf("no %s; findings %v", tc.code, codes)
			}
		})
	}
}
