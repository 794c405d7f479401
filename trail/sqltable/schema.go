package sqltable

import (
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
func readJSONColumns() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, f := range schema.Columns {
		if i > 0 {
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
