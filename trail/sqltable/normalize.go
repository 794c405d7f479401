package sqltable

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/iamwhy/iamwhy/trail"
	"github.com/iamwhy/iamwhy/trail/sqltable/schema"
)

// maxDepth bounds JSON nesting so that a hostile record cannot exhaust the
// stack; CloudTrail records nest a few levels, request parameters a few
// dozen at most.
const maxDepth = 512

// RecordError is a record the table cannot hold: not a JSON object, or
// malformed JSON. Offset is the byte offset in the record.
type RecordError struct {
	Offset int
	Msg    string
}

func (e *RecordError) Error() string {
	return fmt.Sprintf("byte %d: %s", e.Offset, e.Msg)
}

// normalizer rewrites one CloudTrail record into the JSON line the table's
// read_json schema expects: keys matched to columns case-insensitively and
// written in lower case (Athena's JSON SerDe matches keys the same way,
// https://docs.aws.amazon.com/athena/latest/ug/json-serde.html), keys that
// are not columns dropped, whitespace removed so the record fits on one
// line, and invalid UTF-8 replaced by U+FFFD (as encoding/json does) so one
// bad byte cannot fail a whole batch. A number, boolean, object or array in
// a string position (a STRING column or a MAP<STRING,STRING> value) becomes
// a JSON string holding its compacted text, which is how requestParameters
// and the other free-form elements become JSON text columns.
//
// A struct or list position holding another JSON type becomes NULL and is
// counted in mismatched. (What Athena's SerDe does there is undetermined
// here; keeping the rest of the record loses least.)
type normalizer struct {
	src        []byte
	i          int
	out        []byte
	mismatched int
	// notes, when set, receives a description of each mismatched value
	// (at most maxNotes per record).
	notes      *[]string
	duplicates int
	replaced   int
	// surrogate is set by skipString when the string has an escaped
	// UTF-16 surrogate, which appendString then checks is paired.
	surrogate bool
	// keep, when not zero, has a bit per column (schema.Columns order) to
	// write; the other columns are skipped unread (projection pushdown).
	keep uint64
	// filter, when set, is tested on the record's top-level columns;
	// pruned is then set when it rejects the record. tested has a bit
	// per column the record had a value for.
	filter *RowFilter
	pruned bool
	tested uint64
}

// normalize appends the normalised form of rec to dst.
func (n *normalizer) normalize(dst, rec []byte) ([]byte, error) {
	n.src, n.i, n.out = rec, 0, dst
	n.pruned, n.tested = false, 0
	n.ws()
	if n.i >= len(n.src) || n.src[n.i] != '{' {
		return dst, n.errf("a record must be a JSON object")
	}
	if err := n.object(columnTable, 0); err != nil {
		return dst, err
	}
	n.ws()
	if n.i != len(n.src) {
		return dst, n.errf("unexpected data after the record")
	}
	if n.filter != nil && n.filter.cols&^n.tested != 0 {
		n.pruned = true // a column the filter reads is NULL
	}
	return n.out, nil
}

func (n *normalizer) errf(format string, args ...any) error {
	return &RecordError{Offset: n.i, Msg: fmt.Sprintf(format, args...)}
}

func (n *normalizer) ws() {
	for n.i < len(n.src) {
		switch n.src[n.i] {
		case ' ', '\t', '\n', '\r':
			n.i++
		default:
			return
		}
	}
}

