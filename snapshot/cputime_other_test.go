//go:build !linux

package snapshot

func cpuSeconds() float64 { return 0 }
