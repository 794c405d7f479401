package analyze

import (
	"fmt"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/policy"
)

// statements is an n-statement identity policy of the usual kind: named
// actions, bucket and object ARNs, conditions on global keys.
func statements(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"Version":"2012-10-17","Statement":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"Sid":"S%d","Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:ListBucket","kms:Decrypt"],`+
			`"Resource":["arn:aws:s3:::bucket-%d","arn:aws:s3:::bucket-%d/*","arn:aws:kms:eu-west-1:111122223333:key/k%d"],`+
			`"Condition":{"StringEquals":{"aws:PrincipalTag/team":"t%d"},"Bool":{"aws:SecureTransport":"true"}}}`, i, i, i, i, i)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// BenchmarkLint100Statements: the budget is 5 ms per document.
func BenchmarkLint100Statements(b *testing.B) { benchLint(b, 100) }

// BenchmarkLintStatements measures lint at 1,000 and 16,000 statements
// in one run, so that the time per statement can be compared: lint is
// linear in the number of statements (16,000 in well under a second).
func BenchmarkLintStatements(b *testing.B) {
	for _, n := range []int{1000, 16000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) { benchLint(b, n) })
	}
}

func benchLint(b *testing.B, n int) {
	doc := statements(n)
	opts := LintOptions{Type: policy.TypeIdentity, Source: "bench.json", Catalog: catalog.Default()}
	if res := Lint(doc, opts); res.Count(SeverityError) > 0 {
		b.Fatalf("benchmark policy has errors: %+v", res.Findings[0])
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		Lint(doc, opts)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/statement")
}

// BenchmarkParseStatements is policy.Parse on the same documents, the
// yardstick for lint's own cost (lint reads the document with the
// parser's JSON reader and then checks each statement).
func BenchmarkParseStatements(b *testing.B) {
	for _, n := range []int{1000, 16000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			doc := statements(n)
			b.ReportAllocs()
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				if _, err := policy.Parse(doc, policy.Options{Type: policy.TypeIdentity}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/statement")
		})
	}
}
