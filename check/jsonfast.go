package check

import (
	"encoding/binary"
	"unicode/utf8"

	"github.com/iamwhy/iamwhy/policy"
)

// The cases of a JSON check file are nearly always plain: string values,
// lists of strings, a context of strings and layers that name policies of
// the policies block, as other cases name them. fastCase reads such a case
// straight into a Case, without the node tree readCase walks (building and
// walking the nodes was most of reading a check file). On anything else,
// including everything that is an error, it gives the case up and the
// reader reads it again through the node tree, so the errors, their
// positions and what a case means are those of the one reader: fastCase
// only ever accepts what readCase would read into an equal Case
// (TestFastCaseMatchesNodes).

// fastJSONCases turns fastCase on; the tests compare with it off.
var fastJSONCases = true

// fastBail gives up the case being read fast.
type fastBail struct{}

// readerState is what fastCase restores when it gives a case up.
type readerState struct {
	pos, line, col int
	cr             bool
}

// Case keys, one bit each, to refuse a key given twice.
const (
	fkName = 1 << iota
	fkPrincipal
	fkAction
	fkResource
	fkResourceAccount
	fkContext
	fkLayers
	fkExpect
	fkManagementAccount
	fkDescription
)

// fastCase reads the case at the reader's position (the next non-space
// byte is its '{') into a Case of f, or restores the reader and returns
// false. The reader must hold the whole document (newJSONBytes): the
// strings it returns are slices of the input until copied.
func (p *jsonReader) fastCase(f *File) (c *Case, ok bool) {
	if p.r != nil {
		return nil, false
	}
	if p.skipSpace() != '{' {
		return nil, false
	}
	start := readerState{p.pos, p.line, p.col, p.cr}
	defer func() {
		if r := recover(); r != nil {
			if _, isBail := r.(fastBail); !isBail {
				panic(r)
			}
			p.pos, p.line, p.col, p.cr = start.pos, start.line, start.col, start.cr
			c, ok = nil, false
		}
	}()
	c = f.arena.newCase()
	*c = Case{Pos: policy.At("", p.line, p.col)}
	p.pos++
	p.col++
	var seen uint
	for {
		if p.skipSpace() != '"' {
			panic(fastBail{})
		}
		key := p.rawStr()
		var bit uint
		switch string(key) {
		case "name":
			bit = fkName
		case "principal":
			bit = fkPrincipal
		case "action":
			bit = fkAction
		case "resource":
			bit = fkResource
		case "resource_account":
			bit = fkResourceAccount
		case "context":
			bit = fkContext
		case "layers":
			bit = fkLayers
		case "expect":
			bit = fkExpect
		case "management_account":
			bit = fkManagementAccount
		case "description":
			bit = fkDescription
		default:
			panic(fastBail{})
		}
		if seen&bit != 0 {
			panic(fastBail{})
		}
		seen |= bit
		p.fastColon()
		switch bit {
		case fkName:
			c.Name = p.bytes.string(p.fastString())
		case fkPrincipal:
			c.Principal = p.bytes.string(p.fastString())
		case fkAction:
			c.Actions = p.fastStrings(f, true)
		case fkResource:
			c.Resources = p.fastStrings(f, false)
		case fkResourceAccount:
			c.ResourceAccount = p.fastOptionalString()
		case fkManagementAccount:
			c.ManagementAccount = p.fastOptionalString()
		case fkExpect:
			c.Expect = fastExpectation(p.fastString())
		case fkDescription:
			p.fastString()
		case fkContext:
			c.Context = p.fastContext(f)
		case fkLayers:
			c.Layers = p.fastLayers(f)
		}
		if !p.fastNext('}') {
			const required = fkName | fkPrincipal | fkAction | fkResource | fkExpect
			if seen&required != required {
				panic(fastBail{})
			}
			return c, true
		}
	}
}

// fastOpen passes the byte that opens a list or object and reports
// whether it is empty (then its closing byte is passed too).
func (p *jsonReader) fastOpen(close byte) (empty bool) {
	p.pos++
	p.col++
	if p.skipSpace() == close {
		p.pos++
		p.col++
		return true
	}
	return false
}

// fastNext passes the ',' between two items (true) or the byte that closes
// the list or object (false).
func (p *jsonReader) fastNext(close byte) bool {
	switch p.skipSpace() {
	case ',':
		p.pos++
		p.col++
		return true
	case close:
		p.pos++
		p.col++
		return false
	}
	panic(fastBail{})
}

