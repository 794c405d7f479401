package snapshot

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/iamwhy/iamwhy/snapshot/internal/synth"
)

func TestSyntheticOrganizationLoads(t *testing.T) {
	dir := t.TempDir()
	sum, err := synth.Generate(dir, synth.Small)
	if err != nil {
		t.Fatal(err)
	}
	env, err := LoadFile(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := env.Stats
	// Every account's file includes the AWS managed policies it attaches,
	// so they are met once per account and kept once.
	if s.Users != sum.Users || s.Groups != sum.Groups || s.Roles != sum.Roles ||
		s.ManagedPolicies != sum.ManagedPolicies+3 || s.DuplicateAWSManaged != 3*(sum.Accounts-1) ||
		s.NonDefaultVersions != sum.PolicyVersions-sum.ManagedPolicies || s.Resources != sum.ResourcePolicies {
		t.Errorf("stats = %+v, generated %+v", s, sum)
	}
	if len(env.Missing) != 0 || len(env.Warnings) != 0 {
		t.Errorf("missing %v, warnings %v", env.Missing, env.Warnings)
	}
	for _, id := range sum.AccountIDs {
		a := env.Accounts[id]
		for _, r := range a.Roles {
			p, err := env.Principal(r.ARN)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Gaps) != 0 {
				t.Errorf("%s: gaps %v", r.ARN, p.Gaps)
			}
		}
		if _, governed := env.SCPLevels(id); !governed {
			t.Errorf("%s is not governed", id)
		}
	}
}

// BenchmarkLoadLarge loads the large synthetic organisation. Generate it
// first (go run ./snapshot/internal/gen -out /tmp/iamwhy-synth) and name it
// in IAMWHY_SYNTH; the benchmark is skipped otherwise.
func BenchmarkLoadLarge(b *testing.B) {
	dir := os.Getenv("IAMWHY_SYNTH")
	if dir == "" {
		b.Skip("IAMWHY_SYNTH not set")
	}
	if _, err := os.Stat(filepath.Join(dir, "environment.yaml")); err != nil {
		b.Skip(err)
	}
	var env *Environment
	for b.Loop() {
		var err error
		env, err = LoadFile(dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/1e6, "MB-live")
	b.ReportMetric(float64(env.Stats.Roles), "roles")
	runtime.KeepAlive(env)
}

func BenchmarkLoadExample(b *testing.B) {
	for b.Loop() {
		if _, err := LoadFile(exampleEnv, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPrincipal(b *testing.B) {
	env := loadExample(b)
	for b.Loop() {
		if _, err := env.Principal("arn:aws:sts::111122223333:assumed-role/config-reader/s"); err != nil {
			b.Fatal(err)
		}
	}
}
