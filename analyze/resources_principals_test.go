package analyze

import (
	"fmt"
	"testing"

	"github.com/iamwhy/iamwhy/policy"
)

// hasFinding lints doc and reports whether a finding with code is among
// the results, and the codes found (for failure messages).
func hasFinding(t *testing.T, doc string, typ policy.Type, code string) (bool, []string) {
	t.Helper()
	res := Lint([]byte(doc), LintOptions{Type: typ})
	var codes []string
	found := false
	for _, f := range res.Findings {
		codes = append(codes, f.IssueCode)
		found = found || f.IssueCode == code
	}
	return found, codes
}

// TestRedundantNestedWildcards: a Resource pattern covered by another
// pattern of the same statement is REDUNDANT_RESOURCE; patterns that only
// overlap are not.
func TestRedundantNestedWildcards(t *testing.T) {
	const doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":[%q,%q]}]}`
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/a/*", true},
		{"arn:aws:s3:::b/a/*", "arn:aws:s3:::b/*", true},
		{"arn:aws:s3:::b/a/*", "arn:aws:s3:::b/c/*", false},
		{"arn:aws:s3:::b/*/x", "arn:aws:s3:::b/a*/x", true},
		{"arn:aws:s3:::b/?", "arn:aws:s3:::b/*", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/?", true},
		{"arn:aws:s3:::b/??", "arn:aws:s3:::b/a?", true},
		{"arn:aws:s3:::b/a?", "arn:aws:s3:::b/?b", false},
		{"arn:aws:s3:::b/A*", "arn:aws:s3:::b/a/*", false},
		{"arn:aws:s3:::b*", "arn:aws:s3:::b*/x*", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/${aws:username}/*", true},
		{"arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/x/*", false},
		{"arn:aws:s3:::b/x*", "arn:aws:s3:::b/${aws:username}", false},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/**", true},
	} {
		got, codes := hasFinding(t, fmt.Sprintf(doc, tc.a, tc.b), policy.TypeIdentity, "REDUNDANT_RESOURCE")
		if got != tc.want {
			t.Errorf("%s + %s: REDUNDANT_RESOURCE = %v, want %v (%v)", tc.a, tc.b, got, tc.want, codes)
		}
	}
	// Two patterns of the same meaning: exactly one is reported.
	res := Lint([]byte(fmt.Sprintf(doc, "arn:aws:s3:::b/*", "arn:aws:s3:::b/**")), LintOptions{Type: policy.TypeIdentity})
	n := 0
	for _, f := range res.Findings {
		if f.IssueCode == "REDUNDANT_RESOURCE" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("equivalent patterns: %d REDUNDANT_RESOURCE findings, want 1", n)
	}
}

// TestAWSPrincipalFormat: an AWS principal that is neither an account ID,
// a principal ARN nor "*" is INVALID_PRINCIPAL_FORMAT.
func TestAWSPrincipalFormat(t *testing.T) {
	const doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":%q},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`
	for _, tc := range []struct {
		v    string
		want bool
	}{
		{"111122223333", false},
		{"arn:aws:iam::111122223333:root", false},
		{"arn:aws:iam::111122223333:user/path/u", false},
		{"arn:aws:iam::111122223333:role/r", false},
		{"arn:aws-cn:sts::111122223333:assumed-role/r/s", false},
		{"arn:aws:sts::111122223333:federated-user/f", false},
		{"arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2QWRUHEXAMPLE", false},
		{"AROAEXAMPLEID1234567", false},
		{"*", false},
		{"11112222333", true},
		{"account-111122223333", true},
		{"arn:aws:iam::111122223333:group/g", true},
		{"arn:aws:iam::111122223333:saml-provider/p", true},
		{"arn:aws:s3:::b", true},
		{"arn:aws:iam::abc:root", true},
		{"arn:aws:iam:us-east-1:111122223333:role/r", true},
		{"lambda.amazonaws.com", true},
	} {
		got, codes := hasFinding(t, fmt.Sprintf(doc, tc.v), policy.TypeResource, "INVALID_PRINCIPAL_FORMAT")
		if got != tc.want {
			t.Errorf("%s: INVALID_PRINCIPAL_FORMAT = %v, want %v (%v)", tc.v, got, tc.want, codes)
		}
	}
}
