package access

import (
	"os"
	"sort"
	"testing"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/snapshot"
)

// loadLarge loads the synthetic organisation named by IAMWHY_SYNTH
// (go run ./snapshot/internal/gen -out /tmp/iamwhy-synth), skipping the
// benchmark when it is unset.
func loadLarge(b *testing.B) *snapshot.Environment {
	dir := os.Getenv("IAMWHY_SYNTH")
	if dir == "" {
		b.Skip("IAMWHY_SYNTH not set")
	}
	env, err := snapshot.LoadFile(dir, snapshot.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return env
}

// BenchmarkWhoCanLarge is who-can for one action and resource over every
// principal of the large synthetic organisation (target: under 1 s on 2
// cores). The first iteration parses and compiles the documents it meets
// (cold); later ones hit the environment's compile cache.
func BenchmarkWhoCanLarge(b *testing.B) {
	env := loadLarge(b)
	ids := env.AccountIDs()
	benchWhoCan(b, env, Query{Action: "logs:CreateLogGroup", Resource: "arn:aws:logs:eu-west-1:" + ids[0] + ":log-group:app",
		Context: regionContext()})
}

// BenchmarkWhoCanLargeResourcePolicy is who-can on a bucket of the large
// organisation that has a bucket policy: every principal also meets the
// resource-based policy and the RCPs.
func BenchmarkWhoCanLargeResourcePolicy(b *testing.B) {
	env := loadLarge(b)
	arns := make([]string, 0, len(env.Resources))
	for arn := range env.Resources {
		if len(arn) > 13 && arn[:13] == "arn:aws:s3:::" && env.Resources[arn].Policy != nil {
			arns = append(arns, arn)
		}
	}
	if len(arns) == 0 {
		b.Skip("no bucket with a policy")
	}
	sort.Strings(arns)
	benchWhoCan(b, env, Query{Action: "s3:GetObject", Resource: arns[0] + "/key", Context: regionContext()})
}

func regionContext() *eval.Context {
	c := &eval.Context{}
	c.Set("aws:RequestedRegion", "eu-west-1")
	return c
}

func benchWhoCan(b *testing.B, env *snapshot.Environment, q Query) {
	cpu := cpuSeconds()
	var r *WhoCanResult
	for b.Loop() {
		var err error
		if r, err = WhoCan(env, q); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(r.Principals), "principals")
	b.ReportMetric(float64(r.Count(Allowed)+r.Count(AllowedIf)), "allowed")
}

// BenchmarkCanAllServices decides every action of the catalog for one
// role of the example environment.
func BenchmarkCanAllServices(b *testing.B) {
	env := loadExample(b)
	cat := catalog.Default()
	for b.Loop() {
		if _, err := Can(env, cat, CanQuery{Principal: "arn:aws:iam::111122223333:role/developer", Context: regionContext()}); err != nil {
			b.Fatal(err)
		}
	}
}
