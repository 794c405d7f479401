package analyze

import (
	"fmt"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/policy"
)

// hundredStatements is a 100-statement identity policy of the usual kind:
// named actions, bucket and object ARNs, conditions on global and service
// keys.
func hundredStatements() []byte {
	var b strings.Builder
	b.WriteString(`{"Version":"2012-10-17","Statement":[`)
	for i := 0; i < 100; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"Sid":"S%d","Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:ListBucket","kms:Decrypt"],`+
			`"Resource":["arn:aws:s3:::bucket-%d","arn:aws:s3:::bucket-%d/*","arn:aws:kms:eu-west-1:111122223333:key/k%d"],`+
			`"Condition":{"StringEquals":{"aws:PrincipalTag/team":"t%d","s3:prefix":"home/"},"Bool":{"aws:SecureTransport":"true"}}}`, i, i, i, i, i)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// BenchmarkLint100Statements: the budget is 5 ms per document.
func BenchmarkLint100Statements(b *testing.B) {
	doc := hundredStatements()
	opts := LintOptions{Type: policy.TypeIdentity, Source: "bench.json", Catalog: catalog.Default()}
	if res := Lint(doc, opts); res.Count(SeverityError) > 0 {
		b.Fatalf("benchmark policy has errors: %+v", res.Findings[0])
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		Lint(doc, opts)
	}
}
