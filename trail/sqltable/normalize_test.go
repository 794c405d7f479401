package sqltable

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		rule string
		in   string
		want string
		// counters after the record
		mismatched, duplicates, replaced int
	}{
		{rule: "keys match columns ignoring case and are written in lower case",
			in:   `{"eventVersion":"1.08","EVENTNAME":"GetObject","sourceIPAddress":"1.2.3.4"}`,
			want: `{"eventversion":"1.08","eventname":"GetObject","sourceipaddress":"1.2.3.4"}`},
		{rule: "keys that are not columns are dropped",
			in:   `{"managementEvent":true,"eventName":"X","insightDetails":{"a":[1,{"b":2}]}}`,
			want: `{"eventname":"X"}`},
		{rule: "struct keys are matched at every level",
			in:   `{"userIdentity":{"Type":"Root","sessionContext":{"sessionIssuer":{"userName":"r"},"sourceIdentity":"x"}}}`,
			want: `{"useridentity":{"type":"Root","sessioncontext":{"sessionissuer":{"username":"r"}}}}`},
		{rule: "free-form objects are copied verbatim, keys keep their case, whitespace goes",
			in:   "{\"requestParameters\" : {\"bucketName\" : \"b\",\n \"Nested\": [1, 2.5e3, true, null, {\"K\": \"v\"}]}}",
			want: `{"requestparameters":"{\"bucketName\":\"b\",\"Nested\":[1,2.5e3,true,null,{\"K\":\"v\"}]}"}`},
		{rule: "quotes and backslashes in free-form text are escaped once more",
			in:   `{"requestParameters":{"q":"say \"hi\"\\"}}`,
			want: `{"requestparameters":"{\"q\":\"say \\\"hi\\\"\\\\\"}"}`},
		{rule: "map values that are not strings become their JSON text",
			in:   `{"userIdentity":{"sessionContext":{"webIdFederationData":{"attributes":{"n":1,"o":{"a":true}}}}}}`,
			want: `{"useridentity":{"sessioncontext":{"webidfederationdata":{"attributes":{"n":"1","o":"{\"a\":true}"}}}}}`},
		{rule: "map keys keep their case",
			in:   `{"userIdentity":{"sessionContext":{"webIdFederationData":{"attributes":{"Accounts.Google.com:Sub":"1"}}}}}`,
			want: `{"useridentity":{"sessioncontext":{"webidfederationdata":{"attributes":{"Accounts.Google.com:Sub":"1"}}}}}`},
		{rule: "a string column takes any JSON value as it is",
			in:   `{"readOnly":true,"apiVersion":20100508,"serviceEventDetails":[1]}`,
			want: `{"readonly":"true","apiversion":"20100508","serviceeventdetails":"[1]"}`},
		{rule: "a struct position holding another type becomes null and is counted",
			in:   `{"userIdentity":"root","tlsDetails":[1],"addendum":null}`,
			want: `{"useridentity":null,"tlsdetails":null,"addendum":null}`, mismatched: 2},
		{rule: "an array of structs keeps object elements and nulls others",
			in:   `{"resources":[{"ARN":"a","accountId":"1","other":2},"x",null]}`,
			want: `{"resources":[{"arn":"a","accountid":"1"},null,null]}`, mismatched: 1},
		{rule: "an array position holding an object becomes null",
			in:   `{"resources":{"ARN":"a"}}`,
			want: `{"resources":null}`, mismatched: 1},
		{rule: "a key repeated in another case keeps the first value",
			in:   `{"eventName":"A","EventName":"B"}`,
			want: `{"eventname":"A"}`, duplicates: 1},
		{rule: "escaped keys are decoded before matching",
			in:   `{"event\u004eame":"A"}`,
			want: `{"eventname":"A"}`},
		{rule: "invalid UTF-8 is replaced by U+FFFD",
			in:   "{\"eventName\":\"a\xffb\"}",
			want: "{\"eventname\":\"a\uFFFDb\"}", replaced: 1},
		{rule: "an escaped surrogate that is not half of a pair becomes U+FFFD, counted once per string",
			in:   `{"errorMessage":"a\ud800b\udc00","userAgent":"\ud83d\ude00 \\ud800 \uD800\u0041","errorCode":"\ude00\ud83d"}`,
			want: `{"errormessage":"a\ufffdb\ufffd","useragent":"\ud83d\ude00 \\ud800 \ufffd\u0041","errorcode":"\ufffd\ufffd"}`, replaced: 3},
		{rule: "lone surrogates in map keys and free-form text too",
			in:   `{"requestParameters":{"k":"\udbff"},"userIdentity":{"sessionContext":{"webIdFederationData":{"attributes":{"\ud800":"v"}}}}}`,
			want: `{"requestparameters":"{\"k\":\"\\ufffd\"}","useridentity":{"sessioncontext":{"webidfederationdata":{"attributes":{"\ufffd":"v"}}}}}`, replaced: 2},
		{rule: "string escapes are kept for DuckDB to decode",
			in:   `{"errorMessage":"say \"no\"\n\u00e9"}`,
			want: `{"errormessage":"say \"no\"\n\u00e9"}`},
		{rule: "empty objects and arrays",
			in:   `{ "requestParameters" : { } , "resources" : [ ] }`,
			want: `{"requestparameters":"{}","resources":[]}`},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			var n normalizer
			got, err := n.normalize(nil, []byte(tt.in))
			if err != nil {
				t.Fatalf("normalize: %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			if n.mismatched != tt.mismatched || n.duplicates != tt.duplicates || n.replaced != tt.replaced {
				t.Errorf("counters mismatched=%d duplicates=%d replaced=%d, want %d %d %d",
					n.mismatched, n.duplicates, n.replaced, tt.mismatched, tt.duplicates, tt.replaced)
			}
		})
	}
}

