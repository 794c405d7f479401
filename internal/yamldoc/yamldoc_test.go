package yamldoc

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func parse(t testing.TB, s string) *yaml.Node {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(s), &n); err != nil {
		t.Skip(err)
	}
	return &n
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"no duplicates", "a: 1\nb: {c: 1, d: [1, {e: 1}]}\n", ""},
		{"a top-level key twice", "a: 1\nb: 2\na: 3\n", `3:1: key "a" given twice (first at 1:1)`},
		{"a nested key twice", "a:\n  - {x: 1, x: 2}\n", `2:12: key "x" given twice (first at 2:6)`},
		{"many keys, the last twice", "k0: 0\n" + strings.Repeat("kx: 1\n", 1) + strings.Repeat("ky: 1\n", 20) + "k0: 1\n", `key "ky" given twice`},
		{"merge keys are not duplicates", "a: &a {x: 1}\nb: {<<: *a, <<: *a}\n", ""},
		{"an alias is not checked twice", "a: &a {x: 1}\nb: *a\nc: *a\n", ""},
		{"a billion laughs", "a0: &a0 [" + strings.Repeat("xxxxxxxxxx,", 10) + "x]\n" + laughs(9), "larger than 32 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(parse(t, tc.doc))
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
}

func laughs(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		b.WriteString("a" + itoa(i) + ": &a" + itoa(i) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + itoa(i-1))
		}
		b.WriteString("]\n")
	}
	return b.String()
}

func itoa(i int) string { return string(rune('0' + i)) }

// FuzzCheck: any YAML yaml.v3 reads is checked without a panic, in time
// and memory bounded by the document, not its expansion.
func FuzzCheck(f *testing.F) {
	f.Add("a: 1\na: 2\n")
	f.Add("a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n")
	f.Add("- {x: 1}\n- {x: 1, y: [&z {q: 1}, *z]}\n")
	f.Fuzz(func(t *testing.T, s string) {
		var n yaml.Node
		if yaml.Unmarshal([]byte(s), &n) != nil {
			return
		}
		if err := Check(&n); err != nil && !strings.Contains(err.Error(), ":") {
			t.Fatalf("error without a position: %v", err)
		}
	})
}
