package policy

import (
	"encoding/json"
	"errors"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the parser for every policy type. No
// input may panic; every error must be an ErrorList with positions inside the
// input; an accepted document must be valid JSON (encoding/json agrees) and
// must re-validate cleanly for the type it was parsed as.
// Seeds: testdata/fuzz/FuzzParse (bucket, key, trust, SCP, RCP, VPC endpoint
// policies and malformed ones) plus the documents in testdata/docs.
func FuzzParse(f *testing.F) {
	for _, tc := range docCases {
		f.Add(readDoc(f, tc.file))
	}
	for _, tc := range rejectCases {
		f.Add([]byte(tc.doc))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := 1
		for _, c := range data {
			if c == '\n' {
				lines++
			}
		}
		for typ := TypeAny; typ <= TypeVPCEndpoint; typ++ {
			p, err := Parse(data, Options{Type: typ, Source: "fuzz"})
			if err != nil {
				var list ErrorList
				if !errors.As(err, &list) || len(list) == 0 {
					t.Fatalf("%s: error %T %v is not a non-empty ErrorList", typ, err, err)
				}
				for _, e := range list {
					if e.Pos.Line > lines || e.Pos.Col > len(data)+1 {
						t.Fatalf("%s: error position %s outside the input (%d lines, %d bytes): %v", typ, e.Pos, lines, len(data), e)
					}
				}
				if p != nil {
					t.Fatalf("%s: policy returned with errors", typ)
				}
				continue
			}
			if !json.Valid(data) && !hasBOM(data) {
				t.Fatalf("%s: accepted invalid JSON %q", typ, data)
			}
			if errs := p.Validate(typ); len(errs) != 0 {
				t.Fatalf("%s: parsed, but Validate reports %v", typ, errs)
			}
		}
		// The wrapping helper must not panic either.
		_, _ = ParseJSONOrString(data, Options{Source: "fuzz"})
	})
}

func hasBOM(data []byte) bool {
	return len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF
}
