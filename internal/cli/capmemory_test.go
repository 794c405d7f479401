package cli

import (
	"os"
	"runtime/debug"
	"testing"
)

// TestCapMemory: the limit holds while any run holds it, the previous one
// comes back after the last, and a GOMEMLIMIT the user set is left alone.
func TestCapMemory(t *testing.T) {
	if os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("GOMEMLIMIT is set")
	}
	prev := debug.SetMemoryLimit(-1)
	r1 := capMemory(300 << 20)
	r2 := capMemory(300 << 20)
	if got := debug.SetMemoryLimit(-1); got != 300<<20 {
		t.Fatalf("limit %d while held", got)
	}
	r1()
	if got := debug.SetMemoryLimit(-1); got != 300<<20 {
		t.Fatalf("limit %d after the first of two runs ended", got)
	}
	r2()
	if got := debug.SetMemoryLimit(-1); got != prev {
		t.Fatalf("limit %d after both ended, was %d", got, prev)
	}
	t.Setenv("GOMEMLIMIT", "1GiB")
	r3 := capMemory(300 << 20)
	if got := debug.SetMemoryLimit(-1); got != prev {
		t.Fatalf("limit %d with GOMEMLIMIT set", got)
	}
	r3()
}
