package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/iamwhy/iamwhy/check"
	"github.com/iamwhy/iamwhy/policy"
)

// checkSink receives a check run's results one by one, so that a file of a
// million cases is printed as it runs instead of held in memory.
type checkSink interface {
	result(r *check.Result) error
	// finish ends the output; err, when not nil, is the error that stopped
	// the run after some results were printed.
	finish(sum check.Summary, err error) error
}

// newCheckSink returns the sink of an --output format. Formats whose
// document needs every result first (SARIF lists only failures and is
// written at the end) collect what they print.
func newCheckSink(w io.Writer, output string) (checkSink, bool) {
	switch output {
	case "text":
		return &textCheckSink{w: newBufferedStyleWriter(w, 64<<10)}, true
	case "json":
		return &jsonCheckSink{w: bufio.NewWriterSize(w, 64<<10)}, true
	case "markdown":
		return &markdownCheckSink{w: bufio.NewWriter(w)}, true
	}
	render, ok := checkRenderers[output]
	if !ok {
		return nil, false
	}
	return &reportCheckSink{w: w, render: render, onlyFailed: output == "sarif"}, true
}

// checkBrief reports whether an output shows explanations of failing
// results only, so passing ones need none.
func checkBrief(output string) bool {
	return output == "text" || output == "sarif" || output == "markdown"
}

type textCheckSink struct {
	w   *bufferedStyleWriter
	buf []byte
}

func (s *textCheckSink) result(r *check.Result) error {
	status := "PASS"
	if !r.Pass {
		status = "FAIL"
	}
	if err := paint(s.w, decisionStyle(status), status); err != nil {
		return err
	}
	// "  FILE:LINE  NAME", written without fmt: it was most of the cost
	// of printing a passing case.
	b := append(s.buf[:0], ' ', ' ')
	b = policy.At(r.File, r.Line, 0).Append(b)
	b = append(b, ' ', ' ')
	b = append(b, r.Name...)
	s.buf = append(b, '\n')
	s.w.Write(s.buf)
	if !r.Pass {
		fmt.Fprintf(s.w, "      expected %s, got %s (decided by %s)\n", r.Expected, r.Decision, r.DecidedBy)
		fmt.Fprintf(s.w, "      %s\n", r.Explanation)
	} else if r.Live != nil {
		fmt.Fprintf(s.w, "      %s\n", liveLine(r))
	}
	return nil
}

func (s *textCheckSink) finish(sum check.Summary, err error) error {
	if err == nil {
		fmt.Fprintf(s.w, "\n%d cases: %d passed, %d failed\n", sum.Cases, sum.Passed, sum.Failed)
		if sum.Live != nil {
			fmt.Fprintln(s.w, liveSummaryLine(sum.Live))
		}
	}
	return s.w.Flush()
}

// jsonCheckSink writes the document renderCheckJSON writes, a result at a
// time.
type jsonCheckSink struct {
	w   *bufio.Writer
	n   int
	buf []byte
}

func (s *jsonCheckSink) result(r *check.Result) error {
	if s.n == 0 {
		s.w.WriteString("{\n  \"format_version\": 1,\n  \"results\": [\n    ")
	} else {
		s.w.WriteString(",\n    ")
	}
	s.n++
	s.buf = appendCheckResult(s.buf[:0], r)
	_, err := s.w.Write(s.buf)
	return err
}

func (s *jsonCheckSink) finish(sum check.Summary, runErr error) error {
	if s.n == 0 {
		if runErr != nil {
			return nil // nothing printed: the error is reported alone
		}
		s.w.WriteString("{\n  \"format_version\": 1,\n  \"results\": [],\n")
	} else {
		s.w.WriteString("\n  ],\n")
	}
	b, _ := json.MarshalIndent(sum, "  ", "  ")
	fmt.Fprintf(s.w, "  \"summary\": %s", b)
	if runErr != nil {
		// The run stopped after results were printed: stdout stays one
		// JSON object, which says why it is incomplete.
		e, _ := json.Marshal(map[string]any{"message": runErr.Error()})
		fmt.Fprintf(s.w, ",\n  \"error\": %s", e)
	}
	s.w.WriteString("\n}\n")
	return s.w.Flush()
}

// reportCheckSink collects a report for a renderer that needs all of it.
type reportCheckSink struct {
	w          io.Writer
	render     func(io.Writer, *check.Report) error
	onlyFailed bool
	rep        check.Report
}

func (s *reportCheckSink) result(r *check.Result) error {
	if !s.onlyFailed || !r.Pass {
		s.rep.Results = append(s.rep.Results, *r)
	}
	return nil
}

func (s *reportCheckSink) finish(sum check.Summary, err error) error {
	if err != nil {
		return nil
	}
	s.rep.Summary = sum
	if s.rep.Results == nil {
		s.rep.Results = []check.Result{}
	}
	return s.render(s.w, &s.rep)
}

// appendCheckResult appends r as json.MarshalIndent(r, "    ", "  ")
// writes it, without reflection (it was most of the cost of JSON output for
// large files). TestAppendCheckResultMatchesEncodingJSON keeps the two
// equal, for every field of check.Result.
func appendCheckResult(b []byte, r *check.Result) []byte {
	const in = "\n      "
	field := func(b []byte, first bool, name string) []byte {
		if !first {
			b = append(b, ',')
		}
		b = append(b, in...)
		b = append(b, '"')
		b = append(b, name...)
		return append(b, '"', ':', ' ')
	}
	str := func(b []byte, first bool, name, v string) []byte {
		return appendJSONString(field(b, first, name), v)
	}
	b = append(b, '{')
	b = str(b, true, "file", r.File)
	b = str(b, false, "name", r.Name)
	b = str(b, false, "principal", r.Principal)
	b = str(b, false, "action", r.Action)
	b = str(b, false, "resource", r.Resource)
	b = str(b, false, "decision", r.Decision)
	b = str(b, false, "expected", r.Expected)
	b = strconv.AppendBool(field(b, false, "pass"), r.Pass)
	b = str(b, false, "decided_by", r.DecidedBy)
	b = field(b, false, "error")
	if r.Error == nil {
		b = append(b, "null"...)
	} else {
		b = appendJSONString(b, *r.Error)
	}
	b = str(b, false, "explanation", r.Explanation)
	nullable := func(b []byte, name, v string) []byte {
		if v == "" {
			return append(field(b, false, name), "null"...)
		}
		return str(b, false, name, v)
	}
	b = nullable(b, "policy", r.Policy)
	b = nullable(b, "statement", r.Statement)
	b = nullable(b, "location", r.Location)
	b = strconv.AppendInt(field(b, false, "line"), int64(r.Line), 10)
	b = append(field(b, false, "warnings"), '[')
	for i, w := range r.Warnings {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n        "...)
		b = appendJSONString(b, w)
	}
	if len(r.Warnings) > 0 {
		b = append(b, "\n      "...)
	}
	b = append(b, ']')
	b = field(b, false, "live")
	if r.Live == nil {
		b = append(b, "null"...)
	} else {
		// Only under --live: encoding/json is fast enough for a result
		// that waited for AWS.
		live, _ := json.MarshalIndent(r.Live, "      ", "  ")
		b = append(b, live...)
	}
	return append(b, "\n    }"...)
}

// appendJSONString appends s quoted as encoding/json quotes it (HTML
// characters, U+2028 and U+2029 escaped, invalid UTF-8 as U+FFFD).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
