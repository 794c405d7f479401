package catalog

import (
	"strings"
	"unsafe"
)

// template is a name with variable parts, such as the resource part of an
// ARN format ("${BucketName}/${ObjectName}") or a templated condition key
// ("aws:ResourceTag/${TagKey}"). A variable stands for one or more
// characters of any kind.
type template struct {
	segs []segment
	// literal counts the characters the literal segments fix; a match
	// with more literal text is more specific.
	literal int
}

type segment struct {
	lit   string // the literal text; empty for a variable
	isVar bool
}

// parseTemplate splits s at ${...} and <...> variables. With fold set the
// literals are lower-cased for case-insensitive matching.
func parseTemplate(s string, fold bool) template {
	var t template
	for len(s) > 0 {
		i := strings.IndexAny(s, "$<")
		for i >= 0 {
			if s[i] == '$' && i+1 < len(s) && s[i+1] == '{' {
				break
			}
			if s[i] == '<' && strings.IndexByte(s[i:], '>') > 1 {
				break
			}
			j := strings.IndexAny(s[i+1:], "$<")
			if j < 0 {
				i = -1
			} else {
				i += 1 + j
			}
		}
		if i < 0 {
			t.addLit(s, fold)
			break
		}
		if i > 0 {
			t.addLit(s[:i], fold)
		}
		end := byte('}')
		if s[i] == '<' {
			end = '>'
		}
		j := strings.IndexByte(s[i:], end)
		if j < 0 {
			t.addLit(s[i:], fold)
			break
		}
		// Two adjacent variables match like one.
		if n := len(t.segs); n == 0 || !t.segs[n-1].isVar {
			t.segs = append(t.segs, segment{isVar: true})
		}
		s = s[i+j+1:]
	}
	return t
}

func (t *template) addLit(s string, fold bool) {
	if fold {
		s = strings.ToLower(s)
	}
	t.literal += len(s)
	if n := len(t.segs); n > 0 && !t.segs[n-1].isVar {
		t.segs[n-1].lit += s
		return
	}
	t.segs = append(t.segs, segment{lit: s})
}

// hasVar reports whether the template has any variable.
func (t *template) hasVar() bool {
	for _, s := range t.segs {
		if s.isVar {
			return true
		}
	}
	return false
}

// match reports whether s matches. With fold, s must already be
// lower-cased (the literals were lower-cased by parseTemplate).
func (t *template) match(s string) bool { return matchSegs(t.segs, s) }

func matchSegs(segs []segment, s string) bool {
	for len(segs) > 0 {
		g := segs[0]
		if !g.isVar {
			if !strings.HasPrefix(s, g.lit) {
				return false
			}
			s = s[len(g.lit):]
			segs = segs[1:]
			continue
		}
		rest := segs[1:]
		if len(rest) == 0 {
			return len(s) >= 1
		}
		// The variable takes at least one character; try every place the
		// next literal occurs.
		next := rest[0].lit // adjacent variables were merged, so this is a literal
		for start := 1; start <= len(s); {
			j := strings.Index(s[start:], next)
			if j < 0 {
				return false
			}
			k := start + j
			if matchSegs(rest[1:], s[k+len(next):]) {
				return true
			}
			start = k + 1
		}
		return false
	}
	return s == ""
}

// globMatch reports whether s matches the IAM wildcard pattern, where *
// matches any run of characters and ? any single character, comparing
// ASCII case-insensitively. pattern must be lower-case. This is how Action
// and NotAction elements match action names
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
func globMatch(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		if p < len(pattern) {
			c := pattern[p]
			if c == '*' {
				star, mark = p, i
				p++
				continue
			}
			if c == '?' || c == lower(s[i]) {
				p++
				i++
				continue
			}
		}
		if star < 0 {
			return false
		}
		p = star + 1
		mark++
		i = mark
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// lowerInto lower-cases s into buf when it fits, so lookups of names
// spelled in any case need no allocation (the compiler does not allocate
// for m[string(b)]). ok is false when s is longer than buf.
func lowerInto(buf []byte, s string) ([]byte, bool) {
	if len(s) > len(buf) {
		return nil, false
	}
	b := buf[:len(s)]
	for i := 0; i < len(s); i++ {
		b[i] = lower(s[i])
	}
	return b, true
}

// WildcardMatch reports whether name matches an Action element value with
// IAM's wildcards (* any run of characters, ? one character), comparing
// case-insensitively as IAM does for action names.
func WildcardMatch(pattern, name string) bool {
	var buf [128]byte
	if p, ok := lowerInto(buf[:], pattern); ok {
		return globMatch(unsafe.String(unsafe.SliceData(p), len(p)), name)
	}
	return globMatch(strings.ToLower(pattern), name)
}
