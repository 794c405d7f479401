// Package identityreplay decides requests with identity policies alone, as
// the analyses that write or trim identity policies need: the request is
// taken to be in the principal's own account (so no resource-based policy
// is needed to allow it), and AWS KMS keys are taken to have the default
// key policy (which lets IAM policies grant access to the key; KMS always
// requires the key policy to allow).
// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
// Roles being assumed are taken to trust their own account.
package identityreplay

import (
	"strings"

	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/policy"
)

// Replayer decides requests of one account's principal.
type Replayer struct {
	account     string
	keyPolicy   *eval.Policy
	trustPolicy *eval.Policy
	// TrustRequests counts the role assumptions decided with the assumed
	// trust policy.
	TrustRequests int
	// KMSRequests counts the requests decided with the assumed default
	// key policy.
	KMSRequests int
}

// New returns a Replayer for a principal of account.
func New(account string) (*Replayer, error) {
	kp, err := eval.ParseAndCompile("default key policy", []byte(`{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+account+`:root"},"Action":"kms:*","Resource":"*"}]}`), policy.TypeResource)
	if err != nil {
		return nil, err
	}
	tp, err := eval.ParseAndCompile("trust policy trusting the account", []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+account+`:root"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity","sts:SetContext"]}]}`), policy.TypeTrust)
	if err != nil {
		return nil, err
	}
	return &Replayer{account: account, keyPolicy: kp, trustPolicy: tp}, nil
}

// Decide decides req (a copy is decided, with the resource in the
// principal's account) with identity as the only identity policies.
func (r *Replayer) Decide(req *eval.Request, identity []*eval.Policy) eval.Decision {
	q := *req
	q.ResourceAccount = r.account
	l := &eval.Layers{Identity: identity}
	if a, ok := arn.Parse(q.Resource); ok && a.Service == "kms" {
		l.Resource = r.keyPolicy
		r.KMSRequests++
	} else if ok && a.Service == "iam" && strings.HasPrefix(a.Resource, "role/") && strings.HasPrefix(q.Action, "sts:") {
		// Assuming a role needs its trust policy to allow too; the replay
		// assumes one that trusts the account (so IAM policies decide).
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_manage-assume.html
		l.Resource = r.trustPolicy
		r.TrustRequests++
	}
	return eval.Decide(&q, l)
}
