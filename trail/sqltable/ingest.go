package sqltable

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/iamwhy/iamwhy/trail"
)

// maxIngestExamples bounds the refused records and wrong-typed values an
// Ingest lists (their counts are complete).
const maxIngestExamples = 10

// Ingest is what LoadTrail read and loaded.
type Ingest struct {
	// Read is how the logs were read (files, records, problems).
	Read trail.Stats
	// Load is what the table received.
	Load LoadStats
	// Refused lists up to ten records the loader refused, as
	// "path: record N: error".
	Refused []string
	// Mismatches lists up to ten values of the wrong JSON type (set to
	// NULL), as "path: record N: note"; Mismatched counts the records
	// that had one.
	Mismatches []string
	Mismatched int
}

// Complete reports whether every input and record was read and loaded
// whole; when false the rest was loaded and the caller should say so (the
// commands exit with status 1).
func (in *Ingest) Complete() bool {
	return len(in.Read.Problems) == 0 && in.Read.ProblemsOmitted == 0 && in.Load.Rejected == 0 && in.Mismatched == 0
}

// LoadTrail reads the CloudTrail logs at paths (any shape trail.Read
// reads; opts.Stdin for "-") into the table. The Ingest is returned with an
// error too, so a caller can report what was read; an error is returned
// when reading failed, the load failed, or no input could be read at all.
func (db *DB) LoadTrail(ctx context.Context, paths []string, opts trail.Options) (*Ingest, error) {
	return db.LoadTrailWith(ctx, paths, opts, LoaderOptions{})
}

// LoadTrailWith is LoadTrail with the Loader's options (for example the
// Columns of the one query to run).
func (db *DB) LoadTrailWith(ctx context.Context, paths []string, opts trail.Options, lopts LoaderOptions) (*Ingest, error) {
	l, err := db.NewLoader(ctx, lopts)
	if err != nil {
		return nil, err
	}
	in := &Ingest{}
	var mu sync.Mutex
	// RawOnly: the table is made from Raw, so Read decodes only what it
	// needs itself (the eventID for duplicates and the record's shape);
	// values of the wrong JSON type are found and placed here instead.
	opts.RawOnly = true
	rs, rerr := trail.Read(ctx, paths, opts, func(r *trail.Record) error {
		notes, err := l.AddNoting(r.Raw)
		if len(notes) > 0 {
			mu.Lock()
			in.Mismatched++
			for _, n := range notes {
				if len(in.Mismatches) < maxIngestExamples {
					in.Mismatches = append(in.Mismatches, fmt.Sprintf("%s: record %d: %s", r.Path, r.Index, n))
				}
			}
			mu.Unlock()
		}
		var re *RecordError
		if errors.As(err, &re) {
			// Rare: Read has already checked the JSON. Keep a few to show.
			mu.Lock()
			if len(in.Refused) < maxIngestExamples {
				in.Refused = append(in.Refused, fmt.Sprintf("%s: record %d: %v", r.Path, r.Index, err))
			}
			mu.Unlock()
			return nil
		}
		return err
	})
	ls, lerr := l.Close()
	in.Read, in.Load = rs, ls
	if rerr != nil {
		return in, rerr
	}
	if rs.NoInput() {
		return in, ErrNoInput
	}
	return in, lerr
}

// ErrNoInput is LoadTrail's error when none of the inputs could be read.
var ErrNoInput = errors.New("no input could be read")

// LoadParquet copies the rows of an existing Parquet table file (written by
// ExportParquet) into the table, so that ingesting into it appends. A
// missing file is no error: there is nothing to append to.
func (db *DB) LoadParquet(ctx context.Context, path string) error {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	q := "INSERT INTO " + TableName + " SELECT * FROM read_parquet('" + strings.ReplaceAll(path, "'", "''") + "')"
	if _, err := db.SQL().ExecContext(ctx, q); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
