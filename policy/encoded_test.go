package policy

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func TestParseJSONOrString(t *testing.T) {
	plain := string(readDoc(t, "trust_ec2.json"))
	quoted := strconv.Quote(plain)
	bucket := `{"Policy": ` + strconv.Quote(string(readDoc(t, "s3_bucket_policy.json"))) + "}"
	encoded := url.PathEscape(plain)
	cases := []struct {
		rule       string
		typ        Type
		in         string
		statements int
	}{
		{"plain document", TypeTrust, plain, 1},
		{"JSON string holding the document", TypeTrust, quoted, 1},
		{"aws s3api get-bucket-policy output", TypeResource, bucket, 5},
		{"URL-encoded document (IAM API, RFC 3986)", TypeTrust, encoded, 1},
		{"URL-encoded document inside a JSON string", TypeTrust, strconv.Quote(encoded), 1},
		{"IAM's lowercase percent escapes", TypeTrust, strings.ToLower(encoded[:3]) + encoded[3:], 1},
		{"aws iam get-policy-version output (Document decoded by the CLI)", TypeIdentity,
			`{"PolicyVersion": {"Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}, "VersionId": "v3", "IsDefaultVersion": true}}`, 1},
		{"IAM API GetPolicyVersion response (Document URL-encoded)", TypeIdentity,
			`{"PolicyVersion": {"Document": "` + url.PathEscape(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`) + `", "VersionId": "v3"}}`, 1},
		{"aws iam get-role-policy output", TypeIdentity,
			`{"RoleName": "app", "PolicyName": "read", "PolicyDocument": {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}}`, 1},
		{"aws iam get-role output (the trust policy)", TypeTrust,
			`{"Role": {"RoleName": "app", "AssumeRolePolicyDocument": ` + plain + `}}`, 1},
		{"aws kms get-key-policy output (two members)", TypeResource,
			`{"Policy": ` + strconv.Quote(string(readDoc(t, "s3_bucket_policy.json"))) + `, "PolicyName": "default"}`, 5},
		{"aws lambda get-policy output (two members)", TypeResource,
			`{"Policy": ` + strconv.Quote(string(readDoc(t, "s3_bucket_policy.json"))) + `, "RevisionId": "4d3c"}`, 5},
		{"aws sqs get-queue-attributes output", TypeResource,
			`{"Attributes": {"Policy": ` + strconv.Quote(string(readDoc(t, "s3_bucket_policy.json"))) + `}}`, 5},
		{"aws organizations describe-policy output", TypeSCP,
			`{"Policy": {"PolicySummary": {"Id": "p-1"}, "Content": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"iam:*\",\"Resource\":\"*\"}]}"}}`, 1},
		{"aws ecr get-repository-policy output", TypeResource,
			`{"registryId": "111122223333", "repositoryName": "r", "policyText": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ecr:BatchGetImage\",\"Resource\":\"*\"}]}"}`, 1},
		{"aws secretsmanager get-resource-policy output", TypeResource,
			`{"ARN": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:s", "Name": "s", "ResourcePolicy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}]}"}`, 1},
	}
	for _, tc := range cases {
		t.Run(tc.rule, func(t *testing.T) {
			p, err := ParseJSONOrString([]byte(tc.in), Options{Type: tc.typ, Source: "x"})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Statements) != tc.statements {
				t.Errorf("%d statements, want %d", len(p.Statements), tc.statements)
			}
		})
	}
}

func TestParseJSONOrStringErrors(t *testing.T) {
	cases := []struct {
		rule string
		in   string
		want string
	}{
		// Positions inside a decoded document refer to the decoded text,
		// and the source says where the string holding it is.
		{"error inside a JSON string refers to the decoded text", strconv.Quote("{\n \"Statement\": 5}"), "x:1:1 (document in a JSON string):2:15: Statement must be an object or a list of objects, not a number"},
		{"malformed outer string", `"{\"Statement\"`, "x:1:16: invalid JSON: unterminated string"},
		{"bad percent escape", "%7B%ZZ", `x: the document looks URL-encoded but does not decode: invalid URL escape "%ZZ"`},
		{"URL-encoded errors refer to the decoded text", url.PathEscape("{\"Statement\":[]}"), "x:1:1 (URL-encoded document):1:14: Statement is an empty list"},
		{"an error in a document held as an object by a CLI output names the file's line",
			"{\"PolicyVersion\": {\"VersionId\": \"v2\",\n  \"Document\": {\"Version\": \"2012-10-17\",\n    \"Statement\": [{\"Effect\": \"Alow\", \"Action\": \"*\", \"Resource\": \"*\"}]}}}",
			"x:3:20: Effect must be"},
		{"an error in a URL-encoded member names the member's position",
			"{\"RoleName\": \"app\", \"PolicyName\": \"p\",\n \"PolicyDocument\": \"" + url.PathEscape("{\"Statement\":[]}") + "\"}",
			"x:2:20 (URL-encoded document):1:14: Statement is an empty list"},
	}
	for _, tc := range cases {
		t.Run(tc.rule, func(t *testing.T) {
			_, err := ParseJSONOrString([]byte(tc.in), Options{Source: "x"})
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("err = %v, want prefix %q", err, tc.want)
			}
		})
	}
}

// FuzzUnwrap feeds arbitrary bytes to the reader of wrapped documents. No
// input may panic; a document found as an object inside an output must be
// the very bytes of the input at its start offset, so that its positions
// are the file's.
func FuzzUnwrap(f *testing.F) {
	f.Add([]byte(`{"PolicyVersion": {"Document": {"Version": "2012-10-17", "Statement": []}}}`))
	f.Add([]byte(`{"Policy": "{\"Statement\": []}", "RevisionId": "x"}`))
	f.Add([]byte(`{"PolicyDocument": "%7B%22Statement%22%3A%5B%5D%7D"}`))
	f.Add([]byte(`"%7B%7D"`))
	f.Add([]byte(`%ZZ`))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := Unwrap(data, "fuzz.json")
		if err != nil {
			return
		}
		if w.Encoding == EncodingObject && w.Member != "" {
			o := w.Start.Offset
			if o < 0 || o+len(w.Text) > len(data) || string(data[o:o+len(w.Text)]) != string(w.Text) {
				t.Fatalf("object member %s at offset %d is not the input's bytes", w.Member, o)
			}
		}
		_, _ = ParseJSONOrString(data, Options{Type: TypeAny, Source: "fuzz.json"})
	})
}
