package cli

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Text that iamwhy prints comes largely from its input: CloudTrail records,
// error messages pasted by users, policy documents, SQL results. A log line
// holding an escape sequence must not be able to move the cursor, rewrite
// the screen, set the window title or hide what follows when iamwhy prints
// it, so every byte written to standard output and standard error passes
// through escapeText (Main wraps both streams in an escapingWriter). Only
// the progress bars, which iamwhy draws itself, write to the terminal
// directly.
//
// What is escaped: C0 control characters other than newline and tab
// (including ESC and carriage return), DEL, the C1 controls U+0080-U+009F
// (U+009B is a one-character CSI on many terminals), the Unicode
// bidirectional overrides and isolates, which reorder what a reader sees
// ("Trojan Source", CVE-2021-42574), and bytes that are not UTF-8 (a lone
// 0x9b byte is CSI too). A character is written as \u00XX, which is also
// the JSON escape of the same character, so JSON output stays the same
// JSON; a byte that is not UTF-8 is written as \xNN.

// escapeText returns s with every unsafe character escaped.
func escapeText(s string) string {
	if safeText(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if unsafeASCII(c) {
				fmt.Fprintf(&b, `\u%04x`, c)
			} else {
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, c)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func unsafeASCII(c byte) bool {
	return (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f
}

func unsafeRune(r rune) bool {
	return (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// safeText reports whether s needs no escaping; it is the fast path for
// the common all-printable output.
func safeText[T string | []byte](s T) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return safeUTF8(s[i:])
		}
		if unsafeASCII(c) {
			return false
		}
	}
	return true
}

func safeUTF8[T string | []byte](s T) bool {
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			if unsafeASCII(s[i]) {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
		if (r == utf8.RuneError && n == 1) || unsafeRune(r) {
			return false
		}
		i += n
	}
	return true
}

// escapingWriter escapes everything written through it. A UTF-8 sequence
// split across two writes (bufio.Writer cuts anywhere) is held back until
// it is complete; Flush writes what is left.
type escapingWriter struct {
	w       io.Writer
	pending []byte
	// color: iamwhy's own colour sequences may be written (color.go).
	color bool
}

func newEscapingWriter(w io.Writer) *escapingWriter { return &escapingWriter{w: w} }

func (e *escapingWriter) Write(p []byte) (int, error) {
	n := len(p)
	data := p
	if len(e.pending) > 0 {
		data = append(e.pending, p...)
		e.pending = nil
	}
	// Hold back an incomplete UTF-8 sequence at the end.
	if cut := incompleteTail(data); cut > 0 {
		e.pending = append([]byte(nil), data[len(data)-cut:]...)
		data = data[:len(data)-cut]
	}
	var err error
	if safeText(data) {
		// Most output needs no escaping: written as it is, without a
		// copy of the buffer as a string.
		_, err = e.w.Write(data)
	} else {
		_, err = io.WriteString(e.w, escapeText(string(data)))
	}
	if err != nil {
		return 0, err
	}
	return n, nil
}

// Flush writes a held-back partial sequence (escaped: it never completed).
func (e *escapingWriter) Flush() error {
	if len(e.pending) == 0 {
		return nil
	}
	s := escapeText(string(e.pending))
	e.pending = nil
	_, err := io.WriteString(e.w, s)
	return err
}

// incompleteTail returns how many bytes at the end of b start a UTF-8
// sequence that b does not complete.
func incompleteTail(b []byte) int {
	for i := 1; i <= 3 && i <= len(b); i++ {
		c := b[len(b)-i]
		if c < 0x80 {
			return 0
		}
		if c >= 0xc0 { // a leading byte
			need := 2
			switch {
			case c >= 0xf0:
				need = 4
			case c >= 0xe0:
				need = 3
			}
			if need > i {
				return i
			}
			return 0
		}
	}
	return 0
}
