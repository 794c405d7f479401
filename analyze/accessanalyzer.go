package analyze

import (
	"encoding/json"
	"io"
)

// The shape "aws accessanalyzer validate-policy" prints: the
// ValidatePolicy response's findings
// (https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ValidatePolicy.html),
// each with its locations as path and span.

type aaOutput struct {
	Findings []aaFinding `json:"findings"`
}

type aaFinding struct {
	FindingDetails string       `json:"findingDetails"`
	FindingType    string       `json:"findingType"`
	IssueCode      string       `json:"issueCode"`
	LearnMoreLink  string       `json:"learnMoreLink"`
	Locations      []aaLocation `json:"locations"`
}

type aaLocation struct {
	Path []PathElement `json:"path"`
	Span Span          `json:"span"`
}

// WriteAccessAnalyzer writes one result as one line of JSON in the shape
// of ValidatePolicy's response. A finding without a known location (a
// document linted with LintPolicy) has no locations, as Access Analyzer
// gives none for findings about the whole document.
func WriteAccessAnalyzer(w io.Writer, r *Result) error {
	out := aaOutput{Findings: make([]aaFinding, 0, len(r.Findings))}
	for _, f := range r.Findings {
		af := aaFinding{FindingDetails: f.Message, FindingType: f.Severity.String(), IssueCode: f.IssueCode,
			LearnMoreLink: f.LearnMoreLink, Locations: []aaLocation{}}
		if f.Span != nil {
			path := f.Path
			if path == nil {
				path = []PathElement{}
			}
			af.Locations = append(af.Locations, aaLocation{Path: path, Span: *f.Span})
		}
		out.Findings = append(out.Findings, af)
	}
	return json.NewEncoder(w).Encode(out)
}
