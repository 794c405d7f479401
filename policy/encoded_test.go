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
		// Positions inside a wrapped document refer to the decoded text.
		{"error inside a JSON string refers to the decoded text", strconv.Quote("{\n \"Statement\": 5}"), "x:2:15: Statement must be an object or a list of objects, not a number"},
		{"malformed outer string", `"{\"Statement\"`, "x:1:16: invalid JSON: unterminated string"},
		{"bad percent escape", "%7B%ZZ", `x: the document looks URL-encoded but does not decode: invalid URL escape "%ZZ"`},
		{"URL-encoded errors refer to the decoded text", url.PathEscape("{\"Statement\":[]}"), "x:1:14: Statement is an empty list"},
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
