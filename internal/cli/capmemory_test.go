package cli

import (
	"io"
	"os"
	"runtime/debug"
	"strings"
	"testing"
)

// gcNow reads the collector's settings without changing them.
func gcNow() (percent int, limit int64) {
	percent = debug.SetGCPercent(100)
	debug.SetGCPercent(percent)
	return percent, debug.SetMemoryLimit(-1)
}

// TestHoldGC: while runs hold the collector the settings are the highest
// percentage and the lowest limit asked for, whichever run ends first;
// after the last the earlier ones come back; a GOGC or GOMEMLIMIT the
// user set is left alone.
func TestHoldGC(t *testing.T) {
	if os.Getenv("GOMEMLIMIT") != "" || os.Getenv("GOGC") != "" {
		t.Skip("GOGC or GOMEMLIMIT is set")
	}
	prevPercent, prevLimit := gcNow()
	less := lessGC()
	if p, l := gcNow(); p != 400 || l != 512<<20 {
		t.Fatalf("lessGC: %d, %d", p, l)
	}
	c1 := capMemory(300 << 20)
	c2 := capMemory(300 << 20)
	if p, l := gcNow(); p != 400 || l != 300<<20 {
		t.Fatalf("lessGC and capMemory: %d, %d", p, l)
	}
	less()
	if p, l := gcNow(); p != prevPercent || l != 300<<20 {
		t.Fatalf("after lessGC ended under capMemory: %d, %d", p, l)
	}
	c1()
	c1() // a second call changes nothing
	if _, l := gcNow(); l != 300<<20 {
		t.Fatalf("limit %d after the first of two caps ended", l)
	}
	c2()
	if p, l := gcNow(); p != prevPercent || l != prevLimit {
		t.Fatalf("after every run: %d, %d; was %d, %d", p, l, prevPercent, prevLimit)
	}
	// Off is above any percentage; the lowest limit still holds.
	off := noGCBelow(512 << 20)
	less = lessGC()
	c1 = capMemory(300 << 20)
	if p, l := gcNow(); p != -1 || l != 300<<20 {
		t.Fatalf("noGCBelow, lessGC and capMemory: %d, %d", p, l)
	}
	off()
	if p, l := gcNow(); p != 400 || l != 300<<20 {
		t.Fatalf("after noGCBelow ended: %d, %d", p, l)
	}
	less()
	c1()
	if p, l := gcNow(); p != prevPercent || l != prevLimit {
		t.Fatalf("after every run: %d, %d; was %d, %d", p, l, prevPercent, prevLimit)
	}
	t.Setenv("GOMEMLIMIT", "1GiB")
	t.Setenv("GOGC", "50")
	r := lessGC()
	if p, l := gcNow(); p != prevPercent || l != prevLimit {
		t.Fatalf("with GOGC and GOMEMLIMIT set: %d, %d", p, l)
	}
	r()
}

// TestHoldGCFromStart: the collector stays off from the start until the
// command starts, or until it takes a hold of its own, which then replaces
// the start's; after that the percentage from before comes back.
func TestHoldGCFromStart(t *testing.T) {
	if os.Getenv("GOMEMLIMIT") != "" || os.Getenv("GOGC") != "" {
		t.Skip("GOGC or GOMEMLIMIT is set")
	}
	prevPercent, prevLimit := gcNow()
	start := func() {
		debug.SetGCPercent(-1) // as internal/initgc leaves it
		HoldGCFromStart(prevPercent)
		if p, l := gcNow(); p != -1 || l != startLimit {
			t.Fatalf("from the start: %d, %d", p, l)
		}
	}
	start()
	HoldGCFromStart(prevPercent) // a second call changes nothing
	releaseStartHold()
	if p, l := gcNow(); p != prevPercent || l != prevLimit {
		t.Fatalf("after the start hold: %d, %d; was %d, %d", p, l, prevPercent, prevLimit)
	}
	releaseStartHold() // nothing left to release
	// A command's own hold replaces the start's: off stays off, under the
	// command's limit, and ending it gives the percentage back.
	start()
	off := noGCBelow(512 << 20)
	if p, l := gcNow(); p != -1 || l != 512<<20 {
		t.Fatalf("noGCBelow after the start: %d, %d", p, l)
	}
	releaseStartHold() // the command's PersistentPreRunE would not, but it must not matter
	if p, _ := gcNow(); p != -1 {
		t.Fatalf("noGCBelow ended by releaseStartHold: %d", p)
	}
	off()
	if p, l := gcNow(); p != prevPercent || l != prevLimit {
		t.Fatalf("after noGCBelow: %d, %d; was %d, %d", p, l, prevPercent, prevLimit)
	}
	// Main releases the start hold for a command without ownGC, not for check.
	start()
	if code := MainContext(t.Context(), []string{"version"}, Streams{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard}); code != 0 {
		t.Fatalf("version: %d", code)
	}
	if p, _ := gcNow(); p != prevPercent {
		t.Fatalf("after version: %d, want %d", p, prevPercent)
	}
	check, _, err := NewRoot(Streams{}).Find([]string{"check"})
	if err != nil || check.Annotations[ownGC] == "" {
		t.Fatalf("check is not annotated %s: %v", ownGC, err)
	}
}
