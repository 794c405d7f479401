package cli

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/iamwhy/iamwhy/internal/jsonenc"
	"github.com/iamwhy/iamwhy/trail/sqltable"
	"github.com/spf13/cobra"
)

// trailQueryOptions are the flags of `iamwhy trail query`.
type trailQueryOptions struct {
	Paths  []string
	SQL    string
	Output string // table, json or csv
	DB     string // a table saved by trail ingest
	Engine string // duckdb (local) or athena
	Athena athenaQueryOptions
	// NoProgress turns the progress bar off (it is drawn on a terminal
	// only, and never with --output json).
	NoProgress bool
}

func newTrailQueryCmd(s Streams) *cobra.Command {
	var o trailQueryOptions
	cmd := &cobra.Command{
		Use:   "query --sql \"SELECT ...\" PATH...",
		Short: "Run Athena SQL against the cloudtrail_logs table, on local files or in Athena",
		Long: `Loads CloudTrail logs (any shape trail reads) into an embedded DuckDB table named
cloudtrail_logs with the columns and types of the table AWS documents for Athena,
and runs the SQL on it, so queries written for Athena run unchanged. JSON keys
match columns ignoring case; requestparameters, responseelements,
additionaleventdata, serviceeventdetails and edgedevicedetails hold JSON text;
eventtime is an ISO 8601 string. json_extract, json_extract_scalar, json_size,
from_iso8601_timestamp, to_iso8601, date_format, cardinality and other Athena
functions behave as in Athena.

--db FILE queries a table saved by 'iamwhy trail ingest' instead of reading logs.
--engine athena runs the same SQL in Amazon Athena (see docs/trail-athena.md).

With --output json, standard output is a JSON array of row objects keyed by
column name, and nothing else.

Exit status 1 when some input or record could not be read (each is reported on
standard error; the query ran on the rest), 2 when the command could not run.`,
		Example: `  iamwhy trail query --sql "SELECT eventname, count(*) AS n FROM cloudtrail_logs GROUP BY 1" \
    testdata/cloudtrail
  iamwhy trail query --db trail.duckdb -o csv \
    --sql "SELECT useridentity.arn, errorcode FROM cloudtrail_logs WHERE errorcode IS NOT NULL"
  iamwhy trail query --engine athena --database security \
    --sql "SELECT count(*) FROM cloudtrail_logs"`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Paths = args
			return runTrailQuery(cmd.Context(), s, o)
		},
	}
	f := cmd.Flags()
	noProgressFlag(cmd, &o.NoProgress)
	f.StringVar(&o.SQL, "sql", "", "the SQL statement (required, except with --create-table)")
	outputFlag(cmd, &o.Output, "table", "json", "csv")
	f.StringVar(&o.DB, "db", "", "query a table saved by 'trail ingest' (DuckDB or Parquet file) instead of PATHs")
	f.StringVar(&o.Engine, "engine", "duckdb", "where the SQL runs: duckdb (local files) or athena")
	addAthenaQueryFlags(cmd, &o.Athena)
	return cmd
}

// queryResult is a result set read row by row, from DuckDB or Athena.
type queryResult interface {
	Columns() []string
	Next() bool
	Values() []any
	Err() error
}

func runTrailQuery(ctx context.Context, s Streams, o trailQueryOptions) error {
	render, err := queryRenderer(o.Output)
	if err != nil {
		return err
	}
	if o.SQL == "" && !(o.Engine == "athena" && o.Athena.CreateTable) {
		return fmt.Errorf("--sql is required")
	}
	switch o.Engine {
	case "athena":
		if len(o.Paths) > 0 || o.DB != "" {
			return fmt.Errorf("--engine athena queries the table in Athena: give no PATH and no --db")
		}
		return runAthenaQuery(ctx, s, o.SQL, o.Athena, render)
	case "duckdb", "":
	default:
		return fmt.Errorf("--engine %q: want duckdb or athena", o.Engine)
	}
	var db *sqltable.DB
	complete := true
	switch {
	case o.DB != "" && len(o.Paths) > 0:
		return fmt.Errorf("give PATHs to read or --db to query a saved table, not both")
	case o.DB != "":
		db, err = sqltable.OpenSaved(ctx, o.DB)
		if err != nil {
			return err
		}
	case len(o.Paths) == 0:
		return fmt.Errorf("no PATH given (or --db FILE, or --engine athena)")
	default:
		db, err = sqltable.Open(ctx, "")
		if err != nil {
			return err
		}
		// Only the columns the statement reads are loaded (the others stay
		// NULL, which it cannot see); every record is still read and
		// counted.
		var opts sqltable.LoaderOptions
		if cols, all := sqltable.ColumnsOf(o.SQL); !all {
			if len(cols) == 0 {
				cols = []string{"eventid"} // count(*) and the like: rows, no values
			}
			opts.Columns = cols
		}
		// Nor are the records its WHERE clause certainly rejects: the
		// statement cannot see them (they are read and counted all the
		// same).
		opts.Rows = db.RowFilterOf(ctx, o.SQL)
		if complete, err = loadTrail(ctx, s, db, o.Paths, opts, wantProgress(s, o.NoProgress, o.Output)); err != nil {
			db.Close()
			return err
		}
	}
	defer db.Close()
	rows, err := db.Query(ctx, o.SQL)
	if err != nil {
		return fmt.Errorf("query: %w", err)
	}
	defer rows.Close()
	if err := render(s.Out, duckResult{rows}); err != nil {
		return err
	}
	return incomplete(complete)
}

