package check

import (
	"strings"
	"unicode/utf8"

	"github.com/iamwhy/iamwhy/policy"
)

// The cases of a YAML check file are nearly always written alike: one
// "key: value" a line, scalars and flow lists of scalars, a context of
// keys to a scalar or a flow list, and layers that name policies of the
// policies block as other cases name them. readFastYAMLCase reads such a
// case straight into a Case, without the nodes readCase walks (building
// them was most of reading a YAML check file), scanning with the same
// code as the node builder (flow.scalar, plainUntil, resolvePlain). On
// anything else, including everything that is an error, it gives the case
// up and the node builder reads it again, so the errors, their positions
// and what a case means are those of the one reader
// (TestFastYAMLCasesMatchNodes, FuzzFastYAMLCase).

// fastYAMLDirect turns readFastYAMLCase on; the tests compare with it off.
var fastYAMLDirect = true

// caseKeyBit is the bit of a case key (the fk constants), 0 for any other.
func caseKeyBit(k string) uint {
	switch k {
	case "name":
		return fkName
	case "principal":
		return fkPrincipal
	case "action":
		return fkAction
	case "resource":
		return fkResource
	case "resource_account":
		return fkResourceAccount
	case "context":
		return fkContext
	case "layers":
		return fkLayers
	case "expect":
		return fkExpect
	case "management_account":
		return fkManagementAccount
	case "description":
		return fkDescription
	}
	return 0
}

// readFastYAMLCase reads the case whose first key is on the current line
// at column col (0-based, after "- ") into a Case of f, and moves past it;
// or leaves the line where it was and returns false.
func (p *fastYAML) readFastYAMLCase(f *File, col int) (c *Case, ok bool) {
	start := p.lineNo
	defer func() {
		if r := recover(); r != nil {
			if _, isBail := r.(bail); !isBail {
				panic(r)
			}
			p.lineNo = start
			c, ok = nil, false
		}
	}()
	c = f.arena.newCase()
	*c = Case{Pos: policy.At("", p.line(), col+1)}
	var seen uint
	for first := true; ; first = false {
		if !first {
			p.skipBlank()
			if p.lineNo >= len(p.lines) {
				break
			}
			in := indentOf(p.lines[p.lineNo])
			if in < col {
				break
			}
			if in > col {
				panic(bail{})
			}
		}
		content := p.lines[p.lineNo][col:]
		k := strings.IndexByte(content, ':')
		if k <= 0 {
			panic(bail{})
		}
		bit := caseKeyBit(content[:k])
		if bit == 0 || seen&bit != 0 {
			panic(bail{})
		}
		seen |= bit
		rest := ""
		if k+1 < len(content) {
			if content[k+1] != ' ' {
				panic(bail{})
			}
			rest = content[k+2:]
		}
		valText := strings.TrimLeft(rest, " ")
		if valText == "" || valText[0] == '#' {
			// A nested block, or null: read for the context and the
			// layers, the node builder's otherwise.
			p.lineNo++
			in := p.fastBlock(col)
			switch {
			case bit == fkContext && in >= 0:
				c.Context = p.fastYAMLContext(f, in)
			case bit == fkLayers && in >= 0:
				c.Layers = p.fastYAMLLayers(f, in)
			case bit != fkContext && bit != fkLayers:
				panic(bail{})
			}
			continue
		}
		fl := flow{p: p, s: valText, line: p.line(), col0: col + k + 2 + (len(rest) - len(valText))}
		switch bit {
		case fkName:
			c.Name, _ = fl.fastScalar()
		case fkPrincipal:
			c.Principal, _ = fl.fastScalar()
		case fkAction:
			c.Actions = fl.fastStrings(f)
		case fkResource:
			c.Resources = fl.fastStrings(f)
		case fkResourceAccount:
			c.ResourceAccount = fl.fastOptional()
		case fkManagementAccount:
			c.ManagementAccount = fl.fastOptional()
		case fkExpect:
			v, _ := fl.fastScalar()
			if c.Expect, ok = expectationOf(v); !ok {
				panic(bail{})
			}
		case fkDescription:
			fl.fastScalar()
		case fkContext:
			if !fl.fastNull() {
				panic(bail{})
			}
		case fkLayers:
			if !fl.fastNull() {
				panic(bail{})
			}
		}
		fl.end()
		p.lineNo++
	}
	const required = fkName | fkPrincipal | fkAction | fkResource | fkExpect
	if seen&required != required {
		panic(bail{})
	}
	return c, true
}

