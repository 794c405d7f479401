//go:build unix

package synth

import "syscall"

// CPUSeconds is the process's user and system CPU time. Benchmarks over a
// generated organisation report it beside wall time: on a shared machine
// it measures the work, where wall time measures the neighbours too.
func CPUSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}