// duckResult adapts sqltable.Rows to queryResult.
type duckResult struct{ *sqltable.Rows }

func (r duckResult) Columns() []string {
	cols := r.Rows.Columns()
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return names
}

type queryRender func(io.Writer, queryResult) error

func queryRenderer(output string) (queryRender, error) {
	switch output {
	case "table", "":
		return renderQueryTable, nil
	case "json":
		return renderQueryJSON, nil
	case "csv":
		return renderQueryCSV, nil
	}
	return nil, fmt.Errorf("--output %q: want table, json or csv", output)
}

// renderQueryJSON writes a JSON array of row objects, keys in column order,
// streaming so that large results need no memory.
func renderQueryJSON(w io.Writer, res queryResult) error {
	bw := bufio.NewWriter(w)
	cols := res.Columns()
	keys := make([][]byte, len(cols))
	for i, c := range cols {
		keys[i], _ = json.Marshal(c)
	}
	bw.WriteString("[")
	n := 0
	for res.Next() {
		if n > 0 {
			bw.WriteString(",")
		}
		n++
		bw.WriteString("\n  {")
		for i, v := range res.Values() {
			if i > 0 {
				bw.WriteString(", ")
			}
			bw.Write(keys[i])
			bw.WriteString(": ")
			b, err := jsonenc.Marshal(v)
			if err != nil {
				return fmt.Errorf("column %s: %w", cols[i], err)
			}
			bw.Write(b)
		}
		bw.WriteString("}")
	}
	if err := res.Err(); err != nil {
		return fmt.Errorf("query: %w", err)
	}
	if n > 0 {
		bw.WriteString("\n")
	}
	bw.WriteString("]\n")
	return bw.Flush()
}

// cellText is a value as text in a table or CSV cell: strings as they are,
// NULL empty, structures and lists as JSON.
func cellText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	}
	b, err := jsonenc.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func renderQueryCSV(w io.Writer, res queryResult) error {
	cw := csv.NewWriter(w)
	cw.Write(res.Columns())
	rec := make([]string, len(res.Columns()))
	for res.Next() {
		for i, v := range res.Values() {
			rec[i] = cellText(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	if err := res.Err(); err != nil {
		return fmt.Errorf("query: %w", err)
	}
	cw.Flush()
	return cw.Error()
}

// maxCell bounds a table cell; CSV and JSON carry values whole.
const maxCell = 80

func renderQueryTable(w io.Writer, res queryResult) error {
	cols := res.Columns()
	rows := [][]string{cols}
	for res.Next() {
		row := make([]string, len(cols))
		for i, v := range res.Values() {
			t := strings.Join(strings.Fields(cellText(v)), " ")
			if v == nil {
				t = "NULL"
			}
			if utf8.RuneCountInString(t) > maxCell {
				t = string([]rune(t)[:maxCell-1]) + "…"
			}
			row[i] = t
		}
		rows = append(rows, row)
	}
	if err := res.Err(); err != nil {
		return fmt.Errorf("query: %w", err)
	}
	width := make([]int, len(cols))
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	bw := bufio.NewWriter(w)
	for n, r := range rows {
		for i, c := range r {
			if i > 0 {
				bw.WriteString("  ")
			}
			bw.WriteString(c)
			if i < len(r)-1 {
				bw.WriteString(strings.Repeat(" ", width[i]-utf8.RuneCountInString(c)))
			}
		}
		bw.WriteString("\n")
		if n == 0 {
			for i := range r {
				if i > 0 {
					bw.WriteString("  ")
				}
				bw.WriteString(strings.Repeat("-", width[i]))
			}
			bw.WriteString("\n")
		}
	}
	fmt.Fprintf(bw, "(%d rows)\n", len(rows)-1)
	return bw.Flush()
}
