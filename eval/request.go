package eval

import (
	"strings"

	"github.com/iamwhy/iamwhy/arn"
)

// Request is one request to decide: who asks to do what on which resource,
// in which context.
type Request struct {
	// Principal is the caller: an IAM user, role or assumed-role session
	// ARN, a federated user ARN, an account root ARN, a service principal
	// (lambda.amazonaws.com), "anonymous", or for role assumption by web
	// identity or SAML the provider.
	Principal string
	// Action is "service:Action".
	Action string
	// Resource is the ARN of the target resource, or "*" for actions that
	// have no resource type.
	Resource string
	// ResourceAccount owns the resource. Empty: the ARN's account field,
	// else the principal's account (same-account request).
	ResourceAccount string
	// Context holds the request's condition keys. Keys not set are absent
	// from the request.
	Context *Context
}

// resourceAccount is the account that owns the resource.
func (r *Request) resourceAccount(p *Principal) string {
	if r.ResourceAccount != "" {
		return r.ResourceAccount
	}
	if a := arn.Account(r.Resource); a != "" {
		return a
	}
	return p.Account
}

// FillPrincipalContext adds to the context the keys that follow from the
// principal, as AWS sets them, unless the context already has them:
// aws:PrincipalArn (for a role session roleARN when given, else the role
// ARN built from the session ARN, with path "/"), aws:PrincipalAccount,
// aws:PrincipalType ("Anonymous" for unsigned requests), aws:username (IAM
// users), aws:PrincipalIsAWSService and aws:PrincipalServiceName.
//
// Decide derives the same keys itself when the context lacks them, so
// calling this is needed only to see them in the context, or to give a
// session's real role ARN (with its path) as aws:PrincipalArn.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
func (r *Request) FillPrincipalContext(roleARN string) {
	if r.Context == nil {
		r.Context = &Context{}
	}
	c := r.Context
	p := ParsePrincipal(r.Principal)
	var k keys
	k.derive(nil, &p)
	if roleARN != "" && (p.Type == PrincipalRole || p.Type == PrincipalAssumedRole) {
		k.vals[keyPrincipalArn], k.has[keyPrincipalArn], k.roleARN = roleARN, true, false
	}
	for i := range derivedKeyNames {
		if !k.has[i] || c.Has(derivedKeyDisplay[i]) {
			continue
		}
		e, _ := k.lookup(derivedKeyNames[i])
		c.Set(derivedKeyDisplay[i], e.values[0])
	}
}

// actionService returns the service prefix of "service:Action", lower-cased
// only by the caller when needed.
func actionService(action string) string {
	if i := strings.IndexByte(action, ':'); i >= 0 {
		return action[:i]
	}
	return action
}

// rcpServices are the services whose resources RCPs govern.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html#rcp-supported-services
var rcpServices = [...]string{"s3", "sts", "kms", "sqs", "secretsmanager", "ecr", "aoss", "cognito-idp", "logs", "dynamodb"}

func rcpSupported(action string) bool {
	svc := actionService(action)
	for _, s := range rcpServices {
		if equalFold(s, svc) {
			return true
		}
	}
	return false
}

// strictResourceKind names resources whose resource-based policy must allow
// the request even within the account: KMS keys (the key policy) and IAM
// roles being assumed (the trust policy).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
// https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
func strictResourceKind(action, resource string) string {
	svc := actionService(action)
	if equalFold(svc, "kms") {
		if parts, ok := arnParts(resource); ok && parts[1] == "kms" && strings.HasPrefix(parts[4], "key/") {
			return "KMS key policy"
		}
		return ""
	}
	if equalFold(svc, "sts") && isSTSAssumeAction(action) {
		if parts, ok := arnParts(resource); ok && parts[1] == "iam" && strings.HasPrefix(parts[4], "role/") {
			return "role trust policy"
		}
	}
	return ""
}
