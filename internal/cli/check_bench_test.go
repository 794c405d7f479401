package cli

import (
	"io"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/iamwhy/iamwhy/internal/casegen"
)

// BenchmarkCheckCommand is `iamwhy check` on 20,000 realistic cases
// (casegen; one in twenty fails) in each file format and output, in
// process: reading, deciding and rendering. docs/performance.md compares
// the whole process with @cloud-copilot/iam-simulate on the same cases.
func BenchmarkCheckCommand(b *testing.B) {
	dir := b.TempDir()
	if err := casegen.WriteAll(dir, 20_000); err != nil {
		b.Fatal(err)
	}
	for _, file := range []string{"cases.json", "cases.yaml"} {
		for _, out := range []string{"text", "json"} {
			b.Run(file+"/"+out, func(b *testing.B) {
				cpu := processCPU()
				for b.Loop() {
					code := Main([]string{"check", "-o", out, filepath.Join(dir, file)}, Streams{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard})
					if code != 1 {
						b.Fatalf("exit %d, want 1 (one in twenty cases fails)", code)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/20_000, "µs/case")
				// CPU time moves much less than wall time on a shared machine.
				b.ReportMetric((processCPU()-cpu).Seconds()*1e6/float64(b.N)/20_000, "cpu-µs/case")
			})
		}
	}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