func TestNormalizeRejects(t *testing.T) {
	tests := []struct {
		rule   string
		in     string
		offset int
	}{
		{"a record is an object", `["x"]`, 0},
		{"a record is an object, not a string", `"x"`, 0},
		{"nothing may follow the record", `{"eventName":"a"} x`, 18},
		{"keys are strings", `{eventName:"a"}`, 1},
		{"a colon follows a key", `{"eventName" "a"}`, 13},
		{"invalid escapes are rejected", `{"eventName":"a\q"}`, 15},
		{"short unicode escapes are rejected", `{"eventName":"\u12"}`, 14},
		{"control characters in strings are rejected", "{\"eventName\":\"a\x01\"}", 15},
		{"numbers follow the JSON grammar", `{"apiVersion":01}`, 15},
		{"numbers need digits after the point", `{"apiVersion":1.}`, 14},
		{"literals are exact", `{"readOnly":tru}`, 12},
		{"literals end at a delimiter", `{"readOnly":truex}`, 16},
		{"unterminated objects are rejected", `{"requestParameters":{"a":1`, 27},
		{"unterminated strings are rejected", `{"eventName":"abc`, 17},
		{"deep nesting is bounded", `{"requestParameters":` + strings.Repeat("[", maxDepth+2), maxDepth + 21},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			var n normalizer
			_, err := n.normalize(nil, []byte(tt.in))
			var re *RecordError
			if !errors.As(err, &re) {
				t.Fatalf("got %v, want a RecordError", err)
			}
			if re.Offset != tt.offset {
				t.Errorf("offset %d, want %d (%v)", re.Offset, tt.offset, err)
			}
		})
	}
}

