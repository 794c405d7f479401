package analyze

import (
	"strings"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/policy"
)

// allowChecks are the security checks of Allow statements' actions and
// resources.
func (l *linter) allowChecks(si *stmtInfo) {
	s := si.s
	if s.Action.Not {
		l.add(si, "ALLOW_WITH_NOT_ACTION", s.Action.Pos, "Allow with NotAction allows every action not listed, including those AWS adds later; list the allowed actions instead")
	}
	if s.Resource.Not {
		l.add(si, "ALLOW_WITH_NOT_RESOURCE", s.Resource.Pos, "Allow with NotResource allows on every resource not listed, including resources created later; list the allowed resources instead")
	}
	if s.Action.Not {
		return
	}
	anyResource := s.Resource.Not || hasValue(s.Resource.Values, "*")
	if !anyResource {
		return
	}
	identityLike := l.t == policy.TypeAny || l.t == policy.TypeIdentity || l.t == policy.TypeBoundary || l.t == policy.TypeSession
	for _, v := range s.Action.Values {
		if l.covers(v.Text, "iam:PassRole") {
			l.add(si, "PASS_ROLE_WITH_STAR_IN_RESOURCE", v.Pos, "%s on Resource \"*\" allows iam:PassRole for every role: the principal can hand any role, however privileged, to a service; name the roles it may pass", v.Text)
		}
		if !identityLike {
			continue
		}
		if l.coversService(v.Text, "iam") {
			l.add(si, "FULL_IAM_ACCESS", v.Pos, "%s on every resource allows every IAM action: the principal can grant itself any permission", v.Text)
		} else if l.covers(v.Text, "sts:AssumeRole") {
			l.add(si, "ASSUME_ROLE_ON_ANY_ROLE", v.Pos, "%s on Resource \"*\" allows assuming every role whose trust policy lets the account in; name the roles", v.Text)
		}
	}
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
func (l *linter) covers(pattern, action string) bool {
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

// narrowingKeys are the condition keys that limit who may call, or from
// where, so a wildcard principal with a positive condition on one of them
// is not public. (Access Analyzer treats the same keys as limiting access:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-concepts.html)
var narrowingKeys = map[string]bool{
	"aws:principalaccount": true, "aws:principalarn": true, "aws:principalorgid": true, "aws:principalorgpaths": true,
	"aws:sourcearn": true, "aws:sourceaccount": true, "aws:sourceowner": true, "aws:sourceorgid": true, "aws:sourceorgpaths": true,
	"aws:sourcevpc": true, "aws:sourcevpce": true, "aws:sourceip": true, "aws:vpcsourceip": true,
	"aws:userid": true, "aws:username": true, "aws:principalservicename": true,
	"aws:vpceaccount": true, "aws:vpceorgid": true, "aws:vpceorgpaths": true,
	"kms:calleraccount": true, "s3:dataaccesspointaccount": true,
}

// narrowed reports whether the statement has a condition that limits the
// callers: a narrowing key under an operator that requires a match (not
// negated, not IfExists, not Null).
func narrowed(s *policy.Statement) bool {
	for _, c := range s.Conditions {
		op, ok := parseOperator(c.Operator)
		if !ok || op.negated || op.ifExists || op.family == famNull {
			continue
		}
		if narrowingKeys[strings.ToLower(c.Key)] {
			return true
		}
	}
	return false
}

// principalChecks are the security checks of an Allow statement's
// Principal (resource-based and trust policies).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
func (l *linter) principalChecks(si *stmtInfo) {
	s := si.s
	if !s.Principal.Present || s.Principal.Not {
		return
	}
	public := s.Principal.Wildcard
	for _, e := range s.Principal.Entries {
		if e.Kind == policy.PrincipalAWS && e.Value == "*" {
			public = true
		}
	}
	if public && !narrowed(s) {
		p := s.Principal.Pos
		if l.t == policy.TypeTrust {
			l.add(si, "TRUST_ANY_ACCOUNT", p, "the role trusts every AWS account (Principal \"*\"): anyone who can sign a request may assume it unless a condition limits the caller; name the accounts or roles, or add aws:PrincipalOrgID")
		} else if l.t != policy.TypeRCP && l.t != policy.TypeVPCEndpoint {
			// An RCP must name "*", and a VPC endpoint policy's
			// audience is already limited to the endpoint's callers.
			l.add(si, "PUBLIC_PRINCIPAL", p, "Principal \"*\" without a condition on the caller (aws:PrincipalOrgID, aws:PrincipalAccount, aws:SourceArn, aws:SourceVpce, ...) allows anyone, anonymous callers included")
		}
	}
	for _, e := range s.Principal.Entries {
		if e.Kind != policy.PrincipalFederated || !strings.HasSuffix(e.Value, "token.actions.githubusercontent.com") {
			continue
		}
		if !hasPositiveCondition(s, "token.actions.githubusercontent.com:sub") {
			l.add(si, "OIDC_TRUST_WITHOUT_SUBJECT", e.Pos, "the GitHub OIDC provider is trusted without a condition on token.actions.githubusercontent.com:sub: every GitHub repository's workflows can assume the role")
		}
	}
}

func hasPositiveCondition(s *policy.Statement, key string) bool {
	for _, c := range s.Conditions {
		op, ok := parseOperator(c.Operator)
		if ok && !op.negated && !op.ifExists && op.family != famNull && strings.EqualFold(c.Key, key) {
			return true
		}
	}
	return false
}
