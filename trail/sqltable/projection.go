package sqltable

import (
	"strings"

	"github.com/iamwhy/iamwhy/trail/sqltable/schema"
)

// ColumnsOf returns the columns of cloudtrail_logs that the SQL statement
// can read, so that a one-off query loads only those (projection
// pushdown): the others stay NULL in the table, which the statement cannot
// observe. all is true when the statement may see every column or the
// analysis cannot tell: a star (SELECT *, t.*, COLUMNS(...)), the table's
// name used as a value (a whole row), a statement other than SELECT/WITH
// (DESCRIBE, SUMMARIZE, PRAGMA, ...), or SQL the scanner cannot follow.
//
// The scan is deliberately simple and errs towards loading more: every
// identifier anywhere in the statement that names a column counts, whether
// it means the column or an alias or a struct field of the same name.
func ColumnsOf(sql string) (cols []string, all bool) {
	toks, ok := sqlTokens(sql)
	if !ok || len(toks) == 0 {
		return nil, true
	}
	switch first := strings.ToLower(toks[0].text); {
	case toks[0].quoted:
		return nil, true
	case first == "select" || first == "with" || first == "from" || first == "(":
	default:
		return nil, true
	}
	used := map[string]bool{}
	for i, t := range toks {
		low := strings.ToLower(t.text)
		switch {
		case t.text == "*" && !t.quoted:
			// count(*) reads no column; any other star reads them all.
			if !(i > 0 && toks[i-1].text == "(" && i+1 < len(toks) && toks[i+1].text == ")") {
				return nil, true
			}
		case !t.quoted && (low == "columns" || low == "exclude" || low == "replace" || low == "unpack"):
			return nil, true
		case low == TableName:
			// Only as the table read (after FROM or JOIN, possibly as
			// schema.table); anywhere else it may be a whole row.
			if i == 0 || !strings.EqualFold(toks[i-1].text, "from") && !strings.EqualFold(toks[i-1].text, "join") {
				return nil, true
			}
		case columnIndex[low] > 0:
			used[low] = true
		}
	}
	for _, f := range schema.Columns {
		if used[f.Name] {
			cols = append(cols, f.Name)
		}
	}
	return cols, false
}

// columnIndex maps each column name to its position plus one.
var columnIndex = func() map[string]int {
	m := map[string]int{}
	for i, f := range schema.Columns {
		m[f.Name] = i + 1
	}
	return m
}()

type sqlToken struct {
	text   string
	quoted bool // a "quoted identifier"
}

// sqlTokens splits SQL into identifiers, quoted identifiers and single
// punctuation characters, leaving out string literals, numbers and
// comments. ok is false for text it cannot follow (an unterminated quote
// or comment).
func sqlTokens(s string) (toks []sqlToken, ok bool) {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case c == '-' && i+1 < len(s) && s[i+1] == '-':
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				return toks, true
			}
			i += j
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				return nil, false
			}
			i += j + 4
		case c == '\'':
			// A string literal; '' is a quote inside it. E'...' escapes
			// are read the same way, which at worst ends early and reads
			// more identifiers.
			j := i + 1
			for {
				k := strings.IndexByte(s[j:], '\'')
				if k < 0 {
					return nil, false
				}
				j += k + 1
				if j < len(s) && s[j] == '\'' {
					j++
					continue
				}
				break
			}
			i = j
		case c == '"':
			var b strings.Builder
			j := i + 1
			for {
				k := strings.IndexByte(s[j:], '"')
				if k < 0 {
					return nil, false
				}
				b.WriteString(s[j : j+k])
				j += k + 1
				if j < len(s) && s[j] == '"' {
					b.WriteByte('"')
					j++
					continue
				}
				break
			}
			toks = append(toks, sqlToken{text: b.String(), quoted: true})
			i = j
		case c == '$' || c == '`':
			// Dollar-quoted strings and backquotes: not followed here.
			return nil, false
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80:
			j := i + 1
			for j < len(s) && (s[j] == '_' || s[j] == '$' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9' || s[j] >= 0x80) {
				j++
			}
			toks = append(toks, sqlToken{text: s[i:j]})
			i = j
		case c >= '0' && c <= '9':
			j := i + 1
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' || s[j] == 'e' || s[j] == 'E' || s[j] == '_') {
				j++
			}
			i = j
		default:
			toks = append(toks, sqlToken{text: s[i : i+1]})
			i++
		}
	}
	return toks, true
}
