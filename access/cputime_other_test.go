//go:build !linux

package access

func cpuSeconds() float64 { return 0 }
