package analyze

import (
	"strings"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/policy"
)

// allowChecks are the security checks of what an Allow statement's
// actions and resources grant (iamwhy's own; Access Analyzer's PassRole
// and service-linked-role checks are in passRoleAndSLR).
func (l *linter) allowChecks(si *stmtInfo) {
	s := si.s
	if s.Action.Not {
		l.addS(si, "ALLOW_WITH_NOT_ACTION", s.Action.Pos, "Allow with NotAction allows every action not listed, including those AWS adds later; list the allowed actions instead")
	}
	if s.Resource.Not {
		l.addS(si, "ALLOW_WITH_NOT_RESOURCE", s.Resource.Pos, "Allow with NotResource allows on every resource not listed, including resources created later; list the allowed resources instead")
	}
	if s.Action.Not || !(s.Resource.Not || hasValue(s.Resource.Values, "*")) {
		return
	}
	elem := elementName(s.Resource, "Resource")
	for _, v := range s.Action.Values {
		if l.coversService(v.Text, "iam") {
			l.addS(si, "FULL_IAM_ACCESS", v.Pos, "%s on every resource (%s) allows every IAM action: the principal can grant itself any permission", v.Text, elem)
		} else if covers(v.Text, "sts:AssumeRole") {
			l.addS(si, "ASSUME_ROLE_ON_ANY_ROLE", v.Pos, "%s with %s %s allows assuming every role whose trust policy lets the account in; name the roles", v.Text, elem, describeResources(s.Resource))
		}
	}
}

func describeResources(list policy.List) string {
	if list.Not {
		return "(every resource but those listed)"
	}
	return "\"*\""
}

func hasValue(vs []policy.Value, text string) bool {
	for _, v := range vs {
		if v.Text == text {
			return true
		}
	}
	return false
}

// covers: the Action value matches the action.
func covers(pattern, action string) bool {
	if !strings.ContainsAny(pattern, "*?") {
		return strings.EqualFold(pattern, action)
	}
	return catalog.WildcardMatch(pattern, action)
}

// coversService: the Action value matches every action of the service.
func (l *linter) coversService(pattern, prefix string) bool {
	svc, ok := l.c.Service(prefix)
	if !ok || !strings.ContainsAny(pattern, "*?") {
		return false
	}
	for _, a := range svc.Actions {
		if !catalog.WildcardMatch(pattern, a.FullName) {
			return false
		}
	}
	return true
}

// grants reports how an Allow statement's action block reaches the
// action: "" not at all, "explicit", "wildcard" or "notaction".
func grants(s *policy.Statement, action string) string {
	if s.Action.Not {
		for _, v := range s.Action.Values {
			if covers(v.Text, action) {
				return ""
			}
		}
		return "notaction"
	}
	how := ""
	for _, v := range s.Action.Values {
		if strings.EqualFold(v.Text, action) {
			return "explicit"
		}
		if covers(v.Text, action) {
			how = "wildcard"
		}
	}
	return how
}

// starResource: the resource block reaches every resource of a kind:
// "*", or NotResource.
func starResource(s *policy.Statement) string {
	if s.Resource.Not {
		return "notresource"
	}
	for _, v := range s.Resource.Values {
		if v.Text == "*" || strings.HasSuffix(v.Text, ":role/*") || strings.HasSuffix(v.Text, ":*") {
			return "star"
		}
	}
	return ""
}

// bindingValues returns the values a condition on key restricts the
// request to, when the statement has a condition that must hold for the
// statement to apply and names fixed values; nil when none does. Only such
// a condition narrows a grant: an ...IfExists operator holds when the key
// is absent, a negated operator holds for every value but the listed ones
// (and when the key is absent), ForAllValues holds for an empty or absent
// set and ForAnyValue is about sets, which iam:PassedToService and
// iam:AWSServiceName are not (Access Analyzer reports the qualifier on a
// single-valued key); Null tests only presence; and a Like value with a
// wildcard or a policy variable matches services the author did not name.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
func bindingValues(s *policy.Statement, key string) []string {
	for _, c := range s.Conditions {
		if !strings.EqualFold(c.Key, key) || len(c.Values) == 0 {
			continue
		}
		op, ok := parseOperator(c.Operator)
		if !ok || op.ifExists || op.negated || op.set != "" || (op.family != famString && op.family != famARN) {
			continue
		}
		vals := make([]string, 0, len(c.Values))
		fixed := true
		for _, v := range c.Values {
			if strings.Contains(v.Text, "${") || (op.like && strings.ContainsAny(v.Text, "*?")) {
				fixed = false
				break
			}
			vals = append(vals, v.Text)
		}
		if fixed {
			return vals
		}
	}
	return nil
}

