package cli

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/iamwhy/iamwhy/analyze"
	"github.com/iamwhy/iamwhy/check"
	"github.com/iamwhy/iamwhy/policy"
)

// markdownRows bounds the rows of a Markdown table: a pull request comment
// or a step summary is for people (GitHub caps a comment at 65,536
// characters and a step summary at 1 MiB); the rest is counted.
const markdownRows = 50

// mdCode writes a value as inline code inside a table cell.
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	s = mdCell(s)
	if strings.Contains(s, "`") {
		return "``" + s + "``"
	}
	return "`" + s + "`"
}

// mdShort keeps a long explanation to a readable cell.
func mdShort(s string, n int) string {
	s = mdCell(s)
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// markdownCheckSink writes `check --output markdown`: a summary line and a
// table of the failing cases, for a pull request comment or a GitHub step
// summary. It keeps only the first markdownRows failures.
type markdownCheckSink struct {
	w      *bufio.Writer
	failed []check.Result
	more   int
}

func (s *markdownCheckSink) result(r *check.Result) error {
	if r.Pass {
		return nil
	}
	if len(s.failed) < markdownRows {
		s.failed = append(s.failed, *r)
	} else {
		s.more++
	}
	return nil
}

func (s *markdownCheckSink) finish(sum check.Summary, err error) error {
	if err != nil {
		return nil
	}
	w := s.w
	if sum.Failed == 0 {
		fmt.Fprintf(w, "**iamwhy check: all %d cases passed**\n", sum.Cases)
		return w.Flush()
	}
	fmt.Fprintf(w, "**iamwhy check: %d of %d cases failed** (%d passed)\n\n", sum.Failed, sum.Cases, sum.Passed)
	fmt.Fprintln(w, "| case | principal | action | resource | expected | got | why |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, r := range s.failed {
		why := r.Explanation
		if r.Error != nil && *r.Error != "" {
			why = *r.Error
		}
		got := r.Decision
		if r.DecidedBy != "" && r.DecidedBy != "none" {
			got += " (" + r.DecidedBy + ")"
		}
		fmt.Fprintf(w, "| %s %s | %s | %s | %s | %s | %s | %s |\n", mdCode(policy.At(r.File, r.Line, 0).String()), mdCell(r.Name),
			mdCode(r.Principal), mdCode(r.Action), mdCode(r.Resource), mdCell(r.Expected), mdCell(got), mdShort(why, 300))
	}
	if s.more > 0 {
		fmt.Fprintf(w, "\n… and %d more failing cases (see the full report: --output text or json).\n", s.more)
	}
	return w.Flush()
}

// renderLintMarkdown writes `lint --output markdown`: the counts by
// severity and a table of the findings.
func renderLintMarkdown(w io.Writer, rep lintReport) error {
	results := rep.Results
	if len(rep.NotLinted) > 0 {
		fmt.Fprintf(w, "**iamwhy lint: %s not linted** (known only at deploy):\n\n", plural(len(rep.NotLinted), "policy document"))
		for _, n := range rep.NotLinted {
			fmt.Fprintf(w, "- %s: %s\n", mdCode(n.Source), mdShort(n.Reason, 300))
		}
		fmt.Fprintln(w)
	}
	var n [4]int
	sevs := []analyze.Severity{analyze.SeverityError, analyze.SeveritySecurityWarning, analyze.SeverityWarning, analyze.SeveritySuggestion}
	total := 0
	for _, r := range results {
		for i, s := range sevs {
			n[i] += r.Count(s)
		}
		total += len(r.Findings)
	}
	if total == 0 {
		fmt.Fprintf(w, "**iamwhy lint: no findings** in %d policies\n", len(results))
		return nil
	}
	fmt.Fprintf(w, "**iamwhy lint: %s, %s, %s, %s** in %d policies\n\n", plural(n[0], "error"), plural(n[1], "security warning"),
		plural(n[2], "warning"), plural(n[3], "suggestion"), len(results))
	fmt.Fprintln(w, "| severity | where | check | finding |")
	fmt.Fprintln(w, "|---|---|---|---|")
	rows := 0
	for _, r := range results {
		for _, f := range r.Findings {
			if rows == markdownRows {
				fmt.Fprintf(w, "\n… and %d more findings (see the full report: --output text, json or sarif).\n", total-rows)
				return nil
			}
			rows++
			where := r.Source
			if f.Line > 0 {
				where = policy.At(r.Source, f.Line, f.Col).String()
			}
			code := f.IssueCode
			if f.LearnMoreLink != "" {
				code = "[" + mdCell(code) + "](" + f.LearnMoreLink + ")"
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", f.Severity, mdCode(where), code, mdShort(f.Message, 300))
		}
	}
	return nil
}
