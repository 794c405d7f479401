package drift

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/internal/synth"
	"github.com/iamwhy/iamwhy/snapshot"
)

// BenchmarkDrift1000Roles is `iamwhy drift` on two 1,000-role
// organisations (10 accounts, 100 users, 2,000 managed policies, 500
// resource policies), loading both and comparing structure and effective
// access: the same organisation, and one where an account's policies
// grant one more action and a bucket policy is wider. The staging gap's
// goal is under 10 s for two such environments.
func BenchmarkDrift1000Roles(b *testing.B) {
	cfg := synth.Config{Accounts: 10, Roles: 1000, Users: 100, Groups: 10, ManagedPolicies: 2000, ResourcePolicies: 500, Seed: 1}
	run := func(b *testing.B, edits map[string][2]string) {
		root := b.TempDir()
		aDir, bDir := filepath.Join(root, "a"), filepath.Join(root, "b")
		for _, d := range []string{aDir, bDir} {
			if _, err := synth.Generate(d, cfg); err != nil {
				b.Fatal(err)
			}
		}
		for rel, e := range edits {
			p := filepath.Join(bDir, rel)
			data, err := os.ReadFile(p)
			if err != nil {
				b.Fatal(err)
			}
			if !strings.Contains(string(data), e[0]) {
				b.Fatalf("%s: %q not found", rel, e[0])
			}
			if err := os.WriteFile(p, []byte(strings.ReplaceAll(string(data), e[0], e[1])), 0o644); err != nil {
				b.Fatal(err)
			}
		}
		b.ResetTimer()
		cpu := synth.CPUSeconds()
		for i := 0; i < b.N; i++ {
			a, err := snapshot.LoadFile(aDir, snapshot.Options{})
			if err != nil {
				b.Fatal(err)
			}
			e, err := snapshot.LoadFile(bDir, snapshot.Options{})
			if err != nil {
				b.Fatal(err)
			}
			r, err := Compare(a, e, Options{})
			if err != nil {
				b.Fatal(err)
			}
			if edits == nil && len(r.Differences) != 0 {
				b.Fatalf("%d differences between identical environments", len(r.Differences))
			}
			if edits != nil && len(r.Differences) == 0 {
				b.Fatal("no difference found for the edit")
			}
			b.ReportMetric(float64(r.Requests), "requests")
			b.ReportMetric(float64(len(r.Differences)), "differences")
		}
		b.ReportMetric((synth.CPUSeconds()-cpu)/float64(b.N), "cpu-s/op")
	}
	b.Run("unchanged", func(b *testing.B) { run(b, nil) })
	b.Run("one-account-and-a-bucket", func(b *testing.B) {
		run(b, map[string][2]string{
			filepath.Join("accounts", synth.AccountID(3), "authorization-details.json"): {`"sqs:SendMessage"`, `"sqs:SendMessage", "sqs:PurgeQueue"`},
			filepath.Join("resources", synth.AccountID(0), "s3", "s3-0.json"):           {`s3:Get*`, `s3:*`},
		})
	})
}
