package check

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/iamwhy/iamwhy/policy"
	"gopkg.in/yaml.v3"
)

// jsonReader reads JSON check files into the same yaml.Node trees yaml.v3
// builds for them (JSON is YAML), with line and column on every node, but
// several times faster: JSON's grammar is small and needs none of YAML's
// indentation and implicit typing. It streams from an io.Reader, so a caller
// can take a large "cases" array item by item. Object keys must be unique
// (RFC 8259 leaves duplicates to the reader; a check file with two values
// for one key is ambiguous, so it is an error naming both positions).
type jsonReader struct {
	r    io.Reader
	buf  []byte
	pos  int   // next byte in buf
	base int64 // file offset of buf[0]
	eof  bool
	rerr error

	line, col int  // of buf[pos], 1-based; col counts characters
	cr        bool // the last byte was a carriage return

	// Nodes and the Content slices of mappings and sequences are carved
	// out of chunks (slab, ptrs) instead of allocated one by one: a case
	// is some thirty nodes, and their allocation and collection were most
	// of the cost of reading a check file. stack holds the children of the
	// collections being read until each knows its length.
	slab  []yaml.Node
	ptrs  []*yaml.Node
	stack []*yaml.Node

	intern map[string]string
	bytes  byteArena
	recent [256]string // fastCase's strings (shortString)
	// nodeChunk is how many nodes are allocated at once. A streamed file
	// takes them one by one: a chunk lives as long as any node in it, and
	// in a file of a million cases the nodes that outlive their batch (a
	// failing case's, a kept inline policy's) each pinned a whole chunk, so
	// memory grew with the file (1.1 GB for 1M cases) instead of staying
	// bounded by the batch.
	nodeChunk int
	depth     int
}

// nodeMark is a point in the reader's node storage (see rewind).
type nodeMark struct {
	slab []yaml.Node
	ptrs []*yaml.Node
}

// mark returns the current point of the node storage.
func (p *jsonReader) mark() nodeMark { return nodeMark{p.slab, p.ptrs} }

// rewind hands the nodes and Content slices made since m out again. The
// caller promises that nothing it keeps points into them (a case without
// an inline policy keeps strings, not nodes). Storage that moved to a new
// chunk since m is not rewound: the old chunk's tail is simply left.
func (p *jsonReader) rewind(m nodeMark) {
	if sameChunk(m.slab, p.slab) {
		p.slab = m.slab
	}
	if sameChunk(m.ptrs, p.ptrs) {
		p.ptrs = m.ptrs
	}
}

// sameChunk reports whether the free tails a and b (a taken before b) are
// of one backing array: they end at the same element.
func sameChunk[T any](a, b []T) bool {
	return cap(a) > 0 && cap(b) > 0 && &a[:cap(a)][cap(a)-1] == &b[:cap(b)][cap(b)-1]
}

// jsonMaxDepth bounds nesting, so a hostile file cannot exhaust the stack.
const jsonMaxDepth = 200

// JSONError is a syntax error at a position of a JSON check file.
type jsonError struct {
	Line, Col int
	Msg       string
	Dup       bool // a duplicate key: valid JSON syntax, refused by the check-file rule
}

func (e *jsonError) Error() string {
	return policy.At("", e.Line, e.Col).String() + ": " + e.Msg
}

func newJSONReader(r io.Reader) *jsonReader {
	return &jsonReader{r: r, buf: make([]byte, 0, 256<<10), line: 1, col: 1, intern: map[string]string{}, nodeChunk: 1}
}

// newJSONBytes reads from data already in memory.
func newJSONBytes(data []byte) *jsonReader {
	return &jsonReader{buf: data, eof: true, line: 1, col: 1, intern: map[string]string{}, nodeChunk: 1024}
}

func (p *jsonReader) fail(format string, args ...any) {
	panic(&jsonError{Line: p.line, Col: p.col, Msg: fmt.Sprintf(format, args...)})
}

