package cli

import (
	"bufio"
	"io"
	"os"

	"github.com/iamwhy/iamwhy/access"
	"github.com/iamwhy/iamwhy/analyze"
)

// Colour in text output: on only when standard output is a terminal, and
// never when the NO_COLOR environment variable is set to anything but the
// empty string (https://no-color.org) or --no-color is given. JSON, CSV,
// SARIF, JUnit and every other machine format are never coloured: only the
// text renderers call paint.
//
// Everything written to standard output is escaped (escape.go), so a
// colour cannot come from input: paint writes iamwhy's own SGR sequences
// beside the escaped stream (styleWriter.writeStyle), never through it.

// style is the parameter list of an SGR (Select Graphic Rendition)
// sequence.
type style string

const (
	styleAllow   style = "32"   // green: allowed, passed
	styleDeny    style = "31"   // red: denied, failed, an error
	styleUnknown style = "33"   // yellow: undetermined, conditional, a warning
	styleBold    style = "1"    // headings
	styleDim     style = "2"    // secondary detail
	styleError   style = "1;31" // an ERROR finding
)

// styleWriter is a writer that can colour: the standard output Main sets
// up (an escapingWriter under a countingWriter).
type styleWriter interface {
	io.Writer
	colored() bool
	writeStyle(sgr string) error
}

// paint writes text to w in st when w colours, else as it is.
func paint(w io.Writer, st style, text string) error {
	sw, ok := w.(styleWriter)
	if !ok || !sw.colored() {
		_, err := io.WriteString(w, text)
		return err
	}
	if err := sw.writeStyle("\x1b[" + string(st) + "m"); err != nil {
		return err
	}
	if _, err := io.WriteString(w, text); err != nil {
		return err
	}
	return sw.writeStyle("\x1b[0m")
}

// decisionStyle is the colour of a decision or status word.
func decisionStyle(word string) style {
	switch word {
	case "allow", "allowed", "pass", "PASS", "ALLOW", "yes":
		return styleAllow
	case "explicit-deny", "implicit-deny", "denied", "deny", "FAIL", "EXPLICIT-DENY", "IMPLICIT-DENY", "no":
		return styleDeny
	}
	return styleUnknown
}

// colorWanted is whether text output may be coloured: a terminal, and no
// NO_COLOR.
func colorWanted(outIsTerminal bool) bool {
	return outIsTerminal && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
}

// colored and writeStyle make the escaping writer a styleWriter: the
// sequence goes to the terminal as it is, after any byte held back.
func (e *escapingWriter) colored() bool { return e.color }

func (e *escapingWriter) writeStyle(sgr string) error {
	if !e.color {
		return nil
	}
	if err := e.Flush(); err != nil {
		return err
	}
	_, err := io.WriteString(e.w, sgr)
	return err
}

func (c *countingWriter) colored() bool {
	sw, ok := c.w.(styleWriter)
	return ok && sw.colored()
}

func (c *countingWriter) writeStyle(sgr string) error {
	if sw, ok := c.w.(styleWriter); ok {
		return sw.writeStyle(sgr)
	}
	return nil
}

// setColor turns colour off (--no-color) on a writer Main set up.
func setColor(w io.Writer, on bool) {
	switch w := w.(type) {
	case *countingWriter:
		setColor(w.w, on)
	case *escapingWriter:
		w.color = w.color && on
	}
}

// bufferedStyleWriter buffers writes to a writer that may colour: a style
// sequence first writes out what is buffered, so text and colour stay in
// order.
type bufferedStyleWriter struct {
	*bufio.Writer
	under io.Writer
}

func newBufferedStyleWriter(w io.Writer, size int) *bufferedStyleWriter {
	return &bufferedStyleWriter{Writer: bufio.NewWriterSize(w, size), under: w}
}

func (b *bufferedStyleWriter) colored() bool {
	sw, ok := b.under.(styleWriter)
	return ok && sw.colored()
}

func (b *bufferedStyleWriter) writeStyle(sgr string) error {
	sw, ok := b.under.(styleWriter)
	if !ok {
		return nil
	}
	if err := b.Flush(); err != nil {
		return err
	}
	return sw.writeStyle(sgr)
}

// severityStyle is the colour of a lint finding's severity.
func severityStyle(s analyze.Severity) style {
	switch s {
	case analyze.SeverityError:
		return styleError
	case analyze.SeveritySecurityWarning:
		return styleDeny
	case analyze.SeverityWarning:
		return styleUnknown
	}
	return styleDim
}

// statusStyle is the colour of a who-can answer.
func statusStyle(s access.Status) style {
	switch s {
	case access.Allowed:
		return styleAllow
	case access.Denied:
		return styleDeny
	}
	return styleUnknown
}
