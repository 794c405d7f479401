// Command iamwhy finds out why AWS answered AccessDenied.
package main

import (
	"os"

	"github.com/iamwhy/iamwhy/internal/cli"
	"github.com/iamwhy/iamwhy/internal/initgc"
)

// stopProfile ends a profile started by a profiling build (profile.go).
var stopProfile = func() {}

func main() {
	// initgc kept the collector off while the packages initialised; the
	// command gets it back, or asks for its own (cli.HoldGCFromStart).
	cli.HoldGCFromStart(initgc.Before())
	code := cli.Main(os.Args[1:], cli.StdStreams())
	stopProfile()
	os.Exit(code)
}
