package policy

import (
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// The standard library's encoding/json does not report where a value sits in
// the input, and every element of a policy must carry its line and column, so
// this file holds a small strict JSON reader (RFC 8259, which the IAM grammar
// page names via RFC 7159) that builds a tree of positioned nodes. The policy
// builder (build.go) then walks the tree.

// jsonKind is the type of a JSON value.
type jsonKind uint8

const (
	jsonNull jsonKind = iota
	jsonBool
	jsonNumber
	jsonString
	jsonArray
	jsonObject
)

func (k jsonKind) String() string {
	switch k {
	case jsonNull:
		return "null"
	case jsonBool:
		return "a boolean"
	case jsonNumber:
		return "a number"
	case jsonString:
		return "a string"
	case jsonArray:
		return "an array"
	case jsonObject:
		return "an object"
	}
	return "a value"
}

// jsonNode is one JSON value with the position of its first byte.
type jsonNode struct {
	kind jsonKind
	pos  Pos
	// end is the offset just past the value's last byte.
	end int
	// text is the decoded string for strings and the literal JSON text
	// for numbers and booleans ("10", "1.5e3", "true").
	text    string
	elems   []*jsonNode  // arrays
	members []jsonMember // objects, in source order (duplicates kept)
}

// jsonMember is one "key": value pair of an object.
type jsonMember struct {
	key    string
	keyPos Pos
	val    *jsonNode
}

// maxJSONDepth bounds nesting so hostile input cannot exhaust the stack. A
// policy nests at most five levels (document, Statement list, statement,
// Condition, operator, value list); 64 leaves room for error reporting on
// odd documents.
const maxJSONDepth = 64

// jsonSyntaxError is a malformed-JSON problem at a position.
type jsonSyntaxError struct {
	pos Pos
	msg string
}

// jsonReader reads one JSON document, tracking line and column.
type jsonReader struct {
	data      []byte
	off       int
	line      int
	lineStart int // offset of the first byte of the current line
	err       *jsonSyntaxError
	// arena hands out nodes from chunks, one allocation per chunk instead
	// of one per value.
	arena []jsonNode
	// file, start and lines place the positions in their source file
	// (Options.Source, Options.Start, Options.Lines).
	file   string
	start  Pos
	lines  SourceMap
	placed bool // start or lines is set
}

const arenaChunk = 128

func (r *jsonReader) node(k jsonKind, p Pos) *jsonNode {
	if len(r.arena) == cap(r.arena) {
		// Chunks grow so that a small document does not pay for a
		// large one.
		r.arena = make([]jsonNode, 0, min(arenaChunk, 2*cap(r.arena)+8))
	}
	r.arena = append(r.arena, jsonNode{kind: k, pos: p})
	return &r.arena[len(r.arena)-1]
}

// parseJSON reads data as exactly one JSON value. A UTF-8 byte order mark
// before the value is skipped (editors on Windows write one; columns of the
// first line then still count it, as editors do).
func parseJSON(data []byte) (*jsonNode, *jsonSyntaxError) {
	return parseJSONIn(data, Options{})
}

// parseJSONIn is parseJSON with positions placed in the source file that
// opts describe.
func parseJSONIn(data []byte, opts Options) (*jsonNode, *jsonSyntaxError) {
	r := &jsonReader{data: data, line: 1, file: opts.Source, start: opts.Start, lines: opts.Lines,
		placed: opts.Start.IsValid() || opts.Lines != nil}
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		r.off = 3
	}
	r.skipSpace()
	if r.off >= len(r.data) {
		return nil, r.fail(r.pos(), "empty document: want a JSON object")
	}
	n := r.value(0)
	if r.err != nil {
		return nil, r.err
	}
	r.skipSpace()
	if r.off < len(r.data) {
		return nil, r.fail(r.pos(), fmt.Sprintf("unexpected %s after the end of the JSON value", r.describe()))
	}
	return n, nil
}

func (r *jsonReader) pos() Pos {
	p := Pos{File: r.file, Line: r.line, Col: r.off - r.lineStart + 1, Offset: r.off}
	if r.placed {
		return r.place(p)
	}
	return p
}

// place maps a position of the text being read to its source file.
func (r *jsonReader) place(p Pos) Pos {
	if r.lines != nil {
		return r.lines.Pos(p).In(r.file)
	}
	return r.start.In(r.file).Inside(p)
}

func (r *jsonReader) fail(p Pos, msg string) *jsonSyntaxError {
	if r.err == nil {
		r.err = &jsonSyntaxError{pos: p, msg: msg}
	}
	return r.err
}

