package snapshot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/internal/synth"
	"github.com/iamwhy/iamwhy/policy"
)

func TestEveryDocumentOfTheExampleParses(t *testing.T) {
	env := loadExample(t)
	if errs := env.Validate(); len(errs) != 0 {
		for _, e := range errs {
			t.Error(e)
		}
	}
}

func TestEveryDocumentOfASyntheticOrganizationParses(t *testing.T) {
	dir := t.TempDir()
	if _, err := synth.Generate(dir, synth.Small); err != nil {
		t.Fatal(err)
	}
	env, err := LoadFile(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range env.Validate() {
		t.Error(e)
	}
}

func TestParsedPositionsAreFilePositions(t *testing.T) {
	env := loadExample(t)
	p, err := env.Principal("arn:aws:sts::111122223333:assumed-role/config-reader/s")
	if err != nil {
		t.Fatal(err)
	}
	pol, err := p.Policies[0].Document.Policy(policy.TypeIdentity)
	if err != nil {
		t.Fatal(err)
	}
	// "Sid": "DecryptConfig" is on line 91 of the file, column 33.
	s := pol.Statements[1]
	if pol.Source != filepath.Join(exampleEnv, "accounts/111122223333/authorization-details.json") || s.SidPos.Line != 91 || s.SidPos.Col != 33 {
		t.Errorf("source %s, Sid at %v", pol.Source, s.SidPos)
	}
	again, _ := p.Policies[0].Document.Policy(policy.TypeIdentity)
	if again != pol {
		t.Error("the parsed policy is not cached")
	}
}

func TestParseErrorsNameFileLineColumn(t *testing.T) {
	tests := []struct {
		rule string
		file string
		body string
		want string
	}{
		{"an error in an object document names the file's line and column", "a.json",
			"{\"RoleDetailList\": [{\"RoleName\": \"r\", \"Arn\": \"arn:aws:iam::123456789012:role/r\",\n  \"AssumeRolePolicyDocument\": {\"Version\": \"2012-10-17\",\n    \"Statement\": [{\"Effect\": \"Alow\", \"Principal\": {\"Service\": \"x\"}, \"Action\": \"sts:AssumeRole\"}]}}]}",
			"a.json:3:20: Effect must be"},
		{"an error in a string document names the string and the decoded position", "r.json",
			"{\"arn\": \"arn:aws:sqs:eu-west-1:123456789012:q\",\n \"policy\": \"{\\\"Statement\\\": [{\\\"Effect\\\": \\\"Alow\\\"}]}\"}",
			"r.json:2:12 (document in a JSON string):1:16: statement 0 has neither Action"},
		{"a get-bucket-policy output given as the policy is unwrapped", "b.json",
			"{\"arn\": \"arn:aws:s3:::b\", \"account\": \"123456789012\",\n \"policy\": {\"Policy\": \"{\\\"Statement\\\": [{\\\"Effect\\\": \\\"Alow\\\"}]}\"}}",
			"b.json:2:23 (document in a JSON string):1:16: statement 0 has neither Action"},
		{"a lambda get-policy output (two members) given as the policy is unwrapped", "l.json",
			"{\"arn\": \"arn:aws:lambda:eu-west-1:123456789012:function:f\",\n \"policy\": {\"Policy\": \"{\\\"Statement\\\": [{\\\"Effect\\\": \\\"Alow\\\"}]}\", \"RevisionId\": \"4d3c\"}}",
			"l.json:2:23 (document in a JSON string):1:16: statement 0 has neither Action"},
		{"an error in an inline SCP of an organisation file names the YAML line and column", "org.yaml",
			"id: o-abcdefghij\nmanagement_account: \"111122223333\"\npolicies:\n  p-region:\n    Version: \"2012-10-17\"\n    Statement:\n      - Effect: Dney\n        NotAction: iam:*\n        Resource: \"*\"\n        Condition:\n          StringNotEquals: {aws:RequestedRegion: eu-west-1}\nroot: {id: r-ab12, scp: [p-region], accounts: [{id: \"111122223333\"}]}\n",
			"org.yaml:7:9: Effect must be"},
		{"an error in a YAML policy file names its line", "org.yml",
			"id: o-abcdefghij\nmanagement_account: \"111122223333\"\npolicies: {p-x: scp.yaml}\nroot: {id: r-ab12, scp: [p-x], accounts: [{id: \"111122223333\"}]}\n",
			"scp.yaml:4:5: Effect must be"},
	}
	for _, tc := range tests {
		t.Run(tc.rule, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, tc.file)
			if err := os.WriteFile(path, []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			env := New(Options{})
			var err error
			switch tc.file {
			case "a.json":
				err = env.AddAuthorizationDetailsFile(path)
			case "org.yaml", "org.yml":
				scp := "Version: 2012-10-17\nStatement:\n  - Sid: One\n    Effect: Alow\n    Action: \"*\"\n    Resource: \"*\"\n"
				if err := os.WriteFile(filepath.Join(dir, "scp.yaml"), []byte(scp), 0o644); err != nil {
					t.Fatal(err)
				}
				err = env.LoadOrganizationFile(path)
			default:
				err = env.AddResourcePolicies(path)
			}
			if err != nil {
				t.Fatal(err)
			}
			errs := env.Validate()
			if len(errs) != 1 {
				t.Fatalf("errors = %v", errs)
			}
			got := strings.ReplaceAll(errs[0].Error(), dir+string(filepath.Separator), "")
			if !strings.Contains(got, tc.want) {
				t.Errorf("error = %s, want %s", got, tc.want)
			}
		})
	}
}