// fastExpectation is the expectation a value names.
func fastExpectation(v []byte) Expectation {
	if e, ok := expectationOf(string(v)); ok {
		return e
	}
	panic(fastBail{})
}

// expectationOf is the expectation a value names, or false.
func expectationOf(v string) (Expectation, bool) {
	switch v {
	case string(ExpectAllow):
		return ExpectAllow, true
	case string(ExpectDeny):
		return ExpectDeny, true
	case string(ExpectImplicitDeny):
		return ExpectImplicitDeny, true
	case string(ExpectExplicitDeny):
		return ExpectExplicitDeny, true
	case string(ExpectUndetermined):
		return ExpectUndetermined, true
	}
	return "", false
}

func (p *jsonReader) fastColon() {
	if p.skipSpace() != ':' {
		panic(fastBail{})
	}
	p.pos++
	p.col++
}

// rawStr reads a string without escapes or control characters, valid
// UTF-8, and returns its bytes in the input; the next byte is its quote.
func (p *jsonReader) rawStr() []byte {
	p.pos++
	p.col++
	ascii := true
	i := p.pos
	// Eight bytes at a time while none is a quote, a backslash, a
	// control character or non-ASCII.
	for i+8 <= len(p.buf) && plainASCII(binary.LittleEndian.Uint64(p.buf[i:])) {
		i += 8
	}
	for ; i < len(p.buf); i++ {
		c := p.buf[i]
		if c == '"' {
			raw := p.buf[p.pos:i]
			n := len(raw)
			if !ascii {
				if !utf8.Valid(raw) {
					panic(fastBail{})
				}
				n = utf8.RuneCount(raw)
			}
			p.col += n + 1
			p.pos = i + 1
			return raw
		}
		if c == '\\' || c < 0x20 {
			panic(fastBail{})
		}
		if c >= 0x80 {
			ascii = false
		}
	}
	panic(fastBail{})
}

// plainASCII reports whether none of the eight bytes of w is a quote, a
// backslash, a control character or a byte of 0x80 or more.
func plainASCII(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q := w ^ ('"' * ones)
	bs := w ^ ('\\' * ones)
	return ((w-0x20*ones)|(q-ones)&^q|(bs-ones)&^bs|w)&highs == 0
}

// fastString reads a string value.
func (p *jsonReader) fastString() []byte {
	if p.skipSpace() != '"' {
		panic(fastBail{})
	}
	return p.rawStr()
}

// fastOptionalString reads a string or null ("" for null, which leaves
// the key unset as readCase does).
func (p *jsonReader) fastOptionalString() string {
	switch p.skipSpace() {
	case '"':
		return p.shortString(p.rawStr())
	case 'n':
		p.fastLiteral("null")
		return ""
	}
	panic(fastBail{})
}

func (p *jsonReader) fastLiteral(lit string) {
	if len(p.buf)-p.pos < len(lit) || string(p.buf[p.pos:p.pos+len(lit)]) != lit {
		panic(fastBail{})
	}
	p.pos += len(lit)
	p.col += len(lit)
}

// fastStrings reads a string or a non-empty list of strings (an action or
// resource), interning short ones (actions repeat; ARNs mostly do not).
func (p *jsonReader) fastStrings(f *File, intern bool) []string {
	str := p.bytes.string
	if intern {
		str = p.shortString
	}
	switch p.skipSpace() {
	case '"':
		out := f.arena.strings(1)
		out[0] = str(p.rawStr())
		return out
	case '[':
		if out := p.fastList(f, str); out != nil {
			return out
		}
	}
	panic(fastBail{}) // an empty list too: readCase says why
}

// fastList reads a list of strings, nil when it is empty; the next byte is
// its '['.
func (p *jsonReader) fastList(f *File, str func([]byte) string) []string {
	if p.fastOpen(']') {
		return nil
	}
	var tmp [16]string
	n := 0
	for {
		if p.skipSpace() != '"' || n == len(tmp) {
			panic(fastBail{})
		}
		tmp[n] = str(p.rawStr())
		n++
		if !p.fastNext(']') {
			out := f.arena.strings(n)
			copy(out, tmp[:n])
			return out
		}
	}
}

