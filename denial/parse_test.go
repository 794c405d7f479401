package denial

import (
	"strings"
	"testing"
)

func sp(s string) *string { return &s }

func eqp(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// TestParseRules checks one documented rule per case; the corpus covers the
// message shapes, these cases pin the rules between fields.
func TestParseRules(t *testing.T) {
	canon := Options{ActionCanonicalizer: fakeCanonicalizer}
	cases := []struct {
		rule  string
		in    string
		opts  Options
		check func(t *testing.T, d *Denial)
	}{
		{"first spelling of the action wins without a catalog", "User: arn:aws:iam::123456789012:user/a is not authorized to perform: SQS:sendmessage on resource: arn:aws:sqs:us-east-1:123456789012:q because no identity-based policy allows the sqs:SendMessage action", Options{},
			func(t *testing.T, d *Denial) {
				if !eqp(d.Action, sp("sqs:sendmessage")) || !eqp(d.Service, sp("sqs")) {
					t.Errorf("action %v service %v", *d.Action, *d.Service)
				}
			}},
		{"the catalog canonicalises the action", "User: arn:aws:iam::123456789012:user/a is not authorized to perform: SQS:sendmessage on resource: arn:aws:sqs:us-east-1:123456789012:q", canon,
			func(t *testing.T, d *Denial) {
				if !eqp(d.Action, sp("sqs:SendMessage")) {
					t.Errorf("action %v", *d.Action)
				}
			}},
		{"an unknown action keeps its spelling with the prefix lower-cased", "User: arn:aws:iam::123456789012:user/a is not authorized to perform: NEWSVC:DoThing", canon,
			func(t *testing.T, d *Denial) {
				if !eqp(d.Action, sp("newsvc:DoThing")) {
					t.Errorf("action %v", *d.Action)
				}
			}},
		{"an operation maps to an action only through OperationAction", "operation error S3: ListObjectsV2, https response error StatusCode: 403, RequestID: X, HostID: Y, api error AccessDenied: Access Denied",
			Options{OperationAction: func(svc, op string) (string, bool) {
				if svc == "s3" && op == "ListObjectsV2" {
					return "s3:ListBucket", true
				}
				return "", false
			}},
			func(t *testing.T, d *Denial) {
				if !eqp(d.Action, sp("s3:ListBucket")) || !eqp(d.Operation, sp("ListObjectsV2")) {
					t.Errorf("action %v", d.Action)
				}
			}},
		{"without OperationAction the action stays null", "operation error S3: ListObjectsV2, https response error StatusCode: 403, RequestID: X, HostID: Y, api error AccessDenied: Access Denied", Options{},
			func(t *testing.T, d *Denial) {
				if d.Action != nil {
					t.Errorf("action guessed: %v", *d.Action)
				}
			}},
		{"same account in both ARNs is not cross-account", "User: arn:aws:iam::123456789012:user/a is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/r", Options{},
			func(t *testing.T, d *Denial) {
				if d.CrossAccount == nil || *d.CrossAccount {
					t.Errorf("cross_account %v", d.CrossAccount)
				}
			}},
		{"an S3 ARN carries no account, so cross-account is unknown", "User: arn:aws:iam::123456789012:user/a is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::b/k\"", Options{},
			func(t *testing.T, d *Denial) {
				if d.CrossAccount != nil {
					t.Errorf("cross_account guessed: %v", *d.CrossAccount)
				}
			}},
		{"a redacted principal is not reported", "User: arn:aws:sts::251774439261:... is not authorized to perform: kms:Decrypt on the resource associated with this ciphertext because no identity-based policy allows the kms:Decrypt action", Options{},
			func(t *testing.T, d *Denial) {
				if d.Principal != nil || d.PrincipalType != PrincipalUnknown || d.Resource != nil {
					t.Errorf("principal %v resource %v", d.Principal, d.Resource)
				}
			}},
		{"a bare explicit deny names no policy type", "User: arn:aws:iam::123456789012:user/a is not authorized to perform: iam:DeleteRole on resource: arn:aws:iam::123456789012:role/x with an explicit deny", Options{},
			func(t *testing.T, d *Denial) {
				if d.Deny != DenyExplicit || d.PolicyType != PolicyUnknown {
					t.Errorf("deny %s type %s", d.Deny, d.PolicyType)
				}
			}},
		{"a legacy message without reason says neither deny kind nor type", "User: arn:aws:iam::123456789012:user/a is not authorized to perform: iam:DeleteRole on resource: arn:aws:iam::123456789012:role/x", Options{},
			func(t *testing.T, d *Denial) {
				if d.Deny != DenyUnknown || d.PolicyType != PolicyUnknown {
					t.Errorf("deny %s type %s", d.Deny, d.PolicyType)
				}
			}},
		{"an ARN wrapped at a colon is joined without a space", "User: arn:aws:iam::123456789012:user/a is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:\n123456789012:key/k because no identity-based policy allows the kms:Decrypt action", Options{},
			func(t *testing.T, d *Denial) {
				if !eqp(d.Resource, sp("arn:aws:kms:us-east-1:123456789012:key/k")) {
					t.Errorf("resource %v", *d.Resource)
				}
			}},
		{"a GovCloud SQS queue URL becomes an aws-us-gov ARN", "Access to the resource https://sqs.us-gov-west-1.amazonaws.com/123456789012/q is denied.", Options{},
			func(t *testing.T, d *Denial) {
				if !eqp(d.Resource, sp("arn:aws-us-gov:sqs:us-gov-west-1:123456789012:q")) {
					t.Errorf("resource %v", d.Resource)
				}
			}},
		{"a service principal is typed service", "User: ec2.amazonaws.com is not authorized to perform: kms:CreateGrant on resource: arn:aws:kms:us-east-1:123456789012:key/k", Options{},
			func(t *testing.T, d *Denial) {
				if d.PrincipalType != PrincipalService || d.Account != nil {
					t.Errorf("type %s account %v", d.PrincipalType, d.Account)
				}
			}},
		{"a class name is not an error code", "Amazon.S3.AmazonS3Exception: Access Denied", Options{},
			func(t *testing.T, d *Denial) {
				if d.ErrorCode != nil {
					t.Errorf("error code %v", *d.ErrorCode)
				}
				if !d.Recognized {
					t.Errorf("not recognised")
				}
			}},
		{"the JSON protocol namespace is stripped from the code", `{"__type":"com.amazon.coral.service#AccessDeniedException","message":"Access Denied"}`, Options{},
			func(t *testing.T, d *Denial) {
				if !eqp(d.ErrorCode, sp("AccessDeniedException")) {
					t.Errorf("error code %v", d.ErrorCode)
				}
			}},
		{"an explicit deny wins over an implicit clause and both are kept", "User: arn:aws:iam::123456789012:user/a is not authorized to perform: s3:GetObject because no VPC endpoint policy allows the s3:GetObject action with an explicit deny in a service control policy", Options{},
			func(t *testing.T, d *Denial) {
				if d.Deny != DenyExplicit || d.PolicyType != PolicySCP || len(d.AlsoImplicit) != 1 || d.AlsoImplicit[0] != PolicyVPCEndpoint {
					t.Errorf("deny %s type %s also %v", d.Deny, d.PolicyType, d.AlsoImplicit)
				}
			}},
		{"a CloudTrail file reads its first access-denied record", `{"Records":[{"eventSource":"s3.amazonaws.com","eventName":"ListBuckets","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/a","accountId":"123456789012"}},{"eventSource":"iam.amazonaws.com","eventName":"CreateRole","errorCode":"AccessDenied","errorMessage":"User: arn:aws:iam::123456789012:user/a is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::123456789012:role/r because no identity-based policy allows the iam:CreateRole action","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/a","accountId":"123456789012"}}]}`, Options{},
			func(t *testing.T, d *Denial) {
				if !d.Recognized || !eqp(d.Action, sp("iam:CreateRole")) || !strings.Contains(d.Note, "record 2 of 2") {
					t.Errorf("recognized %v action %v note %q", d.Recognized, d.Action, d.Note)
				}
			}},
		{"an anonymous S3 request in CloudTrail is typed anonymous", `{"eventSource":"s3.amazonaws.com","eventName":"GetObject","errorCode":"AccessDenied","errorMessage":"Access Denied","userIdentity":{"type":"AWSAccount","principalId":"ANONYMOUS_PRINCIPAL","accountId":"anonymous"}}`, Options{},
			func(t *testing.T, d *Denial) {
				if d.PrincipalType != PrincipalAnonymous || !eqp(d.Principal, sp("anonymous")) || d.Account != nil {
					t.Errorf("principal %v type %s", d.Principal, d.PrincipalType)
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			d, err := Parse(c.in, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, d)
		})
	}
}

// TestParseErrors checks that unreadable input fails with a located error,
// and that the failure never hides a readable message.
func TestParseErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "no input"},
		{" \n\t", "no input"},
		{"{\"Records\": [\n  {\"eventSource\": \"s3.amazonaws.com\",\n   \"errorCode\" \"AccessDenied\"}]}", "3:16: invalid JSON"},
		{"[1, 2", "1:6: invalid JSON"},
		{`{"DecodedMessage": "{\"allowed\": fals"}`, "DecodedMessage: 1:17: invalid JSON"},
	}
	for _, c := range cases {
		d, err := Parse(c.in, Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%q) = %v, %v; want error containing %q", c.in, d, err, c.want)
		}
	}
	// Not JSON after all: a message that starts with a brace is read as text.
	d, err := Parse("{broken} User: arn:aws:iam::123456789012:user/a is not authorized to perform: s3:GetObject", Options{})
	if err != nil || !d.Recognized || !strings.Contains(d.Note, "not valid JSON") {
		t.Errorf("got %+v, %v", d, err)
	}
}

