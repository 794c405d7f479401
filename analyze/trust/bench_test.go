package trust

import (
	"testing"

	"github.com/iamwhy/iamwhy/internal/synth"
	"github.com/iamwhy/iamwhy/snapshot"
)

// BenchmarkTrust1000Roles maps the trust of an organisation of 1,000
// roles (10 accounts, 100 users, 2,000 managed policies, 500 resource
// policies), the environment loaded once.
func BenchmarkTrust1000Roles(b *testing.B) {
	dir := b.TempDir()
	if _, err := synth.Generate(dir, synth.Config{Accounts: 10, Roles: 1000, Users: 100, Groups: 10, ManagedPolicies: 2000, ResourcePolicies: 500, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	env, err := snapshot.LoadFile(dir, snapshot.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu := synth.CPUSeconds()
	for i := 0; i < b.N; i++ {
		g, err := Build(env, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(g.Edges)), "edges")
	}
	b.ReportMetric((synth.CPUSeconds()-cpu)/float64(b.N), "cpu-s/op")
}
