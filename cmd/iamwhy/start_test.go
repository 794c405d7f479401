package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/internal/cli"
	"github.com/iamwhy/iamwhy/internal/initgc"
)

// startChild makes the test binary, run again by TestStartUpWork, run
// `iamwhy version` and report what it allocated, then exit.
const startChild = "IAMWHY_START_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(startChild) == "1" {
		// As main does.
		cli.HoldGCFromStart(initgc.Before())
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		var out bytes.Buffer
		code := cli.Main([]string{"version"}, cli.Streams{In: strings.NewReader(""), Out: &out, Err: os.Stderr})
		runtime.ReadMemStats(&after)
		percent := debug.SetGCPercent(100)
		fmt.Fprintf(os.Stderr, "version-output %q\nversion-alloc %d\nversion-gc %d %d\n", out.String(), after.TotalAlloc-before.TotalAlloc, before.NumGC, percent)
		os.Exit(code)
	}
	// The tests run with the collector on.
	debug.SetGCPercent(initgc.Before())
	os.Exit(m.Run())
}

// Budgets of start-up work, a few times today's figures (docs/performance.md,
// "Start-up"): every command pays them, `iamwhy version` included. The test
// binary initialises the same packages as iamwhy.
const (
	// ownInitBudget bounds the bytes the module's own package
	// initialisers allocate (180 KB measured; 590 KB when they compiled
	// their regular expressions eagerly).
	ownInitBudget = 400 << 10
	// versionBudget bounds what `iamwhy version` allocates after
	// initialisation (0.6 MB measured, most of it the command tree); decoding the
	// service reference alone is 2.8 MB.
	versionBudget = 2 << 20
)

func TestStartUpWork(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the test binary again")
	}
	// Compiled here, not at package level, so as not to count in the trace.
	initLine := regexp.MustCompile(`^init (\S+) @\S+ ms, \S+ ms clock, (\d+) bytes, (\d+) allocs`)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), startChild+"=1", "GODEBUG=inittrace=1", "GOGC=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("version: %v\n%s", err, stderr.String())
	}
	own, seen := 0, 0
	var version string
	alloc := -1
	gcsInit, percent := -1, -2
	for line := range strings.Lines(stderr.String()) {
		line = strings.TrimSpace(line)
		if m := initLine.FindStringSubmatch(line); m != nil {
			seen++
			if strings.HasPrefix(m[1], "github.com/iamwhy/iamwhy/") {
				n, _ := strconv.Atoi(m[2])
				own += n
				t.Logf("%s: %s bytes, %s allocs", m[1], m[2], m[3])
			}
		}
		if v, ok := strings.CutPrefix(line, "version-output "); ok {
			version, _ = strconv.Unquote(v)
		}
		if v, ok := strings.CutPrefix(line, "version-alloc "); ok {
			alloc, _ = strconv.Atoi(v)
		}
		if v, ok := strings.CutPrefix(line, "version-gc "); ok {
			fmt.Sscan(v, &gcsInit, &percent)
		}
	}
	if seen == 0 {
		t.Fatalf("no inittrace lines in the child's output:\n%s", stderr.String())
	}
	if !strings.HasPrefix(version, "iamwhy ") {
		t.Fatalf("version printed %q", version)
	}
	if alloc < 0 {
		t.Fatalf("the child did not report its allocations:\n%s", stderr.String())
	}
	t.Logf("own package initialisers: %d bytes; version after init: %d bytes; %d collections during init, GOGC %d after", own, alloc, gcsInit, percent)
	// The packages initialise with the collector off (internal/initgc):
	// their 4.6 MB are past Go's first goal of 4 MB, and a collection
	// traced them during initialisation.
	if gcsInit != 0 {
		t.Errorf("%d collections ran while the packages initialised (want none: internal/initgc)", gcsInit)
	}
	// version takes no hold of its own: it gets the collector back when
	// it starts (the child's GOGC is the default, 100).
	if percent != 100 {
		t.Errorf("GOGC %d after version, want 100 back", percent)
	}
	if own > ownInitBudget {
		t.Errorf("the module's package initialisers allocate %d bytes, over the %d budget: build tables, regular expressions and decoded data on first use", own, ownInitBudget)
	}
	if alloc > versionBudget {
		t.Errorf("iamwhy version allocates %d bytes after initialisation, over the %d budget: something (the service reference?) is decoded eagerly", alloc, versionBudget)
	}
}