// describe names the byte at the current offset for error messages.
func (r *jsonReader) describe() string {
	if r.off >= len(r.data) {
		return "end of input"
	}
	c := r.data[r.off]
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("character %q", rune(c))
	}
	ru, _ := utf8.DecodeRune(r.data[r.off:])
	if ru == utf8.RuneError {
		return fmt.Sprintf("byte 0x%02x", c)
	}
	return fmt.Sprintf("character %q", ru)
}

func (r *jsonReader) skipSpace() {
	for r.off < len(r.data) {
		switch r.data[r.off] {
		case ' ', '\t', '\r':
			r.off++
		case '\n':
			r.off++
			r.line++
			r.lineStart = r.off
		default:
			return
		}
	}
}

func (r *jsonReader) value(depth int) *jsonNode {
	n := r.value0(depth)
	if n != nil {
		n.end = r.off
	}
	return n
}

func (r *jsonReader) value0(depth int) *jsonNode {
	if depth > maxJSONDepth {
		r.fail(r.pos(), fmt.Sprintf("JSON nested deeper than %d levels", maxJSONDepth))
		return nil
	}
	p := r.pos()
	if r.off >= len(r.data) {
		r.fail(p, "unexpected end of input: want a JSON value")
		return nil
	}
	switch c := r.data[r.off]; {
	case c == '{':
		return r.object(depth)
	case c == '[':
		return r.array(depth)
	case c == '"':
		s, ok := r.str()
		if !ok {
			return nil
		}
		n := r.node(jsonString, p)
		n.text = s
		return n
	case c == '-' || (c >= '0' && c <= '9'):
		return r.number()
	case c == 't':
		return r.literal("true", jsonBool)
	case c == 'f':
		return r.literal("false", jsonBool)
	case c == 'n':
		return r.literal("null", jsonNull)
	}
	r.fail(p, fmt.Sprintf("unexpected %s: want a JSON value", r.describe()))
	return nil
}

func (r *jsonReader) literal(word string, k jsonKind) *jsonNode {
	p := r.pos()
	if len(r.data)-r.off < len(word) || string(r.data[r.off:r.off+len(word)]) != word {
		r.fail(p, fmt.Sprintf("invalid literal: want %q", word))
		return nil
	}
	r.off += len(word)
	n := r.node(k, p)
	n.text = word
	return n
}

// number reads a JSON number (RFC 8259 section 6) and keeps its text.
func (r *jsonReader) number() *jsonNode {
	p := r.pos()
	start := r.off
	d := r.data
	if d[r.off] == '-' {
		r.off++
	}
	digits := func() int {
		n := 0
		for r.off < len(d) && d[r.off] >= '0' && d[r.off] <= '9' {
			r.off++
			n++
		}
		return n
	}
	switch {
	case r.off < len(d) && d[r.off] == '0':
		r.off++
	case digits() == 0:
		r.fail(r.pos(), "invalid number: want a digit")
		return nil
	}
	if r.off < len(d) && d[r.off] == '.' {
		r.off++
		if digits() == 0 {
			r.fail(r.pos(), "invalid number: want a digit after the decimal point")
			return nil
		}
	}
	if r.off < len(d) && (d[r.off] == 'e' || d[r.off] == 'E') {
		r.off++
		if r.off < len(d) && (d[r.off] == '+' || d[r.off] == '-') {
			r.off++
		}
		if digits() == 0 {
			r.fail(r.pos(), "invalid number: want a digit in the exponent")
			return nil
		}
	}
	n := r.node(jsonNumber, p)
	n.text = string(d[start:r.off])
	return n
}

