package eval

import "unicode/utf8"

// Wildcards in compiled patterns. Policies write them as '*' and '?'; the
// compiler turns those into these two control bytes so that a literal '*' or
// '?' (from the ${*} and ${?} escapes, or from a substituted variable) is
// compared as an ordinary character.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-specialchars
const (
	wildStar  = '\x01'
	wildQuest = '\x02'
)

// encodeWildcards returns s with '*' and '?' turned into wildcard bytes.
func encodeWildcards(s string) string {
	b := []byte(nil)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '*' || c == '?' {
			if b == nil {
				b = []byte(s)
			}
			if c == '*' {
				b[i] = wildStar
			} else {
				b[i] = wildQuest
			}
		}
	}
	if b == nil {
		return s
	}
	return string(b)
}

// decodeWildcards turns wildcard bytes back into '*' and '?' for display.
func decodeWildcards(s string) string {
	b := []byte(nil)
	for i := 0; i < len(s); i++ {
		if s[i] == wildStar || s[i] == wildQuest {
			if b == nil {
				b = []byte(s)
			}
			if s[i] == wildStar {
				b[i] = '*'
			} else {
				b[i] = '?'
			}
		}
	}
	if b == nil {
		return s
	}
	return string(b)
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// globMatch reports whether s matches the encoded pattern p as a whole:
// wildStar matches any run of characters (including none, and including
// '/' and ':'), wildQuest matches exactly one character (a UTF-8 sequence,
// not a byte). With fold, ASCII
// letters compare case-insensitively (as IAM compares action names).
// It runs in O(len(p)*len(s)) in the worst case and never allocates.
func globMatch[P ~string | ~[]byte](p P, s string, fold bool) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(p) {
			c := p[pi]
			switch {
			case c == wildStar:
				starP, starS = pi, si
				pi++
				continue
			case c == wildQuest:
				// '?' is one character, however many bytes it takes in
				// UTF-8 (an invalid byte counts as one).
				pi++
				if s[si] < utf8.RuneSelf {
					si++
				} else {
					_, n := utf8.DecodeRuneInString(s[si:])
					si += n
				}
				continue
			case c == s[si] || (fold && lowerASCII(c) == lowerASCII(s[si])):
				pi++
				si++
				continue
			}
		}
		if starP < 0 {
			return false
		}
		starS++
		si = starS
		pi = starP + 1
	}
	for pi < len(p) && p[pi] == wildStar {
		pi++
	}
	return pi == len(p)
}

// equalFold reports ASCII case-insensitive equality without allocating.
func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] && lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

// globShape records, for a compiled pattern, what lets most matches avoid
// the general glob loop: resource and action patterns are mostly a literal,
// or a literal prefix followed by one trailing '*' ("s3:Get*",
// "bucket/home/*").
type globShape struct {
	prefix int // bytes before the first wildcard (the whole length when none)
	kind   uint8
}

const (
	shapeLiteral uint8 = iota // no wildcard
	shapePrefix               // a literal prefix, then a single '*' at the end
	shapeGlob                 // anything else
)

func shapeOf(p string) globShape {
	n := 0
	for n < len(p) && p[n] != wildStar && p[n] != wildQuest {
		n++
	}
	switch {
	case n == len(p):
		return globShape{prefix: n, kind: shapeLiteral}
	case n == len(p)-1 && p[n] == wildStar:
		return globShape{prefix: n, kind: shapePrefix}
	}
	return globShape{prefix: n, kind: shapeGlob}
}

// matchShaped is globMatch(p, s, fold) for a pattern whose shape is sh.
func matchShaped(p string, sh globShape, s string, fold bool) bool {
	n := sh.prefix
	if sh.kind == shapeLiteral {
		if fold {
			return equalFold(p, s)
		}
		return p == s
	}
	if len(s) < n {
		return false
	}
	if fold {
		if !equalFold(p[:n], s[:n]) {
			return false
		}
	} else if p[:n] != s[:n] {
		return false
	}
	if sh.kind == shapePrefix {
		return true
	}
	return globMatch(p[n:], s[n:], fold)
}
