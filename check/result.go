package check

import (
	"strings"

	"github.com/iamwhy/iamwhy/eval"
)

// fillResult fills res from a decision; explain says whether to describe
// it (building the sentence is most of the cost of a passing case).
func fillResult(res *Result, d *eval.Decision, tr *eval.Trace, explain bool) {
	fillOutcome(res, d, tr)
	if d.Policy != nil {
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

// fillOutcome fills what a result takes from a decision other than the
// deciding statement's label and location and the explanation.
func fillOutcome(res *Result, d *eval.Decision, tr *eval.Trace) {
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
	}
}

// fillPassing is fillResult without a trace, taking the description, the
// statement's label and the location from the worker's earlier decisions
// when one was the same.
func (w *worker) fillPassing(res *Result, d *eval.Decision, explain bool) {
	k := briefKey{d.Outcome, d.Layer, d.Policy, d.Statement, d.Level, d.Reason, d.Warning}
	if t, ok := w.brief[k]; ok {
		fillOutcome(res, d, nil)
		if d.Policy != nil {
			res.Statement, res.Location = t.statement, t.location
		}
		if explain {
			res.Explanation = t.explanation
		}
		return
	}
	fillResult(res, d, nil, true)
	if w.brief == nil {
		w.brief = map[briefKey]briefText{}
	}
	if len(w.brief) < maxBriefs {
		w.brief[k] = briefText{res.Explanation, res.Statement, res.Location}
	}
	if !explain {
		res.Explanation = ""
	}
}
