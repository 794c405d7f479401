package eval

import (
	"strconv"

	"github.com/iamwhy/iamwhy/policy"
)

// Trace is the full account of a decision: the principal as understood,
// the rules that applied, and per layer every statement that matched or
// nearly matched. It marshals to JSON with snake_case keys and enums as
// their text forms.
type Trace struct {
	Principal       Principal `json:"principal"`
	ResourceAccount string    `json:"resource_account"`
	CrossAccount    bool      `json:"cross_account"`
	// Notes are the rules that shaped the evaluation, in order, e.g.
	// "SCPs do not apply: the principal is in the management account".
	Notes []string `json:"notes"`
	// Warnings are problems with the request or the policies that do not
	// change the decision but explain it: an unknown action, a resource the
	// action cannot apply to, a condition comparing values of the wrong
	// type (see ExplainWith), a legacy Allow with NotPrincipal.
	Warnings []string     `json:"warnings"`
	Layers   []LayerTrace `json:"layers"`
}

// LayerTrace is one layer (or one organisation level of SCPs or RCPs).
type LayerTrace struct {
	Layer Layer `json:"layer"`
	// Level is the organisation level (0 = root) for SCP and RCP, else -1.
	Level int `json:"level"`
	// Applies is false when the layer does not govern this request (the
	// Note says why); its statements are then not listed.
	Applies bool   `json:"applies"`
	Note    string `json:"note"`
	// Allowed and Denied summarise the layer: whether a matching Allow
	// and a matching Deny were found.
	Allowed Answer `json:"allowed"`
	Denied  Answer `json:"denied"`
	// Statements lists the statements that matched and the near misses
	// (statements that failed on some elements only).
	Statements []StatementTrace `json:"statements"`
}

// Answer is a layer's yes, no or unknown.
type Answer string

const (
	AnswerYes     Answer = "yes"
	AnswerNo      Answer = "no"
	AnswerUnknown Answer = "unknown"
)

func (a Answer) String() string { return string(a) }

// StatementTrace is one statement's result.
type StatementTrace struct {
	// Policy is the policy's name (Policy.Name), Source its document's
	// source (a file name), when known.
	Policy string `json:"policy"`
	Source string `json:"source"`
	Sid    string `json:"sid"`
	// Index is the statement's 0-based position in its policy.
	Index  int           `json:"index"`
	Effect policy.Effect `json:"effect"`
	Pos    policy.Pos    `json:"pos"`
	Result MatchResult   `json:"result"`
	// PrincipalMatch says how a resource-based policy named the caller;
	// empty for statements without a Principal element.
	PrincipalMatch PrincipalMatch `json:"principal_match"`
	// Failed lists what did not match.
	Failed []Mismatch `json:"failed"`
}

// Label is the statement's Sid, or its 0-based index when it has none.
func (st *StatementTrace) Label() string {
	if st.Sid != "" {
		return st.Sid
	}
	return strconv.Itoa(st.Index)
}

// Location is "source:line:col" of the statement ("source" alone when its
// position is unknown; the policy name when the source is).
func (st *StatementTrace) Location() string {
	src := st.Source
	if src == "" {
		src = st.Policy
	}
	if !st.Pos.IsValid() {
		return src
	}
	return st.Pos.In(src).String()
}

// MatchResult is a statement's result for the request.
type MatchResult string

const (
	ResultMatch   MatchResult = "match"
	ResultNoMatch MatchResult = "no-match"
	// ResultUnknown: some element could not be evaluated.
	ResultUnknown MatchResult = "unknown"
)

func (r MatchResult) String() string { return string(r) }

// PrincipalMatch is how a resource-based policy statement names the
// caller: the strength decides which implicit denies the grant overrides
// in one account.
type PrincipalMatch string

const (
	PrincipalMatchNone PrincipalMatch = ""
	// PrincipalMatchDirect: the user, the session itself, or everyone.
	PrincipalMatchDirect PrincipalMatch = "principal"
	// PrincipalMatchRole: the role of the calling session.
	PrincipalMatchRole PrincipalMatch = "role"
	// PrincipalMatchAccount: the caller's account (a delegation).
	PrincipalMatchAccount PrincipalMatch = "account"
)

func (m PrincipalMatch) String() string {
	if m == PrincipalMatchNone {
		return "none"
	}
	return string(m)
}

// Element is the part of a statement a Mismatch is about.
type Element string

const (
	ElementAction    Element = "action"
	ElementResource  Element = "resource"
	ElementPrincipal Element = "principal"
	ElementCondition Element = "condition"
)

func (e Element) String() string { return string(e) }

// Mismatch is one element of a statement that did not match the request.
type Mismatch struct {
	Element Element `json:"element"`
	// For conditions: the operator and key, the policy's values and the
	// request's values (empty when the key is absent).
	Operator string     `json:"operator"`
	Key      string     `json:"key"`
	Expected []string   `json:"expected"`
	Actual   []string   `json:"actual"`
	Reason   string     `json:"reason"`
	Pos      policy.Pos `json:"pos"`
}