// fill makes at least one more byte available unless the input is done.
func (p *jsonReader) fill() bool {
	if p.eof {
		return false
	}
	if p.pos > 0 {
		n := copy(p.buf, p.buf[p.pos:])
		p.base += int64(p.pos)
		p.buf = p.buf[:n]
		p.pos = 0
	}
	if len(p.buf) == cap(p.buf) {
		nb := make([]byte, len(p.buf), 2*cap(p.buf))
		copy(nb, p.buf)
		p.buf = nb
	}
	for {
		n, err := p.r.Read(p.buf[len(p.buf):cap(p.buf)])
		p.buf = p.buf[:len(p.buf)+n]
		if err != nil {
			p.eof = true
			if err != io.EOF {
				p.rerr = err
				panic(&jsonError{Line: p.line, Col: p.col, Msg: "read: " + err.Error()})
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
}

// peek returns the next byte without consuming it, or 0 at the end.
func (p *jsonReader) peek() byte {
	if p.pos >= len(p.buf) && !p.fill() {
		return 0
	}
	return p.buf[p.pos]
}

func (p *jsonReader) skipSpace() byte {
	for {
		for p.pos < len(p.buf) {
			switch c := p.buf[p.pos]; c {
			case ' ', '\t':
				p.pos++
				p.col++
				p.cr = false
			case '\r': // a line break on its own too, as in YAML
				p.pos++
				p.line++
				p.col = 1
				p.cr = true
			case '\n':
				p.pos++
				if !p.cr {
					p.line++
				}
				p.col = 1
				p.cr = false
			default:
				p.cr = false
				return c
			}
		}
		if !p.fill() {
			return 0
		}
	}
}

// offset is the file offset of the next byte.
func (p *jsonReader) offset() int64 { return p.base + int64(p.pos) }

func (p *jsonReader) node() *yaml.Node {
	if len(p.slab) == 0 {
		p.slab = make([]yaml.Node, max(p.nodeChunk, 1))
	}
	n := &p.slab[0]
	p.slab = p.slab[1:]
	// A rewound node still holds what it held.
	*n = yaml.Node{Line: p.line, Column: p.col}
	return n
}

// content moves the children pushed on the stack since start into an exact
// Content slice (its capacity is its length, so an append elsewhere cannot
// write into a neighbour's children).
func (p *jsonReader) content(start int) []*yaml.Node {
	kids := p.stack[start:]
	n := len(kids)
	if n == 0 {
		return nil
	}
	if n > len(p.ptrs) {
		p.ptrs = make([]*yaml.Node, max(4096, n))
	}
	out := p.ptrs[:n:n]
	p.ptrs = p.ptrs[n:]
	copy(out, kids)
	clear(kids)
	p.stack = p.stack[:start]
	return out
}

// value reads one JSON value.
func (p *jsonReader) value() *yaml.Node {
	switch c := p.skipSpace(); c {
	case '{':
		return p.object()
	case '[':
		return p.array()
	case '"':
		n := p.node()
		n.Kind, n.Tag, n.Style = yaml.ScalarNode, "!!str", yaml.DoubleQuotedStyle
		n.Value = p.str()
		return n
	case 't', 'f', 'n':
		n := p.node()
		n.Kind = yaml.ScalarNode
		for _, lit := range [...]string{"true", "false", "null"} {
			if lit[0] == c {
				p.literal(lit)
				n.Value = lit
				n.Tag = "!!bool"
				if c == 'n' {
					n.Tag = "!!null"
				}
			}
		}
		return n
	case 0:
		p.fail("unexpected end of input")
	default:
		if c == '-' || c >= '0' && c <= '9' {
			return p.number()
		}
		p.fail("unexpected character %q", rune(c))
	}
	return nil
}

func (p *jsonReader) literal(lit string) {
	line, col := p.line, p.col
	for i := 0; i < len(lit); i++ {
		if p.peek() != lit[i] {
			panic(&jsonError{Line: line, Col: col, Msg: fmt.Sprintf("invalid literal (want %s)", lit)})
		}
		p.pos++
		p.col++
	}
}

func (p *jsonReader) number() *yaml.Node {
	n := p.node()
	n.Kind = yaml.ScalarNode
	var b []byte
	for {
		c := p.peek()
		if c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' || c >= '0' && c <= '9' {
			b = append(b, c)
			p.pos++
			p.col++
			continue
		}
		break
	}
	if !jsonNumber(b) {
		panic(&jsonError{Line: n.Line, Col: n.Column, Msg: fmt.Sprintf("invalid number %q", b)})
	}
	n.Value = p.internBytes(b)
	n.Tag = numberTag(n.Value)
	return n
}

// numberTag is the tag yaml.v3 resolves a JSON number to: an integer when
// it fits 64 bits, a float when it is in range, else (1e400) a string.
func numberTag(s string) string {
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return "!!int"
	}
	if _, err := strconv.ParseUint(s, 10, 64); err == nil {
		return "!!int"
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return "!!float"
	}
	return "!!str"
}

// jsonNumber checks RFC 8259's number grammar, which is stricter than
// ParseFloat (no leading zeros, no "+", digits on both sides of ".").
func jsonNumber(b []byte) bool {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i >= len(b) {
		return false
	}
	if b[i] == '0' {
		i++
	} else if b[i] >= '1' && b[i] <= '9' {
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	} else {
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == j {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == j {
			return false
		}
	}
	return i == len(b)
}

// internBytes returns b as a string, sharing short, repeated strings (keys,
// action names, policy names) instead of allocating each again. The table is
// bounded so that unique values cannot grow it without limit.
func (p *jsonReader) internBytes(b []byte) string {
	if len(b) > 24 {
		// Longer strings are mostly unique (names, ARNs): looking them
		// up costs more than copying them.
		return p.bytes.string(b)
	}
	if s, ok := p.intern[string(b)]; ok {
		return s
	}
	s := p.bytes.string(b)
	if len(p.intern) < 8192 {
		p.intern[s] = s
	}
	return s
}

// str reads a string; the opening quote is the next byte.
func (p *jsonReader) str() string {
	p.pos++
	p.col++
	// Fast path: the whole string is in the buffer without escapes.
	for i := p.pos; i < len(p.buf); i++ {
		c := p.buf[i]
		if c == '"' {
			raw := p.buf[p.pos:i]
			if !utf8.Valid(raw) {
				break
			}
			s := p.internBytes(raw)
			p.col += utf8.RuneCount(raw) + 1
			p.pos = i + 1
			return s
		}
		if c == '\\' || c < 0x20 {
			break
		}
	}
	var out []byte
	for {
		if p.pos >= len(p.buf) && !p.fill() {
			p.fail("unterminated string")
		}
		c := p.buf[p.pos]
		switch {
		case c == '"':
			p.pos++
			p.col++
			if !utf8.Valid(out) {
				p.fail("string is not valid UTF-8")
			}
			return p.internBytes(out)
		case c < 0x20:
			p.fail("control character %#02x in a string (write it escaped)", c)
		case c == '\\':
			p.pos++
			p.col++
			e := p.peek()
			p.pos++
			p.col++
			switch e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r := p.hex4()
				if utf16.IsSurrogate(r) {
					r2 := rune(-1)
					if p.peek() == '\\' {
						p.pos++
						p.col++
						if p.peek() == 'u' {
							p.pos++
							p.col++
							r2 = p.hex4()
						} else {
							p.fail("invalid escape after a surrogate")
						}
					}
					r = utf16.DecodeRune(r, r2)
				}
				out = utf8.AppendRune(out, r)
			default:
				p.fail("invalid escape \\%c", e)
			}
		default:
			out = append(out, c)
			p.pos++
			if c&0xC0 != 0x80 {
				p.col++
			}
		}
	}
}

func (p *jsonReader) hex4() rune {
	var r rune
	for i := 0; i < 4; i++ {
		c := p.peek()
		p.pos++
		p.col++
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			p.fail("invalid \\u escape")
		}
	}
	return r
}

