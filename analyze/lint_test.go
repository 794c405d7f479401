package analyze

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/policy"
)

// TestLintRules runs each rule's failing and passing example from
// testdata/lint/CODE/: fail.json must produce a finding with the code (at
// a known position), pass.json must not. Every rule has a directory.
func TestLintRules(t *testing.T) {
	for _, rule := range Rules {
		t.Run(rule.Code, func(t *testing.T) {
			dir := filepath.Join("testdata", "lint", rule.Code)
			typeName, err := os.ReadFile(filepath.Join(dir, "type"))
			if err != nil {
				t.Fatalf("rule without examples: %v", err)
			}
			typ, err := policy.ParseType(strings.TrimSpace(string(typeName)))
			if err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				file string
				want bool
			}{{"fail.json", true}, {"pass.json", false}} {
				data, err := os.ReadFile(filepath.Join(dir, tc.file))
				if err != nil {
					t.Fatal(err)
				}
				res := Lint(data, LintOptions{Type: typ, Source: tc.file})
				var found *Finding
				for i := range res.Findings {
					if res.Findings[i].Code == rule.Code {
						found = &res.Findings[i]
					}
				}
				switch {
				case tc.want && found == nil:
					t.Errorf("%s: no %s finding; got %+v", tc.file, rule.Code, res.Findings)
				case !tc.want && found != nil:
					t.Errorf("%s: unexpected %s finding: %s", tc.file, rule.Code, found.Message)
				case found != nil:
					if found.Line <= 0 || found.Col <= 0 || found.Severity != rule.Severity || found.Doc == "" || found.Message == "" {
						t.Errorf("%s: incomplete finding %+v", tc.file, *found)
					}
				}
			}
		})
	}
	dirs, _ := filepath.Glob(filepath.Join("testdata", "lint", "*"))
	for _, d := range dirs {
		if _, ok := RuleFor(filepath.Base(d)); !ok {
			t.Errorf("%s: examples for no rule", d)
		}
	}
}

// TestLintCleanPolicies: well-written documents from AWS's own guides
// produce no error, security warning or warning.
func TestLintCleanPolicies(t *testing.T) {
	docs := []struct {
		name string
		typ  policy.Type
		doc  string
	}{
		{"read own bucket prefix", policy.TypeIdentity, `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::amzn-s3-demo-bucket",
			 "Condition":{"StringLike":{"s3:prefix":["home/${aws:username}/*"]}}},
			{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/*"}]}`},
		{"deny outside regions", policy.TypeSCP, `{"Version":"2012-10-17","Statement":[
			{"Sid":"DenyAllOutsideEU","Effect":"Deny","NotAction":["iam:*","organizations:*","sts:*"],"Resource":"*",
			 "Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-central-1","eu-west-1"]}}}]}`},
		{"FullAWSAccess SCP grants nothing", policy.TypeSCP, `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
		{"RCPFullAWSAccess", policy.TypeRCP, `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`},
		{"ec2 trust", policy.TypeTrust, `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`},
		{"org-only bucket", policy.TypeResource, `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*",
			 "Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123def4"}}}]}`},
	}
	for _, d := range docs {
		t.Run(d.name, func(t *testing.T) {
			res := Lint([]byte(d.doc), LintOptions{Type: d.typ, Source: d.name})
			for _, f := range res.Findings {
				if f.Severity != SeveritySuggestion {
					t.Errorf("%s %s at %d:%d: %s", f.Severity, f.Code, f.Line, f.Col, f.Message)
				}
			}
		})
	}
}

func TestParseSeverity(t *testing.T) {
	for s, want := range map[string]Severity{"error": SeverityError, "security-warning": SeveritySecurityWarning, "WARNING": SeverityWarning, "suggestion": SeveritySuggestion} {
		if got, err := ParseSeverity(s); err != nil || got != want {
			t.Errorf("ParseSeverity(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := ParseSeverity("fatal"); err == nil {
		t.Error("ParseSeverity(fatal) succeeded")
	}
}
