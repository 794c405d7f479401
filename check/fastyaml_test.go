package check

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/iamwhy/iamwhy/internal/casegen"
	"gopkg.in/yaml.v3"
)

// sameTree compares what the check-file loader reads of a node: kind, tag,
// value, position and children (not comments or styles).
func sameTree(a, b *yaml.Node, path string) error {
	if a.Kind != b.Kind || a.Tag != b.Tag || a.Value != b.Value || a.Line != b.Line || a.Column != b.Column || len(a.Content) != len(b.Content) {
		return fmt.Errorf("%s: fast %v %q %q @%d:%d (%d children), yaml.v3 %v %q %q @%d:%d (%d children)", path,
			a.Kind, a.Tag, a.Value, a.Line, a.Column, len(a.Content), b.Kind, b.Tag, b.Value, b.Line, b.Column, len(b.Content))
	}
	for i := range a.Content {
		if err := sameTree(a.Content[i], b.Content[i], fmt.Sprintf("%s/%d", path, i)); err != nil {
			return err
		}
	}
	return nil
}

// checkAgainstYAMLv3 parses the cases list of src both ways; when the fast
// parser accepts it, the trees must be equal.
func checkAgainstYAMLv3(t *testing.T, name, src string) (accepted bool) {
	t.Helper()
	head, parts, lines, ok := cutIndented([]byte(src), 3)
	if !ok {
		return false
	}
	_ = head
	accepted = true
	for i, part := range parts {
		fast, ok := parseFastYAML(string(part), lines[i], 256)
		if !ok {
			accepted = false
			continue
		}
		var n yaml.Node
		if err := yaml.Unmarshal(part, &n); err != nil {
			t.Fatalf("%s: fast parser accepted what yaml.v3 rejects: %v\n%s", name, err, part)
		}
		shiftLines(n.Content[0], lines[i]-1)
		want := n.Content[0].Content
		if len(fast) != len(want) {
			t.Fatalf("%s: %d items, yaml.v3 %d", name, len(fast), len(want))
		}
		for j := range fast {
			if err := sameTree(fast[j], want[j], name); err != nil {
				t.Fatal(err)
			}
		}
	}
	return accepted
}

func TestFastYAMLMatchesYAMLv3(t *testing.T) {
	files, _ := filepath.Glob("../internal/cli/testdata/check/*.yaml")
	files = append(files, "../examples/checks/guides.yaml", "../examples/checks/environment.yaml")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checkAgainstYAMLv3(t, f, string(data))
	}
	big, err := os.ReadFile(writeBigCheckFile(t, 500))
	if err != nil {
		t.Fatal(err)
	}
	if !checkAgainstYAMLv3(t, "generated", string(big)) {
		t.Fatal("the generated file is in the fast subset and must be accepted")
	}
	// Columns count characters, as yaml.v3's do: keys, values and flow
	// items after text that is not ASCII (the subset reads these itself).
	if !checkAgainstYAMLv3(t, "columns", "x: 1\ncases:\n  - ޜ:\n    é: [ü, x, {ö: y, z: w}]\n    name: café\n") {
		t.Fatal("text that is not ASCII is in the fast subset and must be accepted")
	}
	// Shapes the subset must leave to yaml.v3, or read as it does.
	for _, src := range []string{
		"x: 1\ncases:\n  - name: &a n\n    expect: allow\n",
		"x: 1\ncases:\n  - name: |\n      block\n    expect: allow\n",
		"x: 1\ncases:\n  - name: \"esc\\n\"\n    expect: allow\n",
		"x: 1\ncases:\n  - name: it''s\n    expect: allow\n",
		"x: 1\ncases:\n  - name: a\n      continued\n    expect: allow\n",
		"x: 1\ncases:\n  - when: 2024-01-01\n",
		// Integers past int64, which Go would read as floats.
		"x: 1\ncases:\n  - n: [01000000000000000000000, -99999999999999999999, 18446744073709551616]\n",
		// yaml.v3 reads U+2028 and U+2029 as line breaks.
		"x: 1\ncases:\n  - name: a\u2028b\n    expect: allow\n",
		"x: 1\ncases:\n  - name: [a\u2029, b]\n",
		// Inside a flow collection '?' ends a plain scalar.
		"x: 1\ncases:\n  - n: [0?, a?b]\n    m: {a?: b}\n",
		// The merge key.
		"x: 1\ncases:\n  - name: <<\n    <<: {expect: allow}\n",
		// yaml.v3 drops underscores before reading a number: "0_" is 0.
		"x: 1\ncases:\n  - n: [0_, 1_000, _1, 0x_1, 0b1_0, +1_0, 1_.5, 0o_7]\n",
	} {
		checkAgainstYAMLv3(t, "edge", src)
	}
}

