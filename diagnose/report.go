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
	MissingKeys []string  `json:"missing_context_keys,omitempty"`
	Notes       []string  `json:"notes,omitempty"`
	// MessageCheck, for a replay from an access-denied message, says
	// whether the replay agrees with what the message says (its deny kind
	// and policy type) and what it had to assume; nil otherwise.
	MessageCheck *MessageCheck `json:"message_check,omitempty"`
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
	// Location is file:line:col of the statement (extension).
	Location string `json:"location,omitempty"`
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
	Description string   `json:"description"`
	Patch       string   `json:"patch,omitempty"`
	Requires    []int    `json:"requires,omitempty"`
	AlsoGrants  []string `json:"also_grants,omitempty"`
	WhoMustAct  string   `json:"who_must_act,omitempty"`
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

// MarshalJSON writes an empty Policy as null: an implicit deny by a layer
// with no policy to blame (no identity policy at all, say) names none.
func (rc RootCause) MarshalJSON() ([]byte, error) {
	var policy *string
	if rc.Policy != "" {
		policy = &rc.Policy
	}
	return json.Marshal(struct {
		Layer     string         `json:"layer"`
		Policy    *string        `json:"policy"`
		Statement *string        `json:"statement"`
		Condition *ConditionView `json:"condition"`
		Summary   string         `json:"summary"`
		Location  string         `json:"location,omitempty"`
	}{rc.Layer, policy, rc.Statement, rc.Condition, rc.Summary, rc.Location})
}
