package cli

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/iamwhy/iamwhy/check"
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
	return enc.Encode(rep)
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Error     *junitFailure `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func renderCheckJUnit(w io.Writer, rep *check.Report) error {
	bySuite := map[string]*junitSuite{}
	var order []string
	for _, r := range rep.Results {
		s := bySuite[r.File]
		if s == nil {
			s = &junitSuite{Name: r.File}
			bySuite[r.File] = s
			order = append(order, r.File)
		}
		tc := junitCase{Name: r.Name, Classname: strings.TrimSuffix(r.File, ".yaml"), SystemOut: r.Explanation}
		switch {
		case r.Error != nil:
			tc.Error = &junitFailure{Message: *r.Error, Type: "error", Text: r.Explanation}
			s.Errors++
		case !r.Pass:
			tc.Failure = &junitFailure{Message: fmt.Sprintf("expected %s, got %s (decided by %s)", r.Expected, r.Decision, r.DecidedBy), Type: "decision", Text: r.Explanation}
			s.Failures++
		}
		s.Tests++
		s.Cases = append(s.Cases, tc)
	}
	out := junitSuites{Tests: rep.Summary.Cases, Failures: rep.Summary.Failed}
	for _, name := range order {
		out.Suites = append(out.Suites, *bySuite[name])
	}
	io.WriteString(w, xml.Header)
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// renderCheckSARIF reports failed cases as SARIF 2.1.0 results located at
// the case in the check file, for code-scanning UIs.
func renderCheckSARIF(w io.Writer, rep *check.Report) error {
	type region struct {
		StartLine int `json:"startLine"`
	}
	type physical struct {
		ArtifactLocation map[string]string `json:"artifactLocation"`
		Region           region            `json:"region"`
	}
	type location struct {
		PhysicalLocation physical `json:"physicalLocation"`
	}
	type result struct {
		RuleID    string            `json:"ruleId"`
		Level     string            `json:"level"`
		Message   map[string]string `json:"message"`
		Locations []location        `json:"locations"`
	}
	var results []result
	for _, r := range rep.Results {
		if r.Pass {
			continue
		}
		rule, msg := "check-decision", fmt.Sprintf("%s: expected %s, got %s (decided by %s): %s", r.Name, r.Expected, r.Decision, r.DecidedBy, r.Explanation)
		if r.Error != nil {
			rule = "check-error"
		}
		results = append(results, result{RuleID: rule, Level: "error", Message: map[string]string{"text": msg},
			Locations: []location{{physical{map[string]string{"uri": r.File}, region{StartLine: max(r.Line, 1)}}}}})
	}
	doc := map[string]any{
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"version": "2.1.0",
		"runs": []any{map[string]any{
			"tool": map[string]any{"driver": map[string]any{
				"name": "iamwhy", "informationUri": "https://github.com/iamwhy/iamwhy",
				"rules": []any{
					map[string]any{"id": "check-decision", "shortDescription": map[string]string{"text": "A check case got a decision other than the one it expects"}},
					map[string]any{"id": "check-error", "shortDescription": map[string]string{"text": "A check case could not be evaluated"}},
				},
			}},
			"results": nonNil(results),
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
