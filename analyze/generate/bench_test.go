package generate

import (
	"context"
	"os"
	"testing"

	"github.com/iamwhy/iamwhy/analyze/internal/benchtrail"
	"github.com/iamwhy/iamwhy/trail"
)

// BenchmarkGenerateVsDenied reads the same synthetic trail (200,000
// records of 1,000 roles) for `trail denied`'s summary and for one
// principal's policy, side by side, so the ratio is measured in one run.
// Set IAMWHY_BENCH_TRAIL to a trail directory (e.g. the 2 GB set of
// trail/internal/gen) to measure on it instead.
func BenchmarkGenerateVsDenied(b *testing.B) {
	dir := os.Getenv("IAMWHY_BENCH_TRAIL")
	principal := os.Getenv("IAMWHY_BENCH_PRINCIPAL")
	if dir == "" {
		dir = b.TempDir()
		if _, err := benchtrail.Write(dir, 200000, 1000); err != nil {
			b.Fatal(err)
		}
		principal = benchtrail.RoleARN(7)
	}
	if principal == "" {
		principal = "arn:aws:iam::111122223333:role/app-role-7"
	}
	b.Run("denied", func(b *testing.B) {
		for b.Loop() {
			if _, err := trail.SummarizeDenials(context.Background(), []string{dir}, trail.Options{}, trail.DenialOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("generate", func(b *testing.B) {
		for b.Loop() {
			res, _, err := FromTrail(context.Background(), []string{dir}, trail.Options{}, Options{Principal: principal})
			if err != nil {
				b.Fatal(err)
			}
			if res.Events.Counted == 0 {
				b.Fatal("no calls of the principal")
			}
		}
	})
}
