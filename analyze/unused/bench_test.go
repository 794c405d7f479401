package unused

import (
	"context"
	"os"
	"testing"

	"github.com/iamwhy/iamwhy/analyze/internal/benchtrail"
	"github.com/iamwhy/iamwhy/snapshot"
	"github.com/iamwhy/iamwhy/trail"
)

// BenchmarkUnusedVsDenied reads the same synthetic trail (200,000 records
// of 1,000 roles) for `trail denied`'s summary and for the unused report
// of a 1,000-role environment, side by side. IAMWHY_BENCH_TRAIL and
// IAMWHY_BENCH_ENV measure other inputs.
func BenchmarkUnusedVsDenied(b *testing.B) {
	dir, envDir := os.Getenv("IAMWHY_BENCH_TRAIL"), os.Getenv("IAMWHY_BENCH_ENV")
	if dir == "" {
		dir = b.TempDir()
		if _, err := benchtrail.Write(dir, 200000, 1000); err != nil {
			b.Fatal(err)
		}
	}
	if envDir == "" {
		envDir = b.TempDir()
		if err := benchtrail.WriteEnv(envDir, 1000); err != nil {
			b.Fatal(err)
		}
	}
	env, err := snapshot.LoadFile(envDir, snapshot.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("denied", func(b *testing.B) {
		for b.Loop() {
			if _, err := trail.SummarizeDenials(context.Background(), []string{dir}, trail.Options{}, trail.DenialOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unused", func(b *testing.B) {
		for b.Loop() {
			res, _, err := FromTrail(context.Background(), env, []string{dir}, trail.Options{}, Options{})
			if err != nil {
				b.Fatal(err)
			}
			if len(res.Principals) == 0 {
				b.Fatal("no principals")
			}
		}
	})
}
