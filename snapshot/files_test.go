package snapshot

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/policy"
)

// writeFiles writes name -> content under a temporary directory.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestOrganizationFileErrors(t *testing.T) {
	tests := []struct {
		rule string
		org  string
		want string
	}{
		{"an unknown key is an error at its position", "id: o-abcdefghij\nroots: {}\n", "org.yaml:2:1: unknown key \"roots\""},
		{"the root is required", "id: o-abcdefghij\n", "org.yaml:1:1: the organisation has no root"},
		{"an SCP id must be in policies", "root:\n  id: r-ab12\n  scp: [p-nope]\n", "org.yaml:3:9: SCP \"p-nope\" is not in policies"},
		{"an account id must be 12 digits", "root:\n  id: r-ab12\n  accounts:\n    - {id: 12345}\n", "org.yaml:4:7: account id \"12345\" is not 12 digits"},
		{"an OU id starts with ou-", "root:\n  id: r-ab12\n  ous:\n    - id: prod\n", "org.yaml:4:7: OU id \"prod\" does not start with ou-"},
		{"an account given twice is an error", "root:\n  id: r-ab12\n  accounts:\n    - {id: \"111122223333\"}\n    - {id: \"111122223333\"}\n", "org.yaml:5:7: account 111122223333 appears twice (first at "},
		{"a policy path that does not exist names the policy", "policies:\n  p-x: nope.json\nroot: {id: r-ab12}\n", "org.yaml:2:8: organisation policy p-x: open"},
		{"a YAML syntax error names the line", "root: [\n", "org.yaml:1: did not find expected node content"},
		{"a key given twice is an error", "id: o-abcdefghij\nid: o-abcdefghij\nroot: {id: r-ab12}\n", "org.yaml:2:1: the organisation: key \"id\" given twice"},
		{"management_account must be an account id", "management_account: 42\nroot: {id: r-ab12}\n", "org.yaml:1:21: management_account \"42\""},
	}
	for _, tc := range tests {
		t.Run(tc.rule, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"org.yaml": tc.org})
			err := New(Options{}).LoadOrganizationFile(filepath.Join(dir, "org.yaml"))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestOrganizationInJSONWithInlineAndStringPolicies(t *testing.T) {
	org := `{
  "id": "o-abcdefghij",
  "management_account": "210987654321",
  "policies": {
    "p-full": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
    "p-str": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"ec2:*\",\"Resource\":\"*\"}]}"
  },
  "root": {"id": "r-ab12", "scp": ["p-full"], "ous": [
    {"id": "ou-ab12-11111111", "scp": ["p-full", "p-str"], "accounts": [{"id": "111122223333", "scp": ["p-full"]}]}
  ], "accounts": [{"id": "210987654321", "scp": ["p-full"]}]}
}`
	dir := writeFiles(t, map[string]string{"org.json": org})
	env := New(Options{})
	if err := env.LoadOrganizationFile(filepath.Join(dir, "org.json")); err != nil {
		t.Fatal(err)
	}
	levels, ok := env.SCPLevels("111122223333")
	if !ok || len(levels) != 3 || len(levels[1].Policies) != 2 {
		t.Fatalf("levels = %+v", levels)
	}
	d := levels[1].Policies[1].Document
	if d.Encoding != EncodingString || !strings.Contains(string(d.JSON), `"ec2:*"`) || d.Line != 6 {
		t.Errorf("string policy = %+v", d)
	}
	y := levels[0].Policies[0].Document
	if y.Encoding != EncodingYAML || y.Line != 5 {
		t.Errorf("inline policy = %+v %s", y, y.JSON)
	}
	// The inline document's elements keep their places in the file.
	if p, err := y.Policy(policy.TypeSCP); err != nil || p.Statements[0].Action.Values[0].Text != "*" ||
		p.Statements[0].Action.Values[0].Pos.String() != filepath.Join(dir, "org.json")+":5:85" {
		t.Errorf("inline policy parsed = %+v, %v", p, err)
	}
	if len(env.Warnings) != 0 {
		t.Errorf("warnings = %v", env.Warnings)
	}
}

