package sqltable

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// Column is one result column: its name and DuckDB type.
type Column struct {
	Name string
	Type string
}

// Rows is a query result, read row by row.
type Rows struct {
	rows *sql.Rows
	cols []Column
	raw  []any
	ptrs []any
	vals []any
	err  error
}

// Query runs one SQL statement against the database.
func (d *DB) Query(ctx context.Context, query string) (*Rows, error) {
	// Untrusted SQL runs only in a locked-down database (lockdown.go).
	if err := d.Lockdown(ctx); err != nil {
		return nil, err
	}
	rows, err := d.sql.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	types, err := rows.ColumnTypes()
	if err != nil {
		rows.Close()
		return nil, err
	}
	r := &Rows{rows: rows, cols: make([]Column, len(types))}
	for i, t := range types {
		r.cols[i] = Column{Name: t.Name(), Type: t.DatabaseTypeName()}
	}
	r.raw = make([]any, len(types))
	r.ptrs = make([]any, len(types))
	r.vals = make([]any, len(types))
	for i := range r.raw {
		r.ptrs[i] = &r.raw[i]
	}
	return r, nil
}

// Columns are the result's columns, in order.
func (r *Rows) Columns() []Column { return r.cols }

// Next advances to the next row; false at the end or on error (see Err).
func (r *Rows) Next() bool {
	if !r.rows.Next() {
		return false
	}
	if err := r.rows.Scan(r.ptrs...); err != nil {
		r.err = err
		r.rows.Close()
		return false
	}
	for i, v := range r.raw {
		r.vals[i] = Plain(v)
	}
	return true
}

// Values are the current row's values as Plain values. The slice is
// reused by Next.
func (r *Rows) Values() []any { return r.vals }

// Err is the error that ended iteration, if any.
func (r *Rows) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.rows.Err()
}

// Close releases the result.
func (r *Rows) Close() error { return r.rows.Close() }

// Plain turns a value scanned from DuckDB into one that encoding/json
// writes faithfully: STRUCT is map[string]any, LIST is []any, MAP becomes
// map[string]any keyed by the keys' text, timestamps RFC 3339 strings,
// HUGEINT and DECIMAL json.Number, UUID its text, and NaN or infinite
// floats their names (JSON has no literal for them). Other values are
// returned as they are.
func Plain(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = Plain(e)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = Plain(e)
		}
		return l
	case duckdb.OrderedMap:
		m := make(map[string]any, x.Len())
		vals := x.Values()
		for i, k := range x.Keys() {
			m[fmt.Sprint(Plain(k))] = Plain(vals[i])
		}
		return m
	case duckdb.Map:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(Plain(k))] = Plain(e)
		}
		return m
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case *big.Int:
		if x == nil {
			return nil
		}
		return json.Number(x.String())
	case duckdb.Decimal:
		return json.Number(x.String())
	case duckdb.UUID:
		return x.String()
	case float64:
		return plainFloat(x)
	case float32:
		return plainFloat(float64(x))
	case duckdb.Union:
		return Plain(x.Value)
	}
	return v
}

func plainFloat(f float64) any {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return f
}
