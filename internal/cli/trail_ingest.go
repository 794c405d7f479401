package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/iamwhy/iamwhy/trail"
	"github.com/iamwhy/iamwhy/trail/sqltable"
	"github.com/spf13/cobra"
)

// trailIngestOptions are the flags of `iamwhy trail ingest`.
type trailIngestOptions struct {
	Paths  []string
	DB     string
	Format string // duckdb or parquet; "" picks from the file name
	// NoProgress turns the progress bar off (drawn on a terminal only).
	NoProgress bool
}

func newTrailIngestCmd(s Streams) *cobra.Command {
	var o trailIngestOptions
	cmd := &cobra.Command{
		Use:   "ingest PATH... --db FILE",
		Short: "Load CloudTrail logs into a cloudtrail_logs table saved in a DuckDB or Parquet file",
		Long: `Reads CloudTrail logs in any shape trail reads (S3 delivery layout, .json.gz,
{"Records": [...]}, lookup-events output, EventBridge envelopes, JSON lines,
s3:// URIs, - for standard input) into the cloudtrail_logs table, the table AWS
documents for Athena, and saves it so that 'iamwhy trail query --db FILE' can
query it again without reading the logs.

A DuckDB file is appended to: records whose eventid is already in it are not
added twice. A Parquet file (--format parquet, or a .parquet name) is rewritten
with its previous rows plus the new ones.

Exit status 1 when some input or record could not be read (each is reported on
standard error; the rest is saved), 2 when the command could not run.`,
		Example: `  iamwhy trail ingest testdata/cloudtrail --db trail.duckdb
  iamwhy trail ingest s3://org-trail/AWSLogs/ --db trail.parquet
  iamwhy trail query --db trail.duckdb --sql "SELECT count(*) FROM cloudtrail_logs"`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Paths = args
			return runTrailIngest(cmd.Context(), s, o)
		},
	}
	noProgressFlag(cmd, &o.NoProgress)
	cmd.Flags().StringVar(&o.DB, "db", "", "file to save the table in (required)")
	cmd.Flags().StringVar(&o.Format, "format", "", "file format: duckdb or parquet (default: parquet for a .parquet name, else duckdb)")
	cmd.MarkFlagRequired("db")
	return cmd
}

func runTrailIngest(ctx context.Context, s Streams, o trailIngestOptions) error {
	format := o.Format
	if format == "" {
		format = "duckdb"
		if strings.EqualFold(filepath.Ext(o.DB), ".parquet") {
			format = "parquet"
		}
	}
	// An interruption at any step says what was kept: the rule is that a
	// stopped ingest leaves the target as it was.
	interrupted := func(err error, kept string) error {
		if ctx.Err() != nil {
			return fmt.Errorf("%w: %s", err, kept)
		}
		return err
	}
	switch format {
	case "duckdb":
		nothing := "nothing was added to " + o.DB + " (the load is one transaction, rolled back); its staging files were removed"
		db, err := sqltable.Open(ctx, o.DB)
		if err != nil {
			return interrupted(err, nothing)
		}
		complete, err := loadTrail(ctx, s, db, o.Paths, sqltable.LoaderOptions{}, wantProgress(s, o.NoProgress, ""))
		if err != nil {
			db.Close()
			return interrupted(err, nothing)
		}
		if err := db.Close(); err != nil {
			return fmt.Errorf("save %s: %w", o.DB, err)
		}
		return incomplete(complete)
	case "parquet":
		asItWas := o.DB + " was left as it was; staging files were removed"
		db, err := sqltable.Open(ctx, "")
		if err != nil {
			return interrupted(err, asItWas)
		}
		defer db.Close()
		if err := db.LoadParquet(ctx, o.DB); err != nil {
			return interrupted(err, asItWas)
		}
		complete, err := loadTrail(ctx, s, db, o.Paths, sqltable.LoaderOptions{}, wantProgress(s, o.NoProgress, ""))
		if err != nil {
			return interrupted(err, asItWas)
		}
		// Write beside the target and rename, so a failure leaves the
		// previous file whole.
		tmp := o.DB + ".tmp"
		if err := db.Lockdown(ctx, tmp); err != nil {
			return interrupted(err, asItWas)
		}
		if err := db.ExportParquet(ctx, tmp); err != nil {
			os.Remove(tmp)
			return interrupted(err, o.DB+" was left as it was; the partial copy was removed")
		}
		if err := os.Rename(tmp, o.DB); err != nil {
			return err
		}
		return incomplete(complete)
	default:
		return fmt.Errorf("--format %q: want duckdb or parquet", o.Format)
	}
}

// loadTrail reads the logs at paths into db's table (sqltable.LoadTrail)
// and reports on standard error what was read, skipped and refused.
// complete is false when some input or record could not be read (the rest
// was loaded); commands then finish their work and exit with status 1, as
// trail denied does.
func loadTrail(ctx context.Context, s Streams, db *sqltable.DB, paths []string, opts sqltable.LoaderOptions, progress bool) (complete bool, err error) {
	ro := trail.Options{Stdin: s.In}
	var bar *progressBar
	if progress {
		bar = newProgressBar(s.term())
		ro.Progress = bar.update
	}
	in, err := db.LoadTrailWith(ctx, paths, ro, opts)
	if bar != nil {
		bar.clear()
	}
	if in == nil {
		return false, err
	}
	rs, ls := &in.Read, &in.Load
	printTrailProblems(s, rs)
	for _, r := range in.Refused {
		fmt.Fprintln(s.Err, "iamwhy: trail: refused:", r)
	}
	for _, m := range in.Mismatches {
		fmt.Fprintln(s.Err, "iamwhy: trail:", m)
	}
	// Records left out because the query cannot see them (LoaderOptions.
	// Rows) are in the table as far as the query can tell: counted as
	// inserted.
	fmt.Fprintf(s.Err, "iamwhy: %d files read (%d skipped, %d failed), %d records (%d unreadable, %d duplicates); %d rows inserted",
		rs.Files, rs.FilesSkipped, rs.FilesFailed, rs.Records, rs.RecordsFailed, rs.Duplicates, ls.Inserted+ls.Pruned)
	if ls.Existing > 0 {
		fmt.Fprintf(s.Err, ", %d already in the table", ls.Existing)
	}
	if ls.Rejected > 0 {
		fmt.Fprintf(s.Err, ", %d refused", ls.Rejected)
	}
	if ls.Mismatched > 0 {
		fmt.Fprintf(s.Err, ", %d values of the wrong JSON type set to NULL", ls.Mismatched)
	}
	if ls.DuplicateKeys > 0 {
		fmt.Fprintf(s.Err, ", %d repeated keys ignored", ls.DuplicateKeys)
	}
	if ls.InvalidUTF8 > 0 {
		fmt.Fprintf(s.Err, ", %d strings with invalid UTF-8 repaired", ls.InvalidUTF8)
	}
	fmt.Fprintln(s.Err)
	if errors.Is(err, sqltable.ErrNoInput) {
		return false, noInputError(rs)
	}
	return err == nil && in.Complete(), err
}

// incomplete is the exit status of a command whose input was not all read:
// 1, the output being made from what was.
func incomplete(complete bool) error {
	if complete {
		return nil
	}
	return silentExit(1)
}
