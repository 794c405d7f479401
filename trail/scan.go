package trail

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// This file holds the JSON primitives the reader is built on: a validating
// value skipper and a string decoder working on byte slices. They exist
// because encoding/json decodes CloudTrail at well under 100 MB/s, while
// finding a record's end and picking a dozen top-level fields out of it
// runs several times faster (see BenchmarkDecode).

// errMore reports that a value runs past the end of the bytes given and the
// caller should supply more input and try again.
var errMore = errors.New("need more input")

// syntaxError is malformed JSON at a byte offset of the scanned slice.
type syntaxError struct {
	off int
	msg string
}

func (e *syntaxError) Error() string { return e.msg }

func syntaxErr(off int, format string, args ...any) error {
	return &syntaxError{off: off, msg: fmt.Sprintf(format, args...)}
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

func skipWS(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

func describe(c byte) string {
	if c < 0x20 || c >= 0x7f {
		return fmt.Sprintf("byte 0x%02x", c)
	}
	return fmt.Sprintf("character %q", c)
}

// scanner keeps the container stack between calls so skipping allocates
// nothing in the steady state.
type scanner struct {
	stack []byte
	// members are, after skipValue of an object, four offsets per member
	// of it (relative to the value's start): key start and end, value
	// start and end, so that the record decoder need not find them again.
	members []int
}

// skipValue validates the JSON value starting at b[i] (after optional
// white space) and returns the offset just past it. When the value is cut
// by the end of b it returns errMore unless final is set, in which case the
// value is reported as truncated. Strings are checked for valid escapes
// but raw control characters and invalid UTF-8 are accepted, as Athena's
// SerDe and most JSON readers do.
func (s *scanner) skipValue(b []byte, i int, final bool) (int, error) {
	const (
		stValue = iota
		stKey
		stAfter
	)
	st := s.stack[:0]
	defer func() { s.stack = st[:0] }()
	i0 := i
	s.members = s.members[:0]
	inMember := false // a member of the outermost object is being passed
	more := func(at int) (int, error) {
		if final {
			return at, syntaxErr(at, "unexpected end of JSON input")
		}
		return at, errMore
	}
	state := stValue
	for {
		if state == stAfter && len(st) == 0 {
			return i, nil
		}
		if inMember && state == stAfter && len(st) == 1 {
			s.members = append(s.members, i-i0)
			inMember = false
		}
		i = skipWS(b, i)
		if i >= len(b) {
			return more(i)
		}
		c := b[i]
		switch state {
		case stValue:
			if len(st) == 1 && st[0] == '{' {
				s.members = append(s.members, i-i0)
				inMember = true
			}
			switch {
			case c == '{':
				st = append(st, '{')
				i = skipWS(b, i+1)
				if i >= len(b) {
					return more(i)
				}
				if b[i] == '}' {
					st = st[:len(st)-1]
					i++
					state = stAfter
				} else {
					state = stKey
				}
				continue
			case c == '[':
				st = append(st, '[')
				i = skipWS(b, i+1)
				if i >= len(b) {
					return more(i)
				}
				if b[i] == ']' {
					st = st[:len(st)-1]
					i++
					state = stAfter
				}
				continue
			case c == '"':
				j, err := skipString(b, i)
				if err != nil {
					if err == errMore {
						return more(len(b))
					}
					return j, err
				}
				i = j
			case c == 't' || c == 'f' || c == 'n':
				lit := "null"
				if c == 't' {
					lit = "true"
				} else if c == 'f' {
					lit = "false"
				}
				j, err := literal(b, i, lit)
				if err != nil {
					if err == errMore {
						return more(len(b))
					}
					return j, err
				}
				i = j
			case c == '-' || (c >= '0' && c <= '9'):
				j, incomplete, err := skipNumber(b, i)
				if err != nil {
					return j, err
				}
				if j == len(b) && (incomplete || !final) {
					// A number may continue in the next chunk.
					return more(len(b))
				}
				i = j
			default:
				return i, syntaxErr(i, "invalid %s looking for beginning of value", describe(c))
			}
			state = stAfter
		case stKey:
			if c != '"' {
				return i, syntaxErr(i, "invalid %s looking for beginning of object key string", describe(c))
			}
			j, err := skipString(b, i)
			if err != nil {
				if err == errMore {
					return more(len(b))
				}
				return j, err
			}
			if len(st) == 1 {
				s.members = append(s.members, i-i0, j-i0)
			}
			i = skipWS(b, j)
			if i >= len(b) {
				return more(i)
			}
			if b[i] != ':' {
				return i, syntaxErr(i, "invalid %s after object key", describe(b[i]))
			}
			i++
			state = stValue
		case stAfter:
			top := st[len(st)-1]
			switch {
			case c == ',':
				i++
				if top == '{' {
					state = stKey
				} else {
					state = stValue
				}
			case c == '}' && top == '{', c == ']' && top == '[':
				st = st[:len(st)-1]
				i++
			default:
				if top == '{' {
					return i, syntaxErr(i, "invalid %s after object key:value pair", describe(c))
				}
				return i, syntaxErr(i, "invalid %s after array element", describe(c))
			}
		}
	}
}

// skipString returns the offset past the string starting at b[i] == '"'.
func skipString(b []byte, i int) (int, error) {
	i++
	for {
		q := bytes.IndexByte(b[i:], '"')
		if q < 0 {
			// An escape may still be cut in the middle; either way the
			// string ends later.
			return len(b), errMore
		}
		seg := b[i : i+q]
		bs := bytes.IndexByte(seg, '\\')
		if bs < 0 {
			return i + q + 1, nil
		}
		// Validate the escape and continue after it.
		j := i + bs
		if j+1 >= len(b) {
			return len(b), errMore
		}
		switch b[j+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			i = j + 2
		case 'u':
			if j+6 > len(b) {
				return len(b), errMore
			}
			for k := j + 2; k < j+6; k++ {
				if unhex(b[k]) < 0 {
					return k, syntaxErr(k, "invalid %s in \\u hexadecimal character escape", describe(b[k]))
				}
			}
			i = j + 6
		default:
			return j + 1, syntaxErr(j+1, "invalid %s in string escape code", describe(b[j+1]))
		}
	}
}

func literal(b []byte, i int, lit string) (int, error) {
	for k := 0; k < len(lit); k++ {
		if i+k >= len(b) {
			return len(b), errMore
		}
		if b[i+k] != lit[k] {
			return i + k, syntaxErr(i+k, "invalid %s in literal %s (expecting %q)", describe(b[i+k]), lit, lit[k])
		}
	}
	return i + len(lit), nil
}

// skipNumber validates a JSON number. When the number reaches the end of
// b it returns len(b), with incomplete set if what was read cannot end a
// number ("-", "1.", "1e+"); the caller decides whether more may follow.
func skipNumber(b []byte, i int) (end int, incomplete bool, err error) {
	digits := func(j int) (int, bool) {
		k := j
		for k < len(b) && b[k] >= '0' && b[k] <= '9' {
			k++
		}
		return k, k > j
	}
	if b[i] == '-' {
		i++
		if i == len(b) {
			return i, true, nil
		}
	}
	if b[i] == '0' {
		i++
	} else {
		var ok bool
		if i, ok = digits(i); !ok {
			return i, false, syntaxErr(i, "invalid %s in numeric literal", describe(b[i]))
		}
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i == len(b) {
			return i, true, nil
		}
		var ok bool
		if i, ok = digits(i); !ok {
			return i, false, syntaxErr(i, "invalid %s after decimal point in numeric literal", describe(b[i]))
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i == len(b) {
			return i, true, nil
		}
		var ok bool
		if i, ok = digits(i); !ok {
			return i, false, syntaxErr(i, "invalid %s in exponent of numeric literal", describe(b[i]))
		}
	}
	return i, false, nil
}

func unhex(c byte) rune {
	switch {
	case c >= '0' && c <= '9':
		return rune(c - '0')
	case c >= 'a' && c <= 'f':
		return rune(c - 'a' + 10)
	case c >= 'A' && c <= 'F':
		return rune(c - 'A' + 10)
	}
	return -1
}

// appendUnquoted appends the contents of the JSON string s (with its
// quotes, already validated by skipString) to dst, decoding escapes.
// Invalid surrogate halves become U+FFFD, as encoding/json does.
func appendUnquoted(dst, s []byte) []byte {
	s = s[1 : len(s)-1]
	for len(s) > 0 {
		bs := bytes.IndexByte(s, '\\')
		if bs < 0 {
			return append(dst, s...)
		}
		dst = append(dst, s[:bs]...)
		s = s[bs:]
		if len(s) < 2 {
			return dst
		}
		switch s[1] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, n := decodeU(s)
			if r < 0 {
				return dst
			}
			if utf16.IsSurrogate(r) {
				r2, n2 := decodeU(s[n:])
				if dec := utf16.DecodeRune(r, r2); r2 >= 0 && dec != utf8.RuneError {
					dst = utf8.AppendRune(dst, dec)
					s = s[n+n2:]
					continue
				}
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
			s = s[n:]
			continue
		default:
			dst = append(dst, s[1])
		}
		s = s[2:]
	}
	return dst
}

// decodeU decodes a \uXXXX escape at the start of s.
func decodeU(s []byte) (rune, int) {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1, 0
	}
	var r rune
	for _, c := range s[2:6] {
		h := unhex(c)
		if h < 0 {
			return -1, 0
		}
		r = r<<4 | h
	}
	return r, 6
}
