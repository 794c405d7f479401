package arn

import "testing"

var sinkARN ARN
var sinkString string

// Parsing sits on the engine's hot path (every request resource and every
// compiled Resource entry), so it must not allocate.
func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sinkARN, _ = Parse("arn:aws:lambda:us-east-1:111122223333:function:fn:alias")
	}
}

func BenchmarkPolicyResource(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sinkString = PolicyResource("arn:aws:s3:::bucket/some/key.json")
	}
}

func TestNoAllocations(t *testing.T) {
	for name, f := range map[string]func(){
		"Parse":           func() { sinkARN, _ = Parse("arn:aws:iam::111122223333:role/app") },
		"PolicyResource":  func() { sinkString = PolicyResource("arn:aws:s3:::b/k") },
		"SessionRole":     func() { sinkString, _, _ = SessionRole("arn:aws:sts::111122223333:assumed-role/app/s") },
		"PrincipalKindOf": func() { _ = PrincipalKindOf("arn:aws:sts::111122223333:assumed-role/app/s") },
	} {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s allocates %v times", name, n)
		}
	}
}
