package sqltable

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"

	"github.com/iamwhy/iamwhy/trail/sqltable/schema"
)

// RowFilter is the part of one query's WHERE clause that a Loader can
// decide on a record by itself: conditions on top-level STRING columns
// that every row the query can see must meet (predicate pushdown). A
// record that fails one of them is invisible to that query, so the Loader
// does not store it (LoadStats.Pruned); it is still read, checked and
// counted as every other record. A filter is only for the statement it
// was made from: the table then holds what that statement can see, not
// the logs.
type RowFilter struct {
	conds []rowCond
	cols  uint64 // bit per column (schema.Columns order) a condition reads
}

type cmpOp uint8

const (
	opEq cmpOp = iota
	opNe
	opLt
	opLe
	opGt
	opGe
	opIn
	opNotNull
)

// rowCond is one condition: column op vals (one value, or IN's list).
type rowCond struct {
	col  int
	op   cmpOp
	vals []string
}

// RowFilterOf returns the conditions of sql's WHERE clause a Loader can
// decide per record, or nil when there are none or the statement is not
// one it can tell about. DuckDB's own parser reads the statement
// (json_serialize_sql), and only the plainest shape qualifies: one SELECT
// whose FROM is cloudtrail_logs alone (no join, sample or time travel),
// no CTE, no subquery anywhere, no rowid. Of its WHERE, only top-level
// AND terms are used, each a comparison (=, <>, <, <=, >, >=, IN) of a
// top-level STRING column with string literals, or IS NOT NULL; a column
// that a select-list alias also names is left out. WHERE filters the
// table's rows before grouping, windows, HAVING, QUALIFY, DISTINCT, ORDER
// and LIMIT, so under these conditions a row such a term rejects cannot
// affect the result. Anything else is left to DuckDB.
func (d *DB) RowFilterOf(ctx context.Context, sql string) *RowFilter {
	var text string
	if err := d.sql.QueryRowContext(ctx, "SELECT json_serialize_sql(?::VARCHAR)::VARCHAR", sql).Scan(&text); err != nil {
		return nil
	}
	return rowFilterOfAST([]byte(text))
}

// rowFilterOfAST is RowFilterOf on json_serialize_sql's output.
func rowFilterOfAST(ast []byte) *RowFilter {
	var root struct {
		Error      bool
		Statements []struct {
			Node map[string]any
		}
	}
	dec := json.NewDecoder(bytes.NewReader(ast))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil || root.Error || len(root.Statements) != 1 {
		return nil
	}
	node := root.Statements[0].Node
	if str(node, "type") != "SELECT_NODE" || node["sample"] != nil || !plainNode(node) {
		return nil
	}
	if cte, _ := node["cte_map"].(map[string]any); cte == nil || len(list(cte, "map")) != 0 {
		return nil
	}
	from, _ := node["from_table"].(map[string]any)
	if from == nil || str(from, "type") != "BASE_TABLE" || from["sample"] != nil || from["at_clause"] != nil ||
		str(from, "catalog_name") != "" || !strings.EqualFold(str(from, "table_name"), TableName) ||
		len(list(from, "column_name_alias")) != 0 {
		return nil
	}
	if s := str(from, "schema_name"); s != "" && !strings.EqualFold(s, "main") {
		return nil
	}
	qualifier := str(from, "alias")
	if qualifier == "" {
		qualifier = str(from, "table_name")
	}
	aliases := map[string]bool{}
	for _, e := range list(node, "select_list") {
		if m, ok := e.(map[string]any); ok && str(m, "alias") != "" {
			aliases[strings.ToLower(str(m, "alias"))] = true
		}
	}
	where, _ := node["where_clause"].(map[string]any)
	f := &RowFilter{}
	for _, term := range conjuncts(where, nil) {
		if c, ok := condOf(term, qualifier, aliases); ok {
			f.conds = append(f.conds, c)
			f.cols |= 1 << c.col
		}
	}
	if len(f.conds) == 0 {
		return nil
	}
	return f
}

// plainNode reports whether no part of v is a subquery or reads rowid
// (whose values depend on the rows stored).
func plainNode(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		if str(x, "class") == "SUBQUERY" || str(x, "type") == "SUBQUERY" {
			return false
		}
		if str(x, "class") == "COLUMN_REF" {
			names := list(x, "column_names")
			if len(names) > 0 {
				if s, _ := names[len(names)-1].(string); strings.EqualFold(s, "rowid") {
					return false
				}
			}
		}
		for _, e := range x {
			if !plainNode(e) {
				return false
			}
		}
	case []any:
		for _, e := range x {
			if !plainNode(e) {
				return false
			}
		}
	}
	return true
}

