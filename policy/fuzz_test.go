package policy

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the parser for every policy type. No
// input may panic; every error must be an ErrorList with positions inside the
// input; an accepted document must be valid JSON (encoding/json agrees) and
// must re-validate cleanly for the type it was parsed as, and must survive
// MarshalJSON and a second Parse unchanged (positions aside).
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
			if typ == TypeAny {
				roundTrip(t, p)
			}
		}
		// The wrapping helper must not panic either.
		_, _ = ParseJSONOrString(data, Options{Source: "fuzz"})
	})
}

func hasBOM(data []byte) bool {
	return len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF
}

func roundTrip(t *testing.T, p *Policy) {
	out, err := p.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	q, err := Parse(out, Options{Source: p.Source})
	if err != nil {
		t.Fatalf("re-parse of %s: %v", out, err)
	}
	if !reflect.DeepEqual(stripPos(p), stripPos(q)) {
		t.Fatalf("round trip through %s differs:\n%+v\n%+v", out, stripPos(p), stripPos(q))
	}
}

// stripPos returns a copy of p without positions, for comparing models.
func stripPos(p *Policy) *Policy {
	n := p.Clone()
	n.Pos, n.VersionPos, n.IDPos = Pos{}, Pos{}, Pos{}
	for i := range n.Statements {
		s := &n.Statements[i]
		s.Pos, s.SidPos, s.EffectPos = Pos{}, Pos{}, Pos{}
		s.Action.Pos, s.Resource.Pos, s.Principal.Pos = Pos{}, Pos{}, Pos{}
		for j := range s.Action.Values {
			s.Action.Values[j].Pos = Pos{}
		}
		for j := range s.Resource.Values {
			s.Resource.Values[j].Pos = Pos{}
		}
		for j := range s.Principal.Entries {
			s.Principal.Entries[j].Pos = Pos{}
		}
		for j := range s.Conditions {
			c := &s.Conditions[j]
			c.OperatorPos, c.KeyPos = Pos{}, Pos{}
			for k := range c.Values {
				c.Values[k].Pos = Pos{}
			}
		}
	}
	return n
}