// TestNextStepsOrder checks that the decisive step comes first for each
// layer and that the pitfalls named by the brief appear where they apply.
func TestNextStepsOrder(t *testing.T) {
	cases := []struct {
		rule, in, first, anywhere string
	}{
		{"encoded messages are decoded first", "You are not authorized to perform this operation. Encoded authorization failure message: abc", "decode-authorization-message", ""},
		{"an SCP is read from the management account", "User: arn:aws:iam::123456789012:user/a is not authorized to perform: s3:GetObject with an explicit deny in a service control policy: arn:aws:organizations::999999999999:policy/o-x/service_control_policy/p-abc", "describe-policy --policy-id p-abc", "aws:RequestedRegion"},
		{"a session policy is found in CloudTrail", "User: arn:aws:sts::123456789012:assumed-role/r/s is not authorized to perform: s3:GetObject because no session policy allows the s3:GetObject action", "session policy is passed by whoever called AssumeRole on role r", "eventually consistent"},
		{"a KMS key policy is opened for kms denials", "User: arn:aws:sts::123456789012:assumed-role/r/s is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:999999999999:key/k because no resource-based policy allows the kms:Decrypt action", "get-key-policy --key-id arn:aws:kms:us-east-1:999999999999:key/k", "Cross-account request"},
		{"a trust policy is opened for AssumeRole", "User: arn:aws:iam::123456789012:user/a is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/deploy", "get-role --role-name deploy --query Role.AssumeRolePolicyDocument", ""},
		{"the authorization ID is used first", "User: arn:aws:iam::123456789012:user/a is not authorized to perform: s3:GetObject with an explicit deny in an identity-based policy. Go to https://console/iam#/authorization-details/abc123 for complete details, or call the GetRequestAuthorizationDetails API with the following authorization id: abc123", "get-request-authorization-details --authorization-id abc123", ""},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			d, err := Parse(c.in, Options{})
			if err != nil || !d.Recognized {
				t.Fatalf("%v %v", d, err)
			}
			if !strings.Contains(d.NextSteps[0], c.first) {
				t.Errorf("first step %q lacks %q", d.NextSteps[0], c.first)
			}
			if c.anywhere != "" && !strings.Contains(strings.Join(d.NextSteps, "\n"), c.anywhere) {
				t.Errorf("steps lack %q: %q", c.anywhere, d.NextSteps)
			}
		})
	}
}

func TestCollapseSpaces(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "",
		"  a  b\t\nc ":          "a b c",
		"no\u00a0break\u2003em": "no break em",
		"ünï  cödé":             "ünï cödé",
		"\u00a0\u00a0lead":      "lead",
		"a\xffb  c":             "a\xffb c",
	} {
		if got := collapseSpaces(in); got != want {
			t.Errorf("collapseSpaces(%q) = %q, want %q", in, got, want)
		}
	}
}
