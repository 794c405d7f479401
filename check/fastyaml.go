package check

import (
	"math/bits"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// fastYAML parses the plain subset of YAML that check files are written in
// (block mappings and sequences, flow [..] and {..}, plain and simply
// quoted scalars, comments) into the same yaml.Node tree as yaml.v3, several
// times faster. On anything outside the subset (anchors, aliases, tags,
// block scalars, multi-line scalars, escapes it does not know, tabs) it
// gives up and the caller uses yaml.v3, so the subset never changes what a
// file means. TestFastYAMLMatchesYAMLv3 checks the trees are equal.
type fastYAML struct {
	src       string
	lines     []string
	lineNo    int // index into lines of the current line
	firstLine int // line number of lines[0] in the file
	// slab holds nodes not handed out yet: allocating them one by one
	// was a third of reading a YAML check file. A streamed file's items
	// take their nodes one by one (nodeChunk 1), as the JSON reader's do:
	// a node that outlives its batch would pin its whole chunk.
	slab      []yaml.Node
	nodeChunk int
}

// node returns a zero node from the slab.
func (p *fastYAML) node() *yaml.Node {
	if len(p.slab) == 0 {
		p.slab = make([]yaml.Node, max(p.nodeChunk, 1))
	}
	n := &p.slab[0]
	p.slab = p.slab[1:]
	*n = yaml.Node{} // a node handed out again after rewind holds what it held
	return n
}

type bail struct{}

// parseFastYAML parses a chunk that is a block sequence (the items of
// "cases:"), with firstLine the chunk's first line in the file, allocating
// nodes nodeChunk at a time. ok is false when the chunk is outside the
// subset.
func parseFastYAML(src string, firstLine, nodeChunk int) (items []*yaml.Node, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, isBail := r.(bail); !isBail {
				panic(r)
			}
			items, ok = nil, false
		}
	}()
	lines, ok := textLines(src)
	if !ok {
		return nil, false
	}
	p := &fastYAML{src: src, lines: lines, firstLine: firstLine, nodeChunk: nodeChunk}
	p.skipBlank()
	if p.lineNo >= len(p.lines) {
		return nil, false
	}
	indent := indentOf(p.lines[p.lineNo])
	seq := p.blockSequence(indent)
	p.skipBlank()
	if p.lineNo < len(p.lines) {
		return nil, false
	}
	return seq.Content, true
}

// eachFastYAML is parseFastYAML handing each item to fn as it is parsed,
// instead of returning them all; when fn returns true nothing points into
// the item's nodes any more and they are used again for the next items.
// ok is false when the chunk is outside the subset (fn may have seen
// some of its items by then).
//
// When cases is not nil, items that readFastYAMLCase reads straight into
// a Case of cases are handed to onCase instead, without nodes.
//
// scratch, when not nil, holds a slice of lines to reuse, and gets the
// one used back: a goroutine reading chunk after chunk splits each into
// the same memory (the lines of 20,000 cases are 4.6 MB, new memory the
// kernel must clear, when each chunk has its own).
func eachFastYAML(src string, firstLine int, fn func(*yaml.Node) (release bool), cases *File, onCase func(*Case), scratch *[]string) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, isBail := r.(bail); !isBail {
				panic(r)
			}
			ok = false
		}
	}()
	var buf []string
	if scratch != nil {
		buf = (*scratch)[:0]
	}
	lines, ok := textLinesInto(buf, src)
	if scratch != nil && ok {
		*scratch = lines
	}
	if !ok {
		return false
	}
	p := &fastYAML{src: src, lines: lines, firstLine: firstLine, nodeChunk: 256}
	p.skipBlank()
	if p.lineNo >= len(p.lines) {
		return false
	}
	indent := indentOf(p.lines[p.lineNo])
	var direct func(col int) bool
	if cases != nil && fastYAMLDirect {
		direct = func(col int) bool {
			c, ok := p.readFastYAMLCase(cases, col)
			if ok {
				onCase(c)
			}
			return ok
		}
	}
	p.blockItems(indent, func(item *yaml.Node, mark []yaml.Node) {
		if fn(item) && sameChunk(mark, p.slab) {
			p.slab = mark
		}
	}, direct)
	p.skipBlank()
	return p.lineNo >= len(p.lines)
}

