package catalog

// ScopeResources picks, among the ARNs a request names, those an action
// is authorised on: the ARNs that fit one of the action's resource types
// (an S3 object call on the object, not on its bucket too). An action
// that lists no resource types is authorised on "*" alone, whatever the
// request names. ARNs whose format the catalog does not know are kept
// when none fits; when every ARN is known not to fit (an object action
// given only its bucket), the request names none of the action's
// resources and "*" stands for the one the record does not name. Unknown
// actions keep every ARN.
// https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
func (c *Catalog) ScopeResources(action string, arns []string) []string {
	a, ok := c.Action(action)
	if !ok {
		return arns
	}
	if len(a.Resources) == 0 {
		return []string{"*"}
	}
	var fit, unknown []string
	for _, arn := range arns {
		applies, known := c.ActionAppliesTo(a.FullName, arn)
		if !applies && qualifiedFunction(a, c.ResourceTypesForARN(arn)) {
			applies, known = true, true
		}
		switch {
		case applies:
			fit = append(fit, arn)
		case !known:
			unknown = append(unknown, arn)
		}
	}
	switch {
	case len(fit) > 0:
		return fit
	case len(unknown) > 0:
		return unknown
	}
	return []string{"*"}
}

// qualifiedFunction reports whether a Lambda action on the function
// resource type is given a version or alias ARN: Lambda authorises a call
// on a qualified function name against the qualified ARN, which the
// reference lists as the "function version" and "function alias" types
// while the actions list only "function".
// https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html
func qualifiedFunction(a *Action, types []*ResourceType) bool {
	if a.Service.Prefix != "lambda" {
		return false
	}
	takesFunction := false
	for _, r := range a.Resources {
		if r.Type.Name == "function" {
			takesFunction = true
		}
	}
	if !takesFunction {
		return false
	}
	for _, t := range types {
		if t.Name == "function version" || t.Name == "function alias" {
			return true
		}
	}
	return false
}