func (p *jsonReader) enter() {
	p.depth++
	if p.depth > jsonMaxDepth {
		p.fail("nested more than %d levels deep", jsonMaxDepth)
	}
}

// object reads an object; the '{' is the next byte.
func (p *jsonReader) object() *yaml.Node {
	return p.objectWith(nil)
}

// objectWith reads an object, handing each value whose key take returns
// true to read instead of building it (for the streamed "cases"); take
// sees the object as read so far.
func (p *jsonReader) objectWith(take func(obj, key *yaml.Node) bool) *yaml.Node {
	p.enter()
	n := p.node()
	n.Kind, n.Tag, n.Style = yaml.MappingNode, "!!map", yaml.FlowStyle
	var keys map[string]*yaml.Node
	p.pos++
	p.col++
	if p.skipSpace() == '}' {
		p.pos++
		p.col++
		p.depth--
		return n
	}
	start := len(p.stack)
	for {
		if p.skipSpace() != '"' {
			p.fail("want a quoted key")
		}
		k := p.node()
		k.Kind, k.Tag, k.Style = yaml.ScalarNode, "!!str", yaml.DoubleQuotedStyle
		k.Value = p.str()
		if first := seenKey(p.stack[start:], k, &keys); first != nil {
			// The message of yamldoc, the rule for YAML check files.
			panic(&jsonError{Line: k.Line, Col: k.Column, Dup: true, Msg: fmt.Sprintf("key %q given twice (first at %s)", k.Value, nodePos(first).LineCol())})
		}
		if p.skipSpace() != ':' {
			p.fail("want ':' after a key")
		}
		p.pos++
		p.col++
		var v *yaml.Node
		if take != nil {
			// take sees the object as read so far.
			n.Content = p.stack[start:len(p.stack):len(p.stack)]
		}
		if take != nil && take(n, k) {
			v = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: k.Line, Column: k.Column}
		} else {
			v = p.value()
		}
		p.stack = append(p.stack, k, v)
		switch p.skipSpace() {
		case ',':
			p.pos++
			p.col++
		case '}':
			p.pos++
			p.col++
			p.depth--
			n.Content = p.content(start)
			return n
		default:
			p.fail("want ',' or '}' in an object")
		}
	}
}

