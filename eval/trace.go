package eval

import "github.com/iamwhy/iamwhy/policy"

// Trace is the full account of a decision: the principal as understood,
// the rules that applied, and per layer every statement that matched or
// nearly matched.
type Trace struct {
	Principal       Principal
	ResourceAccount string
	CrossAccount    bool
	// Notes are the rules that shaped the evaluation, in order, e.g.
	// "SCPs do not apply: the principal is in the management account".
	Notes []string
	// Warnings are problems with the request or the policies that do not
	// change the decision but explain it: an unknown action, a resource the
	// action cannot apply to, a condition comparing values of the wrong
	// type (see ExplainWith).
	Warnings []string `json:",omitempty"`
	Layers   []LayerTrace
}

// LayerTrace is one layer (or one organisation level of SCPs or RCPs).
type LayerTrace struct {
	Layer Layer
	// Level is the organisation level (0 = root) for SCP and RCP, else -1.
	Level int
	// Applies is false when the layer does not govern this request (the
	// Note says why); its statements are then not listed.
	Applies bool
	Note    string
	// Allowed and Denied summarise the layer: whether a matching Allow
	// and a matching Deny were found ("yes", "no", "unknown").
	Allowed string
	Denied  string
	// Statements lists the statements that matched and the near misses
	// (statements that failed on some elements only).
	Statements []StatementTrace
}

// StatementTrace is one statement's result.
type StatementTrace struct {
	Policy string
	Source string
	Sid    string
	Index  int
	Effect string
	Pos    policy.Pos
	// Result is "match", "no-match" or "unknown".
	Result string
	// PrincipalMatch says how a resource-based policy named the caller:
	// "principal", "role", "account" (delegation) or "none".
	PrincipalMatch string `json:",omitempty"`
	// Failed lists what did not match.
	Failed []Mismatch `json:",omitempty"`
}

// Mismatch is one element of a statement that did not match the request.
type Mismatch struct {
	// Element is "action", "resource", "principal" or "condition".
	Element string
	// For conditions: the operator and key, the policy's values and the
	// request's values (empty when the key is absent).
	Operator string   `json:",omitempty"`
	Key      string   `json:",omitempty"`
	Expected []string `json:",omitempty"`
	Actual   []string `json:",omitempty"`
	Reason   string   `json:",omitempty"`
	Pos      policy.Pos
}
