package trail

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// validIgnoringControl is json.Valid with raw control characters read as
// spaces: encoding/json refuses them inside strings, the scanner accepts
// them (as Athena's SerDe does), and outside strings a space is white
// space either way.
func validIgnoringControl(b []byte) bool {
	c := bytes.Map(func(r rune) rune {
		if r < 0x20 {
			return ' '
		}
		return r
	}, b)
	return json.Valid(c)
}

func addSeeds(f *testing.F) {
	for _, dir := range []string{"testdata/shapes", "testdata/bad"} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if b, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil {
				f.Add(b)
			}
		}
	}
}

// FuzzScanValue checks the validating scanner against encoding/json: a
// value it accepts whole is valid JSON and valid JSON is accepted whole.
func FuzzScanValue(f *testing.F) {
	addSeeds(f)
	for _, s := range []string{`-`, `1.`, `1e+`, `{"a":[1,2,{"b":null}]}`, `"\ud83d\ude00"`, `[1,]`, `{"a" 1}`, `01`, `tru`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var sc scanner
		end, err := sc.skipValue(b, 0, true)
		if end < 0 || end > len(b) {
			t.Fatalf("end %d out of range", end)
		}
		whole := err == nil && len(bytes.TrimSpace(b[end:])) == 0
		if err == nil && b[0] == '{' {
			// The members' offsets the scan records are those a scan of
			// the object finds again.
			want := objIter{b: b[:end], i: 1}
			got := objIter{b: b[:end], i: 1, spans: slices.Clone(sc.members)}
			if len(sc.members)%4 != 0 {
				t.Fatalf("%d member offsets", len(sc.members))
			}
			for {
				wk, wv, wok := want.next()
				gk, gv, gok := got.next()
				if wok != gok || !bytes.Equal(wk, gk) || !bytes.Equal(wv, gv) {
					t.Fatalf("member %q:%q from the scan, %q:%q scanning again", gk, gv, wk, wv)
				}
				if !wok {
					break
				}
			}
		}
		if json.Valid(b) && !whole {
			t.Fatalf("valid JSON refused: end %d, err %v", end, err)
		}
		if whole && !json.Valid(b) && !validIgnoringControl(b) {
			t.Fatalf("invalid JSON accepted (end %d)", end)
		}
		// Feeding the same bytes in two parts must agree with one part.
		for cut := 0; cut <= len(b) && cut < 64; cut++ {
			e2, err2 := sc.skipValue(b[:cut], 0, false)
			if err2 == errMore {
				continue
			}
			if (err2 == nil) != (err == nil) || (err == nil && e2 != end) {
				if err != nil && err2 == nil && e2 <= cut {
					// A complete value within the prefix: only possible if the
					// full scan also ended there.
					t.Fatalf("prefix %d: end %d err %v; full: end %d err %v", cut, e2, err2, end, err)
				}
			}
		}
	})
}

