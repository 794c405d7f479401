// Package diagnose replays a denied request through the decision engine,
// names the root cause (the layer, the policy, the statement, the failed
// condition), proposes the smallest policy change that makes the request
// pass, and proves it by re-simulation. The output is the JSON of
// `iamwhy diagnose --output json`.
//
// Diagnose works on a request and its layers; Replay takes them from an
// environment (snapshot) and adds what only the environment can say: the
// policies it lacks, a principal created moments before the request (IAM is
// eventually consistent), the difference with a second environment.
// GroupDenials does it for every access-denied event of a trail, grouped by
// root cause. Package replay rebuilds the request from a message or a
// CloudTrail record.
package diagnose

import (
	"encoding/json"

	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/internal/jsonenc"
)

// Report is the diagnosis of one request.
type Report struct {
	Request    RequestView `json:"request"`
	Decision   string      `json:"decision"`
	RootCause  *RootCause  `json:"root_cause"`
	Fixes      []Fix       `json:"fixes"`
	Candidates []string    `json:"candidates"`
	// Extensions.
	Findings    []Finding `json:"findings"`
	MissingKeys []string  `json:"missing_context_keys"`
	Notes       []string  `json:"notes"`
	// MessageCheck, for a replay from an access-denied message, says
	// whether the replay agrees with what the message says (its deny kind
	// and policy type) and what it had to assume; nil (JSON null)
	// otherwise.
	MessageCheck *MessageCheck `json:"message_check"`
}

// MarshalJSON writes every field of the report, a list without entries as
// [] and a value the report lacks as null, never leaving one out: a
// program reads every report the same way.
func (r Report) MarshalJSON() ([]byte, error) {
	type plain Report // without this method
	p := plain(r)
	p.Fixes = jsonenc.List(p.Fixes)
	p.Candidates = jsonenc.List(p.Candidates)
	p.Findings = jsonenc.List(p.Findings)
	p.MissingKeys = jsonenc.List(p.MissingKeys)
	p.Notes = jsonenc.List(p.Notes)
	if p.Request.Context == nil {
		p.Request.Context = map[string][]string{}
	}
	return jsonenc.Marshal(p)
}

// RequestView is the replayed request.
type RequestView struct {
	Principal       string              `json:"principal"`
	Action          string              `json:"action"`
	Resource        string              `json:"resource"`
	ResourceAccount string              `json:"resource_account"`
	Context         map[string][]string `json:"context"`
}

// RootCause names what decided the denial.
type RootCause struct {
	Layer string `json:"layer"`
	// Policy is the policy's ARN or name, ROLE_OR_USER_ARN#inline-name,
	// or the resource ARN for a resource-based policy; "" when the layer
	// has no policy at all.
	Policy string `json:"policy"`
	// Statement is the Sid, or 0-based index, of the deciding statement;
	// nil for an implicit deny.
	Statement *string `json:"statement"`
	// Condition is the failed (or, for a Deny, the matching) condition
	// that made the difference.
	Condition *ConditionView `json:"condition"`
	Summary   string         `json:"summary"`
	// Location is file:line:col of the statement (extension); "" (JSON
	// null) when the deciding policy has no file, or nothing decided.
	Location string `json:"location"`
}

// ConditionView is one condition with the values that met.
type ConditionView struct {
	Operator string   `json:"operator"`
	Key      string   `json:"key"`
	Expected []string `json:"expected"`
	Actual   []string `json:"actual"`
}

// Fix is a proposed change: a complete new document for one policy.
type Fix struct {
	Layer    string          `json:"layer"`
	Target   string          `json:"target"`
	Document json.RawMessage `json:"document"`
	// CurrentDocument is the policy as it is now, null when the fix
	// creates a new one: with Document, the diff a reviewer reads.
	CurrentDocument json.RawMessage `json:"current_document"`
	// Verified is true only when re-simulation with the new document (and
	// the fixes it Requires) allows the request.
	Verified bool `json:"verified"`
	// GrantsBeyondRequest is true when the change also allows some other
	// action of the service, or the action on other resources.
	GrantsBeyondRequest bool `json:"grants_beyond_request"`
	// Extensions.
	Description string `json:"description"`
	// Patch says the change in one line ("add to POLICY: {statement}");
	// "" (JSON null) when the fix is not a statement to add.
	Patch string `json:"patch"`
	// Requires are the indexes of the fixes this one needs too (both
	// sides of a cross-account request).
	Requires []int `json:"requires"`
	// AlsoGrants are the other requests the change would allow.
	AlsoGrants []string `json:"also_grants"`
	// WhoMustAct names who can make the change when it is not the
	// policy's owner in the account ("" , JSON null, when it is).
	WhoMustAct string `json:"who_must_act"`
}

// MarshalJSON writes every field of the fix: an empty Patch or WhoMustAct
// as null, no Requires or AlsoGrants as [].
func (f Fix) MarshalJSON() ([]byte, error) {
	return jsonenc.Marshal(struct {
		Layer               string          `json:"layer"`
		Target              string          `json:"target"`
		Document            json.RawMessage `json:"document"`
		CurrentDocument     json.RawMessage `json:"current_document"`
		Verified            bool            `json:"verified"`
		GrantsBeyondRequest bool            `json:"grants_beyond_request"`
		Description         string          `json:"description"`
		Patch               *string         `json:"patch"`
		Requires            []int           `json:"requires"`
		AlsoGrants          []string        `json:"also_grants"`
		WhoMustAct          *string         `json:"who_must_act"`
	}{f.Layer, f.Target, rawOrNull(f.Document), rawOrNull(f.CurrentDocument), f.Verified, f.GrantsBeyondRequest, f.Description,
		jsonenc.Null(f.Patch), jsonenc.List(f.Requires), jsonenc.List(f.AlsoGrants), jsonenc.Null(f.WhoMustAct)})
}

// rawOrNull is a raw JSON value, or null when it is empty (a RawMessage
// of no bytes is not valid JSON).
func rawOrNull(m json.RawMessage) json.RawMessage {
	if len(m) == 0 {
		return json.RawMessage("null")
	}
	return m
}

// Finding is a named pitfall from the troubleshooting guides that fits.
type Finding struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func requestView(req *eval.Request, resAcct string) RequestView {
	rv := RequestView{Principal: req.Principal, Action: req.Action, Resource: req.Resource, ResourceAccount: resAcct, Context: map[string][]string{}}
	if req.Context != nil {
		rv.Context = req.Context.Map()
	}
	return rv
}

// MarshalJSON writes an empty Policy as null (an implicit deny by a layer
// with no policy to blame, no identity policy at all say, names none), an
// empty Location as null, and a condition's value lists as [] when empty.
func (rc RootCause) MarshalJSON() ([]byte, error) {
	cond := rc.Condition
	if cond != nil {
		c := *cond
		c.Expected, c.Actual = jsonenc.List(c.Expected), jsonenc.List(c.Actual)
		cond = &c
	}
	return jsonenc.Marshal(struct {
		Layer     string         `json:"layer"`
		Policy    *string        `json:"policy"`
		Statement *string        `json:"statement"`
		Condition *ConditionView `json:"condition"`
		Summary   string         `json:"summary"`
		Location  *string        `json:"location"`
	}{rc.Layer, jsonenc.Null(rc.Policy), rc.Statement, cond, rc.Summary, jsonenc.Null(rc.Location)})
}