// str reads a JSON string at r.off (which holds the opening quote) and
// returns its decoded value. Invalid UTF-8 and raw control characters are
// errors: AWS stores policies as UTF-8 text and RFC 8259 forbids unescaped
// control characters.
func (r *jsonReader) str() (string, bool) {
	d := r.data
	r.off++ // opening quote
	start := r.off
	// Fast path: no escapes.
	for r.off < len(d) {
		c := d[r.off]
		if c == '"' {
			s := string(d[start:r.off])
			r.off++
			return s, true
		}
		if c == '\\' || c < 0x20 || c >= utf8.RuneSelf {
			break
		}
		r.off++
	}
	buf := make([]byte, 0, r.off-start+16)
	buf = append(buf, d[start:r.off]...)
	for r.off < len(d) {
		c := d[r.off]
		switch {
		case c == '"':
			r.off++
			return string(buf), true
		case c == '\\':
			esc := r.pos()
			r.off++
			if r.off >= len(d) {
				r.fail(r.pos(), "unterminated string")
				return "", false
			}
			e := d[r.off]
			r.off++
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				ru, ok := r.hex4()
				if !ok {
					r.fail(esc, `invalid \u escape: want four hex digits`)
					return "", false
				}
				if utf16.IsSurrogate(ru) {
					// A high surrogate must be followed by \u and a low
					// one; a lone surrogate becomes U+FFFD as in
					// encoding/json.
					save := r.off
					if r.off+1 < len(d) && d[r.off] == '\\' && d[r.off+1] == 'u' {
						r.off += 2
						lo, ok := r.hex4()
						if ok {
							if dec := utf16.DecodeRune(ru, lo); dec != utf8.RuneError {
								buf = utf8.AppendRune(buf, dec)
								continue
							}
						}
					}
					r.off = save
					ru = utf8.RuneError
				}
				buf = utf8.AppendRune(buf, ru)
			default:
				r.fail(esc, fmt.Sprintf("invalid escape %q in string", "\\"+string(rune(e))))
				return "", false
			}
		case c < 0x20:
			if c == '\n' {
				r.fail(r.pos(), "unterminated string (raw newline in string)")
			} else {
				r.fail(r.pos(), fmt.Sprintf("raw control character 0x%02x in string: escape it", c))
			}
			return "", false
		case c >= utf8.RuneSelf:
			ru, size := utf8.DecodeRune(d[r.off:])
			if ru == utf8.RuneError && size <= 1 {
				r.fail(r.pos(), fmt.Sprintf("invalid UTF-8 byte 0x%02x in string", c))
				return "", false
			}
			buf = append(buf, d[r.off:r.off+size]...)
			r.off += size
		default:
			buf = append(buf, c)
			r.off++
		}
	}
	r.fail(r.pos(), "unterminated string")
	return "", false
}

func (r *jsonReader) hex4() (rune, bool) {
	if len(r.data)-r.off < 4 {
		return 0, false
	}
	v, err := strconv.ParseUint(string(r.data[r.off:r.off+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	r.off += 4
	return rune(v), true
}

// separator reads the ',' or the closing byte after an array element or an
// object member: more is true after a comma.
func (r *jsonReader) separator(closing byte, what string) (more, ok bool) {
	r.skipSpace()
	if r.off >= len(r.data) {
		r.fail(r.pos(), fmt.Sprintf("unexpected end of input in %s: want ',' or '%c'", what, closing))
		return false, false
	}
	switch r.data[r.off] {
	case ',':
		r.off++
		return true, true
	case closing:
		r.off++
		return false, true
	}
	r.fail(r.pos(), fmt.Sprintf("unexpected %s in %s: want ',' or '%c'", r.describe(), what, closing))
	return false, false
}

func (r *jsonReader) array(depth int) *jsonNode {
	n := r.node(jsonArray, r.pos())
	r.off++ // [
	r.skipSpace()
	if r.off < len(r.data) && r.data[r.off] == ']' {
		r.off++
		return n
	}
	for {
		r.skipSpace()
		v := r.value(depth + 1)
		if v == nil {
			return nil
		}
		n.elems = append(n.elems, v)
		if more, ok := r.separator(']', "array"); !ok {
			return nil
		} else if !more {
			return n
		}
	}
}

func (r *jsonReader) object(depth int) *jsonNode {
	n := r.node(jsonObject, r.pos())
	r.off++ // {
	r.skipSpace()
	if r.off < len(r.data) && r.data[r.off] == '}' {
		r.off++
		return n
	}
	for {
		r.skipSpace()
		kp := r.pos()
		if r.off >= len(r.data) {
			r.fail(kp, "unexpected end of input: want a quoted member name")
			return nil
		}
		if r.data[r.off] != '"' {
			r.fail(kp, fmt.Sprintf("unexpected %s in object: want a quoted member name", r.describe()))
			return nil
		}
		key, ok := r.str()
		if !ok {
			return nil
		}
		r.skipSpace()
		if r.off >= len(r.data) || r.data[r.off] != ':' {
			r.fail(r.pos(), fmt.Sprintf("unexpected %s after member name %q: want ':'", r.describe(), key))
			return nil
		}
		r.off++
		r.skipSpace()
		v := r.value(depth + 1)
		if v == nil {
			return nil
		}
		n.members = append(n.members, jsonMember{key: key, keyPos: kp, val: v})
		if more, ok := r.separator('}', "object"); !ok {
			return nil
		} else if !more {
			return n
		}
	}
}