func TestResourceRecordErrors(t *testing.T) {
	tests := []struct {
		rule string
		name string
		body string
		want string
	}{
		{"a bucket record needs an account", "b.json", `{"arn": "arn:aws:s3:::b", "policy": {}}`, "b.json:1:1: arn:aws:s3:::b: account is required"},
		{"an unknown key is an error", "b.json", "[\n {\"arn\": \"arn:aws:s3:::b\", \"acount\": \"111122223333\"}]", "b.json:2:38: unknown key \"acount\""},
		{"an account as a number is an error", "b.json", "{\"arn\": \"arn:aws:s3:::b\",\n \"account\": 111122223333}", "b.json:2:13: account: must be a string"},
		{"an account that differs from the ARN's is an error", "q.json", `{"arn": "arn:aws:sqs:eu-west-1:111122223333:q", "account": "444455556666"}`, "differs from the ARN's account"},
		{"invalid JSON names the position", "q.json", "{\"arn\": \n\"x\" \"y\"}", "q.json:2:5: invalid JSON"},
		{"block_public_access with an unknown field is an error", "b.json", `{"arn": "arn:aws:s3:::b", "account": "111122223333", "block_public_access": {"RestrictPublic": true}}`, "block_public_access: json: unknown field"},
		{"a record for the same ARN twice is an error", "b.json", `[{"arn": "arn:aws:s3:::b", "account": "111122223333"}, {"arn": "arn:aws:s3:::b", "account": "111122223333"}]`, "has a record already"},
		{"a YAML record with an unknown key is an error", "b.yaml", "arn: arn:aws:s3:::b\naccount: \"111122223333\"\npolcy: {}\n", "b.yaml:3:1: unknown key \"polcy\""},
		{"a role's record is an error: its trust policy comes from authorization details", "r.json", `{"arn": "arn:aws:iam::111122223333:role/r", "policy": {"Statement": []}}`, "r.json:1:1: arn:aws:iam::111122223333:role/r: a role's trust policy is read from authorization details"},
		{"an S3 object's record with a policy is an error: its bucket's policy governs", "o.yaml", "arn: arn:aws:s3:::b/k\naccount: \"111122223333\"\npolicy: {Statement: []}\n", "arn:aws:s3:::b/k: an S3 object has no policy of its own: a request on an object uses its bucket's policy (a record for arn:aws:s3:::b)"},
		{"a policy that is a number is an error", "k.json", `{"arn": "arn:aws:kms:eu-west-1:111122223333:key/k", "policy": 3}`, "k.json:1:63: resource policy of arn:aws:kms:eu-west-1:111122223333:key/k: a policy document must be a JSON object or a string, found a number"},
	}
	for _, tc := range tests {
		t.Run(tc.rule, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{tc.name: tc.body})
			err := New(Options{}).AddResourcePolicies(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestResourceRecordsInYAMLAndLists(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"r/list.json": `[
  {"arn": "arn:aws:ec2:eu-west-1:111122223333:vpc-endpoint/vpce-0a1b2c3d4e5f60718", "policy": {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}},
  {"arn": "arn:aws:s3:::logs-bucket", "account": "111122223333"}
]`,
		"r/fn.yaml":    "arn: arn:aws:lambda:eu-west-1:111122223333:function:f\npolicy:\n  Version: \"2012-10-17\"\n  Statement:\n    - {Effect: Allow, Principal: {Service: s3.amazonaws.com}, Action: lambda:InvokeFunction, Resource: \"*\"}\n",
		"r/README.txt": "not a record",
	})
	env := New(Options{})
	if err := env.AddResourcePolicies(filepath.Join(dir, "r")); err != nil {
		t.Fatal(err)
	}
	if env.Stats.Resources != 3 || env.Stats.ResourcesNoPolicy != 1 || env.Stats.ResourceFiles != 2 {
		t.Errorf("stats = %+v", env.Stats)
	}
	if len(env.Warnings) != 1 || !strings.Contains(env.Warnings[0], "README.txt") {
		t.Errorf("warnings = %v", env.Warnings)
	}
	r, ok := env.VPCEndpoint("vpce-0a1b2c3d4e5f60718")
	if !ok || r.Policy == nil || r.Policy.Line != 2 || r.Policy.Encoding != EncodingObject {
		t.Errorf("vpce = %+v", r)
	}
	l, _ := env.Resource("arn:aws:s3:::logs-bucket/2026/01/x.gz")
	if !l.Known || l.Policy != nil || l.Account != "111122223333" {
		t.Errorf("a bucket recorded without a policy is known with no policy: %+v", l)
	}
	f, _ := env.Resource("arn:aws:lambda:eu-west-1:111122223333:function:f")
	if f.Policy == nil || f.Policy.Encoding != EncodingYAML {
		t.Fatalf("lambda policy = %+v", f.Policy)
	}
	if p, err := f.Policy.Policy(policy.TypeResource); err != nil || p.Statements[0].Principal.Entries[0].Value != "s3.amazonaws.com" ||
		p.Statements[0].Principal.Entries[0].Pos.String() != filepath.Join(dir, "r/fn.yaml")+":5:44" {
		t.Errorf("lambda policy parsed = %+v, %v", p, err)
	}
}

func TestEnvironmentFileErrors(t *testing.T) {
	tests := []struct {
		rule  string
		files map[string]string
		want  string
	}{
		{"an unknown key is an error", map[string]string{"environment.yaml": "version: 1\nauthorisation_details: []\n"}, "environment.yaml:2:1: unknown key \"authorisation_details\""},
		{"an unsupported version is an error", map[string]string{"environment.yaml": "version: 2\n"}, "environment.yaml:1:10: unsupported environment version"},
		{"a missing file is named where it is listed", map[string]string{"environment.yaml": "version: 1\nauthorization_details:\n  - a.json\n"}, "environment.yaml:3:5: authorization_details:"},
		{"a missing organisation file is named where it is listed", map[string]string{"environment.yaml": "version: 1\norganization: org.yaml\n"}, "environment.yaml:2:15: organization:"},
		{"a directory without environment.yaml is an error", map[string]string{"x.txt": ""}, "a directory without environment.yaml"},
		{"an error inside a named file names that file", map[string]string{"environment.json": `{"version": 1, "authorization_details": ["a.json"]}`, "a.json": "{\"RoleDetailList\": [,]}"}, "a.json:1:21: invalid JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.rule, func(t *testing.T) {
			dir := writeFiles(t, tc.files)
			_, err := LoadFile(dir, Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestYAMLAliasBombInAPolicyIsRefused(t *testing.T) {
	var b strings.Builder
	b.WriteString("policies:\n  p:\n    a0: &a0 [xxxxxxxxxxxxxxxx, xxxxxxxxxxxxxxxx, xxxxxxxxxxxxxxxx, xxxxxxxxxxxxxxxx]\n")
	for i := 1; i < 20; i++ {
		fmt.Fprintf(&b, "    a%d: &a%d [*a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1)
	}
	b.WriteString("root: {id: r-ab12}\n")
	dir := writeFiles(t, map[string]string{"org.yaml": b.String()})
	err := New(Options{}).LoadOrganizationFile(filepath.Join(dir, "org.yaml"))
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("err = %v", err)
	}
}
