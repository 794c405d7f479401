package sqltable

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/iamwhy/iamwhy/trail"
)

func countRows(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow("SELECT count(*) FROM " + TableName).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Loading twice adds nothing the second time (eventid is the key); a
// Parquet export read back appends; an input that cannot be read at all is
// ErrNoInput, with the read statistics still returned.
func TestLoadTrail(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	in, err := db.LoadTrail(ctx, []string{"testdata/records.jsonl"}, trail.Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := countRows(t, db)
	if n == 0 || in.Load.Inserted != int64(n) || in.Read.Records == 0 {
		t.Fatalf("rows %d, ingest %+v", n, in.Load)
	}
	in, err = db.LoadTrail(ctx, []string{"testdata/records.jsonl"}, trail.Options{})
	if err != nil || in.Load.Inserted != 0 || countRows(t, db) != n {
		t.Fatalf("second load inserted %d (%v)", in.Load.Inserted, err)
	}
	in, err = db.LoadTrail(ctx, []string{filepath.Join(t.TempDir(), "missing.json")}, trail.Options{})
	if !errors.Is(err, ErrNoInput) || in == nil || in.Complete() {
		t.Fatalf("missing input: %v %+v", err, in)
	}

	pq := filepath.Join(t.TempDir(), "t.parquet")
	if err := db.LoadParquet(ctx, pq); err != nil {
		t.Fatalf("a missing Parquet file is nothing to append to: %v", err)
	}
	if err := db.ExportParquet(ctx, pq); err != nil {
		t.Fatal(err)
	}
	db2, err := Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if err := db2.LoadParquet(ctx, pq); err != nil {
		t.Fatal(err)
	}
	if got := countRows(t, db2); got != n {
		t.Fatalf("Parquet round trip: %d rows, want %d", got, n)
	}
	if _, err := os.Stat(pq); err != nil {
		t.Fatal(err)
	}
}