// printable reports whether src is valid UTF-8 made of characters YAML
// allows in plain documents, without tabs, carriage returns or the other
// characters yaml.v3 reads as line breaks (which the subset leaves to
// yaml.v3).
func printable(src string) bool {
	// ASCII, the usual text, without decoding runes: eight bytes at a time
	// while each is a line feed or in 0x20..0x7e, else a byte at a time
	// (all of it a byte at a time was a twentieth of reading a large file).
	i := 0
ascii:
	for i < len(src) {
		if i+8 <= len(src) {
			w := uint64(src[i]) | uint64(src[i+1])<<8 | uint64(src[i+2])<<16 | uint64(src[i+3])<<24 |
				uint64(src[i+4])<<32 | uint64(src[i+5])<<40 | uint64(src[i+6])<<48 | uint64(src[i+7])<<56
			if textASCII8(w) {
				i += 8
				continue
			}
		}
		for end := min(i+8, len(src)); i < end; i++ {
			c := src[i]
			if c >= utf8.RuneSelf {
				break ascii
			}
			if c < 0x20 && c != '\n' || c == 0x7f {
				return false
			}
		}
	}
	src = src[i:]
	if !utf8.ValidString(src) {
		return false
	}
	for _, r := range src {
		switch {
		case r == '\n':
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f, r == 0xfeff, r >= 0xfffe:
			return false
		case r == '\u2028', r == '\u2029':
			// yaml.v3 reads the line and paragraph separators as line
			// breaks (YAML 1.1's, with NEL above), which the subset's
			// lines do not.
			return false
		}
	}
	return true
}

// textLines is printable and strings.Split(src, "\n") in one pass: the
// lines of src, and ok false when printable is. ASCII text is read eight
// bytes at a time, its line feeds found in the same words; anything else
// takes the two separate passes (testing, splitting and, for the fast
// reader, scanning each line again were each a tenth of reading a large
// file).
func textLines(src string) (lines []string, ok bool) {
	return textLinesInto(nil, src)
}

// textLinesInto is textLines appending to lines[:0], which it grows when
// too small.
func textLinesInto(lines []string, src string) ([]string, bool) {
	const ones = 0x0101010101010101
	if want := len(src)/32 + 1; cap(lines) < want {
		lines = make([]string, 0, want)
	}
	lines = lines[:0]
	start, i := 0, 0
	// bad collects the bytes notText8 marks, tested once at the end
	// (the text then takes slowLines from its start): a test and branch
	// per word cost a third of the pass.
	var bad uint64
	for ; i+8 <= len(src); i += 8 {
		s := src[i : i+8] // one bounds check for the eight bytes
		w := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		nl := zeroBytes(w ^ (0x0a * ones))
		bad |= notText8(w, nl)
		for ; nl != 0; nl &= nl - 1 {
			end := i + bits.TrailingZeros64(nl)/8
			lines = append(lines, src[start:end])
			start = end + 1
		}
	}
	if bad != 0 {
		return slowLines(src)
	}
	for ; i < len(src); i++ {
		switch c := src[i]; {
		case c == '\n':
			lines = append(lines, src[start:i])
			start = i + 1
		case c < 0x20 || c >= 0x7f:
			return slowLines(src)
		}
	}
	return append(lines, src[start:]), true
}

// slowLines is textLines for text that is not all printable ASCII.
func slowLines(src string) ([]string, bool) {
	if !printable(src) {
		return nil, false
	}
	return strings.Split(src, "\n"), true
}

// zeroBytes has the top bit of each byte of x set exactly when the byte is
// zero (see textASCII8).
func zeroBytes(x uint64) uint64 {
	const low7, highs = 0x7f7f7f7f7f7f7f7f, 0x8080808080808080
	return ^((x&low7 + low7) | x) & highs
}

// textASCII8 reports whether each of the eight bytes of w is a line feed
// or in 0x20..0x7e. Each mask below has the top bit of a byte set exactly
// when the byte is what it names (no carry crosses a byte: every sum is
// of a byte's low seven bits and a constant below 0x80).
func textASCII8(w uint64) bool {
	const ones = 0x0101010101010101
	return notText8(w, zeroBytes(w^(0x0a*ones))) == 0
}

// notText8 has the top bit of each byte of w set that is neither a line
// feed nor in 0x20..0x7e, given nl, w's line feeds as zeroBytes marks
// them.
func notText8(w, nl uint64) uint64 {
	const ones, low7, highs = 0x0101010101010101, 0x7f7f7f7f7f7f7f7f, 0x8080808080808080
	below20 := ^((w&low7 + 0x60*ones) | w) & highs
	return below20&^nl | zeroBytes(w^low7) | w&highs
}

func indentOf(l string) int {
	i := 0
	for i < len(l) && l[i] == ' ' {
		i++
	}
	return i
}

