package diagnose

import (
	"fmt"
	"strings"

	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/snapshot"
)

// CompareEnvironments replays req in another environment (where it works:
// staging, say) and says which difference explains the denial here (see
// Compare). principal is the caller there; empty: the principal of the same
// kind and name (Counterpart). A resource of the caller's own account moves
// to the other caller's account with it. The context carries over, except
// the keys that follow from the principal and the resource owner, which
// the other environment derives itself.
func CompareEnvironments(req *eval.Request, layers *eval.Layers, other *snapshot.Environment, principal string) ([]Finding, error) {
	if principal == "" {
		principal = Counterpart(other, req.Principal)
	}
	resource := req.Resource
	from, to := eval.ParsePrincipal(req.Principal).Account, eval.ParsePrincipal(principal).Account
	if from != "" && to != "" && from != to {
		resource = strings.Replace(resource, ":"+from+":", ":"+to+":", 1)
	}
	oreq := &eval.Request{Principal: principal, Action: req.Action, Resource: resource, Context: &eval.Context{}}
	for _, k := range req.Context.Keys() {
		switch strings.ToLower(k) {
		case "aws:principalarn", "aws:principalaccount", "aws:userid", "aws:principalorgid", "aws:resourceaccount", "aws:resourceorgid", "aws:username", "aws:principaltype", "aws:principalisawsservice":
			continue
		}
		v, _ := req.Context.Get(k)
		oreq.Context.Set(k, v...)
	}
	olayers, err := other.Layers(oreq)
	if err != nil {
		return nil, fmt.Errorf("compare environment: %w", err)
	}
	return Compare(req, layers, oreq, olayers), nil
}

// Counterpart finds the principal of the same kind and name in another
// environment: the principal itself when env holds it, else the same ARN
// in the first account of env that holds one, else the principal
// unchanged.
func Counterpart(env *snapshot.Environment, principal string) string {
	if _, err := env.Principal(principal); err == nil {
		return principal
	}
	p := eval.ParsePrincipal(principal)
	for _, id := range env.AccountIDs() {
		cand := strings.Replace(principal, ":"+p.Account+":", ":"+id+":", 1)
		if _, err := env.Principal(cand); err == nil {
			return cand
		}
	}
	return principal
}