// conjuncts appends the terms of e's top-level AND.
func conjuncts(e map[string]any, dst []map[string]any) []map[string]any {
	if e == nil {
		return dst
	}
	if str(e, "class") == "CONJUNCTION" && str(e, "type") == "CONJUNCTION_AND" {
		for _, c := range list(e, "children") {
			if m, ok := c.(map[string]any); ok {
				dst = conjuncts(m, dst)
			}
		}
		return dst
	}
	return append(dst, e)
}

var comparisons = map[string]cmpOp{
	"COMPARE_EQUAL": opEq, "COMPARE_NOTEQUAL": opNe,
	"COMPARE_LESSTHAN": opLt, "COMPARE_LESSTHANOREQUALTO": opLe,
	"COMPARE_GREATERTHAN": opGt, "COMPARE_GREATERTHANOREQUALTO": opGe,
}

// flipped is the operator with its operands swapped ('a' < x is x > 'a').
var flipped = map[cmpOp]cmpOp{opEq: opEq, opNe: opNe, opLt: opGt, opLe: opGe, opGt: opLt, opGe: opLe}

// condOf reads one AND term as a condition, if it is one of the forms
// RowFilterOf uses.
func condOf(e map[string]any, qualifier string, aliases map[string]bool) (rowCond, bool) {
	column := func(v any) (int, bool) {
		m, _ := v.(map[string]any)
		if m == nil || str(m, "class") != "COLUMN_REF" {
			return 0, false
		}
		names := list(m, "column_names")
		var name string
		switch len(names) {
		case 1:
			name, _ = names[0].(string)
		case 2:
			q, _ := names[0].(string)
			if !strings.EqualFold(q, qualifier) {
				return 0, false
			}
			name, _ = names[1].(string)
		default:
			return 0, false
		}
		name = strings.ToLower(name)
		i := columnIndex[name] - 1
		if i < 0 || schema.Columns[i].Kind != schema.String || aliases[name] {
			return 0, false
		}
		return i, true
	}
	literal := func(v any) (string, bool) {
		m, _ := v.(map[string]any)
		if m == nil || str(m, "class") != "CONSTANT" {
			return "", false
		}
		val, _ := m["value"].(map[string]any)
		typ, _ := val["type"].(map[string]any)
		s, ok := val["value"].(string)
		if !ok || str(typ, "id") != "VARCHAR" || val["is_null"] != false || strings.ContainsRune(s, '\uFFFD') {
			return "", false
		}
		return s, true
	}
	typ := str(e, "type")
	switch str(e, "class") {
	case "COMPARISON":
		op, ok := comparisons[typ]
		if !ok {
			return rowCond{}, false
		}
		if col, ok := column(e["left"]); ok {
			if s, ok := literal(e["right"]); ok {
				return rowCond{col: col, op: op, vals: []string{s}}, true
			}
		}
		if col, ok := column(e["right"]); ok {
			if s, ok := literal(e["left"]); ok {
				return rowCond{col: col, op: flipped[op], vals: []string{s}}, true
			}
		}
	case "OPERATOR":
		kids := list(e, "children")
		if len(kids) == 0 {
			return rowCond{}, false
		}
		col, ok := column(kids[0])
		if !ok {
			return rowCond{}, false
		}
		switch {
		case typ == "OPERATOR_IS_NOT_NULL" && len(kids) == 1:
			return rowCond{col: col, op: opNotNull}, true
		case typ == "COMPARE_IN" && len(kids) > 1:
			c := rowCond{col: col, op: opIn}
			for _, k := range kids[1:] {
				s, ok := literal(k)
				if !ok {
					return rowCond{}, false
				}
				c.vals = append(c.vals, s)
			}
			return c, true
		}
	}
	return rowCond{}, false
}

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

func list(m map[string]any, key string) []any {
	l, _ := m[key].([]any)
	return l
}

// rejects reports whether the condition is certainly false or NULL for a
// column whose normalised JSON value is v (as the normaliser wrote it for
// read_json: null, or a string token with invalid UTF-8 already replaced).
// A string with escapes is not decoded here: the condition then rejects
// nothing, DuckDB deciding.
func (c *rowCond) rejects(v []byte) bool {
	if len(v) == 0 || v[0] != '"' {
		return true // null: the comparison is NULL
	}
	s := v[1 : len(v)-1]
	if bytes.IndexByte(s, '\\') >= 0 {
		return false
	}
	// DuckDB compares VARCHAR byte by byte (no collation is set), as Go
	// compares strings.
	switch c.op {
	case opNotNull:
		return false
	case opEq:
		return string(s) != c.vals[0]
	case opNe:
		return string(s) == c.vals[0]
	case opLt:
		return !(string(s) < c.vals[0])
	case opLe:
		return !(string(s) <= c.vals[0])
	case opGt:
		return !(string(s) > c.vals[0])
	case opGe:
		return !(string(s) >= c.vals[0])
	case opIn:
		for _, x := range c.vals {
			if string(s) == x {
				return false
			}
		}
		return true
	}
	return false
}
