package check

import (
	"strings"

	"github.com/iamwhy/iamwhy/eval"
)

// fillResult fills res from a decision; explain says whether to describe
// it (building the sentence is most of the cost of a passing case).
func fillResult(res *Result, d *eval.Decision, tr *eval.Trace, explain bool) {
	res.Decision = d.Outcome.String()
	res.DecidedBy = string(d.Layer)
	if d.Outcome == eval.Undetermined {
		res.DecidedBy = string(eval.LayerNone)
		msg := d.Reason
		res.Error = &msg
	}
	if d.Warning != "" && tr == nil {
		// A caveat of the decision itself (a legacy Allow with
		// NotPrincipal): reported without a trace too.
		res.Warnings = []string{d.Warning}
	}
	if d.Policy != nil {
		res.Policy = d.Policy.Name
		res.Statement = d.StatementSid()
		res.Location = d.Location()
	}
	if !explain {
		return
	}
	res.Explanation = eval.Describe(*d, tr)
	if tr != nil && len(tr.Warnings) > 0 {
		res.Warnings = tr.Warnings
		res.Explanation += "; warnings: " + strings.Join(tr.Warnings, "; ")
	}
}
