package policy

import (
	"fmt"
	"strings"
	"testing"
)

// benchPolicy builds a realistic ~100-statement document: actions with
// wildcards, resources with ARNs, principals and conditions.
func benchPolicy(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"Version": "2012-10-17", "Id": "bench", "Statement": [`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `
  {
    "Sid": "Stmt%d",
    "Effect": "%s",
    "Principal": {"AWS": ["arn:aws:iam::1111222233%02d:role/app-%d", "444455556666"], "Service": "lambda.amazonaws.com"},
    "Action": ["s3:GetObject", "s3:PutObject*", "kms:Decrypt", "dynamodb:Query"],
    "Resource": ["arn:aws:s3:::bucket-%d/*", "arn:aws:kms:eu-west-1:111122223333:key/%08d-aaaa-bbbb-cccc-dddddddddddd"],
    "Condition": {
      "StringEquals": {"aws:PrincipalOrgID": "o-abc123", "aws:RequestedRegion": ["eu-west-1", "eu-central-1"]},
      "IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "2001:db8::/32"]},
      "NumericLessThan": {"s3:max-keys": 100},
      "Bool": {"aws:SecureTransport": true}
    }
  }`, i, []string{"Allow", "Deny"}[i%2], i%100, i, i, i)
	}
	b.WriteString("\n]}")
	return []byte(b.String())
}

func BenchmarkParse(b *testing.B) {
	data := benchPolicy(100)
	if _, err := Parse(data, Options{Type: TypeResource}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data, Options{Type: TypeResource}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseSmall is a typical identity policy (four statements).
func BenchmarkParseSmall(b *testing.B) {
	data := readDoc(b, "identity_home_folder.json")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data, Options{Type: TypeIdentity}); err != nil {
			b.Fatal(err)
		}
	}
}
