package check

import (
	"bytes"
	"strings"
	"testing"
)

// splitCases cuts the list at item starts into at most the chunks asked
// for, which together are the whole list, each with the line it starts
// on; a top-level key anywhere after the list (in any chunk) gives the
// split up.
func TestSplitCases(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\npolicies:\n  p: {}\ncases:\n")
	for i := range 50 {
		b.WriteString("  - name: c" + itoa(i) + "\n    # a comment\n\n    expect: allow\n    action: [\"- x\"]\n")
	}
	data := []byte(b.String())
	for _, chunks := range []int{1, 2, 3, 7, 50, 200} {
		head, parts, lines, ok := splitCases(data, chunks)
		if !ok {
			t.Fatalf("%d chunks: not split", chunks)
		}
		if len(parts) > chunks || len(parts) != len(lines) {
			t.Fatalf("%d chunks: %d parts, %d lines", chunks, len(parts), len(lines))
		}
		if got := string(head) + string(bytes.Join(parts, nil)); got != string(data) {
			t.Fatalf("%d chunks: the parts are not the file", chunks)
		}
		at := len(head)
		for i, p := range parts {
			if !bytes.HasPrefix(p, []byte("  - name: c")) {
				t.Fatalf("%d chunks: part %d starts %q", chunks, i, p[:min(len(p), 12)])
			}
			if want := 1 + bytes.Count(data[:at], []byte("\n")); lines[i] != want {
				t.Fatalf("%d chunks: part %d starts on line %d, want %d", chunks, i, lines[i], want)
			}
			at += len(p)
		}
	}
	for _, tail := range []string{"other: 1\n", "other: 1", "\r\n", "\t- x\n"} {
		bad := append(append([]byte{}, data...), tail...)
		for _, chunks := range []int{1, 3, 50} {
			if _, _, _, ok := splitCases(bad, chunks); ok {
				t.Fatalf("%q after the list, %d chunks: split", tail, chunks)
			}
		}
	}
	// In the middle of the list too.
	mid := bytes.Replace(data, []byte("  - name: c25\n"), []byte("late: key\n  - name: c25\n"), 1)
	for _, chunks := range []int{1, 3, 50} {
		if _, _, _, ok := splitCases(mid, chunks); ok {
			t.Fatalf("a key in the middle, %d chunks: split", chunks)
		}
	}
}
