package sqltable

import (
	"fmt"
	"strings"

	"github.com/iamwhy/iamwhy/trail/sqltable/schema"
)

// TableName is the name AWS's CloudTrail documentation gives the Athena
// table, kept so that users' SQL runs unchanged.
const TableName = schema.TableName

// CreateTableSQL is the DuckDB statement that creates the empty
// cloudtrail_logs table, with the columns of package schema.
func CreateTableSQL() string {
	return "CREATE TABLE IF NOT EXISTS " + TableName + " (" + schema.DuckDBColumns() + ")"
}

// readJSONColumns is the columns={...} argument of read_json: every column
// with its DuckDB type, so DuckDB neither samples nor guesses.
func readJSONColumns() string { return readJSONColumnsOf(0) }

// readJSONColumnsOf is readJSONColumns for the columns of mask keep (0:
// all).
func readJSONColumnsOf(keep uint64) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, f := range schema.Columns {
		if keep != 0 && keep&(1<<i) == 0 {
			continue
		}
		if b.Len() > 1 {
			b.WriteString(", ")
		}
		b.WriteString(quoteIdent(f.Name))
		b.WriteString(": ")
		b.WriteString(quoteString(f.DuckDBType()))
	}
	b.WriteByte('}')
	return b.String()
}

var (
	quoteIdent  = schema.QuoteIdent
	quoteString = schema.QuoteString
)

// insertColumns is the column list of an INSERT of the columns of mask
// keep, "" for all.
func insertColumns(keep uint64) string {
	if keep == 0 {
		return ""
	}
	var names []string
	for i, f := range schema.Columns {
		if keep&(1<<i) != 0 {
			names = append(names, quoteIdent(f.Name))
		}
	}
	return " (" + strings.Join(names, ", ") + ")"
}

// columnMask is the bit mask of the named columns (0 for none: all).
func columnMask(cols []string) (uint64, error) {
	var keep uint64
	for _, c := range cols {
		i := columnIndex[strings.ToLower(c)]
		if i == 0 {
			return 0, fmt.Errorf("no column %q in %s", c, TableName)
		}
		keep |= 1 << (i - 1)
	}
	return keep, nil
}