func FuzzFastYAML(f *testing.F) {
	f.Add("  - name: a\n    action: [s3:GetObject, 's3:Put*']\n    context: {aws:SourceIp: \"1.2.3.4\"}\n    expect: allow\n")
	f.Add("  - name: b # comment\n    layers:\n      identity:\n        - p\n      scp: [[a], [b, c]]\n    expect: deny\n")
	f.Fuzz(func(t *testing.T, s string) {
		if strings.ContainsAny(s, "\x00") {
			return
		}
		fast, ok := parseFastYAML(s, 1, 1)
		if !ok {
			return
		}
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(s), &n); err != nil {
			t.Fatalf("fast parser accepted what yaml.v3 rejects: %v\n%q", err, s)
		}
		if len(n.Content) == 0 || n.Content[0].Kind != yaml.SequenceNode {
			t.Fatalf("fast parser accepted a non-sequence: %q", s)
		}
		want := n.Content[0].Content
		if len(fast) != len(want) {
			t.Fatalf("%d items, yaml.v3 %d: %q", len(fast), len(want), s)
		}
		for j := range fast {
			if err := sameTree(fast[j], want[j], "fuzz"); err != nil {
				t.Fatalf("%v\n%q", err, s)
			}
		}
	})
}

// parseSplitYAML reads data as Parse does a large YAML file, split into
// chunks read concurrently, whatever its size; ok is false when that path
// gives the file up (then Parse reads it whole).
func parseSplitYAML(data []byte) (*File, bool) {
	head, parts, lines, ok := cutCases(data, 3)
	if !ok {
		return nil, false
	}
	return parseYAMLCases("f.yaml", head, parts, lines)
}

// FuzzFastYAMLCase: when the chunked reader, with or without reading cases
// straight from the text, accepts a YAML check file, yaml.v3 reads the same
// cases from it.
func FuzzFastYAMLCase(f *testing.F) {
	f.Add("version: 1\npolicies:\n  p: {Statement: []}\n  q: q.json\ncases:\n  - name: a\n    principal: p\n    action: [s3:GetObject, 's3:Put*']\n    resource: \"r\"\n    context:\n      aws:SourceIp: 10.0.0.1\n      k: [x, y]\n    layers:\n      identity: [p]\n      scp: [[p], [p, q]]\n    expect: allow\n  - name: b # c\n    principal: p\n    action: a\n    resource: r\n    resource_account: ~\n    layers:\n      identity: [p]\n      scp: [[p], [p, q]]\n    expect: deny\n")
	f.Add("version: 1\npolicies:\n  p: {}\ncases:\n  - name: a\n    principal: p\n    action: a\n    resource: r\n    layers: {identity: [p]}\n    expect: allow\n  - name: b\n    principal: p\n    action: a\n    resource: r\n    context:\n    layers:\n      identity: [p]\n    expect: allow\n    description: 'x'\n")
	f.Fuzz(func(t *testing.T, s string) {
		if d := yamlReadersDiffer(s); d != "" {
			t.Fatalf("%s\n%q", d, s)
		}
	})
}

