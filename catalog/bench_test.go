package catalog

import (
	"runtime"
	"testing"
	"time"
)

// TestFirstLookupAndHeap measures what a process pays for the catalog:
// the first lookup (decode included) and the live heap it keeps, against
// the budgets of 50 ms and 50 MB. The time asserted is the CPU
// time of the decoding thread (threadCPU), which a machine shared with
// other jobs does not inflate; wall time is logged beside it.
func TestFirstLookupAndHeap(t *testing.T) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu0 := threadCPU()
	start := time.Now()
	c, err := load(embeddedIAMData, embeddedDescriptions)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Action("s3:GetObject"); !ok {
		t.Fatal("lookup failed")
	}
	first := time.Since(start)
	firstCPU := threadCPU() - cpu0
	c.ResourceTypesForARN("arn:aws:s3:::b")
	c.description(0)
	if _, _, ok := c.ManagedPolicy("ReadOnlyAccess"); !ok {
		t.Fatal("managed policies did not load")
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
	runtime.KeepAlive(c)
	t.Logf("first lookup %v wall, %v CPU; live heap %.1f MB with everything loaded (ARN index, descriptions, managed policies)", first, firstCPU, heap)
	if heap > 50 {
		t.Errorf("catalog holds %.1f MB, budget 50 MB", heap)
	}
	if firstCPU > 50*time.Millisecond {
		t.Errorf("first lookup took %v of CPU, budget 50 ms", firstCPU)
	}
}

func BenchmarkAction(b *testing.B) {
	c := Default()
	b.ReportAllocs()
	for b.Loop() {
		c.Action("s3:GetObject")
	}
}

func BenchmarkKeyType(b *testing.B) {
	c := Default()
	for _, k := range []string{"aws:SourceIp", "aws:sourceip", "aws:ResourceTag/Owner"} {
		b.Run(k, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.KeyType(k)
			}
		})
	}
}

func BenchmarkMatchActionsAll(b *testing.B) {
	c := Default()
	b.ReportAllocs()
	for b.Loop() {
		c.MatchActions("*")
	}
}

func BenchmarkMatchActionsPrefix(b *testing.B) {
	c := Default()
	b.ReportAllocs()
	for b.Loop() {
		c.MatchActions("*:Describe*")
	}
}

func BenchmarkResourceTypesForARN(b *testing.B) {
	c := Default()
	b.ReportAllocs()
	for b.Loop() {
		c.ResourceTypesForARN("arn:aws:s3:::bucket/key")
	}
}

func BenchmarkEventActions(b *testing.B) {
	c := Default()
	b.ReportAllocs()
	for b.Loop() {
		c.EventActions("lambda.amazonaws.com", "GetFunction20150331v2")
	}
}
