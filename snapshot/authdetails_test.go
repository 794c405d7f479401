package snapshot

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const pageUsers = `{
    "UserDetailList": [
        {
            "Path": "/",
            "UserName": "bob",
            "Arn": "arn:aws:iam::123456789012:user/bob",
            "UserPolicyList": [
                {
                    "PolicyName": "p",
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": []}
                }
            ],
            "GroupList": ["ops"]
        }
    ],
    "IsTruncated": true,
    "Marker": "abc"
}`

const pageRest = `{
    "GroupDetailList": [
        {"GroupName": "ops", "Arn": "arn:aws:iam::123456789012:group/ops", "GroupPolicyList": [],
         "AttachedManagedPolicies": [{"PolicyName": "ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}]}
    ],
    "RoleDetailList": [],
    "Policies": [],
    "IsTruncated": false
}`

func TestPagesConcatenatedInOneFile(t *testing.T) {
	env := New(Options{ManagedPolicyResolver: func(arn string) ([]byte, bool) {
		if arn == "arn:aws:iam::aws:policy/ReadOnlyAccess" {
			return []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}`), true
		}
		return nil, false
	}})
	if err := env.AddAuthorizationDetails(strings.NewReader(pageUsers+"\n"+pageRest), "pages.json"); err != nil {
		t.Fatal(err)
	}
	if err := env.Finish(); err != nil {
		t.Fatal(err)
	}
	if env.Stats.Pages != 2 || env.Stats.Users != 1 || env.Stats.Groups != 1 || env.Stats.CatalogPolicies != 1 {
		t.Errorf("stats = %+v", env.Stats)
	}
	if len(env.Warnings) != 0 {
		t.Errorf("the last page is not truncated, yet: %v", env.Warnings)
	}
	p, err := env.Principal("arn:aws:iam::123456789012:user/bob")
	if err != nil {
		t.Fatal(err)
	}
	if got := policyNames(p.Policies); strings.Join(got, ",") != "p,ops:ReadOnlyAccess" {
		t.Errorf("policies = %v", got)
	}
	if d := p.Policies[1].Document; d.Encoding != EncodingCatalog || d.Source != "arn:aws:iam::aws:policy/ReadOnlyAccess" {
		t.Errorf("catalog document = %+v", d)
	}
	// The inline document keeps its position in the file.
	if d := p.Policies[0].Document; d.Line != 10 || d.Col != 39 || d.Encoding != EncodingObject {
		t.Errorf("inline document at %d:%d (%v), want 10:39", d.Line, d.Col, d.Encoding)
	}
}

func TestPagesInSeveralFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "page-1.json"), []byte(pageUsers), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "page-2.json"), []byte(pageRest), 0o644); err != nil {
		t.Fatal(err)
	}
	env, err := Load(Spec{AuthorizationDetails: []PathRef{{Path: dir}}}, Options{NoCatalog: true})
	if err != nil {
		t.Fatal(err)
	}
	if env.Stats.AuthorizationFiles != 2 || env.Stats.Users != 1 || env.Stats.Groups != 1 {
		t.Errorf("stats = %+v", env.Stats)
	}
	// Without the catalog the AWS managed policy is missing, and the
	// principal says so.
	if strings.Join(env.Missing, ",") != "arn:aws:iam::aws:policy/ReadOnlyAccess" {
		t.Errorf("missing = %v", env.Missing)
	}
	p, err := env.Principal("arn:aws:iam::123456789012:user/bob")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Gaps) != 1 || !strings.Contains(p.Gaps[0], "ReadOnlyAccess") {
		t.Errorf("gaps = %v", p.Gaps)
	}
}

func TestTruncatedLastPageWarns(t *testing.T) {
	env := New(Options{})
	if err := env.AddAuthorizationDetails(strings.NewReader(pageUsers), "p1.json"); err != nil {
		t.Fatal(err)
	}
	if len(env.Warnings) != 1 || !strings.Contains(env.Warnings[0], "IsTruncated") {
		t.Errorf("warnings = %v", env.Warnings)
	}
}

func TestStringEncodedDocuments(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/a+b c"}]}`
	enc := strings.ReplaceAll(url.PathEscape(doc), "+", "%2B")
	enc = strings.ReplaceAll(enc, ":", "%3A")
	tests := []struct {
		rule  string
		value string
		want  Encoding
	}{
		{"a URL-encoded document, as the IAM API returns it, is decoded", `"` + enc + `"`, EncodingURL},
		{"a JSON string document, as other tools print it, is decoded", jsonQuote(doc), EncodingString},
		{"an object document is kept as written", doc, EncodingObject},
	}
	for _, tc := range tests {
		t.Run(tc.rule, func(t *testing.T) {
			in := `{"RoleDetailList": [{"RoleName": "r", "Arn": "arn:aws:iam::123456789012:role/r", "AssumeRolePolicyDocument": ` + tc.value + `}]}`
			env := New(Options{})
			if err := env.AddAuthorizationDetails(strings.NewReader(in), "x.json"); err != nil {
				t.Fatal(err)
			}
			r, _ := env.Accounts["123456789012"].Role("r")
			if r.Trust.Encoding != tc.want || string(r.Trust.JSON) != doc {
				t.Errorf("got %v %s", r.Trust.Encoding, r.Trust.JSON)
			}
			if r.Trust.Line != 1 || r.Trust.Col != 110 {
				t.Errorf("position %d:%d, want 1:110", r.Trust.Line, r.Trust.Col)
			}
		})
	}
}

func jsonQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

func TestAuthorizationDetailsErrorsNamePosition(t *testing.T) {
	tests := []struct {
		rule string
		in   string
		want string
	}{
		{"a syntax error inside an entity names its line and column",
			"{\"RoleDetailList\": [\n  {\"RoleName\": \"r\",,}\n]}", "x.json:2:20: invalid JSON"},
		{"a syntax error between entities names its position",
			"{\"RoleDetailList\": [\n  {\"RoleName\": \"r\", \"Arn\": \"arn:aws:iam::123456789012:role/r\"} x\n]}", "x.json:2:64: invalid JSON: invalid character 'x'"},
		{"a wrong type names the field and its position",
			"{\"UserDetailList\": [\n  {\"UserName\": \"u\",\n   \"GroupList\": \"ops\"}]}", "x.json:3:17: field GroupList"},
		{"an entity without an account in its ARN is an error",
			"{\"UserDetailList\": [\n  {\"UserName\": \"u\", \"Arn\": \"u\"}]}", "x.json:2:3: user u with missing or malformed Arn"},
		{"a file that ends early names the end",
			"{\"RoleDetailList\": [\n  {\"RoleName\": \"r\"", "x.json:2:19: unexpected end of JSON input"},
		{"a document that is neither object nor string is an error",
			"{\"RoleDetailList\": [{\"RoleName\": \"r\", \"Arn\": \"arn:aws:iam::123456789012:role/r\",\n \"AssumeRolePolicyDocument\": [1]}]}", "x.json:2:30: trust policy of role r: a policy document must be a JSON object or a string, found an array"},
		{"a managed policy without a default version is an error",
			"{\"Policies\": [\n {\"Arn\": \"arn:aws:iam::123456789012:policy/p\", \"PolicyVersionList\": [{\"VersionId\": \"v1\", \"Document\": {}}]}]}", "x.json:2:2: managed policy arn:aws:iam::123456789012:policy/p: no default version"},
		{"a JSON array at the top is not authorization details",
			"[1, 2]", "x.json:1:1: not an authorization-details output"},
		{"an object without entity lists is not authorization details",
			"{\"Roles\": []}", "x.json: not an authorization-details output"},
		{"an empty file is an error", "  ", "x.json: empty file"},
		{"a role given twice is an error",
			"{\"RoleDetailList\": [{\"RoleName\": \"r\", \"Arn\": \"arn:aws:iam::123456789012:role/r\"},\n{\"RoleName\": \"r\", \"Arn\": \"arn:aws:iam::123456789012:role/r\"}]}", "x.json:2:1: role r appears twice (first at x.json:1:21)"},
	}
	for _, tc := range tests {
		t.Run(tc.rule, func(t *testing.T) {
			err := New(Options{}).AddAuthorizationDetails(strings.NewReader(tc.in), "x.json")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestAWSManagedPoliciesComeFromTheCatalog(t *testing.T) {
	env := New(Options{})
	if err := env.AddAuthorizationDetails(strings.NewReader(pageRest), "p2.json"); err != nil {
		t.Fatal(err)
	}
	if err := env.Finish(); err != nil {
		t.Fatal(err)
	}
	mp := env.ManagedPolicies["arn:aws:iam::aws:policy/ReadOnlyAccess"]
	if mp == nil || mp.Document.Encoding != EncodingCatalog || mp.DefaultVersion == "" || len(env.Missing) != 0 || env.Stats.CatalogPolicies != 1 {
		t.Fatalf("ReadOnlyAccess = %+v, missing %v", mp, env.Missing)
	}
	if _, err := mp.Document.Policy(0); err != nil {
		t.Error(err)
	}
}