// object reads the object at n.i, writing the keys that name one of t's
// fields and their values; t nil means a map, whose keys are kept as they
// are.
func (n *normalizer) object(t *fieldTable, depth int) error {
	if depth > maxDepth {
		return n.errf("JSON nested deeper than %d levels", maxDepth)
	}
	n.i++ // {
	n.out = append(n.out, '{')
	var seen uint64
	first := true
	n.ws()
	if n.i < len(n.src) && n.src[n.i] == '}' {
		n.i++
		n.out = append(n.out, '}')
		return nil
	}
	for {
		n.ws()
		if n.i >= len(n.src) || n.src[n.i] != '"' {
			return n.errf("expected a string key")
		}
		keyStart := n.i
		if err := n.skipString(); err != nil {
			return err
		}
		key := n.src[keyStart:n.i]
		n.ws()
		if n.i >= len(n.src) || n.src[n.i] != ':' {
			return n.errf("expected ':' after an object key")
		}
		n.i++
		n.ws()
		idx, ok := t.lookup(key)
		switch {
		case t == nil:
			if !first {
				n.out = append(n.out, ',')
			}
			first = false
			n.appendString(key)
			n.out = append(n.out, ':')
			if err := n.stringValue(depth + 1); err != nil {
				return err
			}
		case ok && seen&(1<<idx) == 0 && t == columnTable && n.keep != 0 && n.keep&(1<<idx) == 0:
			seen |= 1 << idx // a column the query does not read
			if err := n.skipValue(depth + 1); err != nil {
				return err
			}
		case ok && seen&(1<<idx) == 0:
			seen |= 1 << idx
			if !first {
				n.out = append(n.out, ',')
			}
			first = false
			n.out = append(n.out, '"')
			n.out = append(n.out, t.fields[idx].Name...)
			n.out = append(n.out, '"', ':')
			mark := len(n.out)
			if err := n.typed(t.fields[idx].Name, t.fields[idx].Kind, t.sub[idx], depth+1); err != nil {
				return err
			}
			if t == columnTable && n.filter != nil && n.filter.cols&(1<<idx) != 0 {
				n.test(idx, n.out[mark:])
			}
		default:
			if ok {
				n.duplicates++
			}
			if err := n.skipValue(depth + 1); err != nil {
				return err
			}
		}
		if done, err := n.next('}', false); done || err != nil {
			return err
		}
	}
}

// test applies the filter's conditions on column col to its value v.
func (n *normalizer) test(col int, v []byte) {
	n.tested |= 1 << col
	for i := range n.filter.conds {
		if c := &n.filter.conds[i]; c.col == col && c.rejects(v) {
			n.pruned = true
		}
	}
}

// next passes the ',' or the closer after a member or element, writing the
// closer (and the comma when writeComma); done is true after the closer.
func (n *normalizer) next(closer byte, writeComma bool) (done bool, err error) {
	n.ws()
	if n.i >= len(n.src) {
		if closer == '}' {
			return false, n.errf("unterminated object")
		}
		return false, n.errf("unterminated array")
	}
	switch n.src[n.i] {
	case ',':
		n.i++
		if writeComma {
			n.out = append(n.out, ',')
		}
		return false, nil
	case closer:
		n.i++
		n.out = append(n.out, closer)
		return true, nil
	}
	return false, n.errf("expected ',' or '%c'", closer)
}

// typed writes the value at n.i for the field name of kind k; sub
// describes the fields of a struct or of a list's structs.
func (n *normalizer) typed(name string, k schema.Kind, sub *fieldTable, depth int) error {
	if n.i >= len(n.src) {
		return n.errf("expected a value")
	}
	c := n.src[n.i]
	if c == 'n' {
		return n.value(depth)
	}
	switch k {
	case schema.Struct:
		if c == '{' {
			return n.object(sub, depth)
		}
	case schema.StringMap:
		if c == '{' {
			return n.object(nil, depth)
		}
	case schema.StructList:
		if c == '[' {
			return n.structList(sub, depth)
		}
	default:
		return n.stringValue(depth)
	}
	n.mismatched++
	if n.notes != nil && len(*n.notes) < maxNotes {
		want := "an object"
		if k == schema.StructList {
			want = "an array"
		}
		*n.notes = append(*n.notes, fmt.Sprintf("byte %d: %s: expected %s, got a JSON %s (set to NULL)", n.i, name, want, trail.JSONKind(c)))
	}
	n.out = append(n.out, "null"...)
	return n.skipValue(depth)
}

