package catalog

import (
	"runtime"
	"testing"
)

// TestLiveHeap checks the memory a process pays for the catalog with
// everything loaded (ARN index, descriptions, managed policies) against
// the budget of 50 MB. The time of the first lookup is measured by
// BenchmarkLoad, not asserted here: a shared machine, the race
// detector or coverage would make a time budget fail for no fault.
func TestLiveHeap(t *testing.T) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	c, err := load(embeddedIAMData, embeddedDescriptions)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Action("s3:GetObject"); !ok {
		t.Fatal("lookup failed")
	}
	c.ResourceTypesForARN("arn:aws:s3:::b")
	c.description(0)
	if _, _, ok := c.ManagedPolicy("ReadOnlyAccess"); !ok {
		t.Fatal("managed policies did not load")
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
	runtime.KeepAlive(c)
	t.Logf("live heap %.1f MB with everything loaded", heap)
	if heap > 50 {
		t.Errorf("catalog holds %.1f MB, budget 50 MB", heap)
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
