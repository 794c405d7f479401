//go:build profile

// Built with -tags profile, iamwhy writes a CPU profile of the whole
// process to the file IAMWHY_CPUPROFILE names (docs/performance.md): the
// in-process benchmarks miss what a user's process pays, such as start-up
// and the garbage collector's share.
package main

import (
	"os"
	"runtime/pprof"
)

func init() {
	path := os.Getenv("IAMWHY_CPUPROFILE")
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		panic(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		panic(err)
	}
	stopProfile = func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