func (n *normalizer) structList(elem *fieldTable, depth int) error {
	if depth > maxDepth {
		return n.errf("JSON nested deeper than %d levels", maxDepth)
	}
	n.i++ // [
	n.out = append(n.out, '[')
	n.ws()
	if n.i < len(n.src) && n.src[n.i] == ']' {
		n.i++
		n.out = append(n.out, ']')
		return nil
	}
	for first := true; ; first = false {
		n.ws()
		if !first {
			n.out = append(n.out, ',')
		}
		if err := n.typed("element", schema.Struct, elem, depth+1); err != nil {
			return err
		}
		if done, err := n.next(']', false); done || err != nil {
			return err
		}
	}
}

// value copies any JSON value, compacted.
func (n *normalizer) value(depth int) error {
	if depth > maxDepth {
		return n.errf("JSON nested deeper than %d levels", maxDepth)
	}
	if n.i >= len(n.src) {
		return n.errf("expected a value")
	}
	switch c := n.src[n.i]; c {
	case '{', '[':
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		n.i++
		n.out = append(n.out, c)
		n.ws()
		if n.i < len(n.src) && n.src[n.i] == closer {
			n.i++
			n.out = append(n.out, closer)
			return nil
		}
		for {
			n.ws()
			if c == '{' {
				if n.i >= len(n.src) || n.src[n.i] != '"' {
					return n.errf("expected a string key")
				}
				start := n.i
				if err := n.skipString(); err != nil {
					return err
				}
				n.appendString(n.src[start:n.i])
				n.ws()
				if n.i >= len(n.src) || n.src[n.i] != ':' {
					return n.errf("expected ':' after an object key")
				}
				n.i++
				n.out = append(n.out, ':')
				n.ws()
			}
			if err := n.value(depth + 1); err != nil {
				return err
			}
			if done, err := n.next(closer, true); done || err != nil {
				return err
			}
		}
	case '"':
		start := n.i
		if err := n.skipString(); err != nil {
			return err
		}
		n.appendString(n.src[start:n.i])
		return nil
	default:
		start := n.i
		if err := n.skipScalar(); err != nil {
			return err
		}
		n.out = append(n.out, n.src[start:n.i]...)
		return nil
	}
}

// stringValue writes the value at n.i for a STRING column or map value:
// strings and null as they are, any other value as a JSON string holding
// its compacted text, so requestParameters and the like keep the text
// CloudTrail wrote (numbers are not re-formatted) and DuckDB copies a
// string instead of parsing and re-serialising the object.
func (n *normalizer) stringValue(depth int) error {
	if n.i < len(n.src) && (n.src[n.i] == '"' || n.src[n.i] == 'n') {
		return n.value(depth)
	}
	mark := len(n.out)
	if err := n.value(depth); err != nil {
		return err
	}
	// The compacted text has no control characters (JSON forbids them in
	// strings and whitespace between tokens is gone), so only quotes and
	// backslashes need escaping. Expand in place, from the end.
	extra := 0
	for _, c := range n.out[mark:] {
		if c == '"' || c == '\\' {
			extra++
		}
	}
	end := len(n.out)
	n.out = append(n.out, make([]byte, extra+2)...)
	w := len(n.out) - 1
	n.out[w] = '"'
	w--
	for r := end - 1; r >= mark; r-- {
		c := n.out[r]
		n.out[w] = c
		w--
		if c == '"' || c == '\\' {
			n.out[w] = '\\'
			w--
		}
	}
	n.out[w] = '"'
	return nil
}

// maxNotes bounds the mismatches described per record.
const maxNotes = 8

// skipValue validates and passes over a value without writing it.
func (n *normalizer) skipValue(depth int) error {
	mark := len(n.out)
	err := n.value(depth)
	n.out = n.out[:mark]
	return err
}

