package analyze

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"unicode/utf8"

	"github.com/iamwhy/iamwhy/policy"
)

// Lint reads the document itself rather than through policy.Parse: Access
// Analyzer reports a policy's problems one by one (an empty Action list is
// a suggestion, a misspelt element an error, and the rest of the policy is
// still checked), while the parser stops at the first document it cannot
// accept. The reader keeps, for every key and value, its byte span and its
// location path, which Access Analyzer's findings carry
// (https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_Location.html).

// PathElement is one step of a location path: an object key (Value) or a
// list position (Index), as in Access Analyzer's PathElement.
type PathElement struct {
	Value   string
	Index   int
	IsIndex bool
}

// MarshalJSON writes {"value": "Statement"} or {"index": 0}.
func (e PathElement) MarshalJSON() ([]byte, error) {
	if e.IsIndex {
		return []byte(`{"index":` + strconv.Itoa(e.Index) + `}`), nil
	}
	v, err := json.Marshal(e.Value)
	if err != nil {
		return nil, err
	}
	return append(append([]byte(`{"value":`), v...), '}'), nil
}

type jkind uint8

const (
	jObject jkind = iota
	jArray
	jString
	jNumber
	jBool
	jNull
)

var jkindNames = [...]string{"an object", "a list", "a string", "a number", "a boolean", "null"}

func (k jkind) String() string { return jkindNames[k] }

// jnode is a JSON value with its byte span [start, end).
type jnode struct {
	kind       jkind
	start, end int
	text       string // strings; numbers and booleans as written
	members    []jmember
	elems      []*jnode
	path       []PathElement
}

type jmember struct {
	key      string
	keyStart int
	val      *jnode
}

// document is a read JSON document.
type document struct {
	data  []byte
	lines lineIndex
	root  *jnode
	// spans maps the start offset of every key and value to the node
	// concerned, so a finding at a position gets its path and span.
	spans map[int]*jnode
}

// maxDepth bounds the nesting a document may have: a policy needs five
// levels; deeper input is refused rather than recursed into.
const maxDepth = 64

type syntaxError struct {
	off int
	msg string
}

func readDocument(data []byte) (*document, *syntaxError) {
	d := &document{data: data, lines: newLineIndex(data), spans: map[int]*jnode{}}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	r := &reader{dec: dec, d: d}
	root, err := r.value(nil, 0)
	if err != nil {
		return nil, err
	}
	if _, terr := dec.Token(); terr != io.EOF {
		return nil, &syntaxError{off: r.skip(int(dec.InputOffset())), msg: "unexpected text after the policy document"}
	}
	d.root = root
	return d, nil
}

type reader struct {
	dec *json.Decoder
	d   *document
}

// skip returns the offset of the next token at or after off (past white
// space and the separators encoding/json consumes silently).
func (r *reader) skip(off int) int {
	data := r.d.data
	for off < len(data) {
		switch data[off] {
		case ' ', '\t', '\n', '\r', ',', ':':
			off++
		default:
			return off
		}
	}
	return off
}

func (r *reader) fail(err error, at int) *syntaxError {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off := int(se.Offset) - 1
		if off < 0 {
			off = 0
		}
		return &syntaxError{off: off, msg: se.Error()}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &syntaxError{off: len(r.d.data), msg: "unexpected end of the document"}
	}
	return &syntaxError{off: at, msg: err.Error()}
}

func (r *reader) value(path []PathElement, depth int) (*jnode, *syntaxError) {
	start := r.skip(int(r.dec.InputOffset()))
	tok, err := r.dec.Token()
	if err != nil {
		return nil, r.fail(err, start)
	}
	if depth > maxDepth {
		return nil, &syntaxError{off: start, msg: fmt.Sprintf("the document nests deeper than %d levels", maxDepth)}
	}
	n := &jnode{start: start, path: path}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n.kind = jObject
			for r.dec.More() {
				kstart := r.skip(int(r.dec.InputOffset()))
				ktok, err := r.dec.Token()
				if err != nil {
					return nil, r.fail(err, kstart)
				}
				key, _ := ktok.(string)
				v, serr := r.value(appendPath(path, PathElement{Value: key}), depth+1)
				if serr != nil {
					return nil, serr
				}
				n.members = append(n.members, jmember{key: key, keyStart: kstart, val: v})
				r.d.spans[kstart] = v
			}
		case '[':
			n.kind = jArray
			for i := 0; r.dec.More(); i++ {
				v, serr := r.value(appendPath(path, PathElement{Index: i, IsIndex: true}), depth+1)
				if serr != nil {
					return nil, serr
				}
				n.elems = append(n.elems, v)
			}
		}
		if _, err := r.dec.Token(); err != nil {
			return nil, r.fail(err, start)
		}
	case string:
		n.kind, n.text = jString, t
	case json.Number:
		n.kind, n.text = jNumber, t.String()
	case bool:
		n.kind, n.text = jBool, strconv.FormatBool(t)
	case nil:
		n.kind = jNull
	}
	n.end = int(r.dec.InputOffset())
	r.d.spans[start] = n
	return n, nil
}

// appendPath copies: paths of siblings must not share a backing array.
func appendPath(path []PathElement, e PathElement) []PathElement {
	out := make([]PathElement, len(path)+1)
	copy(out, path)
	out[len(path)] = e
	return out
}

func (n *jnode) get(key string) *jmember {
	for i := range n.members {
		if n.members[i].key == key {
			return &n.members[i]
		}
	}
	return nil
}

// pos is the line:column (1-based, columns in bytes) of an offset.
func (d *document) pos(off int) policy.Pos { return d.lines.pos(int64(off)) }

// offset turns a position back into a byte offset.
func (d *document) offset(p policy.Pos) int {
	if !p.IsValid() || p.Line > len(d.lines) {
		return 0
	}
	return int(d.lines[p.Line-1]) + p.Col - 1
}

// Span is a location in the document as Access Analyzer's Position counts
// it (https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_Position.html):
// line from 1, column from 0, offset from 0. Columns and offsets count
// characters, not bytes.
type Span struct {
	Start Position `json:"start"`
	End   Position `json:"end"`
}

// Position is one end of a Span.
type Position struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Offset int `json:"offset"`
}

// position converts a byte offset.
func (d *document) position(off int) Position {
	if off > len(d.data) {
		off = len(d.data)
	}
	p := d.lines.pos(int64(off))
	lineStart := int(d.lines[p.Line-1])
	return Position{Line: p.Line, Column: utf8.RuneCount(d.data[lineStart:off]), Offset: utf8.RuneCount(d.data[:off])}
}

// lineIndex turns byte offsets into line:column (1-based, columns in
// bytes, as package policy counts them).
type lineIndex []int64 // offsets at which lines start

func newLineIndex(data []byte) lineIndex {
	idx := lineIndex{0}
	for i, b := range data {
		if b == '\n' {
			idx = append(idx, int64(i+1))
		}
	}
	return idx
}

func (l lineIndex) pos(off int64) policy.Pos {
	i := sort.Search(len(l), func(i int) bool { return l[i] > off }) - 1
	return policy.Pos{Line: i + 1, Col: int(off-l[i]) + 1}
}
