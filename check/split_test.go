package check

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// cutCases cuts the list at item starts into at most the chunks asked
// for, which together are the whole list, each with the line it starts
// on; with allIndented, a top-level key anywhere after the list (in any
// chunk) gives the split up.
func TestSplitCases(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\npolicies:\n  p: {}\ncases:\n")
	for i := range 50 {
		b.WriteString("  - name: c" + strconv.Itoa(i) + "\n    # a comment\n\n    expect: allow\n    action: [\"- x\"]\n")
	}
	data := []byte(b.String())
	for _, chunks := range []int{1, 2, 3, 7, 50, 200} {
		head, parts, lines, ok := cutIndented(data, chunks)
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
			if _, _, _, ok := cutIndented(bad, chunks); ok {
				t.Fatalf("%q after the list, %d chunks: split", tail, chunks)
			}
		}
	}
	// In the middle of the list too.
	mid := bytes.Replace(data, []byte("  - name: c25\n"), []byte("late: key\n  - name: c25\n"), 1)
	for _, chunks := range []int{1, 3, 50} {
		if _, _, _, ok := cutIndented(mid, chunks); ok {
			t.Fatalf("a key in the middle, %d chunks: split", chunks)
		}
	}
}

// cutIndented is cutCases followed by allIndented, as Parse does before
// the readers other than the fast one.
func cutIndented(data []byte, chunks int) (head []byte, parts [][]byte, startLines []int, ok bool) {
	head, parts, startLines, ok = cutCases(data, chunks)
	if !ok || !allIndented(parts) {
		return nil, nil, nil, false
	}
	return head, parts, startLines, true
}

// The fast reader, given cutCases' chunks unchecked, refuses a top-level
// key after the list or inside it by itself (LoadFile relies on it to skip
// allIndented's pass), and reads the same list without one.
func TestFastReaderRefusesTopLevelKeys(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\npolicies:\n  p: {\"Statement\":[]}\ncases:\n")
	for i := range 50 {
		b.WriteString("  - name: c" + strconv.Itoa(i) + "\n    # a comment\n\n    principal: arn:aws:iam::111122223333:user/u\n    action: s3:GetObject\n    resource: \"*\"\n    layers:\n      identity: [p]\n    expect: deny\n")
	}
	data := []byte(b.String())
	read := func(data []byte, chunks int) bool {
		head, parts, lines, ok := cutCases(data, chunks)
		if !ok {
			t.Fatalf("%d chunks: not cut", chunks)
		}
		_, ok = parseYAMLCases("f.yaml", head, parts, lines)
		return ok
	}
	for _, chunks := range []int{1, 3, 50} {
		if !read(data, chunks) {
			t.Fatalf("%d chunks: the list is not read", chunks)
		}
		for _, tail := range []string{"other: 1\n", "other: 1", "\r\n", "\t- x\n", "other:\n  - name: x\n"} {
			if read(append(append([]byte{}, data...), tail...), chunks) {
				t.Errorf("%q after the list, %d chunks: read", tail, chunks)
			}
		}
		mid := bytes.Replace(data, []byte("  - name: c25\n"), []byte("late: key\n  - name: c25\n"), 1)
		if read(mid, chunks) {
			t.Errorf("a key in the middle, %d chunks: read", chunks)
		}
	}
}

// textASCII8 agrees with a byte-wise test on every byte value at every
// position of a word, and on words mixing two odd bytes; printable gives
// the byte-wise answer on text of every length around the word size.
func TestTextASCII8(t *testing.T) {
	word := func(s string) bool {
		var w uint64
		for i := 7; i >= 0; i-- {
			w = w<<8 | uint64(s[i])
		}
		return textASCII8(w)
	}
	plain := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if s[i] != '\n' && (s[i] < 0x20 || s[i] >= 0x7f) {
				return false
			}
		}
		return true
	}
	base := []byte("abcdefgh")
	for pos := range 8 {
		for v := range 256 {
			w := append([]byte{}, base...)
			w[pos] = byte(v)
			if got := word(string(w)); got != plain(string(w)) {
				t.Fatalf("%q: %v", w, got)
			}
			for _, v2 := range []byte{0x00, 0x09, 0x0a, 0x0b, 0x1f, 0x20, 0x7e, 0x7f, 0x80, 0x8a, 0xff} {
				w2 := append([]byte{}, w...)
				w2[(pos+3)%8] = v2
				if got := word(string(w2)); got != plain(string(w2)) {
					t.Fatalf("%q: %v", w2, got)
				}
			}
		}
	}
	slow := func(s string) bool {
		for _, r := range s {
			switch {
			case r == '\n':
			case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f, r == 0xfeff, r >= 0xfffe, r == '\u2028', r == '\u2029':
				return false
			}
		}
		return utf8.ValidString(s)
	}
	for n := range 20 {
		for _, odd := range []string{"\n", "\t", "\x7f", "\r", "é", "\u2028", "\xff"} {
			for at := 0; at < n; at++ {
				s := strings.Repeat("x", at) + odd + strings.Repeat("y", n-at)
				if got := printable(s); got != slow(s) {
					t.Fatalf("%q: %v", s, got)
				}
			}
		}
	}
}

// textLines gives printable's answer and strings.Split's lines, with each
// odd character at every position of texts of every length around the
// eight-byte words it reads, line feeds among them.
func TestTextLines(t *testing.T) {
	for n := range 26 {
		for _, odd := range []string{"\n", "\n\n", "\t", "\x7f", "\r", "é", "\u2028", "\xff", "#", " "} {
			for at := 0; at <= n; at++ {
				s := strings.Repeat("a\nbc", n)[:n]
				s = s[:at] + odd + s[at:]
				lines, ok := textLines(s)
				if want := printable(s); ok != want {
					t.Fatalf("%q: ok %v, want %v", s, ok, want)
				}
				if ok && !slices.Equal(lines, strings.Split(s, "\n")) {
					t.Fatalf("%q: lines %q, want %q", s, lines, strings.Split(s, "\n"))
				}
			}
		}
	}
}

// plainUntil skips the bytes plainSpecial does not mark without testing
// them. With every byte marked it tests each one, as it did before the
// table; it must read every scalar the same either way, for every byte
// value in every position of a short value, with every stop set it is
// called with.
func TestPlainSpecialSkipsOnlyUntested(t *testing.T) {
	read := func(s, stop string) (v string, end int, bailed bool) {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(bail); !ok {
					panic(r)
				}
				bailed = true
			}
		}()
		f := &flow{s: s}
		v = f.plainUntil(stop)
		return v, f.i, false
	}
	type reading struct {
		v      string
		end    int
		bailed bool
	}
	var cases []string
	for c := range 256 {
		for _, tmpl := range []string{"a%sb", "%sb", "a %s b", "a%s", "a%s b"} {
			cases = append(cases, strings.Replace(tmpl, "%s", string([]byte{byte(c)}), 1))
		}
	}
	stops := []string{"", ":", ",]}"}
	table := map[[2]string]reading{}
	for _, s := range cases {
		for _, stop := range stops {
			v, end, b := read(s, stop)
			table[[2]string{s, stop}] = reading{v, end, b}
		}
	}
	saved := plainSpecial
	defer func() { plainSpecial = saved }()
	for i := range plainSpecial {
		plainSpecial[i] = true
	}
	for _, s := range cases {
		for _, stop := range stops {
			v, end, b := read(s, stop)
			if got, want := table[[2]string{s, stop}], (reading{v, end, b}); got != want {
				t.Errorf("%q until %q: %+v with the table, %+v testing every byte", s, stop, got, want)
			}
		}
	}
}
