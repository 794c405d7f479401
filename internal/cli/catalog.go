package cli

import (
	"strings"

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
		OperationAction: func(service, operation string) (string, bool) {
			if service == "" {
				return operationInAnyService(c, operation)
			}
			actions, m := c.EventActions(service+".amazonaws.com", operation)
			if m.Kind == catalog.EventUnknown || len(actions) != 1 {
				return "", false
			}
			return actions[0], true
		},
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

// operationInAnyService maps an operation named without its service to
// the one action it needs, when exactly one service of the catalog has
// it. A service whose prefix extends another's (s3-object-lambda beside
// s3, which shares s3's operation names for its own endpoints) does not
// make the operation ambiguous.
func operationInAnyService(c *catalog.Catalog, operation string) (string, bool) {
	var found []string
	for _, svc := range c.Services() {
		if svc.Prefix == "apigateway" {
			// Its management calls map by HTTP verb: every Get* would match.
			continue
		}
		actions, m := c.EventActions(svc.Prefix+".amazonaws.com", operation)
		if m.Kind == catalog.EventUnknown || len(actions) != 1 {
			continue
		}
		found = append(found, actions[0])
	}
	if len(found) == 1 {
		return found[0], true
	}
	var base []string
	for _, a := range found {
		p := a[:strings.IndexByte(a, ':')]
		extends := false
		for _, b := range found {
			q := b[:strings.IndexByte(b, ':')]
			if q != p && strings.HasPrefix(p, q+"-") {
				extends = true
			}
		}
		if !extends {
			base = append(base, a)
		}
	}
	if len(base) == 1 {
		return base[0], true
	}
	return "", false
}
