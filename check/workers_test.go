package check

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/iamwhy/iamwhy/inputfile"
)

// TestInWorkersTakesEachPieceOnce: every index is handed out once, to at
// most GOMAXPROCS goroutines each made by one worker call, lowest first,
// and a piece that ends in a panic does not end its goroutine's others.
func TestInWorkersTakesEachPieceOnce(t *testing.T) {
	for _, n := range []int{0, 1, 2, 7, 64} {
		var workers atomic.Int32
		var mu sync.Mutex
		seen := make([]int, n)
		owner := make([]*int, n)
		inWorkers(n, func() func(int) {
			workers.Add(1)
			state := new(int) // what the goroutine's pieces share
			return func(i int) {
				mu.Lock()
				seen[i]++
				owner[i] = state
				mu.Unlock()
				*state++
			}
		})
		if w := int(workers.Load()); w > runtime.GOMAXPROCS(0) || w > n {
			t.Errorf("n=%d: %d workers, GOMAXPROCS %d", n, w, runtime.GOMAXPROCS(0))
		}
		total := 0
		states := map[*int]bool{}
		for i, c := range seen {
			if c != 1 {
				t.Errorf("n=%d: piece %d taken %d times", n, i, c)
			}
			states[owner[i]] = true
		}
		for s := range states {
			total += *s
		}
		if total != n {
			t.Errorf("n=%d: the workers' states count %d pieces", n, total)
		}
	}
}

// TestInWorkersFaultEndsOnlyItsPiece: a fault reading a truncated mapping
// ends the piece that met it (inputfile.CatchFault), and its goroutine
// goes on with the next pieces.
func TestInWorkersFaultEndsOnlyItsPiece(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("files are mapped on Linux only")
	}
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, bytes.Repeat([]byte("x"), 2*inputfile.MapMin), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := inputfile.Map(path)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	done := make([]bool, 16)
	var sum atomic.Int64
	inWorkers(len(done), func() func(int) {
		return func(i int) {
			if i == 3 {
				for _, b := range m.Data {
					sum.Add(int64(b))
				}
			}
			done[i] = true
		}
	})
	for i, d := range done {
		if d != (i != 3) {
			t.Errorf("piece %d done: %v", i, d)
		}
	}
}
