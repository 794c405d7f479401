package snapshot

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/internal/synth"
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
	cpu := cpuSeconds()
	for b.Loop() {
		var err error
		env, err = LoadFile(dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "cpu-s/op")
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

// loadLarge loads the organisation named by IAMWHY_SYNTH, skipping when unset.
func loadLarge(b *testing.B) *Environment {
	dir := os.Getenv("IAMWHY_SYNTH")
	if dir == "" {
		b.Skip("IAMWHY_SYNTH not set")
	}
	env, err := LoadFile(dir, Options{})
	if err != nil {
		b.Fatal(err)
	}
	return env
}

// BenchmarkValidateLarge parses every document of the large organisation
// (the first use of each; later uses hit the cache).
func BenchmarkValidateLarge(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		env := loadLarge(b)
		b.StartTimer()
		cpu := cpuSeconds()
		if errs := env.Validate(); len(errs) != 0 {
			b.Fatal(errs[0])
		}
		b.ReportMetric(cpuSeconds()-cpu, "cpu-s/op")
	}
}

// BenchmarkAllPrincipalsLarge is the loop under who-can: resolve the layers
// of every user and role of the large organisation for one action and
// resource and decide. Documents are parsed and compiled on first use, so
// the first iteration is the cold figure.
func BenchmarkAllPrincipalsLarge(b *testing.B) {
	env := loadLarge(b)
	var arns []string
	for _, id := range sortedKeys(env.Accounts) {
		for _, u := range env.Accounts[id].Users {
			arns = append(arns, u.ARN)
		}
		for _, r := range env.Accounts[id].Roles {
			arns = append(arns, r.ARN)
		}
	}
	resource := "arn:aws:logs:eu-west-1:" + synth.AccountID(0) + ":log-group:app"
	cpu := cpuSeconds()
	for b.Loop() {
		allowed := 0
		for _, arn := range arns {
			req := &eval.Request{Principal: arn, Action: "logs:CreateLogGroup", Resource: resource, Context: &eval.Context{}}
			req.Context.Set("aws:RequestedRegion", "eu-west-1")
			l, err := env.Layers(req)
			if err != nil {
				b.Fatal(err)
			}
			if eval.Decide(req, l).Outcome.String() == "allow" {
				allowed++
			}
		}
		b.ReportMetric(float64(len(arns)), "principals")
		b.ReportMetric(float64(allowed), "allowed")
	}
	b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "cpu-s/op")
}

// BenchmarkLoadLargeCached loads the large synthetic organisation (see
// BenchmarkLoadLarge) from a warm environment cache: what a repeated
// command on the same environment pays (hashing every input file
// included).
func BenchmarkLoadLargeCached(b *testing.B) {
	dir := os.Getenv("IAMWHY_SYNTH")
	if dir == "" {
		b.Skip("IAMWHY_SYNTH not set")
	}
	cache := b.TempDir()
	if _, _, err := LoadCached(Spec{File: dir}, Options{}, cache); err != nil {
		b.Fatal(err)
	}
	cpu := cpuSeconds()
	for b.Loop() {
		env, info, err := LoadCached(Spec{File: dir}, Options{}, cache)
		if err != nil || !info.Hit {
			b.Fatalf("hit=%v problem=%q err=%v", info.Hit, info.Problem, err)
		}
		runtime.KeepAlive(env)
	}
	b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "cpu-s/op")
}
