package catalog

import (
	"bytes"
	"compress/gzip"
	"io"
	"testing"
)

// BenchmarkLoad measures what the first lookup pays: gunzip and decode of
// the embedded reference (the budget is 50 ms).
func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := load(embeddedIAMData, embeddedDescriptions); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGunzip(b *testing.B) {
	for b.Loop() {
		zr, _ := gzip.NewReader(bytes.NewReader(embeddedIAMData))
		io.ReadAll(zr)
	}
}
