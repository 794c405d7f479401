package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"

	"github.com/iamwhy/iamwhy/check"
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
		return &textCheckSink{w: bufio.NewWriterSize(w, 64<<10)}, true
	case "json":
		return &jsonCheckSink{w: bufio.NewWriterSize(w, 64<<10)}, true
	}
	render, ok := checkRenderers[output]
	if !ok {
		return nil, false
	}
	return &reportCheckSink{w: w, render: render, onlyFailed: output == "sarif"}, true
}

// checkBrief reports whether an output shows explanations of failing
// results only, so passing ones need none.
func checkBrief(output string) bool { return output == "text" || output == "sarif" }

type textCheckSink struct{ w *bufio.Writer }

func (s *textCheckSink) result(r *check.Result) error {
	status := "PASS"
	if !r.Pass {
		status = "FAIL"
	}
	fmt.Fprintf(s.w, "%s  %s:%d  %s\n", status, r.File, r.Line, r.Name)
	if !r.Pass {
		fmt.Fprintf(s.w, "      expected %s, got %s (decided by %s)\n", r.Expected, r.Decision, r.DecidedBy)
		fmt.Fprintf(s.w, "      %s\n", r.Explanation)
	}
	return nil
}

func (s *textCheckSink) finish(sum check.Summary, err error) error {
	if err == nil {
		fmt.Fprintf(s.w, "\n%d cases: %d passed, %d failed\n", sum.Cases, sum.Passed, sum.Failed)
	}
	return s.w.Flush()
}

// jsonCheckSink writes the document renderCheckJSON writes, a result at a
// time.
type jsonCheckSink struct {
	w *bufio.Writer
	n int
}

func (s *jsonCheckSink) result(r *check.Result) error {
	if s.n == 0 {
		s.w.WriteString("{\n  \"results\": [\n    ")
	} else {
		s.w.WriteString(",\n    ")
	}
	s.n++
	b, err := json.MarshalIndent(r, "    ", "  ")
	if err != nil {
		return err
	}
	_, err = s.w.Write(b)
	return err
}

func (s *jsonCheckSink) finish(sum check.Summary, runErr error) error {
	if s.n == 0 {
		if runErr != nil {
			return nil // nothing printed: the error is reported alone
		}
		s.w.WriteString("{\n  \"results\": [],\n")
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
