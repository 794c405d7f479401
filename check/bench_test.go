package check

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/internal/casegen"
)

// writeBigCheckFile writes a check file with n cases that refer to named
// policies, the shape of a CI suite grown over years.
func writeBigCheckFile(tb testing.TB, n int) string {
	tb.Helper()
	var b strings.Builder
	b.WriteString("version: 1\npolicies:\n")
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&b, `  app-%d:
    Version: "2012-10-17"
    Statement:
      - Sid: Read%d
        Effect: Allow
        Action: ["s3:Get*", "s3:List*"]
        Resource: ["arn:aws:s3:::bucket-%d", "arn:aws:s3:::bucket-%d/*"]
        Condition: {StringEquals: {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}
      - Effect: Deny
        Action: "s3:Delete*"
        Resource: "*"
`, i, i, i, i)
	}
	b.WriteString(`  guardrail:
    Version: "2012-10-17"
    Statement:
      - Effect: Deny
        NotAction: ["iam:*", "sts:*"]
        Resource: "*"
        Condition: {StringNotEquals: {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}
  full: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
cases:
`)
	for i := 0; i < n; i++ {
		p := i % 10
		expect := "allow"
		region := "us-east-1"
		if i%3 == 0 {
			region, expect = "ap-south-1", "explicit-deny"
		}
		fmt.Fprintf(&b, "  - name: case %d\n    principal: arn:aws:sts::111122223333:assumed-role/app-%d/s\n    action: s3:GetObject\n    resource: arn:aws:s3:::bucket-%d/k%d\n    context: {aws:RequestedRegion: %s}\n    layers: {identity: [app-%d, app-%d], scp: [[full], [full, guardrail]]}\n    expect: %s\n",
			i, p, p, i, region, p, (p+1)%10, expect)
	}
	path := filepath.Join(tb.TempDir(), "big.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// BenchmarkCheck100k loads and runs a check file of 100,000 cases.
// Target: under 2 s for the whole run.
func BenchmarkCheck100k(b *testing.B) {
	path := writeBigCheckFile(b, 100_000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, err := LoadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		rep := &Report{}
		(&Runner{}).Run(f, rep)
		if rep.Summary.Failed != 0 {
			b.Fatalf("%d failed: %+v", rep.Summary.Failed, rep.Results[0])
		}
	}
}

func TestBigCheckFileSmall(t *testing.T) {
	path := writeBigCheckFile(t, 300)
	f, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rep := &Report{}
	(&Runner{}).Run(f, rep)
	if rep.Summary.Cases != 300 || rep.Summary.Failed != 0 {
		t.Fatalf("%+v %+v", rep.Summary, rep.Results[0])
	}
}

// benchCases writes the realistic case set (casegen) once per benchmark.
func benchCases(b *testing.B, n int) string {
	b.Helper()
	dir := b.TempDir()
	if err := casegen.WriteAll(dir, n); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkCheckRealistic loads and runs 20,000 realistic cases (casegen:
// one in twenty fails and is explained) from the JSON and the YAML file.
// The whole-process comparison with @cloud-copilot/iam-simulate on the same
// cases is in docs/performance.md.
func BenchmarkCheckRealistic(b *testing.B) {
	dir := benchCases(b, 20_000)
	for _, name := range []string{"cases.json", "cases.yaml"} {
		b.Run(name, func(b *testing.B) {
			path := filepath.Join(dir, name)
			for i := 0; i < b.N; i++ {
				src, err := Open(path)
				if err != nil {
					b.Fatal(err)
				}
				var sum Summary
				if err := (&Runner{}).RunSource(src, func(r *Result) error { sum.Add(r); return nil }); err != nil {
					b.Fatal(err)
				}
				if sum.Failed != 1000 {
					b.Fatalf("%d failed, want 1000", sum.Failed)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/20_000, "µs/case")
		})
	}
}

// BenchmarkLoadRealistic reads the 20,000 realistic cases (casegen) into
// cases without running them: the reading share of a check run.
func BenchmarkLoadRealistic(b *testing.B) {
	dir := benchCases(b, 20_000)
	for _, name := range []string{"cases.json", "cases.yaml"} {
		b.Run(name, func(b *testing.B) {
			path := filepath.Join(dir, name)
			b.ReportAllocs()
			for b.Loop() {
				f, err := LoadFile(path)
				if err != nil {
					b.Fatal(err)
				}
				if len(f.Cases) != 20_000 {
					b.Fatalf("%d cases", len(f.Cases))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/20_000, "µs/case")
		})
	}
}