// skipBlank moves past empty and comment-only lines.
func (p *fastYAML) skipBlank() {
	// Only spaces indent (textLines lets no tab or other control
	// character through); a line holding another space character, such as
	// U+00A0, is not blank here and the parse gives up on it.
	for p.lineNo < len(p.lines) {
		l := p.lines[p.lineNo]
		i := 0
		for i < len(l) && l[i] == ' ' {
			i++
		}
		if i < len(l) && l[i] != '#' {
			return
		}
		p.lineNo++
	}
}

func (p *fastYAML) line() int { return p.firstLine + p.lineNo }

func (p *fastYAML) blockSequence(indent int) *yaml.Node {
	seq := p.node()
	*seq = yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: p.line(), Column: indent + 1}
	p.blockItems(indent, func(item *yaml.Node, _ []yaml.Node) { seq.Content = append(seq.Content, item) }, nil)
	return seq
}

// blockItems parses the items of a block sequence at indent, handing each
// to fn with the slab as it was before the item's nodes were taken; an
// item that is a mapping is first offered to direct (when not nil), given
// the column of its first key, which reads it without nodes or returns
// false.
func (p *fastYAML) blockItems(indent int, fn func(item *yaml.Node, mark []yaml.Node), direct func(col int) bool) {
	for {
		p.skipBlank()
		if p.lineNo >= len(p.lines) {
			return
		}
		l := p.lines[p.lineNo]
		in := indentOf(l)
		if in < indent {
			return
		}
		if in > indent || !strings.HasPrefix(l[in:], "- ") && l[in:] != "-" {
			panic(bail{})
		}
		// "- key: value" opens a mapping whose keys sit at in+2.
		rest := l[in+1:]
		content := strings.TrimLeft(rest, " ")
		col := in + 1 + (len(rest) - len(content)) // 0-based column of the content
		if content == "" || content[0] == '#' {
			panic(bail{})
		}
		mark := p.slab
		if isMappingEntry(content) {
			if direct != nil && direct(col) {
				continue
			}
			p.lines[p.lineNo] = strings.Repeat(" ", col) + content
			fn(p.blockMapping(col), mark)
			continue
		}
		v := p.inlineValue(content, col)
		p.lineNo++
		fn(v, mark)
	}
}

// isMappingEntry reports whether a line's content is "key: ..." with a
// plain key.
func isMappingEntry(s string) bool {
	if s == "" || !plainStart(s) {
		return false
	}
	i := strings.Index(s, ": ")
	if i < 0 {
		return strings.HasSuffix(s, ":") && !strings.Contains(s, " #")
	}
	return !strings.Contains(s[:i], " #")
}

func (p *fastYAML) blockMapping(indent int) *yaml.Node {
	m := p.node()
	*m = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: p.line(), Column: indent + 1}
	for {
		p.skipBlank()
		if p.lineNo >= len(p.lines) {
			return m
		}
		l := p.lines[p.lineNo]
		in := indentOf(l)
		if in < indent {
			return m
		}
		if in > indent {
			panic(bail{})
		}
		content := l[in:]
		if !isMappingEntry(content) {
			panic(bail{})
		}
		var key, rest string
		if i := strings.Index(content, ": "); i >= 0 {
			key, rest = content[:i], content[i+2:]
		} else {
			key, rest = strings.TrimSuffix(content, ":"), ""
		}
		if key == "" || strings.ContainsAny(key, "[]{},\"'#") || !plainStart(key) || strings.TrimSpace(key) != key {
			panic(bail{})
		}
		kn := p.scalarNode(key, false, p.line(), in+1)
		valText := strings.TrimLeft(rest, " ")
		// Columns count characters, as yaml.v3 does.
		keyLen := utf8.RuneCountInString(key)
		valCol := in + keyLen + 2 + (len(rest) - len(valText))
		if valText == "" || strings.HasPrefix(valText, "#") {
			// A nested block, or null.
			p.lineNo++
			p.skipBlank()
			var v *yaml.Node
			if p.lineNo < len(p.lines) {
				nl := p.lines[p.lineNo]
				ni := indentOf(nl)
				switch {
				case ni > indent && isMappingEntry(nl[ni:]):
					v = p.blockMapping(ni)
				case ni >= indent && (strings.HasPrefix(nl[ni:], "- ") || nl[ni:] == "-"):
					v = p.blockSequence(ni)
				}
			}
			if v == nil {
				v = p.node()
				*v = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Line: kn.Line, Column: in + keyLen + 2}
			}
			m.Content = append(m.Content, kn, v)
			continue
		}
		m.Content = append(m.Content, kn, p.inlineValue(valText, valCol))
		p.lineNo++
	}
}

