package catalog

import "strings"

// OperationAction returns the one IAM action an API operation needs, for
// an access-denied message that names the operation but not the action
// (the AWS CLI's "when calling the HeadObject operation", an SDK's
// operation name). service is the IAM prefix ("s3"); when it is "" the
// operation is looked up in every service and answered only when one
// service has it. A service whose prefix extends another's (s3-outposts,
// s3-object-lambda beside s3) does not make an operation ambiguous, and
// API Gateway's management verbs (every Get* is apigateway:GET) are not
// searched. Operations that need several actions, none, or an action the
// reference lacks give false.
func (c *Catalog) OperationAction(service, operation string) (string, bool) {
	if service != "" {
		actions, m := c.eventActions(service+".amazonaws.com", operation)
		if m.Kind == EventUnknown || len(actions) != 1 {
			return "", false
		}
		return actions[0], true
	}
	var found []string
	// Only the prefixes are read: the actions of every service need not
	// be decoded.
	for _, svc := range c.services {
		if svc.Prefix == "apigateway" {
			continue
		}
		actions, m := c.eventActions(svc.Prefix+".amazonaws.com", operation)
		if m.Kind == EventUnknown || len(actions) != 1 {
			continue
		}
		found = append(found, actions[0])
	}
	var base []string
	for _, a := range found {
		p := a[:strings.IndexByte(a, ':')]
		extends := false
		for _, b := range found {
			if q := b[:strings.IndexByte(b, ':')]; q != p && strings.HasPrefix(p, q+"-") {
				extends = true
				break
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
