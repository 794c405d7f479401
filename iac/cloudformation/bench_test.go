package cloudformation

import (
	"os"
	"testing"

	"github.com/iamwhy/iamwhy/snapshot"
)

// BenchmarkApplyTemplate reads and applies the example SAM template (decode,
// resolve every intrinsic, lay over an empty environment, finish).
func BenchmarkApplyTemplate(b *testing.B) {
	data, _ := os.ReadFile(exampleTemplate)
	for i := 0; i < b.N; i++ {
		tmpl, err := Decode(data, "t")
		if err != nil {
			b.Fatal(err)
		}
		env := snapshot.New(snapshot.Options{})
		if _, err := Apply(env, tmpl, Options{Account: "111122223333"}); err != nil {
			b.Fatal(err)
		}
		env.Finish()
	}
}
