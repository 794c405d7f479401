package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/iamwhy/iamwhy/check"
	"github.com/iamwhy/iamwhy/internal/report/junit"
	"github.com/iamwhy/iamwhy/internal/report/sarif"
	"github.com/iamwhy/iamwhy/policy"
)

// checkRenderers are the views of a check report, one per --output.
var checkRenderers = map[string]func(io.Writer, *check.Report) error{
	"text":  renderCheckText,
	"json":  renderCheckJSON,
	"junit": renderCheckJUnit,
	"sarif": renderCheckSARIF,
}

func renderCheckText(w io.Writer, rep *check.Report) error {
	for _, r := range rep.Results {
		status := "PASS"
		if !r.Pass {
			status = "FAIL"
		}
		fmt.Fprintf(w, "%s  %s  %s\n", status, policy.At(r.File, r.Line, 0), r.Name)
		if !r.Pass {
			fmt.Fprintf(w, "      expected %s, got %s (decided by %s)\n", r.Expected, r.Decision, r.DecidedBy)
			fmt.Fprintf(w, "      %s\n", r.Explanation)
		}
	}
	fmt.Fprintf(w, "\n%d cases: %d passed, %d failed\n", rep.Summary.Cases, rep.Summary.Passed, rep.Summary.Failed)
	return nil
}

func renderCheckJSON(w io.Writer, rep *check.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		FormatVersion int `json:"format_version"`
		*check.Report
	}{1, rep})
}

// renderCheckJUnit reports every case as a JUnit test case, one suite per
// check file: a wrong decision is a failure, a case that could not be
// evaluated an error.
func renderCheckJUnit(w io.Writer, rep *check.Report) error {
	var out junit.Suites
	for _, r := range rep.Results {
		tc := junit.Case{Name: r.Name, Classname: strings.TrimSuffix(r.File, ".yaml"), SystemOut: r.Explanation}
		switch {
		case r.Error != nil:
			tc.Error = &junit.Problem{Message: *r.Error, Type: "error", Text: r.Explanation}
		case !r.Pass:
			tc.Failure = &junit.Problem{Message: fmt.Sprintf("expected %s, got %s (decided by %s)", r.Expected, r.Decision, r.DecidedBy), Type: "decision", Text: r.Explanation}
		}
		out.Add(r.File, tc)
	}
	return junit.Write(w, &out)
}

// checkSARIFRules are the two kinds of failed case.
var checkSARIFRules = []sarif.Rule{
	{ID: "check-decision", Description: "A check case got a decision other than the one it expects", Level: sarif.LevelError},
	{ID: "check-error", Description: "A check case could not be evaluated", Level: sarif.LevelError},
}

// renderCheckSARIF reports failed cases as SARIF 2.1.0 results located at
// the case in the check file, for code-scanning UIs.
func renderCheckSARIF(w io.Writer, rep *check.Report) error {
	var results []sarif.Result
	for _, r := range rep.Results {
		if r.Pass {
			continue
		}
		rule, msg := "check-decision", fmt.Sprintf("%s: expected %s, got %s (decided by %s): %s", r.Name, r.Expected, r.Decision, r.DecidedBy, r.Explanation)
		if r.Error != nil {
			rule = "check-error"
		}
		results = append(results, sarif.Result{RuleID: rule, Level: sarif.LevelError, Message: msg, Where: policy.At(r.File, max(r.Line, 1), 0)})
	}
	return sarif.Write(w, sarif.Tool{Name: "iamwhy", InformationURI: "https://github.com/iamwhy/iamwhy", Version: toolVersion()}, checkSARIFRules, results)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