// fastContext reads a context: null, or an object of keys to a string, a
// boolean or a list of strings.
func (p *jsonReader) fastContext(f *File) []ContextEntry {
	switch p.skipSpace() {
	case 'n':
		p.fastLiteral("null")
		return nil
	case '{':
	default:
		panic(fastBail{})
	}
	if p.fastOpen('}') {
		return nil
	}
	var tmp [16]ContextEntry
	n := 0
	for {
		if p.skipSpace() != '"' || n == len(tmp) {
			panic(fastBail{})
		}
		ce := ContextEntry{Key: p.shortString(p.rawStr())}
		// Key names are case-insensitive: a key given twice in
		// another case is readCase's error to report.
		for i := 0; i < n; i++ {
			if sameKeyFold(tmp[i].Key, ce.Key) {
				panic(fastBail{})
			}
		}
		p.fastColon()
		switch p.skipSpace() {
		case '"':
			ce.Values = f.arena.strings(1)
			ce.Values[0] = p.shortString(p.rawStr())
		case 't':
			p.fastLiteral("true")
			ce.Values = f.arena.strings(1)
			ce.Values[0] = "true"
		case 'f':
			p.fastLiteral("false")
			ce.Values = f.arena.strings(1)
			ce.Values[0] = "false"
		case '[':
			// nil when empty, as readCase leaves it.
			ce.Multi = true
			ce.Values = p.fastList(f, p.shortString)
		default:
			panic(fastBail{})
		}
		tmp[n] = ce
		n++
		if !p.fastNext('}') {
			out := f.arena.contextEntries(n)
			copy(out, tmp[:n])
			return out
		}
	}
}

// fastLayers reads a case's layers when they are null (environment mode)
// or layers an earlier case already has (File.layersKey, whose key it
// writes as it reads them); layers not seen yet are read by readCase,
// which shares them with the cases after.
func (p *jsonReader) fastLayers(f *File) *CaseLayers {
	switch p.skipSpace() {
	case 'n':
		p.fastLiteral("null")
		return nil
	case '{':
	default:
		panic(fastBail{})
	}
	b := f.keyBuf[:0]
	if !p.fastOpen('}') {
		var seen uint
		for {
			if p.skipSpace() != '"' {
				panic(fastBail{})
			}
			k := p.rawStr()
			bit := layerBit(k)
			if bit == 0 || seen&bit != 0 {
				panic(fastBail{})
			}
			seen |= bit
			p.fastColon()
			b = append(b, k...)
			b = append(b, ':')
			b = p.fastLayerValue(b, 0)
			if !p.fastNext('}') {
				break
			}
		}
	}
	f.keyBuf = b
	l := f.sharedLayers[string(b)]
	if l == nil {
		panic(fastBail{})
	}
	return l
}

// layerBit is the bit of a layer key of layerKeys, 0 for any other.
func layerBit(k []byte) uint {
	switch string(k) {
	case "identity":
		return 1
	case "resource":
		return 2
	case "boundary":
		return 4
	case "session":
		return 8
	case "scp":
		return 16
	case "rcp":
		return 32
	case "vpc_endpoint":
		return 64
	}
	return 0
}

// fastLayerValue appends a layer's value to the key as layersKey writes
// it: null, a name, or lists of those.
func (p *jsonReader) fastLayerValue(b []byte, depth int) []byte {
	switch p.skipSpace() {
	case 'n':
		p.fastLiteral("null")
		return append(b, '~')
	case '"':
		// Whether the name is in the policies block is not asked: only
		// layers whose names all are were kept under their key.
		name := p.rawStr()
		b = append(b, '"')
		b = append(b, name...)
		return append(b, 0)
	case '[':
		if depth == 4 {
			panic(fastBail{})
		}
	default:
		panic(fastBail{})
	}
	b = append(b, '[')
	if p.fastOpen(']') {
		return append(b, ']')
	}
	for {
		b = p.fastLayerValue(b, depth+1)
		if !p.fastNext(']') {
			return append(b, ']')
		}
	}
}

// shortString is internBytes for the values of fast cases (actions,
// context keys and values, accounts), which repeat from case to case: a
// small table indexed by length and three bytes, where a miss copies the
// string and takes the slot. It is cheaper than the intern map's hashing
// of every string, and a table of 256 strings cannot grow.
func (p *jsonReader) shortString(b []byte) string {
	n := len(b)
	if n == 0 || n > 64 {
		return p.bytes.string(b)
	}
	h := (uint(n)*31 + uint(b[0])*7 + uint(b[n/2])*3 + uint(b[n-1])) & uint(len(p.recent)-1)
	if s := p.recent[h]; s == string(b) {
		return s
	}
	s := p.bytes.string(b)
	p.recent[h] = s
	return s
}
