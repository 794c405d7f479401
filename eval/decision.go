package eval

// Outcome is the answer to a request.
type Outcome int

const (
	// ImplicitDeny: nothing allowed the request in some required layer.
	ImplicitDeny Outcome = iota
	// Allow: every required layer allowed and nothing denied.
	Allow
	// ExplicitDeny: a Deny statement matched.
	ExplicitDeny
	// Undetermined: the engine cannot decide (an unknown condition
	// operator, a rule it does not model); Decision.Reason says why.
	Undetermined
)

var outcomeNames = [...]string{"implicit-deny", "allow", "explicit-deny", "undetermined"}

// String returns the contract spelling: allow, implicit-deny,
// explicit-deny, undetermined.
func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return "undetermined"
}

// IsDeny reports whether the outcome is either kind of deny.
func (o Outcome) IsDeny() bool { return o == ImplicitDeny || o == ExplicitDeny }

// Layer is a kind of policy in AWS's evaluation.
type Layer string

const (
	LayerNone        Layer = "none"
	LayerIdentity    Layer = "identity"
	LayerResource    Layer = "resource"
	LayerBoundary    Layer = "boundary"
	LayerSession     Layer = "session"
	LayerSCP         Layer = "scp"
	LayerRCP         Layer = "rcp"
	LayerVPCEndpoint Layer = "vpc_endpoint"
)

// Decision is the engine's answer: the outcome, the layer that decided it,
// and, when one statement decided, that statement.
type Decision struct {
	Outcome Outcome
	// Layer is, for an explicit deny, the layer holding the matching
	// Deny; for an implicit deny, the first layer in AWS's evaluation
	// order that failed to allow; for an allow, the layer whose Allow
	// granted access (identity or resource).
	Layer Layer
	// Policy and Statement name the deciding statement (nil and -1 for an
	// implicit deny, which no statement decides).
	Policy    *Policy
	Statement int
	// Level is the organisation level (0 = root) for SCP and RCP layers,
	// -1 otherwise.
	Level int
	// Reason explains an Undetermined outcome, or adds the rule that
	// decided (e.g. "KMS key policy does not allow the caller").
	Reason string
	// Warning is a caveat about how the decision was reached, e.g. that
	// the deciding Allow uses NotPrincipal, a form AWS no longer
	// supports; "" when there is none.
	Warning string
}

// StatementSid returns the deciding statement's Sid, or its 0-based index
// as a string, or "" when no statement decided.
func (d *Decision) StatementSid() string {
	if d.Policy == nil || d.Statement < 0 || d.Policy.Doc == nil || d.Statement >= len(d.Policy.Doc.Statements) {
		return ""
	}
	return d.Policy.Doc.Statements[d.Statement].Label()
}
