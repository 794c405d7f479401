package trail

import (
	"bytes"
	stdgzip "compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	kgzip "github.com/klauspost/compress/gzip"

	"github.com/iamwhy/iamwhy/trail/internal/gen"
)

var (
	benchOnce sync.Once
	benchDir  string
	benchRes  gen.Result
	benchErr  error
)

// benchSet generates about 24 MB (uncompressed) of realistic records once
// per test binary.
func benchSet(b *testing.B) (string, gen.Result) {
	b.Helper()
	benchOnce.Do(func() {
		benchDir, benchErr = os.MkdirTemp("", "trail-bench-")
		if benchErr == nil {
			benchRes, benchErr = gen.Generate(gen.Options{Dir: benchDir, Bytes: 24 << 20, Seed: 7})
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchDir, benchRes
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// BenchmarkRead measures Read end to end (gunzip, scan, decode, filter)
// over a generated S3 tree; MB/s are of uncompressed JSON.
func BenchmarkRead(b *testing.B) {
	dir, res := benchSet(b)
	for _, bc := range []struct {
		name    string
		workers int
		filter  Filter
	}{
		{"all/workers=1", 1, Filter{}},
		{"denied/workers=1", 1, Filter{DeniedOnly: true}},
		{"denied/workers=2", 2, Filter{DeniedOnly: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(res.Bytes)
			b.ReportAllocs()
			for b.Loop() {
				st, err := Read(context.Background(), []string{dir}, Options{Workers: bc.workers, Filter: bc.filter}, func(*Record) error { return nil })
				if err != nil || st.Records != res.Records {
					b.Fatalf("records %d, want %d: %v", st.Records, res.Records, err)
				}
			}
		})
	}
}

// firstFile returns the uncompressed bytes of one generated file.
func firstFile(b *testing.B) []byte {
	dir, _ := benchSet(b)
	var path string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && path == "" {
			path = p
		}
		return nil
	})
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	zr, err := kgzip.NewReader(f)
	if err != nil {
		b.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

// BenchmarkDecode measures scanning and field extraction alone, from
// memory, against encoding/json into a struct with the same fields.
func BenchmarkDecode(b *testing.B) {
	raw := firstFile(b)
	b.Run("trail", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		st := &Stats{}
		fd := newFileDecoder(st, 10, func(*Record) error { return nil })
		for b.Loop() {
			if err := fd.decodeFile("mem", bytes.NewReader(raw)); err != nil || st.RecordsFailed+st.FilesFailed > 0 {
				b.Fatal(err, st.Problems)
			}
		}
	})
	// Projected to the members `iamwhy unused` reads for every record
	// (analyze/unused.Members, restated: trail cannot import it).
	b.Run("members", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		st := &Stats{}
		fd := newFileDecoder(st, 10, func(*Record) error { return nil })
		f := compiledFilter{f: &Filter{}}
		fd.dec.members = f.members(append([]string{"userIdentity.sessionContext.sessionIssuer.arn", "errorCode", "eventType", "eventCategory"}, TargetMembers...))
		for b.Loop() {
			if err := fd.decodeFile("mem", bytes.NewReader(raw)); err != nil || st.RecordsFailed+st.FilesFailed > 0 {
				b.Fatal(err, st.Problems)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		type ident struct {
			Type, PrincipalID, ARN, AccountID, AccessKeyID, UserName, InvokedBy string
			SessionContext                                                      struct {
				SessionIssuer struct{ Type, PrincipalID, ARN, AccountID, UserName string }
			}
		}
		type rec struct {
			EventVersion, EventID, EventTime, EventSource, EventName, AWSRegion, SourceIPAddress, UserAgent string
			ErrorCode, ErrorMessage, RequestID, EventType, RecipientAccountID, VPCEndpointID                string
			UserIdentity                                                                                    ident
			Resources                                                                                       []struct{ ARN, AccountID, Type string }
			RequestParameters, ResponseElements                                                             json.RawMessage
		}
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			var v struct{ Records []rec }
			if err := json.Unmarshal(raw, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkGunzip compares gzip decompression speed (MB/s of output):
// the reader uses klauspost/compress.
func BenchmarkGunzip(b *testing.B) {
	raw := firstFile(b)
	var z bytes.Buffer
	w := kgzip.NewWriter(&z)
	w.Write(raw)
	w.Close()
	b.Run("klauspost", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		zr, _ := kgzip.NewReader(bytes.NewReader(z.Bytes()))
		for b.Loop() {
			zr.Reset(bytes.NewReader(z.Bytes()))
			io.Copy(io.Discard, zr)
		}
	})
	b.Run("stdlib", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		zr, _ := stdgzip.NewReader(bytes.NewReader(z.Bytes()))
		for b.Loop() {
			zr.Reset(bytes.NewReader(z.Bytes()))
			io.Copy(io.Discard, zr)
		}
	})
}

// BenchmarkReadDir reads the tree named by $TRAIL_BENCH_DIR (for example
// the 2 GB set written by gentrail) keeping the access-denied records, and
// reports throughput per wall second and per CPU second. It is skipped
// when the variable is unset.
func BenchmarkReadDir(b *testing.B) {
	dir := os.Getenv("TRAIL_BENCH_DIR")
	if dir == "" {
		b.Skip("TRAIL_BENCH_DIR not set")
	}
	for b.Loop() {
		cpu0 := cpuTime()
		start := time.Now()
		st, err := Read(context.Background(), []string{dir}, Options{Filter: Filter{DeniedOnly: true}}, func(*Record) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		wall := time.Since(start).Seconds()
		cpu := (cpuTime() - cpu0).Seconds()
		mb := float64(st.TextBytes) / 1e6
		b.ReportMetric(mb/wall, "MB/s")
		b.ReportMetric(mb/cpu, "MB/cpu-s")
		b.ReportMetric(float64(st.Delivered()), "denied")
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
