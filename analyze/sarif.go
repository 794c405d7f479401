package analyze

import (
	"io"

	"github.com/iamwhy/iamwhy/internal/report/sarif"
	"github.com/iamwhy/iamwhy/policy"
)

// sarifLevel maps a severity to SARIF's levels; security warnings are
// "warning" with a security-severity property, which code scanning uses
// to rank security findings.
func sarifLevel(s Severity) string {
	switch s {
	case SeverityError:
		return sarif.LevelError
	case SeveritySuggestion:
		return sarif.LevelNote
	}
	return sarif.LevelWarning
}

// WriteSARIF writes the results of one or more documents as a SARIF 2.1.0
// log, with every check as a rule (its learn-more link as helpUri) and one
// result per finding at its line and column. toolVersion may be empty.
func WriteSARIF(w io.Writer, results []*Result, toolVersion string) error {
	rules := make([]sarif.Rule, 0, len(Checks))
	for _, r := range Checks {
		rules = append(rules, sarif.Rule{ID: r.IssueCode, Description: r.Title, HelpURI: r.LearnMoreLink,
			Level: sarifLevel(r.Severity), Security: r.Severity == SeveritySecurityWarning})
	}
	var out []sarif.Result
	for _, res := range results {
		for _, f := range res.Findings {
			out = append(out, sarif.Result{RuleID: f.IssueCode, Level: sarifLevel(f.Severity), Message: f.Message,
				Where: policy.At(res.Source, f.Line, f.Col)})
		}
	}
	return sarif.Write(w, sarif.Tool{Name: "iamwhy", InformationURI: "https://github.com/iamwhy/iamwhy", Version: toolVersion}, rules, out)
}
