package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestLintCommand(t *testing.T) {
	tests := []struct {
		rule   string
		args   []string
		golden string
		code   int
	}{
		{"errors and security warnings exit 1", []string{"lint", "testdata/lint/mixed.json"}, "mixed.txt", 1},
		{"json output", []string{"lint", "testdata/lint/mixed.json", "-o", "json"}, "mixed.out.json", 1},
		{"sarif output", []string{"lint", "testdata/lint/mixed.json", "-o", "sarif"}, "mixed.sarif", 1},
		{"clean policy exits 0", []string{"lint", "testdata/lint/clean.json"}, "clean.txt", 0},
		{"warnings alone exit 0 by default", []string{"lint", "testdata/lint/warn-only.json"}, "warn-only.txt", 0},
		{"--fail-on warning makes them exit 1", []string{"lint", "--fail-on", "warning", "testdata/lint/warn-only.json"}, "warn-only.txt", 1},
		{"--fail-on none never fails", []string{"lint", "--fail-on", "none", "testdata/lint/mixed.json"}, "mixed.txt", 0},
		{"AWS managed policy by ARN", []string{"lint", "arn:aws:iam::aws:policy/AdministratorAccess"}, "admin.txt", 1},
		{"policy type changes the rules", []string{"lint", "--policy-type", "trust", "testdata/lint/clean.json"}, "clean-as-trust.txt", 1},
		{"access-analyzer output", []string{"lint", "-o", "access-analyzer", "testdata/lint/mixed.json", "testdata/lint/clean.json"}, "mixed.aa.jsonl", 1},
		{"resource type", []string{"lint", "--resource-type", "AWS::S3::Bucket", "testdata/lint/bucket.json"}, "bucket.txt", 1},
		{"check access not granted", []string{"lint", "--check-access-not-granted", "iam:PassRole,s3:GetObject", "--resources", "arn:aws:s3:::my-bucket/key", "testdata/lint/clean.json"}, "access-not-granted.txt", 1},
		{"check no public access", []string{"lint", "--policy-type", "resource", "--check-no-public-access", "testdata/lint/public.json"}, "public.txt", 1},
		{"a document inside get-policy-version output is linted at its lines", []string{"lint", "testdata/lint/get-policy-version.json"}, "get-policy-version.txt", 1},
		{"a URL-encoded document of the IAM API is linted at its string", []string{"lint", "testdata/lint/get-role-policy-encoded.json"}, "get-role-policy-encoded.txt", 1},
		{"not JSON is a finding", []string{"lint", "-o", "json", "testdata/lint/broken.json"}, "broken.out.json", 1},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			out, errOut, code := runCLI(t, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, tt.code, errOut)
			}
			compareGolden(t, "lint", tt.golden, []byte(out))
		})
	}
}

