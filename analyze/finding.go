// Package analyze holds the analyses built on the policy parser and the
// IAM catalog. Lint validates a policy document in the manner of IAM Access
// Analyzer's ValidatePolicy
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-policy-validation.html):
// findings of four severities, each with a code, a message, the line and
// column it concerns and the AWS documentation page it rests on.
package analyze

import (
	"fmt"
	"strings"
)

// Severity orders findings as Access Analyzer does: ERROR (the policy
// will not work as written), SECURITY_WARNING (it grants more than is
// likely intended), WARNING (a part of it can never apply) and SUGGESTION
// (it can be written more simply).
type Severity int

const (
	SeveritySuggestion Severity = iota
	SeverityWarning
	SeveritySecurityWarning
	SeverityError
)

var severityNames = [...]string{"SUGGESTION", "WARNING", "SECURITY_WARNING", "ERROR"}

func (s Severity) String() string {
	if s >= 0 && int(s) < len(severityNames) {
		return severityNames[s]
	}
	return fmt.Sprintf("Severity(%d)", int(s))
}

// ParseSeverity accepts the names case-insensitively, with "-" or "_"
// ("security-warning").
func ParseSeverity(s string) (Severity, error) {
	n := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), "-", "_"))
	for i, name := range severityNames {
		if name == n {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want error, security-warning, warning or suggestion)", s)
}

// MarshalText spells the severity as Access Analyzer does.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Finding is one problem Lint found, in the terms of Access Analyzer's
// ValidatePolicyFinding
// (https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ValidatePolicyFinding.html).
type Finding struct {
	Severity  Severity `json:"severity"`
	IssueCode string   `json:"issue_code"`
	// LearnMoreLink is the page documenting the check.
	LearnMoreLink string `json:"learn_more_link"`
	Message       string `json:"message"`
	// Line and Col locate the element (1-based, columns in bytes); 0 when
	// the whole document is concerned and no position is known.
	Line int `json:"line"`
	Col  int `json:"col"`
	// Statement is the statement's label (Sid or index), "" for
	// document-level findings.
	Statement string `json:"statement"`
	// Path is the location path of the element concerned (empty for the
	// whole document, nil for documents not read by Lint).
	Path []PathElement `json:"path"`
	// Span is the element's extent as Access Analyzer counts positions;
	// nil when unknown.
	Span *Span `json:"span"`
}

// Result is the lint result of one document.
type Result struct {
	Source   string         `json:"source"`
	Type     string         `json:"policy_type"`
	Findings []Finding      `json:"findings"`
	Counts   map[string]int `json:"counts"`
}

// Count returns how many findings have the severity.
func (r *Result) Count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// Has reports whether any finding has one of the severities.
func (r *Result) Has(sev []Severity) bool {
	for _, f := range r.Findings {
		for _, s := range sev {
			if f.Severity == s {
				return true
			}
		}
	}
	return false
}
