package cli

import (
	"os"
	"runtime/debug"
	"sync"
)

// lessGC lets the garbage collector run less often while a command builds
// a large heap once (check files, an environment) and returns the function
// that restores it. A check run's live heap is small (the policies, a
// batch of cases and results) while it allocates several times that, and
// an environment read from its cache grows the heap from nothing to a few
// hundred MB: at Go's default the collector took a quarter of the CPU of a
// 20,000-case check run and traced the growing environment again and
// again. At 400 the heap may grow to five times the live
// data between collections; the 512 MiB soft limit keeps a very large run
// (a million streamed cases) within bounds whatever the ratio. A GOGC or
// GOMEMLIMIT the user set wins. Runs in one process (tests, serve) share
// the setting: the first sets it, the last restores it.
func lessGC() (restore func()) {
	lessGCMu.Lock()
	defer lessGCMu.Unlock()
	if lessGCRuns++; lessGCRuns == 1 {
		lessGCPrev, lessGCLimit = -2, -1
		if os.Getenv("GOGC") == "" {
			lessGCPrev = debug.SetGCPercent(400)
		}
		if os.Getenv("GOMEMLIMIT") == "" {
			lessGCLimit = debug.SetMemoryLimit(512 << 20)
		}
	}
	return func() {
		lessGCMu.Lock()
		defer lessGCMu.Unlock()
		if lessGCRuns--; lessGCRuns > 0 {
			return
		}
		if lessGCPrev != -2 {
			debug.SetGCPercent(lessGCPrev)
		}
		if lessGCLimit >= 0 {
			debug.SetMemoryLimit(lessGCLimit)
		}
	}
}

var (
	lessGCMu               sync.Mutex
	lessGCRuns, lessGCPrev int
	lessGCLimit            int64
)

// capMemory sets a soft memory limit for a command that keeps a large
// live heap for its whole run and allocates several times that as it
// goes (unused: a principal's calls and the duplicate-event filter over
// every record of a trail) and returns the function that restores it. At
// Go's default the heap may reach twice the live data: on a 2 GB trail
// with a 1,000-role environment that is 190 MB live and, without a
// limit, 650 MB of RSS; a 320 MiB limit keeps it near 380 MB for the same
// CPU time (400 MiB: 460 MB). The limit is
// soft (above it the collector runs more often, never fails an
// allocation). A GOMEMLIMIT the user set wins; nested and concurrent runs
// share it as lessGC's do.
func capMemory(limit int64) (restore func()) {
	lessGCMu.Lock()
	defer lessGCMu.Unlock()
	if capRuns++; capRuns == 1 {
		capPrev = -1
		if os.Getenv("GOMEMLIMIT") == "" {
			capPrev = debug.SetMemoryLimit(limit)
		}
	}
	return func() {
		lessGCMu.Lock()
		defer lessGCMu.Unlock()
		if capRuns--; capRuns == 0 && capPrev >= 0 {
			debug.SetMemoryLimit(capPrev)
		}
	}
}

var (
	capRuns int
	capPrev int64
)
