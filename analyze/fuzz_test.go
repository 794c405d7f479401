package analyze

import (
	"testing"

	"github.com/iamwhy/iamwhy/policy"
)

// FuzzLint: any input gives a result whose findings all name a rule,
// never a panic. Seeds: testdata/fuzz/FuzzLint and the rule examples.
func FuzzLint(f *testing.F) {
	f.Add([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/*","Condition":{"StringLike":{"s3:prefix":"x*"}}}]}`), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, typ uint8) {
		res := Lint(data, LintOptions{Type: policy.Type(typ % 9), Source: "fuzz"})
		for _, fd := range res.Findings {
			if _, ok := CheckFor(fd.IssueCode); !ok || fd.Message == "" {
				t.Fatalf("finding %+v", fd)
			}
		}
	})
}
