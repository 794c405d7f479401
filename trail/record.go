package trail

import (
	"encoding/json"
	"time"
)

// Record is one CloudTrail record: the raw JSON object plus the fields
// iamwhy needs, decoded.
//
// The record contents are described in "CloudTrail record contents for
// management, data, and network activity events":
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
//
// Read reuses one Record per worker: Raw, RequestParameters,
// ResponseElements and AdditionalEventData point into a read buffer and are
// valid only until the callback returns (call Clone to keep a record). The
// string fields are ordinary Go strings and may be kept.
type Record struct {
	// Raw is the record's JSON object exactly as it was read (for
	// lookup-events output, the unescaped CloudTrailEvent string; for an
	// EventBridge envelope, its "detail" object).
	Raw []byte

	EventVersion       string
	EventID            string
	EventTime          string // as written, ISO 8601 (e.g. 2023-07-10T12:32:49Z)
	EventSource        string // e.g. ec2.amazonaws.com
	EventName          string // e.g. DescribeInstances
	AWSRegion          string
	SourceIPAddress    string
	UserAgent          string
	ErrorCode          string
	ErrorMessage       string
	RequestID          string
	EventType          string // AwsApiCall, AwsServiceEvent, AwsConsoleSignIn, ...
	EventCategory      string // Management, Data, NetworkActivity, Insight
	RecipientAccountID string
	SharedEventID      string
	VPCEndpointID      string
	VPCEndpointAccount string // vpcEndpointAccountId
	// ReadOnly is "true", "false" or "" when absent (CloudTrail writes a
	// boolean; some exports write a string).
	ReadOnly string
	// ManagementEvent is "true", "false" or "" when absent.
	ManagementEvent string
	// SessionCredentialFromConsole is "true" when the request used
	// console credentials, "" when absent.
	SessionCredentialFromConsole string

	UserIdentity UserIdentity
	Resources    []Resource
	TLSDetails   *TLSDetails

	// RequestParameters, ResponseElements and AdditionalEventData are the
	// raw JSON values (nil when absent; "null" stays "null"). They point
	// into Raw.
	RequestParameters   json.RawMessage
	ResponseElements    json.RawMessage
	AdditionalEventData json.RawMessage

	// Time is EventTime parsed; zero when EventTime is absent or not a
	// valid RFC 3339 time.
	Time time.Time

	// Path names where the record came from: a file path, an s3:// URI or
	// "-" for standard input.
	Path string
	// Index is the record's 0-based position among the records of its
	// file, counting failed records too.
	Index int

	// partial: members were left out by Options.Members (DecodeAll).
	partial bool
}

// UserIdentity is the userIdentity element: who made the request.
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
type UserIdentity struct {
	Type             string // Root, IAMUser, AssumedRole, Role, FederatedUser, Directory, AWSAccount, AWSService, IdentityCenterUser, Unknown
	PrincipalID      string
	ARN              string
	AccountID        string
	AccessKeyID      string
	UserName         string
	InvokedBy        string
	IdentityProvider string
	CredentialID     string
	SessionContext   SessionContext
}

// SessionContext describes temporary security credentials.
type SessionContext struct {
	// MFAAuthenticated is "true", "false" or "" when absent.
	MFAAuthenticated string
	// CreationDate is when the credentials were issued (ISO 8601).
	CreationDate    string
	SourceIdentity  string
	EC2RoleDelivery string
	SessionIssuer   SessionIssuer
}

// SessionIssuer is the principal that issued the session's credentials,
// for a role session the role.
type SessionIssuer struct {
	Type        string
	PrincipalID string
	ARN         string
	AccountID   string
	UserName    string
}

// Resource is one element of the resources list.
type Resource struct {
	ARN       string
	AccountID string
	Type      string
}

// TLSDetails is the tlsDetails element, present when the request used TLS.
type TLSDetails struct {
	TLSVersion               string
	CipherSuite              string
	ClientProvidedHostHeader string
}

// PrincipalARN is the ARN that best names the caller: userIdentity.arn,
// else the session issuer's ARN, else "".
func (r *Record) PrincipalARN() string {
	if r.UserIdentity.ARN != "" {
		return r.UserIdentity.ARN
	}
	return r.UserIdentity.SessionContext.SessionIssuer.ARN
}

// Account is the account the event was recorded in: recipientAccountId,
// else userIdentity.accountId.
func (r *Record) Account() string {
	if r.RecipientAccountID != "" {
		return r.RecipientAccountID
	}
	return r.UserIdentity.AccountID
}

// Clone returns a deep copy whose Raw and JSON fields no longer share a
// read buffer.
func (r *Record) Clone() *Record {
	c := *r
	c.Raw = append([]byte(nil), r.Raw...)
	c.RequestParameters = rebase(r.Raw, c.Raw, r.RequestParameters)
	c.ResponseElements = rebase(r.Raw, c.Raw, r.ResponseElements)
	c.AdditionalEventData = rebase(r.Raw, c.Raw, r.AdditionalEventData)
	if r.Resources != nil {
		c.Resources = append([]Resource(nil), r.Resources...)
	}
	if r.TLSDetails != nil {
		t := *r.TLSDetails
		c.TLSDetails = &t
	}
	return &c
}

// rebase maps sub, a sub-slice of from, onto the same bytes of to; a sub
// that is not within from is copied. Sub-slices made by from[a:b] have
// cap(from)-a capacity, which gives the offset without a search.
func rebase(from, to []byte, sub json.RawMessage) json.RawMessage {
	if sub == nil {
		return nil
	}
	if len(sub) > 0 {
		off := cap(from) - cap(sub)
		if off >= 0 && off+len(sub) <= len(from) && &from[off] == &sub[0] {
			return json.RawMessage(to[off : off+len(sub) : off+len(sub)])
		}
	}
	return append(json.RawMessage{}, sub...)
}

// reset clears r for reuse, keeping the Resources backing array.
func (r *Record) reset() {
	res := r.Resources[:0]
	*r = Record{}
	r.Resources = res
}