// seenKey returns the earlier key node equal to k among an object's
// pairs read so far (content), if any, and otherwise records k. Small
// objects are searched in place; large ones (a policies: section with
// thousands of names) through an index.
func seenKey(content []*yaml.Node, k *yaml.Node, index *map[string]*yaml.Node) *yaml.Node {
	const linear = 16
	if *index == nil && len(content) < 2*linear {
		for i := 0; i < len(content); i += 2 {
			if content[i].Value == k.Value {
				return content[i]
			}
		}
		return nil
	}
	if *index == nil {
		*index = make(map[string]*yaml.Node, len(content))
		for i := 0; i < len(content); i += 2 {
			(*index)[content[i].Value] = content[i]
		}
	}
	if first, ok := (*index)[k.Value]; ok {
		return first
	}
	(*index)[k.Value] = k
	return nil
}

// array reads an array; the '[' is the next byte.
func (p *jsonReader) array() *yaml.Node {
	p.enter()
	n := p.node()
	n.Kind, n.Tag, n.Style = yaml.SequenceNode, "!!seq", yaml.FlowStyle
	p.pos++
	p.col++
	if p.skipSpace() == ']' {
		p.pos++
		p.col++
		p.depth--
		return n
	}
	start := len(p.stack)
	for {
		v := p.value()
		p.stack = append(p.stack, v)
		switch p.skipSpace() {
		case ',':
			p.pos++
			p.col++
		case ']':
			p.pos++
			p.col++
			p.depth--
			n.Content = p.content(start)
			return n
		default:
			p.fail("want ',' or ']' in an array")
		}
	}
}

// catch turns the reader's panics into errors; other panics go on.
func catch(err *error) {
	if r := recover(); r != nil {
		je, ok := r.(*jsonError)
		if !ok {
			panic(r)
		}
		*err = je
	}
}

