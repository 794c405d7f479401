//go:build profile

// Built with -tags profile, iamwhy writes a CPU profile of the whole
// process to the file IAMWHY_CPUPROFILE names and a profile of every
// allocation to the file IAMWHY_MEMPROFILE names (docs/performance.md):
// the in-process benchmarks miss what a user's process pays, such as
// start-up, the garbage collector's share and the page faults of a heap
// that grows.
package main

import (
	"os"
	"runtime"
	"runtime/pprof"
)

func init() {
	var stops []func()
	if path := os.Getenv("IAMWHY_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			panic(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			panic(err)
		}
		stops = append(stops, func() {
			pprof.StopCPUProfile()
			f.Close()
		})
	}
	if path := os.Getenv("IAMWHY_MEMPROFILE"); path != "" {
		// Every allocation of 4 KiB or more, and one in about 4 KiB of
		// the smaller ones, is sampled: the default (512 KiB) misses most
		// of a short run.
		runtime.MemProfileRate = 4096
		stops = append(stops, func() {
			// The profile holds what the last collection saw.
			runtime.GC()
			f, err := os.Create(path)
			if err != nil {
				panic(err)
			}
			if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
				panic(err)
			}
			f.Close()
		})
	}
	if len(stops) > 0 {
		stopProfile = func() {
			for _, stop := range stops {
				stop()
			}
		}
	}
}
