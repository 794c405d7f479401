package catalog

import (
	"testing"
)

// BenchmarkLoad measures what the first lookup pays: decoding the embedded
// reference as Default does (the budget is 50 ms; every command that reads
// the reference pays it at start).
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := loadTrusted(embeddedIAMData, embeddedDescriptions); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadChecked is BenchmarkLoad with every service's actions
// checked, as for data that is not the embedded reference.
func BenchmarkLoadChecked(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := load(embeddedIAMData, embeddedDescriptions); err != nil {
			b.Fatal(err)
		}
	}
}
