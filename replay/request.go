package replay

import (
	"errors"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/denial"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/internal/jsonenc"
)

// ErrNotAccessDenied is returned when the input is read but is not an
// access-denied error (nor a CloudTrail record of one): there is nothing to
// replay.
var ErrNotAccessDenied = errors.New("the input is not an access-denied error")

// Request is a request rebuilt from the input, with what the rebuild could
// not know.
type Request struct {
	// Request is the request to replay. Its Context holds what the input
	// carries (a record's source IP, region, time...).
	Request *eval.Request
	// Source says what the request was rebuilt from.
	Source *Source
	// Unknown lists the context keys the input cannot carry but that
	// policies often test (tags, organisation IDs).
	Unknown []string
	// Notes say what was assumed.
	Notes []string
}

// Source says what a request was rebuilt from. Its JSON form is the
// "input" object of `iamwhy diagnose --output json`: every field present,
// null where the input did not say.
type Source struct {
	Kind string `json:"kind"` // "message", "event" or "request"
	// Deny and PolicyType are what the message (or the record's error
	// message) says: the denial package's strings.
	Deny       string `json:"deny"`
	PolicyType string `json:"policy_type"`
	// EventID and EventTime name the CloudTrail record.
	EventID   string `json:"event_id"`
	EventTime string `json:"event_time"`
}

// MarshalJSON writes the fields the input did not give as null.
func (s Source) MarshalJSON() ([]byte, error) {
	return jsonenc.Marshal(struct {
		Kind       string  `json:"kind"`
		Deny       *string `json:"deny"`
		PolicyType *string `json:"policy_type"`
		EventID    *string `json:"event_id"`
		EventTime  *string `json:"event_time"`
	}{s.Kind, jsonenc.Null(s.Deny), jsonenc.Null(s.PolicyType), jsonenc.Null(s.EventID), jsonenc.Null(s.EventTime)})
}

// Given are the parts of the request the user states explicitly. They fill
// what a message does not name, and replace what a record names.
type Given struct {
	Principal       string
	Action          string
	Resource        string
	ResourceAccount string
}

// Options give the parsers their reference data.
type Options struct {
	// Denial configures the message parser.
	Denial denial.Options
	// EventActions returns the IAM actions an API call needs (from the
	// CloudTrail event source and name); nil or an empty answer: the
	// action named like the event.
	EventActions func(source, name string) []string
}

// DefaultOptions uses the IAM service reference embedded in package
// catalog: canonical action names, the action an operation needs, and the
// actions a CloudTrail event needs.
//
// The reference is decoded on first use, not here: a command that builds
// these options but reads no message does not pay for it.
func DefaultOptions() Options {
	return Options{
		Denial: denial.Options{
			ActionCanonicalizer: func(action string) (string, bool) {
				if a, ok := catalog.Default().Action(action); ok {
					return a.FullName, true
				}
				return "", false
			},
			OperationAction: func(service, operation string) (string, bool) {
				return catalog.Default().OperationAction(service, operation)
			},
		},
		EventActions: func(source, name string) []string {
			a, _ := catalog.Default().EventActions(source, name)
			return a
		},
	}
}

// FromGiven is the request stated explicitly (principal and action at
// least); the resource defaults to "*".
func FromGiven(g Given) *Request {
	resource := g.Resource
	if resource == "" {
		resource = "*"
	}
	return &Request{
		Request: &eval.Request{Principal: g.Principal, Action: g.Action, Resource: resource, ResourceAccount: g.ResourceAccount, Context: &eval.Context{}},
		Source:  &Source{Kind: "request"},
	}
}