// FuzzNormalize checks that any input is either refused with a RecordError
// or turned into one line of valid JSON, and that every valid JSON object
// is accepted.
func FuzzNormalize(f *testing.F) {
	f.Add([]byte(`{"eventName":"a","requestParameters":{"b":[1,2,{"c":null}]}}`))
	f.Add([]byte(`{"userIdentity":{"sessionContext":{"webIdFederationData":{"attributes":{"k":"v"}}}},"resources":[{"ARN":"x"},1]}`))
	f.Add([]byte("{\"eventName\":\"\xff\"}"))
	f.Add([]byte(`{"a":-0.5e-3,"b":"\ud800"}`))
	f.Add([]byte(`{"eventName":"\ud800\udc00\\ud800\udfff\ud800\u0041"}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		var n normalizer
		out, err := n.normalize(nil, in)
		if err != nil {
			var re *RecordError
			if !errors.As(err, &re) {
				t.Fatalf("error is not a RecordError: %v", err)
			}
			trimmed := bytes.TrimLeft(in, " \t\r\n")
			if json.Valid(in) && len(trimmed) > 0 && trimmed[0] == '{' && re.Msg != "JSON nested deeper than 512 levels" {
				t.Fatalf("valid object refused: %v", err)
			}
			return
		}
		if !json.Valid(out) {
			t.Fatalf("output is not JSON: %q", out)
		}
		if bytes.ContainsAny(out, "\n\r") {
			t.Fatalf("output spans lines: %q", out)
		}
		// DuckDB's read_json refuses an unpaired surrogate escape.
		if n.fixSurrogates(bytes.Clone(out)) {
			t.Fatalf("output keeps an unpaired surrogate escape: %q", out)
		}
	})
}

// TestLoneSurrogateLoads checks that a record with an unpaired surrogate
// escape, which encoding/json and so trail.Read accept, is loaded (DuckDB
// refused the whole batch) with U+FFFD in its place and counted.
func TestLoneSurrogateLoads(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l, err := db.NewLoader(ctx, LoaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range []string{`{"eventID":"a","errorMessage":"x\ud800y"}`, `{"eventID":"b","errorMessage":"\ud83d\ude00"}`} {
		if err := l.Add([]byte(rec)); err != nil {
			t.Fatal(err)
		}
	}
	st, err := l.Close()
	if err != nil {
		t.Fatal(err)
	}
	if st.Inserted != 2 || st.InvalidUTF8 != 1 {
		t.Errorf("stats %+v, want 2 inserted, 1 string repaired", st)
	}
	got := jsonText(t, queryAll(t, db, "SELECT errormessage FROM cloudtrail_logs ORDER BY eventid"))
	if want := "[[\"x\uFFFDy\"],[\"\U0001F600\"]]"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// TestAddNoting checks that a value of the wrong JSON type in a struct or
// list position is described (field, byte offset, types) for the caller
// to place, and that the record is staged all the same.
func TestAddNoting(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l, err := db.NewLoader(ctx, LoaderOptions{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		rule, rec string
		want      []string
	}{
		{"well-typed record: no note", `{"eventID":"a","userIdentity":{"type":"IAMUser"}}`, nil},
		{"string where a struct belongs", `{"eventID":"b","userIdentity":"oops"}`,
			[]string{"byte 30: useridentity: expected an object, got a JSON string (set to NULL)"}},
		{"number where a list belongs, and a nested struct mismatch", `{"eventID":"c","resources":7,"tlsDetails":[1]}`,
			[]string{"byte 27: resources: expected an array, got a JSON number (set to NULL)",
				"byte 42: tlsdetails: expected an object, got a JSON array (set to NULL)"}},
	}
	for _, tc := range tests {
		got, err := l.AddNoting([]byte(tc.rec))
		if err != nil {
			t.Fatalf("%s: %v", tc.rule, err)
		}
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s: notes %q, want %q", tc.rule, got, tc.want)
		}
	}
	st, err := l.Close()
	if err != nil {
		t.Fatal(err)
	}
	if st.Inserted != 3 || st.Mismatched != 3 {
		t.Errorf("stats %+v, want 3 inserted, 3 mismatched", st)
	}
}

// TestLoaderRestoresThreads checks that the Loader's single insert thread
// (LoaderOptions.InsertThreads) does not outlive it: queries after the
// load get DuckDB's thread setting back.
func TestLoaderRestoresThreads(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	threads := func() (n int64) {
		if err := db.sql.QueryRowContext(ctx, "SELECT current_setting('threads')").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if _, err := db.sql.ExecContext(ctx, "SET threads = 3"); err != nil {
		t.Fatal(err)
	}
	l, err := db.NewLoader(ctx, LoaderOptions{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if n := threads(); n != 1 {
		t.Errorf("threads while loading = %d, want 1", n)
	}
	if err := l.Add([]byte(`{"eventID":"x"}`)); err != nil {
		t.Fatal(err)
	}
	if st, err := l.Close(); err != nil || st.Inserted != 1 {
		t.Fatalf("Close: %+v, %v", st, err)
	}
	if n := threads(); n != 3 {
		t.Errorf("threads after Close = %d, want 3 restored", n)
	}
}

// plainWord agrees with plainStringByte on every byte value at every
// position of a word, with plain and with high (UTF-8) bytes around it.
func TestPlainWord(t *testing.T) {
	for _, fill := range []byte{'a', 0x80, 0xff, 0x20, 0x7f} {
		for pos := 0; pos < 8; pos++ {
			for c := 0; c < 256; c++ {
				var b [8]byte
				for i := range b {
					b[i] = fill
				}
				b[pos] = byte(c)
				want := true
				for _, x := range b {
					want = want && plainStringByte[x]
				}
				if got := plainWord(binary.LittleEndian.Uint64(b[:])); got != want {
					t.Fatalf("fill %#x, byte %#x at %d: plainWord %v, want %v", fill, c, pos, got, want)
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 1_000_000; i++ {
		w := r.Uint64()
		want := true
		for k := 0; k < 8; k++ {
			want = want && plainStringByte[byte(w>>(8*k))]
		}
		if got := plainWord(w); got != want {
			t.Fatalf("%#016x: plainWord %v, want %v", w, got, want)
		}
	}
}
