// Package denial reads an AWS access-denied error the way a user pastes it
// (the whole SDK or CLI error text, a JSON or XML error body, only the
// message, a line-wrapped copy, a CloudTrail record, or the output of
// `aws sts decode-authorization-message`) and turns it into a typed Denial:
// who was denied, which action on which resource, whether the deny was
// explicit or implicit, which policy type the message names, and what to
// check next.
//
// The message formats follow "Troubleshoot access denied error messages"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html),
// "Troubleshoot access denied (403 Forbidden) errors in Amazon S3"
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html)
// and "Troubleshoot access denied error messages with authorization ID"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied-authorization-id.html).
//
// The package reports only what the input carries: a field the message does
// not state stays nil (or Unknown), it is never guessed. It looks nothing up;
// callers that know the IAM catalog pass an ActionCanonicalizer (and, for
// inputs that name an API operation but no IAM action, an OperationAction)
// in Options.
package denial

import "github.com/iamwhy/iamwhy/arn"

// DenyKind says whether the message reports an explicit deny (a Deny
// statement matched) or an implicit one (no statement allowed).
type DenyKind string

const (
	DenyExplicit DenyKind = "explicit"
	DenyImplicit DenyKind = "implicit"
	DenyUnknown  DenyKind = "unknown"
)

// PolicyType is the policy type an access-denied message names.
type PolicyType string

const (
	PolicyIdentity    PolicyType = "identity"
	PolicyResource    PolicyType = "resource" // includes role trust policies and KMS key policies
	PolicyBoundary    PolicyType = "boundary"
	PolicySession     PolicyType = "session"
	PolicySCP         PolicyType = "scp"
	PolicyRCP         PolicyType = "rcp"
	PolicyVPCEndpoint PolicyType = "vpc_endpoint"
	PolicyUnknown     PolicyType = "unknown"
)

// PrincipalType classifies the denied principal by the form of its ARN; it
// is the module's one principal-kind type, owned by package arn, and its
// JSON form is the kind's name ("assumed-role"). A denial never reports
// the "federated" kind (an identity provider is not a caller): such ARNs
// are PrincipalUnknown here.
type PrincipalType = arn.PrincipalKind

// The principal types a denial reports.
const (
	PrincipalUser          = arn.PrincipalUser
	PrincipalRole          = arn.PrincipalRole
	PrincipalAssumedRole   = arn.PrincipalAssumedRole
	PrincipalFederatedUser = arn.PrincipalFederatedUser
	PrincipalRoot          = arn.PrincipalRoot
	PrincipalAnonymous     = arn.PrincipalAnonymous
	PrincipalService       = arn.PrincipalService
	PrincipalUnknown       = arn.PrincipalUnknown
)

// Denial is what an access-denied error says. Its JSON form is the
// `iamwhy explain --output json` contract: the first fields are fixed, the
// fields after NextSteps are extensions. Pointer fields are nil (JSON null)
// when the input does not carry them.
type Denial struct {
	Recognized    bool          `json:"recognized"`
	ErrorCode     *string       `json:"error_code"`
	Service       *string       `json:"service"`
	Principal     *string       `json:"principal"`
	PrincipalType PrincipalType `json:"principal_type"`
	Account       *string       `json:"account"`
	Action        *string       `json:"action"`
	Resource      *string       `json:"resource"`
	Deny          DenyKind      `json:"deny"`
	PolicyType    PolicyType    `json:"policy_type"`
	PolicyARN     *string       `json:"policy_arn"`
	CrossAccount  *bool         `json:"cross_account"`
	Encoded       bool          `json:"encoded"`
	NextSteps     []string      `json:"next_steps"`

	// Operation is the API operation the error wrapper or CloudTrail record
	// names (GetObject), which is not always the IAM action's name.
	Operation *string `json:"operation"`
	// AuthorizationID is the ID AWS appends to supported denials, to be
	// passed to GetRequestAuthorizationDetails.
	AuthorizationID *string `json:"authorization_id"`
	// Reason is the message's reason clause when it is not a policy type,
	// such as an S3 Block Public Access setting or KMS's key lookup failure.
	Reason *string `json:"reason"`

	// Others are the further distinct errors of a paste that holds
	// several, each read on its own (fields are never merged across
	// errors); empty for a single error.
	Others []*Denial `json:"others"`

	// Via is the policy type a chained message says the deny passed
	// through ("... in a VPC endpoint policy transitively through a
	// service control policy" names vpc_endpoint here and scp in
	// PolicyType).
	Via PolicyType `json:"-"`
	// AlsoImplicit lists policy types an "because no X policy allows"
	// clause names when the message also carries an explicit deny.
	AlsoImplicit []PolicyType `json:"-"`
	// BlockPublicAccess is the S3 Block Public Access setting that
	// rejected the request (BlockPublicAcls, BlockPublicPolicy, ...).
	BlockPublicAccess string `json:"-"`
	// KMSCiphertext is set when the message is KMS's "ciphertext refers to
	// a key that does not exist ... or you are not allowed to access".
	KMSCiphertext bool `json:"-"`
	// EncodedMessage is the encoded authorization failure message, for
	// `aws sts decode-authorization-message`.
	EncodedMessage string `json:"-"`
	// Decoded holds what a decoded authorization message added.
	Decoded *DecodedMessage `json:"-"`
	// AccessKeyID is the access key ID the message names, if any.
	AccessKeyID string `json:"-"`
	// Message is the access-denied message itself, unwrapped from the SDK
	// or CLI text around it and with line wrapping undone.
	Message string `json:"-"`
	// Format names the input form that was read ("aws-cli",
	// "go-sdk-v2", "cloudtrail", "json-body", "decoded-authorization", ...).
	Format string `json:"-"`
	// Note says something about the input worth showing, such as which
	// CloudTrail record of how many was read.
	Note string `json:"-"`
}

// DecodedMessage is the content of a decoded authorization failure message
// (`aws sts decode-authorization-message`).
type DecodedMessage struct {
	Allowed      bool
	ExplicitDeny bool
	// Conditions are the request context values STS reports, key to
	// values, in the order given.
	Conditions []ContextValue
	// MatchedStatements counts the statements the decoded message lists
	// as matched.
	MatchedStatements int
}

// ContextValue is one request context key and its values.
type ContextValue struct {
	Key    string
	Values []string
}

// Options tune Parse. The zero value is valid.
type Options struct {
	// ActionCanonicalizer maps an action as spelled in the message to
	// AWS's canonical spelling (sqs:sendmessage -> sqs:SendMessage); it
	// returns false for an unknown action, which keeps the parsed spelling
	// with its service prefix lower-cased.
	ActionCanonicalizer func(action string) (string, bool)
	// OperationAction maps an IAM service prefix and an API operation
	// (from an SDK wrapper or a CloudTrail record) to the IAM action it
	// authorizes, for inputs whose message names no action. service is ""
	// when the input names only the operation (the AWS CLI's "when calling
	// the HeadObject operation"): the hook answers then only when the
	// operation belongs to one service. Without it, Action stays nil for
	// such inputs.
	OperationAction func(service, operation string) (string, bool)
}

func strp(s string) *string { return &s }
func boolp(b bool) *bool    { return &b }
