package check

import (
	"errors"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iamwhy/iamwhy/internal/casegen"
)

// Results come out in the file's order and equal, field for field, those
// of a run on one goroutine, for any number of goroutines; emit is never
// called from two goroutines at once.
func TestRunInOrderSameOnAnyCores(t *testing.T) {
	dir := t.TempDir()
	if err := casegen.WriteAll(dir, 3000); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "cases.json")
	runWith := func(procs int) []Result {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		src, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		var out []Result
		var inEmit atomic.Int32
		err = (&Runner{}).RunSource(src, func(r *Result) error {
			if inEmit.Add(1) != 1 {
				t.Error("emit called concurrently")
			}
			out = append(out, *r)
			inEmit.Add(-1)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	one := runWith(1)
	if len(one) != 3000 {
		t.Fatalf("%d results", len(one))
	}
	for i, r := range one {
		if want := "case " + strconv.Itoa(i); r.Name != want {
			t.Fatalf("result %d is %q, want %q", i, r.Name, want)
		}
	}
	for _, procs := range []int{2, 3, 8} {
		if got := runWith(procs); !reflect.DeepEqual(got, one) {
			t.Fatalf("GOMAXPROCS %d: results differ from one goroutine's", procs)
		}
	}
}

// The first error of emit ends the run: it is returned, emit is not
// called again, each goroutine decides at most the chunk it holds and one
// it took as emit failed, and none is still deciding when RunSource
// returns.
func TestRunInOrderEmitError(t *testing.T) {
	dir := t.TempDir()
	if err := casegen.WriteAll(dir, 2000); err != nil {
		t.Fatal(err)
	}
	src, err := Open(filepath.Join(dir, "cases.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	var calls, decided, afterStop atomic.Int32
	var failed atomic.Bool
	r := &Runner{Live: func(c *Case, res *Result, env Environment) {
		decided.Add(1)
		if failed.Load() {
			afterStop.Add(1)
		}
	}}
	err = r.RunSource(src, func(res *Result) error {
		if calls.Add(1) == 100 {
			failed.Store(true)
			return stop
		}
		return nil
	})
	if err != stop || calls.Load() != 100 {
		t.Fatalf("err %v after %d calls", err, calls.Load())
	}
	if n, most := afterStop.Load(), int32(2*runtime.GOMAXPROCS(0)*chunkJobs); n > most {
		t.Fatalf("%d cases decided after emit failed, want at most %d", n, most)
	}
	n := decided.Load()
	time.Sleep(20 * time.Millisecond) // a goroutine left deciding would go on meanwhile
	if decided.Load() != n {
		t.Fatal("cases were decided after RunSource returned")
	}
}
