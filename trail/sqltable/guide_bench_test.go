package sqltable

import (
	"context"
	"testing"

	"github.com/iamwhy/iamwhy/trail"
)

// BenchmarkGuideHalves splits the guide's query as trail query runs it
// into its Go half (reading and normalising the records with the query's
// columns only, nothing staged) and the whole, to see which half to work
// on.
func BenchmarkGuideHalves(b *testing.B) {
	dir, size := benchSet(b)
	cols, _ := ColumnsOf(guideQuery)
	keep, err := columnMask(cols)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("read", func(b *testing.B) {
		b.SetBytes(size)
		defer reportCPU(b, size)()
		for b.Loop() {
			if _, err := trail.Read(context.Background(), []string{dir}, trail.Options{RawOnly: true}, func(r *trail.Record) error { return nil }); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("read+normalize", func(b *testing.B) {
		b.SetBytes(size)
		defer reportCPU(b, size)()
		for b.Loop() {
			pool := make(chan *normalizer, 4)
			for i := 0; i < 4; i++ {
				pool <- &normalizer{keep: keep}
			}
			if _, err := trail.Read(context.Background(), []string{dir}, trail.Options{RawOnly: true}, func(r *trail.Record) error {
				n := <-pool
				var err error
				n.out, err = n.normalize(n.out[:0], r.Raw)
				pool <- n
				return err
			}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
