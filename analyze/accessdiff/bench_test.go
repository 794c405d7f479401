package accessdiff

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/internal/synth"
	"github.com/iamwhy/iamwhy/snapshot"
)

// bench1000 is an organisation of 1,000 roles: 10 accounts, 100 users,
// 2,000 managed policies, 500 resource policies.
var bench1000 = synth.Config{Accounts: 10, Roles: 1000, Users: 100, Groups: 10, ManagedPolicies: 2000, ResourcePolicies: 500, Seed: 1}

// benchPair writes the organisation twice, the second time with edit
// applied to its files (path relative to the environment -> old, new).
func benchPair(b *testing.B, edits map[string][2]string) (oldDir, newDir string) {
	b.Helper()
	root := b.TempDir()
	oldDir, newDir = filepath.Join(root, "old"), filepath.Join(root, "new")
	for _, d := range []string{oldDir, newDir} {
		if _, err := synth.Generate(d, bench1000); err != nil {
			b.Fatal(err)
		}
	}
	for rel, e := range edits {
		p := filepath.Join(newDir, rel)
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		n := strings.Count(string(data), e[0])
		if n == 0 {
			b.Fatalf("%s: %q not found", rel, e[0])
		}
		if err := os.WriteFile(p, []byte(strings.ReplaceAll(string(data), e[0], e[1])), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return oldDir, newDir
}

func benchCompare(b *testing.B, edits map[string][2]string) {
	oldDir, newDir := benchPair(b, edits)
	b.ResetTimer()
	cpu := synth.CPUSeconds()
	for i := 0; i < b.N; i++ {
		// The whole comparison: both environments loaded, then compared.
		oldEnv, err := snapshot.LoadFile(oldDir, snapshot.Options{})
		if err != nil {
			b.Fatal(err)
		}
		newEnv, err := snapshot.LoadFile(newDir, snapshot.Options{})
		if err != nil {
			b.Fatal(err)
		}
		res, err := Environments(oldEnv, newEnv, EnvOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(res.Requests), "requests")
		b.ReportMetric(float64(len(res.NewAccess)+len(res.RemovedAccess)+len(res.Undetermined)), "differences")
	}
	b.ReportMetric((synth.CPUSeconds()-cpu)/float64(b.N), "cpu-s/op")
}

// BenchmarkEnvironments1000Roles compares two 1,000-role environments:
// unchanged; one account's policies changed (an action added wherever
// sqs:SendMessage is granted) and a bucket policy; the region guard SCP
// changed, which changes every principal under it.
func BenchmarkEnvironments1000Roles(b *testing.B) {
	acct := synth.AccountID(3)
	b.Run("unchanged", func(b *testing.B) { benchCompare(b, nil) })
	b.Run("one-account-and-a-bucket", func(b *testing.B) {
		benchCompare(b, map[string][2]string{
			filepath.Join("accounts", acct, "authorization-details.json"):     {`"sqs:SendMessage"`, `"sqs:SendMessage", "sqs:PurgeQueue"`},
			filepath.Join("resources", synth.AccountID(0), "s3", "s3-0.json"): {`s3:Get*`, `s3:*`},
		})
	})
	b.Run("scp", func(b *testing.B) {
		benchCompare(b, map[string][2]string{
			"organization.yaml": {"[eu-west-1, us-east-1]", "[eu-west-1, us-east-1, eu-central-1]"},
		})
	})
}