// appendString writes a string token (quotes included, already validated),
// replacing invalid UTF-8 by U+FFFD, and so an escaped UTF-16 surrogate
// that is not half of a pair: DuckDB's read_json refuses such a string
// ("no low surrogate in string"), failing the whole batch, and
// encoding/json, which read the record first, decodes it to U+FFFD too.
func (n *normalizer) appendString(tok []byte) {
	mark := len(n.out)
	if utf8.Valid(tok) {
		n.out = append(n.out, tok...)
		if n.surrogate && n.fixSurrogates(n.out[mark:]) {
			n.replaced++
		}
		return
	}
	n.replaced++
	for len(tok) > 0 {
		r, size := utf8.DecodeRune(tok)
		if r == utf8.RuneError && size == 1 {
			n.out = append(n.out, "\uFFFD"...)
		} else {
			n.out = append(n.out, tok[:size]...)
		}
		tok = tok[size:]
	}
	if n.surrogate {
		n.fixSurrogates(n.out[mark:])
	}
}

// fixSurrogates rewrites, in place, each \uXXXX escape of a surrogate in
// the string token s that is not a high surrogate followed by an escaped
// low one as \ufffd (the same length), reporting whether it did.
func (n *normalizer) fixSurrogates(s []byte) bool {
	fixed := false
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			continue
		}
		i++ // the escaped character; a validated token has one
		if s[i] != 'u' || i+5 > len(s) {
			continue
		}
		r := hexRune(s[i+1 : i+5])
		if r < 0xD800 || r > 0xDFFF {
			i += 4
			continue
		}
		if r < 0xDC00 && i+11 <= len(s) && s[i+5] == '\\' && s[i+6] == 'u' {
			if lo := hexRune(s[i+7 : i+11]); lo >= 0xDC00 && lo <= 0xDFFF {
				i += 10
				continue
			}
		}
		copy(s[i+1:i+5], "fffd")
		fixed = true
		i += 4
	}
	return fixed
}

// hexRune is the value of four hex digits (validated by skipString).
func hexRune(h []byte) rune {
	var r rune
	for _, c := range h {
		switch {
		case c <= '9':
			r = r<<4 | rune(c-'0')
		case c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			r = r<<4 | rune(c-'a'+10)
		}
	}
	return r
}

// skipString passes over the string token at n.i, validating escapes and
// rejecting control characters (RFC 8259 section 7).
func (n *normalizer) skipString() error {
	n.i++ // opening quote
	n.surrogate = false
	for n.i < len(n.src) {
		// Most bytes need no attention: run over them first, eight at a
		// time while a word holds none (plainWord), then byte by byte.
		for n.i+8 <= len(n.src) && plainWord(binary.LittleEndian.Uint64(n.src[n.i:])) {
			n.i += 8
		}
		for n.i < len(n.src) && plainStringByte[n.src[n.i]] {
			n.i++
		}
		if n.i >= len(n.src) {
			break
		}
		c := n.src[n.i]
		switch {
		case c == '"':
			n.i++
			return nil
		case c == '\\':
			if n.i+1 >= len(n.src) {
				return n.errf("unterminated string")
			}
			switch n.src[n.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				n.i += 2
			case 'u':
				if n.i+6 > len(n.src) {
					return n.errf("short \\u escape")
				}
				for _, h := range n.src[n.i+2 : n.i+6] {
					if !isHex(h) {
						return n.errf("invalid \\u escape")
					}
				}
				if c := n.src[n.i+2] | 0x20; c == 'd' && n.src[n.i+3] >= '8' {
					n.surrogate = true // 'D' then 8-9, A-F or a-f: D800-DFFF
				}
				n.i += 6
			default:
				return n.errf("invalid escape '\\%c'", n.src[n.i+1])
			}
		default: // a control character
			return n.errf("control character in a string")
		}
	}
	return n.errf("unterminated string")
}