// inlineValue parses a value that stands on the current line: a flow
// collection or a scalar, then nothing but a comment.
func (p *fastYAML) inlineValue(s string, col int) *yaml.Node {
	f := &flow{p: p, s: s, line: p.line(), col0: col}
	v := f.value(false)
	f.space()
	if f.i < len(f.s) && f.s[f.i] != '#' {
		panic(bail{})
	}
	return v
}

// flow parses one line's flow content.
type flow struct {
	p    *fastYAML // for its nodes
	s    string
	i    int
	line int
	col0 int // 0-based column of s[0]

	// The characters of s[:counted], for column: f.i only moves forward,
	// so each byte is counted once.
	counted, runes int
}

// column is the 1-based column of s[f.i]. yaml.v3 counts characters, not
// bytes.
func (f *flow) column() int {
	f.runes += utf8.RuneCountInString(f.s[f.counted:f.i])
	f.counted = f.i
	return f.col0 + f.runes + 1
}

func (f *flow) space() {
	for f.i < len(f.s) && f.s[f.i] == ' ' {
		f.i++
	}
}

func (f *flow) value(inFlow bool) *yaml.Node {
	f.space()
	if f.i >= len(f.s) {
		panic(bail{})
	}
	col := f.column()
	switch f.s[f.i] {
	case '[':
		n := f.p.node()
		*n = yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle, Line: f.line, Column: col}
		f.i++
		f.space()
		if f.i < len(f.s) && f.s[f.i] == ']' {
			f.i++
			return n
		}
		for {
			n.Content = append(n.Content, f.value(true))
			f.space()
			if f.i >= len(f.s) {
				panic(bail{})
			}
			if f.s[f.i] == ']' {
				f.i++
				return n
			}
			if f.s[f.i] != ',' {
				panic(bail{})
			}
			f.i++
		}
	case '{':
		n := f.p.node()
		*n = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle, Line: f.line, Column: col}
		f.i++
		f.space()
		if f.i < len(f.s) && f.s[f.i] == '}' {
			f.i++
			return n
		}
		for {
			f.space()
			kcol := f.column()
			k := f.plainUntil(":")
			// Inside {..} a comma or bracket ends a plain scalar ({a, b: c} is
			// a key without a value, then b): leave such keys to yaml.v3.
			if k == "" || !plainStart(k) || strings.ContainsAny(k, ",[]{}") || f.i+1 >= len(f.s) || f.s[f.i] != ':' || f.s[f.i+1] != ' ' {
				panic(bail{})
			}
			f.i++
			n.Content = append(n.Content, f.p.scalarNode(k, false, f.line, kcol), f.value(true))
			f.space()
			if f.i >= len(f.s) {
				panic(bail{})
			}
			if f.s[f.i] == '}' {
				f.i++
				return n
			}
			if f.s[f.i] != ',' {
				panic(bail{})
			}
			f.i++
		}
	}
	v, style := f.scalar(inFlow)
	n := f.p.scalarNode(v, style != 0, f.line, col)
	n.Style = style
	return n
}

// scalar reads the scalar at f.i (not a flow collection): its value, and
// its style, 0 when plain.
func (f *flow) scalar(inFlow bool) (string, yaml.Style) {
	switch f.s[f.i] {
	case '"':
		end := strings.IndexByte(f.s[f.i+1:], '"')
		if end < 0 {
			panic(bail{})
		}
		raw := f.s[f.i+1 : f.i+1+end]
		if strings.IndexByte(raw, '\\') >= 0 {
			panic(bail{})
		}
		f.i += end + 2
		return raw, yaml.DoubleQuotedStyle
	case '\'':
		end := strings.IndexByte(f.s[f.i+1:], '\'')
		if end < 0 || (f.i+2+end < len(f.s) && f.s[f.i+2+end] == '\'') {
			panic(bail{}) // '' escapes: leave to yaml.v3
		}
		raw := f.s[f.i+1 : f.i+1+end]
		f.i += end + 2
		return raw, yaml.SingleQuotedStyle
	case ']', '}', ',', '#', ':', '?', '-', '&', '*', '!', '|', '>', '%', '@', '`', '[', '{':
		if f.s[f.i] == '-' && f.i+1 < len(f.s) && f.s[f.i+1] != ' ' {
			break // a plain scalar such as -1
		}
		panic(bail{})
	}
	stop := ""
	if inFlow {
		stop = ",]}"
	}
	v := f.plainUntil(stop)
	if v == "" {
		panic(bail{})
	}
	return v, 0
}

