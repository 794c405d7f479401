package cli

import (
	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/denial"
	"github.com/iamwhy/iamwhy/eval"
)

// The commands reach the embedded IAM service reference through these
// adapters, so the libraries stay free of it (eval takes an
// eval.Reference, denial its two hooks, diagnose an action lister).

func catalogReference() eval.Reference { return catalog.Default() }

// catalogDenialOptions gives the message parser canonical action spelling
// (sqs:sendmessage -> sqs:SendMessage) and the action an API operation
// needs when a message names only the operation.
func catalogDenialOptions() denial.Options {
	c := catalog.Default()
	return denial.Options{
		ActionCanonicalizer: func(action string) (string, bool) {
			if a, ok := c.Action(action); ok {
				return a.FullName, true
			}
			return "", false
		},
		OperationAction: c.OperationAction,
	}
}

// catalogServiceActions lists every action of a service, for checking that
// a proposed fix grants nothing beyond the request.
func catalogServiceActions(service string) []string {
	svc, ok := catalog.Default().Service(service)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(svc.Actions))
	for _, a := range svc.Actions {
		out = append(out, a.FullName)
	}
	return out
}
