package eval

import (
	"bytes"
	"strings"

	"github.com/iamwhy/iamwhy/arn"
)

// arnParts is the five fields the matcher compares.
func arnParts(s string) (parts [5]string, ok bool) { return arn.Fields(s) }

// ARNAccount returns the account ID field of an ARN ("" for ARNs without
// one, such as S3 buckets, or for strings that are not ARNs).
//
// Deprecated: use arn.Account.
func ARNAccount(s string) string { return arn.Account(s) }

// arnPattern is a compiled Resource entry or ArnLike value: either the
// single wildcard, or the five ARN fields, each an encoded glob.
type arnPattern struct {
	any   bool      // "*": matches everything, including a "*" request resource
	parts [5]string // encoded globs; valid when isARN
	isARN bool
	whole string // encoded glob of the whole text, used when it is not an ARN
	// shapes and wholeShape let literal fields and literal-prefix
	// patterns be compared without the general glob loop.
	shapes     [5]globShape
	wholeShape globShape
}

func compileARNPattern(encoded string) arnPattern {
	if encoded == string(rune(wildStar)) {
		return arnPattern{any: true}
	}
	if parts, ok := arnPartsEncoded(encoded); ok {
		p := arnPattern{parts: parts, isARN: true, whole: encoded, wholeShape: shapeOf(encoded)}
		for i, f := range parts {
			p.shapes[i] = shapeOf(f)
		}
		return p
	}
	return arnPattern{whole: encoded, wholeShape: shapeOf(encoded)}
}

// arnPartsEncoded is arnParts for an encoded pattern (whose "arn" prefix may
// itself be written with wildcards, which AWS treats as a literal segment
// glob).
func arnPartsEncoded(s string) (parts [5]string, ok bool) {
	i := strings.IndexByte(s, ':')
	if i < 0 || !globMatch(s[:i], "arn", false) {
		return parts, false
	}
	rest := s[i+1:]
	for k := 0; k < 4; k++ {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return parts, false
		}
		parts[k] = rest[:j]
		rest = rest[j+1:]
	}
	parts[4] = rest
	return parts, true
}

// matchARN matches a resource (or ARN condition value) against a compiled
// pattern, field by field and case-sensitively: a wildcard does not cross
// the colons between the first five fields, but '*' in the resource field
// matches any characters, '/' and ':' included.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
func (p *arnPattern) match(s string) bool {
	rr := newRequestResource(s)
	return p.matchSplit(&rr)
}

// requestResource is a request's resource (or an ARN condition value) split
// once into its ARN fields, so that matching it against many patterns does
// not split it again.
type requestResource struct {
	s     string
	parts [5]string
	isARN bool
}

func newRequestResource(s string) requestResource {
	rr := requestResource{s: s}
	rr.parts, rr.isARN = arnParts(s)
	return rr
}

// matchSplit is match on a pre-split resource.
func (p *arnPattern) matchSplit(rr *requestResource) bool {
	if p.any {
		return true
	}
	if rr.s == "*" {
		// An action that has no resource type is requested on "*"; only
		// the "*" pattern matches it.
		return false
	}
	if p.isARN {
		if !rr.isARN {
			return false
		}
		// The resource field differs most often between patterns, so it
		// is compared first; the order does not change the result.
		for i := 4; i >= 0; i-- {
			if p.shapes[i].kind == shapeLiteral {
				if p.parts[i] != rr.parts[i] {
					return false
				}
				continue
			}
			if !matchShaped(p.parts[i], p.shapes[i], rr.parts[i], false) {
				return false
			}
		}
		return true
	}
	return matchShaped(p.whole, p.wholeShape, rr.s, false)
}

// matchEncodedBytes matches a pattern made at decision time (a Resource
// entry or ARN condition value whose variables were just substituted into a
// scratch buffer) without turning it into a string, which would allocate. It
// gives the same answer as compileARNPattern(string(pat)).matchSplit(rr);
// isARN says whether the pattern has the five ARN fields.
func matchEncodedBytes(pat []byte, rr *requestResource) (match, isARN bool) {
	if len(pat) == 1 && pat[0] == wildStar {
		return true, false
	}
	if i := bytes.IndexByte(pat, ':'); i >= 0 && globMatch(pat[:i], "arn", false) {
		var parts [5][]byte
		rest := pat[i+1:]
		k := 0
		for ; k < 4; k++ {
			j := bytes.IndexByte(rest, ':')
			if j < 0 {
				break
			}
			parts[k] = rest[:j]
			rest = rest[j+1:]
		}
		if k == 4 {
			parts[4] = rest
			if rr.s == "*" || !rr.isARN {
				return false, true
			}
			for f := 4; f >= 0; f-- {
				if !globMatch(parts[f], rr.parts[f], false) {
					return false, true
				}
			}
			return true, true
		}
	}
	if rr.s == "*" {
		return false, false
	}
	return globMatch(pat, rr.s, false), false
}
