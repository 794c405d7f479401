package analyze

import (
	"encoding/json"
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
	// parent and step say where the node sits; path builds the location
	// path from them when a finding needs it.
	parent *jnode
	step   PathElement
}

// path is the node's location path.
func (n *jnode) path() []PathElement {
	depth := 0
	for m := n; m.parent != nil; m = m.parent {
		depth++
	}
	out := make([]PathElement, depth)
	for m := n; m.parent != nil; m = m.parent {
		depth--
		out[depth] = m.step
	}
	return out
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
	// spans holds, in order of offset, the start of every key and value
	// with the node concerned, so a finding at a position gets its path
	// and span.
	spans []spanEntry
	// ascii and runeBlocks index character offsets (see runeOffset).
	ascii      bool
	runeBlocks []int
}

type spanEntry struct {
	off int
	n   *jnode
}

// at returns the node whose key or value starts at off, or nil.
func (d *document) at(off int) *jnode {
	i := sort.Search(len(d.spans), func(i int) bool { return d.spans[i].off >= off })
	if i < len(d.spans) && d.spans[i].off == off {
		return d.spans[i].n
	}
	return nil
}

type syntaxError struct {
	off int
	msg string
}

func readDocument(data []byte) (*document, *syntaxError) {
	d := &document{data: data, lines: newLineIndex(data)}
	root, err := policy.ReadJSON(data)
	if err != nil {
		return nil, &syntaxError{off: d.offset(err.Pos), msg: err.Msg}
	}
	r := &reader{d: d}
	d.root = r.node(root, nil, PathElement{})
	return d, nil
}

// reader copies the parser's JSON tree into jnodes, which add what lint
// needs: byte spans, the parent for location paths, and an index of
// where every key and value starts.
type reader struct {
	d     *document
	arena []jnode
}

func (r *reader) alloc() *jnode {
	if len(r.arena) == cap(r.arena) {
		r.arena = make([]jnode, 0, min(256, 2*cap(r.arena)+8))
	}
	r.arena = append(r.arena, jnode{})
	return &r.arena[len(r.arena)-1]
}

func (r *reader) node(v policy.JSONNode, parent *jnode, step PathElement) *jnode {
	n := r.alloc()
	n.start, n.end, n.parent, n.step = r.d.offset(v.Pos()), v.End(), parent, step
	r.d.spans = append(r.d.spans, spanEntry{n.start, n})
	switch v.Kind() {
	case policy.JSONObject:
		n.kind = jObject
		n.members = make([]jmember, v.Len())
		for i := range n.members {
			key, kp, val := v.Member(i)
			at := len(r.d.spans)
			ks := r.d.offset(kp)
			r.d.spans = append(r.d.spans, spanEntry{off: ks})
			c := r.node(val, n, PathElement{Value: key})
			r.d.spans[at].n = c
			n.members[i] = jmember{key: key, keyStart: ks, val: c}
		}
	case policy.JSONArray:
		n.kind = jArray
		n.elems = make([]*jnode, v.Len())
		for i := range n.elems {
			n.elems[i] = r.node(v.Elem(i), n, PathElement{Index: i, IsIndex: true})
		}
	case policy.JSONString:
		n.kind, n.text = jString, v.Text()
	case policy.JSONNumber:
		n.kind, n.text = jNumber, v.Text()
	case policy.JSONBool:
		n.kind, n.text = jBool, v.Text()
	default:
		n.kind = jNull
	}
	return n
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

// position converts a byte offset. Counting characters is done from a
// sparse index (the characters before every 4 KiB block), so a position
// costs at most a block's scan however long the document or its lines.
func (d *document) position(off int) Position {
	if off > len(d.data) {
		off = len(d.data)
	}
	p := d.lines.pos(int64(off))
	lineStart := int(d.lines[p.Line-1])
	return Position{Line: p.Line, Column: d.runeOffset(off) - d.runeOffset(lineStart), Offset: d.runeOffset(off)}
}

const runeBlock = 4096

// runeOffset is the number of characters before the byte offset.
func (d *document) runeOffset(off int) int {
	if d.runeBlocks == nil {
		d.ascii = true
		for _, c := range d.data {
			if c >= utf8.RuneSelf {
				d.ascii = false
				break
			}
		}
		d.runeBlocks = []int{0}
		if !d.ascii {
			n := 0
			for i := 0; i+runeBlock <= len(d.data); i += runeBlock {
				n += utf8.RuneCount(d.data[i : i+runeBlock])
				d.runeBlocks = append(d.runeBlocks, n)
			}
		}
	}
	if d.ascii {
		return off
	}
	b := off / runeBlock
	return d.runeBlocks[b] + utf8.RuneCount(d.data[b*runeBlock:off])
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
