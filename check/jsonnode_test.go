package check

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// JSON is YAML: the JSON reader must build the tree yaml.v3 builds for the
// same text (kind, tag, value, line, column), so a check file means the same
// whichever reader took it.
func TestJSONReaderMatchesYAMLv3(t *testing.T) {
	docs := []string{
		`{"version": 1, "cases": []}`,
		"{\n  \"version\": 1,\n  \"policies\": {\"p\": {\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}]}},\n  \"cases\": [\n    {\"name\": \"a\", \"n\": -1.5e3, \"t\": true, \"f\": false, \"z\": null, \"zero\": 0}\n  ]\n}",
		`{"s": "tab\tnew\nline \"q\" \\ \u00e9\u20ac", "é": "ünï", "x": [1, [2, [3]], {}]}`,
		`{"a":{"b":{"c":[true,false,null,"",12345678901234567890]}}}`,
	}
	if data, err := os.ReadFile(filepath.Join("testdata", "fuzz", "FuzzJSONReader", "seed")); err == nil {
		docs = append(docs, string(data))
	}
	for _, src := range docs {
		got, err := parseJSONDocument([]byte(src))
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		var want yaml.Node
		if err := yaml.Unmarshal([]byte(src), &want); err != nil {
			t.Fatalf("yaml.v3: %v", err)
		}
		if err := sameTree(got, want.Content[0], "doc"); err != nil {
			t.Errorf("%q: %v", src, err)
		}
	}
}

// Errors name the line and column where the text stops being JSON, and a
// key given twice in one object names both places.
func TestJSONReaderErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"{\"version\": 1,\n \"version\": 2}", `2:2: key "version" given twice (first at 1:2)`},
		{"{\"cases\": [\n  {\"name\": \"a\", \"name\": \"b\"}]}", `2:17: key "name" given twice (first at 2:4)`},
		{"{\"a\": 1,}", "1:9: want a quoted key"},
		{"{\"a\": tru}", "1:7: invalid literal (want true)"},
		{"{\"a\": 01}", `1:7: invalid number "01"`},
		{"{\"a\": \"x\ny\"}", "1:9: control character 0x0a in a string (write it escaped)"},
		{"{\"a\": [1, 2}", "1:12: want ',' or ']' in an array"},
		{"{\"a\": 1} x", "1:10: unexpected text after the document"},
		{"{\"a\": ", "1:7: unexpected end of input"},
		{strings.Repeat("[", 300), "nested more than 200 levels deep"},
	} {
		_, err := parseJSONDocument([]byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.src, err, tc.want)
		}
	}
}

// JSON escapes YAML does not have (\/ and surrogate pairs) decode as JSON
// defines them (RFC 8259 section 7).
func TestJSONReaderEscapes(t *testing.T) {
	n, err := parseJSONDocument([]byte(`{"a": "x\/y \ud83d\ude00"}`))
	if err != nil || n.Content[1].Value != "x/y \U0001F600" {
		t.Fatalf("got %v %q", err, n.Content[1].Value)
	}
}

// NEL, LS and PS inside a JSON string are characters of the string (RFC
// 8259 section 7: only control characters below U+0020 must be escaped);
// yaml.v3 reads them as YAML 1.1 line breaks and folds them to spaces, so
// the JSON reader is not compared with it on text holding them.
func TestJSONReaderLineSeparators(t *testing.T) {
	n, err := parseJSONDocument([]byte("{\"a\": \"x\u0085y\u2028z\u2029\"}"))
	if err != nil || n.Content[1].Value != "x\u0085y\u2028z\u2029" {
		t.Fatalf("got %v %q", err, n.Content[1].Value)
	}
}

// Objects with many keys find duplicates through their index too.
func TestJSONReaderDuplicateInLargeObject(t *testing.T) {
	var b strings.Builder
	b.WriteString("{")
	for i := 0; i < 100; i++ {
		b.WriteString(`"k` + strings.Repeat("x", i) + `": 1, `)
	}
	b.WriteString(`"kxxx": 2}`)
	if _, err := parseJSONDocument([]byte(b.String())); err == nil || !strings.Contains(err.Error(), `key "kxxx" given twice`) {
		t.Fatalf("got %v", err)
	}
}

// A check file named .json that is not JSON is reported as JSON, with its
// position; through LoadFile, the error is a FileError (exit status 2).
func TestParseJSONFileError(t *testing.T) {
	_, err := Parse("checks.json", []byte("{\"version\": 1,\n  \"cases\": [}"))
	fe, ok := err.(*FileError)
	if !ok || fe.Pos.Line != 2 || fe.Pos.Col != 13 || !strings.Contains(fe.Msg, "not valid JSON") {
		t.Fatalf("got %#v", err)
	}
	// YAML flow style starting with "{" still reads as YAML.
	f, err := Parse("checks.yaml", []byte("{version: 1, cases: [{name: a, principal: p, action: s3:GetObject, resource: '*', expect: allow, layers: {identity: []}}]}"))
	if err != nil || len(f.Cases) != 1 {
		t.Fatalf("flow YAML: %v", err)
	}
}

func FuzzJSONReader(f *testing.F) {
	f.Add(`{"version": 1, "cases": [{"name": "a", "context": {"k": ["v", 1, true, null]}}]}`)
	f.Add(`{"s": "\u00e9\ud83d\ude00\n", "n": -0.5e-3}`)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseJSONDocument([]byte(s))
		if err != nil {
			return
		}
		if strings.ContainsAny(s, "\u0085\u2028\u2029") {
			return // line breaks to yaml.v3, characters to JSON (TestJSONReaderLineSeparators)
		}
		var want yaml.Node
		if yerr := yaml.Unmarshal([]byte(s), &want); yerr != nil || len(want.Content) == 0 {
			return // JSON that YAML 1.2's reader refuses (yaml.v3 limits); nothing to compare
		}
		if err := sameTree(got, want.Content[0], "fuzz"); err != nil {
			t.Fatalf("%v\n%q", err, s)
		}
	})
}
