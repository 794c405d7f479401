package denial

import (
	"os"
	"testing"
)

// BenchmarkParse measures Parse on the input forms users paste most: a bare
// message, a CLI-wrapped line-wrapped message, a Go SDK error, a CloudTrail
// record and a decoded authorization message.
func BenchmarkParse(b *testing.B) {
	for _, name := range []string{
		"iam-doc-identity-implicit",
		"s3-rcp-cli-wrapped-lines",
		"secretsmanager-ecs-task-execution",
		"ct-stratus-ec2-runinstances",
		"decoded-message-sts-output",
		"s3-xml-body-access-denied",
	} {
		in, err := os.ReadFile("testdata/corpus/" + name + ".txt")
		if err != nil {
			b.Fatal(err)
		}
		text := string(in)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(text, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