// plainUntil reads a plain scalar up to one of stop, " #", ": " or the
// line's end, and trims trailing spaces.
func (f *flow) plainUntil(stop string) string {
	// On locals: the loop ran on f's fields, stored on every byte.
	s, start := f.s, f.i
	i := start
	for i < len(s) {
		c := s[i]
		if !plainSpecial[c] {
			i++ // none of the tests below applies to it
			continue
		}
		if c != ':' && strings.IndexByte(stop, c) >= 0 {
			break
		}
		if c == '#' && i > start && s[i-1] == ' ' {
			break
		}
		if c == ':' && (i+1 == len(s) || s[i+1] == ' ') {
			if stop == ":" {
				break
			}
			panic(bail{}) // "a: b" inside a value
		}
		if stop != "" && stop != ":" && (c == '[' || c == '{') {
			panic(bail{})
		}
		if stop != "" && c == '?' {
			// Inside a flow collection yaml.v3 ends a plain scalar at
			// '?' (scannerc.go), as at ',' and the brackets.
			panic(bail{})
		}
		i++
	}
	f.i = i
	return strings.TrimRight(s[start:i], " ")
}

// plainSpecial marks the bytes plainUntil tests: every byte of every stop
// set it is given, and those it ends or gives up at.
var plainSpecial = [256]bool{':': true, '#': true, ',': true, ']': true, '}': true, '[': true, '{': true, '?': true}

// plainStart reports whether s may start a plain scalar: not with an
// indicator character (YAML 1.2, 7.3.3).
func plainStart(s string) bool {
	switch s[0] {
	case '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', ' ':
		return false
	}
	return true
}

// scalarNode resolves a scalar's tag as yaml.v3 does for the core schema.
func (p *fastYAML) scalarNode(v string, quoted bool, line, col int) *yaml.Node {
	n := p.node()
	*n = yaml.Node{Kind: yaml.ScalarNode, Value: v, Line: line, Column: col}
	if quoted {
		n.Tag = "!!str"
		return n
	}
	n.Tag = resolvePlain(v)
	return n
}

// resolvePlain gives a plain scalar the tag yaml.v3's resolve gives it
// (gopkg.in/yaml.v3 resolve.go), in the same order of tries, or gives up
// (panics with bail) on the forms the subset leaves to yaml.v3: the merge
// key, timestamps, underscores, integers beyond int64 and the 0b and 0o
// forms Go's ParseInt does not read.
func resolvePlain(v string) string {
	switch v {
	case "", "~", "null", "Null", "NULL":
		return "!!null"
	case "true", "True", "TRUE", "false", "False", "FALSE":
		return "!!bool"
	case ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF":
		return "!!float"
	case "<<":
		// The merge key: yaml.v3 tags it !!merge and merges the mapping
		// it names.
		panic(bail{})
	}
	switch c := v[0]; {
	case c == '.':
		if _, err := strconv.ParseFloat(v, 64); err == nil {
			return "!!float"
		}
	case c >= '0' && c <= '9', c == '-', c == '+':
		if strings.Count(v, "-") >= 2 || strings.Contains(v, ":") {
			panic(bail{}) // perhaps a timestamp
		}
		// yaml.v3 drops every '_' before it tries the number forms (so
		// "0_" is the integer 0).
		if strings.Contains(v, "_") {
			panic(bail{})
		}
		if _, err := strconv.ParseInt(v, 0, 64); err == nil {
			return "!!int"
		}
		if _, err := strconv.ParseUint(v, 0, 64); err == nil {
			panic(bail{}) // an integer beyond int64
		}
		if yamlStyleFloat(v) {
			if _, err := strconv.ParseFloat(v, 64); err == nil {
				return "!!float"
			}
		}
		if t := strings.TrimPrefix(v, "-"); strings.HasPrefix(t, "0b") || strings.HasPrefix(t, "0o") {
			panic(bail{}) // yaml.v3 reads "0b+1" and "0o+7" itself
		}
	}
	return "!!str"
}

// yamlStyleFloat matches yaml.v3's yamlStyleFloat,
// ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$, without a regexp.
func yamlStyleFloat(s string) bool {
	i := 0
	digits := func() int {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - j
	}
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	} else {
		if digits() == 0 {
			return false
		}
		if i < len(s) && s[i] == '.' {
			i++
			digits()
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}
