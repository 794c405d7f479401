package initgc

import (
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"testing"
)

// TestOffSinceInit: the collector is off from this package's
// initialisation (no collection has run in this test binary, which
// initialises the testing packages after it), and Before is GOGC's
// percentage.
func TestOffSinceInit(t *testing.T) {
	var st runtime.MemStats
	runtime.ReadMemStats(&st)
	if st.NumGC != 0 {
		t.Errorf("%d collections before the test ran", st.NumGC)
	}
	want := 100
	if v := os.Getenv("GOGC"); v == "off" {
		want = -1
	} else if n, err := strconv.Atoi(v); err == nil {
		want = n
	}
	if Before() != want {
		t.Errorf("Before() = %d, want %d (GOGC %q)", Before(), want, os.Getenv("GOGC"))
	}
	if p := debug.SetGCPercent(Before()); p != -1 {
		t.Errorf("the collector was at %d, want off (-1)", p)
	}
}
