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

	"github.com/iamwhy/iamwhy/policy"
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

// Rule is one lint check.
type Rule struct {
	// Code identifies the check, e.g. "PASS_ROLE_WITH_STAR_IN_RESOURCE".
	Code     string
	Severity Severity
	// Title says in a line what the check finds.
	Title string
	// Doc is the AWS documentation page the check rests on.
	Doc string
}

// Finding is one problem Lint found.
type Finding struct {
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	// Line and Col locate the element (1-based); 0 when the whole
	// document is concerned and no position is known.
	Line int `json:"line"`
	Col  int `json:"col"`
	// Statement is the statement's label (Sid or index), "" for
	// document-level findings.
	Statement string `json:"statement,omitempty"`
	Doc       string `json:"doc"`
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

func pos(p policy.Pos) (int, int) { return p.Line, p.Col }