// fastBlock tells what follows a key without a value at indent, as
// blockMapping does: a block mapping more indented (its indentation is
// returned); or nothing, or a line less indented: null (-1); anything
// else is the node builder's.
func (p *fastYAML) fastBlock(indent int) int {
	p.skipBlank()
	if p.lineNo >= len(p.lines) {
		return -1
	}
	l := p.lines[p.lineNo]
	ni := indentOf(l)
	switch {
	case ni > indent && isMappingEntry(l[ni:]):
		return ni
	case ni >= indent && (strings.HasPrefix(l[ni:], "- ") || l[ni:] == "-"):
		panic(bail{})
	}
	return -1
}

// blockEntry reads the next entry of a block mapping at indent: its key
// and its inline value, or ok false at the mapping's end. Keys are
// checked as blockMapping checks them; a value that is not on the key's
// line is the node builder's.
func (p *fastYAML) blockEntry(indent int) (key string, fl flow, ok bool) {
	p.skipBlank()
	if p.lineNo >= len(p.lines) {
		return "", flow{}, false
	}
	l := p.lines[p.lineNo]
	in := indentOf(l)
	if in < indent {
		return "", flow{}, false
	}
	if in > indent {
		panic(bail{})
	}
	content := l[in:]
	// The key ends at the first ": " (none: no value on the line) and
	// holds none of "[]{},\"'#" (which also leaves out what
	// isMappingEntry refuses: a comment before the colon); all in one
	// pass of the key, which the separate tests made five times
	// (TestBlockEntryMatchesSeparateTests compares them).
	i, ascii := keyEnd(content)
	if i <= 0 || !plainStart(content) || content[i-1] == ' ' {
		panic(bail{})
	}
	key, rest := content[:i], content[i+2:]
	cols := i
	if !ascii {
		if strings.TrimSpace(key) != key {
			panic(bail{})
		}
		cols = utf8.RuneCountInString(key)
	}
	resolvePlain(key) // gives up keys the node builder leaves to yaml.v3
	sp := 0
	for sp < len(rest) && rest[sp] == ' ' {
		sp++
	}
	valText := rest[sp:]
	if valText == "" || valText[0] == '#' {
		panic(bail{})
	}
	return key, flow{p: p, s: valText, line: p.line(), col0: in + cols + 2 + sp}, true
}

// keyEnd returns the index of the ": " that ends the key at the start of
// s, or -1 when there is none or the key holds one of "[]{},\"'#"; and
// whether the key is ASCII.
func keyEnd(s string) (end int, ascii bool) {
	ascii = true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !keySpecial[c] {
			continue
		}
		switch {
		case c == ':':
			if i+1 < len(s) && s[i+1] == ' ' {
				return i, ascii
			}
		case c >= utf8.RuneSelf:
			ascii = false
		default:
			return -1, ascii
		}
	}
	return -1, ascii
}

// keySpecial marks the bytes keyEnd tests: the colon, the bytes a key may
// not hold, and those of characters beyond ASCII.
var keySpecial = func() (t [256]bool) {
	for _, c := range []byte("[]{},\"'#:") {
		t[c] = true
	}
	for c := utf8.RuneSelf; c < 256; c++ {
		t[c] = true
	}
	return t
}()

// fastYAMLContext reads a context's block mapping at indent: keys to a
// scalar or a flow list of scalars.
func (p *fastYAML) fastYAMLContext(f *File, indent int) []ContextEntry {
	var tmp [16]ContextEntry
	n := 0
	for {
		key, fl, ok := p.blockEntry(indent)
		if !ok {
			break
		}
		if n == len(tmp) {
			panic(bail{})
		}
		// Key names are case-insensitive: a key given twice is
		// readCase's error to report.
		for i := 0; i < n; i++ {
			if sameKeyFold(tmp[i].Key, key) {
				panic(bail{})
			}
		}
		ce := ContextEntry{Key: key}
		if fl.s[0] == '[' {
			ce.Multi = true
			ce.Values = fl.fastList(f) // nil when empty, as readCase leaves it
		} else {
			v, tag := fl.fastScalar()
			if tag == "!!null" {
				panic(bail{})
			}
			ce.Values = f.arena.strings(1)
			ce.Values[0] = v
		}
		fl.end()
		p.lineNo++
		tmp[n] = ce
		n++
	}
	if n == 0 {
		return nil
	}
	out := f.arena.contextEntries(n)
	copy(out, tmp[:n])
	return out
}