// passRoleAndSLR are Access Analyzer's checks of iam:PassRole ("iam:PassRole
// permissions on multiple resources") and iam:CreateServiceLinkedRole
// granted broadly. The condition keys iam:PassedToService and
// iam:AWSServiceName narrow them.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
func (l *linter) passRoleAndSLR(si *stmtInfo) {
	s := si.s
	if s.Effect != policy.Allow {
		return
	}
	res := starResource(s)
	if res == "" {
		return
	}
	at := s.Action.Pos
	for _, t := range []struct {
		action, prefix, narrowing, what string
	}{
		{"iam:PassRole", "PASS_ROLE", "iam:PassedToService", "iam:PassRole permissions"},
		{"iam:CreateServiceLinkedRole", "CREATE_SLR", "iam:AWSServiceName", "creation of unintended service-linked roles"},
	} {
		how := grants(s, t.action)
		if how == "" || (res == "star" && bindingValues(s, t.narrowing) != nil) {
			continue
		}
		var code, msg string
		switch how + "/" + res {
		case "explicit/star":
			code, msg = "_WITH_STAR_IN_RESOURCE", "using the "+t.action+" action with wildcards (*) in the resource can be overly permissive because it allows "+t.what+" on multiple resources: we recommend that you specify resource ARNs or add the "+t.narrowing+" condition key to your statement"
		case "wildcard/star":
			code, msg = "_WITH_STAR_IN_ACTION_AND_RESOURCE", "using wildcards (*) in the action and the resource can be overly permissive because it allows "+t.what+" on all resources: we recommend that you specify resource ARNs or add the "+t.narrowing+" condition key to your statement"
		case "notaction/star":
			code, msg = "_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", "using a resource with wildcards (*) and NotAction can be overly permissive because it allows "+t.what+" on all resources: we recommend that you specify resource ARNs or add the "+t.narrowing+" condition key to your statement"
		case "explicit/notresource":
			code, msg = "_WITH_NOT_RESOURCE", "using the "+t.action+" action with NotResource can be overly permissive because it can allow "+t.what+" on multiple resources: we recommend that you specify resource ARNs instead"
		case "wildcard/notresource":
			code, msg = "_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", "using an action with a wildcard (*) and NotResource can be overly permissive because it can allow "+t.what+" on multiple resources: we recommend that you specify resource ARNs instead"
		case "notaction/notresource":
			code, msg = "_WITH_NOT_ACTION_AND_NOT_RESOURCE", "using NotAction with NotResource can be overly permissive because it can allow "+t.what+" on multiple resources: we recommend that you specify resource ARNs instead"
		}
		if how == "explicit" || how == "wildcard" {
			for _, v := range s.Action.Values {
				if covers(v.Text, t.action) {
					at = v.Pos
					break
				}
			}
		}
		l.addS(si, t.prefix+code, at, "%s", msg)
	}
}

// tagKeys are the global tag condition keys; services that do not
// support them leave them out of the request context.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_tags.html
func isTagKey(key string) bool {
	lk := strings.ToLower(key)
	return strings.HasPrefix(lk, "aws:resourcetag/") || strings.HasPrefix(lk, "aws:requesttag/") || lk == "aws:tagkeys"
}

// tagKeySupport: a tag condition on a service whose actions do not
// support the key never holds for them: a Deny does not deny them, an
// Allow does not allow them.
func (l *linter) tagKeySupport(si *stmtInfo) {
	s := si.s
	for i := range s.Conditions {
		c := &s.Conditions[i]
		if !isTagKey(c.Key) {
			continue
		}
		op, ok := parseOperator(c.Operator)
		if ok && (op.ifExists || op.family == famNull) {
			continue
		}
		key, known := l.conditionKeyOf(c.Key)
		if !known {
			continue
		}
		if s.Action.Not {
			if s.Effect == policy.Deny {
				l.addS(si, "DENY_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", c.KeyPos, "using the effect Deny with NotAction and the tag condition key %s can be overly permissive because some service actions are not denied by this statement (the key does not apply to them): we recommend that you use Action instead of NotAction", c.Key)
			} else {
				l.addS(si, "ALLOW_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", c.KeyPos, "using the effect Allow with NotAction and the tag condition key %s allows only service actions that support the condition key: we recommend that you use Action instead of NotAction", c.Key)
			}
			continue
		}
		// A service is reported when none of the statement's actions
		// of it supports the key.
		supported := map[string]bool{}
		var order []string
		n := 0
		for _, as := range si.actions {
			n += len(as)
		}
		if n > maxKeySupportActions {
			continue
		}
		for _, as := range si.actions {
			for _, a := range as {
				p := a.Service.Prefix
				if _, ok := supported[p]; !ok {
					supported[p] = false
					order = append(order, p)
				}
				if !supported[p] && actionSupportsKey(a, key.Name) {
					supported[p] = true
				}
			}
		}
		var unsupported []string
		for _, p := range order {
			if !supported[p] {
				unsupported = append(unsupported, p)
			}
		}
		if len(unsupported) == 0 {
			continue
		}
		if s.Effect == policy.Deny {
			l.addS(si, "DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", c.KeyPos, "using the effect Deny with the tag condition key %s and actions for services with the following prefixes can be overly permissive: %s; actions for the listed services are not denied by this statement; we recommend that you move these actions to a different statement without this condition key", c.Key, listSome(unsupported))
		} else {
			l.addS(si, "ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE", c.KeyPos, "using the effect Allow with the tag condition key %s and actions for services with the following prefixes does not affect the policy: %s; actions for the listed services are not allowed by this statement; we recommend that you move these actions to a different statement without this condition key", c.Key, listSome(unsupported))
		}
	}
}
