package cli

import (
	"bytes"
	"testing"
	"unicode/utf8"
)

// FuzzEscapeText: escaped text holds no control character (other than
// newline and tab), no C1 control, no bidi override and no invalid UTF-8,
// and written in any pieces through escapingWriter it comes out the same.
func FuzzEscapeText(f *testing.F) {
	for _, s := range []string{"plain", "\x1b]0;t\a", "\x9b2J", "a\u202eb", "日本\r\n", "\xff\xfe", "\xe6\x97"} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, s string, cut int) {
		out := escapeText(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q: %q", s, out)
		}
		for _, r := range out {
			if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || unsafeRune(r) {
				t.Fatalf("unsafe %U left in %q (from %q)", r, out, s)
			}
		}
		if cut <= 0 {
			cut = 1
		}
		cut = cut%7 + 1
		var b bytes.Buffer
		w := newEscapingWriter(&b)
		for i := 0; i < len(s); i += cut {
			w.Write([]byte(s[i:min(i+cut, len(s))]))
		}
		w.Flush()
		if b.String() != out {
			t.Fatalf("in pieces of %d: %q, whole: %q", cut, b.String(), out)
		}
	})
}