// FuzzDecode feeds arbitrary files (plain and gzip) to the file decoder:
// it must not panic, every delivered record must be an object that
// encoding/json accepts, and a valid JSON input must read without syntax
// problems.
func FuzzDecode(f *testing.F) {
	addSeeds(f)
	f.Add([]byte(`{"Events":[{"CloudTrailEvent":"{\"eventName\":\"X\",\"eventTime\":\"2024-01-01T00:00:00Z\"}"}]}`))
	f.Add([]byte(`{"detail-type":"AWS API Call via CloudTrail","detail":{"eventName":"X","errorCode":"AccessDenied"}}`))
	f.Add([]byte("{\"eventID\":\"a\"}\n{\"eventID\":\"b\"}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, gz := range []bool{false, true} {
			in := b
			if gz {
				var z bytes.Buffer
				w := gzip.NewWriter(&z)
				w.Write(b)
				w.Close()
				in = z.Bytes()
			}
			st := &Stats{}
			delivered := int64(0)
			fd := newFileDecoder(st, 100, func(r *Record) error {
				delivered++
				if len(r.Raw) == 0 || r.Raw[0] != '{' {
					t.Fatalf("record raw %q", r.Raw)
				}
				if !validIgnoringControl(r.Raw) {
					t.Fatalf("invalid record delivered: %q", r.Raw)
				}
				c := r.Clone()
				if !bytes.Equal(c.Raw, r.Raw) || !bytes.Equal(c.RequestParameters, r.RequestParameters) {
					t.Fatalf("Clone differs")
				}
				return nil
			})
			if err := fd.decodeFile("fuzz", bytes.NewReader(in)); err != nil {
				t.Fatalf("decodeFile: %v", err)
			}
			if delivered != st.Records {
				t.Fatalf("delivered %d, counted %d", delivered, st.Records)
			}
			// RawOnly (Options.RawOnly) delivers the same records.
			rst := &Stats{}
			var raws [][]byte
			rfd := newFileDecoder(rst, 100, func(r *Record) error {
				raws = append(raws, append([]byte(nil), r.Raw...))
				return nil
			})
			rfd.dec.rawOnly = true
			if err := rfd.decodeFile("fuzz", bytes.NewReader(in)); err != nil {
				t.Fatalf("decodeFile (raw only): %v", err)
			}
			if rst.Records != st.Records || rst.RecordsFailed != st.RecordsFailed || int64(len(raws)) != delivered {
				t.Fatalf("raw only: %d records (%d failed), full decode: %d (%d failed)", rst.Records, rst.RecordsFailed, st.Records, st.RecordsFailed)
			}
			if json.Valid(b) && (st.FilesFailed > 0 || st.LinesSkipped > 0) {
				t.Fatalf("valid JSON reported as malformed: %v", st.Problems)
			}
			for _, p := range st.Problems {
				if p.Path != "fuzz" || p.Message == "" {
					t.Fatalf("problem %+v", p)
				}
			}
		}
	})
}

// FuzzToReplay rebuilds every record of the input into requests (request
// parameters and responses of every shape reach the ARN rebuilding) and
// decodes it projected then whole: nothing may panic, and DecodeAll must
// give the record a whole decode gives.
func FuzzToReplay(f *testing.F) {
	addSeeds(f)
	f.Add([]byte(`{"eventSource":"ec2.amazonaws.com","eventName":"CreateNatGateway","awsRegion":"us-east-1","requestParameters":{"CreateNatGatewayRequest":{"SubnetId":{"content":"s"}}},"responseElements":{"CreateNatGatewayResponse":{"natGateway":{"natGatewayId":"n"}}}}`))
	f.Add([]byte(`{"eventSource":"ssm.amazonaws.com","eventName":"SendCommand","requestParameters":{"documentName":"AWS-X","instanceIds":["i-1",2,null]}}`))
	f.Add([]byte(`{"eventSource":"iam.amazonaws.com","eventName":"AttachUserPolicy","requestParameters":{"userName":"u","policyArn":"arn:aws:iam::aws:policy/P","instanceProfileName":"p"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		st := &Stats{}
		var whole []*Record
		fd := newFileDecoder(st, 100, func(r *Record) error {
			ToReplay(r, RequestOptions{PassRole: true})
			whole = append(whole, r.Clone())
			return nil
		})
		if err := fd.decodeFile("fuzz", bytes.NewReader(b)); err != nil {
			t.Fatalf("decodeFile: %v", err)
		}
		c, _ := (&Filter{}).compile()
		i := 0
		pfd := newFileDecoder(&Stats{}, 100, func(r *Record) error {
			if err := r.DecodeAll(); err != nil {
				t.Fatalf("DecodeAll: %v", err)
			}
			if i < len(whole) && (r.EventID != whole[i].EventID || r.UserIdentity != whole[i].UserIdentity || !bytes.Equal(r.RequestParameters, whole[i].RequestParameters)) {
				t.Fatalf("record %d: DecodeAll differs from a whole decode", i)
			}
			i++
			return nil
		})
		pfd.dec.members = c.members([]string{"userIdentity.arn", "errorCode"})
		if err := pfd.decodeFile("fuzz", bytes.NewReader(b)); err != nil {
			t.Fatalf("decodeFile (projected): %v", err)
		}
		if i != len(whole) {
			t.Fatalf("%d records projected, %d whole", i, len(whole))
		}
	})
}