// fastYAMLLayers reads a case's layers mapping at indent when an earlier
// case has the same layers (File.layersKey, whose key it writes as it
// reads them); layers not seen yet are read by readCase, which shares
// them with the cases after.
func (p *fastYAML) fastYAMLLayers(f *File, indent int) *CaseLayers {
	b := f.keyBuf[:0]
	var seen uint
	for {
		key, fl, ok := p.blockEntry(indent)
		if !ok {
			break
		}
		bit := layerBit([]byte(key))
		if bit == 0 || seen&bit != 0 {
			panic(bail{})
		}
		seen |= bit
		b = append(b, key...)
		b = append(b, ':')
		b = fl.fastLayerValue(b, 0)
		fl.end()
		p.lineNo++
	}
	f.keyBuf = b
	l := f.sharedLayers[string(b)]
	if l == nil {
		panic(bail{})
	}
	return l
}

// fastLayerValue appends a layer's value to the key as layersKey writes
// it: null, a name, or flow lists of those.
func (fl *flow) fastLayerValue(b []byte, depth int) []byte {
	fl.space()
	if fl.i >= len(fl.s) {
		panic(bail{})
	}
	if fl.s[fl.i] != '[' {
		// Whether the name is in the policies block is not asked: only
		// layers whose names all are were kept under their key.
		v, tag := fl.fastScalarIn(depth > 0)
		if tag == "!!null" {
			return append(b, '~')
		}
		b = append(b, '"')
		b = append(b, v...)
		return append(b, 0)
	}
	if depth == 4 {
		panic(bail{})
	}
	b = append(b, '[')
	fl.i++
	fl.space()
	if fl.i < len(fl.s) && fl.s[fl.i] == ']' {
		fl.i++
		return append(b, ']')
	}
	for {
		b = fl.fastLayerValue(b, depth+1)
		if !fl.next() {
			return append(b, ']')
		}
	}
}

// next passes the ',' between two items of a flow list (true) or its ']'
// (false).
func (fl *flow) next() bool {
	fl.space()
	if fl.i >= len(fl.s) {
		panic(bail{})
	}
	switch fl.s[fl.i] {
	case ',':
		fl.i++
		return true
	case ']':
		fl.i++
		return false
	}
	panic(bail{})
}

// end checks that nothing but a comment follows the value, as inlineValue
// does.
func (fl *flow) end() {
	fl.space()
	if fl.i < len(fl.s) && fl.s[fl.i] != '#' {
		panic(bail{})
	}
}

// fastScalar reads a scalar value standing alone on its line, with its
// tag as the node builder resolves it.
func (fl *flow) fastScalar() (string, string) { return fl.fastScalarIn(false) }

// fastScalarIn reads a scalar, in a flow list when inFlow.
func (fl *flow) fastScalarIn(inFlow bool) (string, string) {
	fl.space()
	if fl.i >= len(fl.s) {
		panic(bail{})
	}
	v, style := fl.scalar(inFlow)
	if style != 0 {
		return v, "!!str"
	}
	return v, resolvePlain(v)
}

// fastNull reads a null scalar, false for any other value (then fl is
// left anywhere: the caller gives up).
func (fl *flow) fastNull() bool {
	if fl.s[0] == '[' || fl.s[0] == '{' {
		return false
	}
	_, tag := fl.fastScalar()
	return tag == "!!null"
}

// fastOptional reads a scalar, "" for null (which leaves the key unset as
// readCase does).
func (fl *flow) fastOptional() string {
	v, tag := fl.fastScalar()
	if tag == "!!null" {
		return ""
	}
	return v
}

// fastStrings reads a scalar or a non-empty flow list of scalars (an
// action or resource).
func (fl *flow) fastStrings(f *File) []string {
	if fl.s[0] != '[' {
		v, _ := fl.fastScalar()
		out := f.arena.strings(1)
		out[0] = v
		return out
	}
	if out := fl.fastList(f); out != nil {
		return out
	}
	panic(bail{}) // an empty list: readCase says why
}

// fastList reads a flow list of scalars, nil when it is empty; fl.s[fl.i]
// is its '['.
func (fl *flow) fastList(f *File) []string {
	fl.i++
	fl.space()
	if fl.i < len(fl.s) && fl.s[fl.i] == ']' {
		fl.i++
		return nil
	}
	var tmp [16]string
	n := 0
	for {
		if n == len(tmp) {
			panic(bail{})
		}
		tmp[n], _ = fl.fastScalarIn(true)
		n++
		if !fl.next() {
			out := f.arena.strings(n)
			copy(out, tmp[:n])
			return out
		}
	}
}
