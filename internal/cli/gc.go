package cli

import (
	"os"
	"runtime/debug"
	"sync"
)

// lessGC lets the garbage collector run less often while a command builds
// a large heap once (an environment) and returns the function that
// restores it. An environment read from its cache grows the heap from
// nothing to a few hundred MB: at Go's default the collector traced the
// growing environment again and again (and took a quarter of the CPU of a
// 20,000-case check run, which now uses noGCBelow). At 400 the heap may
// grow to five times the live data between collections; the 512 MiB soft
// limit keeps a very large one within bounds whatever the ratio.
func lessGC() (restore func()) {
	return holdGC(gcHold{percent: 400, limit: 512 << 20})
}

// noGCBelow turns the collector's pacing off for a command whose whole
// heap is small next to limit (a check run: about 40 MB for 20,000 cases
// read whole, and a streamed file's batches), so that it collects only
// when the heap nears the soft limit, and returns the function that
// restores it. On 20,000 cases the run at GOGC 400 still collected during
// the read of the file, with the reading goroutines assisting the mark,
// about a seventh of the run's wall time (docs/performance.md).
func noGCBelow(limit int64) (restore func()) {
	return holdGC(gcHold{off: true, limit: limit})
}

// capMemory sets a soft memory limit for a command that keeps a large
// live heap for its whole run and allocates several times that as it
// goes (unused: a principal's calls and the duplicate-event filter over
// every record of a trail) and returns the function that restores it. At
// Go's default the heap may reach twice the live data: on a 2 GB trail
// with a 1,000-role environment that is 190 MB live and, without a
// limit, 650 MB of RSS; a 320 MiB limit keeps it near 380 MB for the same
// CPU time (400 MiB: 460 MB). The limit is soft (above it the collector
// runs more often, never fails an allocation).
func capMemory(limit int64) (restore func()) {
	return holdGC(gcHold{limit: limit})
}

// gcHold is what one running command asks of the collector: a GOGC
// percentage, or off (collect only near the limit), and a soft memory
// limit, 0 for no wish.
type gcHold struct {
	percent int
	off     bool
	limit   int64
}

// HoldGCFromStart is for a program that turned the collector off while its
// packages initialised (package internal/initgc), with the GOGC
// percentage it replaced: the collector stays off, under a soft limit of
// startLimit, until the command starts. By then the heap is past Go's
// first 4 MB goal, so a collection would start at once: a command that
// asks the collector for something of its own (check: off below a limit,
// annotated ownGC) replaces this hold with its own when it asks, so that
// no collection runs in between; any other command gets the percentage
// back when it starts (releaseStartHold). Call it before Main, once.
func HoldGCFromStart(before int) {
	gcMu.Lock()
	defer gcMu.Unlock()
	if startHold != nil || len(gcHolds) > 0 {
		return
	}
	gcBase.percent = before
	gcBase.limit = debug.SetMemoryLimit(-1)
	startHold = &gcHold{off: true, limit: startLimit}
	gcHolds[startHold] = true
	applyGC()
}

// startLimit bounds the heap while the start hold lasts: a command that
// fails before it asks for its own hold keeps it to the end.
const startLimit = 256 << 20

// ownGC is the annotation of a command that takes a hold of its own when
// it starts (HoldGCFromStart).
const ownGC = "iamwhy.gc"

// releaseStartHold ends the hold HoldGCFromStart took, if it still holds.
func releaseStartHold() {
	gcMu.Lock()
	defer gcMu.Unlock()
	if dropStartHold() {
		applyGC()
	}
}

// dropStartHold removes the start's hold, if it still holds, and reports
// whether it did; gcMu is held.
func dropStartHold() bool {
	if startHold == nil {
		return false
	}
	delete(gcHolds, startHold)
	startHold = nil
	return true
}

// holdGC applies h for as long as the command runs. Runs in one process
// (tests, serve) share the collector: while any run holds, the settings
// are the highest percentage (off above any) and the lowest limit asked
// for, and after the last the ones from before the first come back. A
// GOGC or GOMEMLIMIT the user set wins.
func holdGC(h gcHold) (restore func()) {
	gcMu.Lock()
	defer gcMu.Unlock()
	if len(gcHolds) == 0 {
		gcBase.percent = debug.SetGCPercent(100)
		debug.SetGCPercent(gcBase.percent)
		gcBase.limit = debug.SetMemoryLimit(-1) // a negative limit reads it
	}
	hp := &h
	gcHolds[hp] = true
	dropStartHold() // the command's own hold replaces the one from the start
	applyGC()
	return func() {
		gcMu.Lock()
		defer gcMu.Unlock()
		if gcHolds[hp] {
			delete(gcHolds, hp)
			applyGC()
		}
	}
}

// applyGC sets what the holds ask for, or the settings from before them.
func applyGC() {
	want := gcBase
	off := false
	for h := range gcHolds {
		off = off || h.off
		if h.percent > 0 {
			want.percent = max(want.percent, h.percent)
		}
		if h.limit > 0 {
			want.limit = min(want.limit, h.limit)
		}
	}
	if off {
		want.percent = -1
	}
	if os.Getenv("GOGC") != "" {
		// The user's percentage, which HoldGCFromStart may have been
		// given while the collector was off.
		want.percent = gcBase.percent
	}
	debug.SetGCPercent(want.percent)
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(want.limit)
	}
}

var (
	gcMu    sync.Mutex
	gcHolds = map[*gcHold]bool{}
	gcBase  gcHold
	// startHold is the hold HoldGCFromStart took, until the command
	// starts or takes its own.
	startHold *gcHold
)
