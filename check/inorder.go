package check

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/iamwhy/iamwhy/eval"
)

// Cases are decided in chunks of a few jobs (one job is one action x
// resource pair of a case) on GOMAXPROCS goroutines, the calling one
// included, and their results are handed to emit in the file's order as
// soon as they and all before them are decided. Two things this avoids,
// measured on 20,000 cases: dealing jobs out by stride gave one goroutine
// every failing case of a file whose failures fall on odd positions (a
// failing case builds an explanation and costs several passing ones), so
// the other waited for it; and emitting a batch only after all of it was
// decided left a core idle while the results were written.

// chunkJobs is how many jobs a goroutine takes at a time: small enough to
// balance the goroutines, large enough that taking one costs nothing.
const chunkJobs = 16

// job is one action x resource pair of a case.
type job struct {
	c                *Case
	action, resource string
	multi            bool
}

// run decides cases and hands their results to emit in order; out is
// reused for the results and returned. The first error of emit stops the
// run (the goroutines finish the chunk they hold) and is returned.
func (fr *fileRun) run(cases []*Case, out []Result, emit func(*Result) error) ([]Result, error) {
	var jobs []job
	for _, c := range cases {
		multi := len(c.Actions)*len(c.Resources) > 1
		for _, action := range c.Actions {
			for _, resource := range c.Resources {
				jobs = append(jobs, job{c, action, resource, multi})
			}
		}
	}
	out = append(out[:0], make([]Result, len(jobs))...)
	chunks := (len(jobs) + chunkJobs - 1) / chunkJobs
	s := &inOrder{fr: fr, jobs: jobs, results: out, done: make([]atomic.Bool, chunks), wake: make(chan struct{}, 1)}
	helpers := min(runtime.GOMAXPROCS(0), max(1, len(jobs)/64)) - 1
	for len(fr.workers) <= helpers {
		fr.workers = append(fr.workers, &worker{})
	}
	var wg sync.WaitGroup
	for h := 1; h <= helpers; h++ {
		wg.Add(1)
		go func(ws *worker) {
			defer wg.Done()
			for s.decideNext(ws) {
				select {
				case s.wake <- struct{}{}:
				default: // a wake-up is already pending
				}
			}
		}(fr.workers[h])
	}
	err := s.emitAll(fr.workers[0], emit)
	wg.Wait()
	return out, err
}

// inOrder is one run's shared state.
type inOrder struct {
	fr      *fileRun
	jobs    []job
	results []Result
	next    atomic.Int64  // the next chunk to take
	done    []atomic.Bool // chunk i decided
	// wake holds a token when a helper finished a chunk since the
	// emitting goroutine last looked.
	wake chan struct{}
}

// decideNext takes the next chunk and decides it; false when none is
// left.
func (s *inOrder) decideNext(ws *worker) bool {
	c := int(s.next.Add(1) - 1)
	if c >= len(s.done) {
		return false
	}
	for i := c * chunkJobs; i < min((c+1)*chunkJobs, len(s.jobs)); i++ {
		s.decide(ws, i)
	}
	s.done[c].Store(true)
	return true
}

func (s *inOrder) decide(ws *worker, i int) {
	fr, j := s.fr, s.jobs[i]
	var layers func(*eval.Request) (*eval.Layers, error)
	if j.c.Layers == nil {
		layers = fr.layers
	}
	s.results[i] = fr.r.runOne(ws, fr.f, j.c, j.action, j.resource, j.multi, layers)
	if fr.r.Live != nil {
		var env Environment
		if j.c.Layers == nil {
			env = fr.environment()
		}
		fr.r.Live(j.c, &s.results[i], env)
	}
}

// emitAll emits the chunks in order, deciding chunks itself while the
// next one to emit is not ready. On an error of emit no chunk is taken
// any more.
func (s *inOrder) emitAll(ws *worker, emit func(*Result) error) error {
	for e := 0; e < len(s.done); {
		if s.done[e].Load() {
			for i := e * chunkJobs; i < min((e+1)*chunkJobs, len(s.jobs)); i++ {
				if err := emit(&s.results[i]); err != nil {
					s.next.Store(int64(len(s.done)))
					return err
				}
			}
			e++
			continue
		}
		if s.decideNext(ws) {
			continue
		}
		<-s.wake // every chunk is taken: wait for a helper to finish one
	}
	return nil
}
