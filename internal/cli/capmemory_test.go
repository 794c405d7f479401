package cli

import (
	"os"
	"runtime/debug"
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