// parseJSONDocument reads a whole JSON document (one value and nothing
// after it) into a node tree.
func parseJSONDocument(data []byte) (n *yaml.Node, err error) {
	defer catch(&err)
	p := newJSONBytes(data)
	n = p.value()
	if p.skipSpace() != 0 {
		p.fail("unexpected text after the document")
	}
	return n, nil
}

// looksLikeJSON reports whether a check file's text starts as a JSON
// object does.
func looksLikeJSON(data []byte) bool {
	for _, c := range data {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{':
			return true
		}
		return false
	}
	return false
}

// jsonFileError is a JSON reader's error as a FileError at its position.
func jsonFileError(path string, err error) error {
	var je *jsonError
	if errors.As(err, &je) {
		msg := "not valid JSON: " + je.Msg
		if je.Dup {
			msg = je.Msg
		}
		return &FileError{Path: path, Pos: policy.At("", je.Line, je.Col), Msg: msg}
	}
	return &FileError{Path: path, Msg: "not valid JSON: " + err.Error()}
}

// caseError carries a case's error out of the reader's callbacks.
type caseError struct{ err error }

// parseJSONCheck reads a JSON check file. When its policies come before
// its cases (as people and most tools write them), each case is read into
// a Case as soon as it is parsed and its nodes dropped, so memory holds
// cases, not the tree of the whole file; otherwise the whole tree is read
// first. Syntax errors come back as *jsonError, problems of the check file
// as *FileError.
func parseJSONCheck(path string, data []byte) (f *File, err error) {
	defer func() {
		if r := recover(); r != nil {
			ce, ok := r.(caseError)
			if !ok {
				panic(r)
			}
			f, err = nil, ce.err
		}
	}()
	defer catch(&err)
	p := newJSONBytes(data)
	if p.skipSpace() != '{' {
		root := p.value()
		if p.skipSpace() != 0 {
			p.fail("unexpected text after the document")
		}
		return interpret(path, root, nil)
	}
	var early *File
	var cr *caseReader
	root := p.objectWith(func(obj, k *yaml.Node) bool {
		if k.Value != "cases" || early != nil || p.skipSpace() != '[' {
			return false
		}
		hasPolicies := false
		for i := 0; i < len(obj.Content); i += 2 {
			hasPolicies = hasPolicies || obj.Content[i].Value == "policies"
		}
		if !hasPolicies {
			return false
		}
		hf, _, err := readHeader(path, obj)
		if err != nil {
			panic(caseError{err})
		}
		// A case is a few hundred bytes.
		early, cr = hf, newCaseReader(hf, (len(data)-p.pos)/320)
		var one [1]*yaml.Node
		// The reader refuses duplicate keys itself, with yamldoc's
		// message, and JSON has no aliases: yamldoc.Check could find
		// nothing in these items.
		add := func(c *Case) {
			if err := cr.add(c); err != nil {
				panic(caseError{err})
			}
			hf.Cases = append(hf.Cases, c)
		}
		fast := func() bool {
			c, ok := p.fastCase(hf)
			if ok {
				add(c)
			}
			return ok
		}
		if !fastJSONCases {
			fast = nil
		}
		half := splitJSONCases(hf, data, p.pos)
		defer half.wait()
		var before func() bool
		if half != nil {
			before = func() bool { return half.take(p, add) }
		}
		p.itemsFast(before, fast, func(n *yaml.Node) bool {
			one[0] = n
			cs, err := cr.read(one[:])
			if err != nil {
				panic(caseError{err})
			}
			hf.Cases = append(hf.Cases, cs...)
			return !hf.keepNodes(cs)
		})
		return true
	})
	if p.skipSpace() != 0 {
		p.fail("unexpected text after the document")
	}
	if early == nil {
		return interpret(path, root, nil)
	}
	// The keys after the cases (an unknown key, the environment).
	late, _, err := readHeader(path, root)
	if err != nil {
		return nil, err
	}
	early.Environment = late.Environment
	if len(early.Cases) == 0 {
		return nil, errNoCases(path, policy.Pos{})
	}
	return early, nil
}