// plainStringByte marks the bytes that may appear in a JSON string as they
// are: all but the quote, the backslash and control characters.
var plainStringByte = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// plainWord reports whether the eight bytes of w (little endian) are all
// plain string bytes: none below 0x20, none a quote or a backslash. Each
// test is the classic "has a byte less than n" bit trick (exact for
// n <= 0x80: a byte at or above 0x80 never counts); a quote or a backslash
// is a zero byte of w XOR that byte repeated.
func plainWord(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q := w ^ ('"' * ones)
	bs := w ^ ('\\' * ones)
	return ((w-0x20*ones)&^w|(q-ones)&^q|(bs-ones)&^bs)&highs == 0
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// skipScalar passes over a number or a literal, validating it against the
// JSON grammar (RFC 8259 section 6).
func (n *normalizer) skipScalar() error {
	s := n.src[n.i:]
	for _, lit := range []string{"true", "false", "null"} {
		if len(s) >= len(lit) && string(s[:len(lit)]) == lit {
			n.i += len(lit)
			return n.endOfScalar()
		}
	}
	j := 0
	// digits passes over one or more digits; false when there are none.
	digits := func() bool {
		k := j
		for j < len(s) && '0' <= s[j] && s[j] <= '9' {
			j++
		}
		return j > k
	}
	if j < len(s) && s[j] == '-' {
		j++
	}
	switch {
	case j < len(s) && s[j] == '0':
		j++
	case j < len(s) && '1' <= s[j] && s[j] <= '9':
		digits()
	default:
		return n.errf("invalid value")
	}
	if j < len(s) && s[j] == '.' {
		j++
		if !digits() {
			return n.errf("invalid number")
		}
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		j++
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if !digits() {
			return n.errf("invalid number")
		}
	}
	n.i += j
	return n.endOfScalar()
}

// endOfScalar checks that a scalar is followed by a delimiter, so that
// "truex" or "12a" are rejected.
func (n *normalizer) endOfScalar() error {
	if n.i >= len(n.src) {
		return nil
	}
	switch n.src[n.i] {
	case ' ', '\t', '\n', '\r', ',', '}', ']':
		return nil
	}
	return n.errf("invalid value")
}

// fieldTable finds the fields of a struct (or the table's columns) by a
// record's key, ignoring case, without hashing: candidates are bucketed
// by name length and compared byte by byte, which the profile of ingest
// showed to cost a fraction of a map lookup on a lower-cased copy.
type fieldTable struct {
	fields []schema.Field
	sub    []*fieldTable // per field: its struct's (or list elements') fields
	byLen  [maxNameLen + 1][]uint8
}

// maxNameLen is longer than any column or field name.
const maxNameLen = 32

var columnTable = newFieldTable(schema.Columns)

func newFieldTable(fields []schema.Field) *fieldTable {
	t := &fieldTable{fields: fields, sub: make([]*fieldTable, len(fields))}
	for i, f := range fields {
		if len(f.Name) > maxNameLen {
			panic("sqltable: field name longer than maxNameLen: " + f.Name)
		}
		t.byLen[len(f.Name)] = append(t.byLen[len(f.Name)], uint8(i))
		if f.Kind == schema.Struct || f.Kind == schema.StructList {
			t.sub[i] = newFieldTable(f.Fields)
		}
	}
	return t
}

// lookup finds the field a key names, ignoring case. key is a string
// token with its quotes. t nil (a map) has no fields.
func (t *fieldTable) lookup(key []byte) (int, bool) {
	if t == nil {
		return 0, false
	}
	raw := key[1 : len(key)-1]
	if len(raw) <= maxNameLen {
	candidates:
		for _, i := range t.byLen[len(raw)] {
			name := t.fields[i].Name
			for j, c := range raw {
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				// Names are lower-case ASCII: an escape or a non-ASCII
				// byte never matches here.
				if c != name[j] {
					continue candidates
				}
			}
			return int(i), true
		}
	}
	if isPlainASCII(raw) {
		return 0, false
	}
	// Escapes or non-ASCII: decode, then lower-case with Unicode rules
	// (the SerDe lower-cases keys with Java's String.toLowerCase).
	var name string
	if err := json.Unmarshal(key, &name); err != nil {
		return 0, false
	}
	name = strings.ToLower(name)
	for i, f := range t.fields {
		if f.Name == name {
			return i, true
		}
	}
	return 0, false
}

func isPlainASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 || c == '\\' {
			return false
		}
	}
	return true
}