func TestLintCommandStdinAndErrors(t *testing.T) {
	var out, errb bytes.Buffer
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}]}`
	code := Main([]string{"lint", "-"}, Streams{In: strings.NewReader(doc), Out: &out, Err: &errb})
	if code != 1 || !strings.Contains(out.String(), "-:1:") || !strings.Contains(out.String(), "PASS_ROLE_WITH_STAR_IN_RESOURCE") {
		t.Errorf("stdin: exit %d out %s", code, out.String())
	}
	for _, tc := range []struct {
		rule string
		args []string
		err  string
	}{
		{"missing file", []string{"lint", "testdata/lint/nosuch.json"}, "no such file"},
		{"unknown managed policy", []string{"lint", "arn:aws:iam::aws:policy/NoSuchPolicy"}, "not an AWS managed policy"},
		{"bad policy type", []string{"lint", "--policy-type", "admin", "testdata/lint/clean.json"}, "--policy-type"},
		{"bad fail-on", []string{"lint", "--fail-on", "fatal", "testdata/lint/clean.json"}, "--fail-on"},
		{"bad output", []string{"lint", "-o", "xml", "testdata/lint/clean.json"}, "--output"},
		{"resources without the check", []string{"lint", "--resources", "arn:aws:s3:::b/*", "testdata/lint/clean.json"}, "--resources"},
		{"bad resource type", []string{"lint", "--resource-type", "AWS::Nope::Thing", "testdata/lint/clean.json"}, "--resource-type"},
		{"no file", []string{"lint"}, "arg"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			_, errOut, code := runCLI(t, tc.args...)
			if code != 2 || !strings.Contains(errOut, tc.err) {
				t.Errorf("exit %d stderr %q, want 2 and %q", code, errOut, tc.err)
			}
		})
	}
}

// lint --plan lints every policy a Terraform plan defines, each named by
// its resource address and attribute, and names what apply has not made:
// a document it could not lint makes the run fail, never a clean pass.
func TestLintPlan(t *testing.T) {
	stdout, stderr, code := runCLI(t, "lint", "--plan", "../../examples/iac/plan.json")
	if code != 1 || !strings.Contains(stderr, "1 policy document not linted") {
		t.Fatalf("exit %d, want 1 (a document is not linted): %s %s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "not linted: aws_iam_role_policy.exporter_export.policy") {
		t.Errorf("the text output does not list the document it did not lint:\n%s", stdout)
	}
	stdout, _, _ = runCLI(t, "lint", "--plan", "../../examples/iac/plan.json", "-o", "json")
	var doc struct {
		NotLinted []struct{ Source, Reason string } `json:"not_linted"`
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || len(doc.NotLinted) != 1 || doc.NotLinted[0].Source != "aws_iam_role_policy.exporter_export.policy" {
		t.Errorf("not_linted = %+v (%v):\n%s", doc.NotLinted, err, stdout)
	}
	stdout, _, _ = runCLI(t, "lint", "--plan", "../../examples/iac/plan.json", "-o", "markdown")
	if !strings.Contains(stdout, "1 policy document not linted") {
		t.Errorf("the markdown report does not say what it did not lint:\n%s", stdout)
	}
	stdout, stderr, _ = runCLI(t, "lint", "--plan", "../../examples/iac/plan.json")
	for _, want := range []string{"module.app.aws_iam_role_policy.read.policy", "module.app.aws_iam_role.app.assume_role_policy", "aws_s3_bucket_policy.data.policy"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %s:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "not linted: aws_iam_role_policy.exporter_export.policy is known only after apply") {
		t.Errorf("stderr = %q", stderr)
	}
}

// lint --template names the template line and column of the policy element
// a finding is about.
func TestLintTemplate(t *testing.T) {
	stdout, stderr, code := runCLI(t, "lint", "--template", "testdata/iac/lint-template.yaml", "--fail-on", "error")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (an unknown action is an ERROR): %s %s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "testdata/iac/lint-template.yaml:17:25: ERROR") {
		t.Errorf("the finding does not name the Action's line:col in the template:\n%s", stdout)
	}
	stdout, stderr, code = runCLI(t, "lint", "--template", "../../examples/iac/cloudformation/template.yaml", "--parameters", "../../examples/iac/cloudformation/parameters.json")
	if code != 1 {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "not linted: KeyUserPolicy.PolicyDocument is known only at deploy") || !strings.Contains(stderr, "Fn::ImportValue shared-parameter-arn") {
		t.Errorf("stderr = %q", stderr)
	}
}

// lint --output markdown: counts by severity and a table of findings at
// their template lines.
func TestLintMarkdown(t *testing.T) {
	stdout, stderr, code := runCLI(t, "lint", "--output", "markdown", "--template", "testdata/iac/lint-template.yaml")
	if code != 1 {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	for _, want := range []string{
		"**iamwhy lint: 1 error, 0 security warnings, 0 warnings, 0 suggestions** in 2 policies",
		"| ERROR | `testdata/iac/lint-template.yaml:17:25` | [INVALID_ACTION](https://docs.aws.amazon.com/",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}
