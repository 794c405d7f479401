// Command iamwhy finds out why AWS answered AccessDenied.
package main

import (
	"os"

	"github.com/iamwhy/iamwhy/internal/cli"
)

// stopProfile ends a profile started by a profiling build (profile.go).
var stopProfile = func() {}

func main() {
	code := cli.Main(os.Args[1:], cli.StdStreams())
	stopProfile()
	os.Exit(code)
}