// TestFastYAMLReadsCasesDirectly: nearly every case of the realistic
// generated file (all but the first of each set of layers) is read
// straight from the text.
func TestFastYAMLReadsCasesDirectly(t *testing.T) {
	var b bytes.Buffer
	if err := casegen.WriteYAML(&b, 2000); err != nil {
		t.Fatal(err)
	}
	data := b.Bytes()
	head, parts, lines, ok := cutCases(data, 1)
	if !ok {
		t.Fatal("not split")
	}
	f, ok := parseYAMLCases("f.yaml", head, parts, lines)
	if !ok {
		t.Fatal("the chunked reader gave the file up")
	}
	fc := &File{Path: f.Path, Policies: f.Policies}
	var direct, nodes int
	if !eachFastYAML(string(parts[0]), lines[0], func(item *yaml.Node) bool {
		nodes++
		if _, err := fc.readCase(item); err != nil {
			t.Fatal(err)
		}
		return false
	}, fc, func(*Case) { direct++ }, nil) {
		t.Fatal("outside the subset")
	}
	if direct+nodes != len(f.Cases) || direct < len(f.Cases)*9/10 {
		t.Fatalf("%d cases read directly, %d from nodes, of %d", direct, nodes, len(f.Cases))
	}
}

// TestBlockEntryMatchesSeparateTests: blockEntry's one pass over a key
// (keyEnd) reads exactly the entries its separate tests did
// (isMappingEntry, the first ": ", the bytes a key may not hold,
// surrounding space), with the same key, value and column, on every line
// of up to five bytes of an alphabet of the bytes those tests look at.
func TestBlockEntryMatchesSeparateTests(t *testing.T) {
	type entry struct {
		key, value string
		col        int
	}
	bailed := func(fn func() entry) (e entry, ok bool) {
		defer func() {
			if r := recover(); r != nil {
				if _, isBail := r.(bail); !isBail {
					panic(r)
				}
				ok = false
			}
		}()
		return fn(), true
	}
	separate := func(content string) entry {
		if !isMappingEntry(content) {
			panic(bail{})
		}
		i := strings.Index(content, ": ")
		if i < 0 {
			panic(bail{})
		}
		key, rest := content[:i], content[i+2:]
		if key == "" || strings.ContainsAny(key, "[]{},\"'#") || !plainStart(key) || strings.TrimSpace(key) != key {
			panic(bail{})
		}
		resolvePlain(key)
		valText := strings.TrimLeft(rest, " ")
		if valText == "" || valText[0] == '#' {
			panic(bail{})
		}
		return entry{key, valText, utf8.RuneCountInString(key) + 2 + (len(rest) - len(valText))}
	}
	real := func(content string) entry {
		p := &fastYAML{lines: []string{content}}
		key, fl, ok := p.blockEntry(0)
		if !ok {
			t.Fatalf("%q: no entry", content)
		}
		return entry{key, fl.s, fl.col0}
	}
	alphabet := []string{"a", ":", " ", "#", "[", "}", ",", "\"", "'", "-", "é", "\u00a0", "~"}
	count, read := 0, 0
	var walk func(s string, n int)
	walk = func(s string, n int) {
		if s != "" && s[0] != ' ' && s[0] != '#' { // blockEntry's caller is on a line with content at the indentation
			count++
			e1, ok1 := bailed(func() entry { return separate(s) })
			e2, ok2 := bailed(func() entry { return real(s) })
			if ok1 != ok2 || e1 != e2 {
				t.Fatalf("%q: separate tests %+v %v, one pass %+v %v", s, e1, ok1, e2, ok2)
			}
			if ok1 {
				read++
			}
		}
		if n == 0 {
			return
		}
		for _, a := range alphabet {
			walk(s+a, n-1)
		}
	}
	walk("", 5)
	if read == 0 {
		t.Fatal("no line read as an entry")
	}
	t.Logf("%d lines, %d read as entries", count, read)
}
