// Package envreplay decides requests in an environment with given
// identity policies in place of the principal's own: what a policy would
// allow once it is the principal's only identity policy, under every other
// layer the environment holds (the permissions boundary, SCPs, RCPs, the
// resource's policy, a role's trust policy, a VPC endpoint's policy, S3
// and KMS settings).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
package envreplay

import (
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/snapshot"
)

// Decide decides a copy of req (its context is not changed) in env with
// identity as the principal's identity policies. What the environment
// does not know of the principal's own identity policies does not matter
// here, so such gaps are dropped; every other gap stays, and eval decides
// what it can change. An error is a principal the environment cannot
// resolve, or whose policies it knows only in part.
func Decide(env *snapshot.Environment, req *eval.Request, identity []*eval.Policy) (eval.Decision, error) {
	q := *req
	if q.Context != nil {
		q.Context = q.Context.Clone()
	}
	l, err := env.Layers(&q)
	if err != nil {
		return eval.Decision{}, err
	}
	l.Identity = identity
	var unknown []eval.UnknownLayer
	for _, u := range l.Unknown {
		if u.Layer != eval.LayerIdentity {
			unknown = append(unknown, u)
		}
	}
	l.Unknown = unknown
	return eval.Decide(&q, l), nil
}
