package policy

import (
	"fmt"
	"strings"
)

// Validate checks p against the rules AWS applies to a policy used as type t:
// the required elements of every statement, and which elements the type
// allows (see the rule table below). It is what Parse runs after reading the
// JSON, offered separately so that a document parsed once (for example with
// TypeAny) can be checked for another use, and so that documents built in
// code are checked the same way. The errors are in source order.
func (p *Policy) Validate(t Type) ErrorList {
	errs := validate(p, t, "", nil)
	sortErrors(errs)
	return errs
}

// presence says whether an element must, may or must not appear.
type presence uint8

const (
	optional presence = iota
	required
	forbidden
)

// typeRules are the element rules of one policy type.
type typeRules struct {
	principal presence
	// notPrincipal: NotPrincipal may appear (Deny statements only).
	notPrincipal bool
	resource     presence
	// notAction: NotAction may appear.
	notAction bool
	// version2012 requires Version "2012-10-17".
	version2012 bool
	// iamSid applies IAM's Sid rules: "In IAM, the Sid value must be
	// unique within a JSON policy" and "The Sid element supports ASCII
	// uppercase letters (A-Z), lowercase letters (a-z), and numbers
	// (0-9)" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html).
	// Other services differ (S3 and KMS accept spaces, as their own
	// examples show), so the rule holds only for documents IAM stores.
	iamSid bool
	// rcp applies the RCP-only rules (Principal "*", Effect Deny except
	// for the full-access statement).
	rcp bool
}

// rulesFor returns the element rules of t. Sources:
//   - Principal is forbidden in identity-based policies ("You cannot use the
//     Principal element in an identity-based policy") and required in
//     resource-based policies, of which a role trust policy is one ("You must
//     use the Principal element in resource-based policies"):
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
//     Permissions boundaries and session policies are identity-based
//     permissions policies: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html
//   - NotPrincipal "must be used with "Effect":"Deny"", cannot be used in an
//     identity-based policy nor in a role trust policy, and is not supported
//     in SCPs and RCPs:
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
//   - IAM requires resources in permissions policies (IAM answers
//     "Policy statement must contain resources") and prohibits them in role
//     trust policies ("Has prohibited field Resource"), whose resource is the
//     role itself: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
//     Other resource-based policies follow their service
//     (ResourceElementRule, by Options.ResourceType).
//   - SCPs: Principal and NotPrincipal are not among the SCP elements and
//     Version must be "2012-10-17":
//     https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html
//   - RCPs: elements are Version (must be "2012-10-17"), Statement, Sid,
//     Effect, Principal, Action, Resource, NotResource, Condition (no
//     NotAction, no NotPrincipal); "Each statement must contain the
//     Principal element. You can only specify "*""; each statement must
//     contain Resource or NotResource; Allow is only supported for the AWS
//     managed RCPFullAWSAccess policy, and "You cannot use "*" in the
//     Action element of a customer managed RCP":
//     https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html
//   - VPC endpoint policies "must contain a Principal element":
//     https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
//
// Where the documentation does not say whether an element is required
// (Resource in SCPs and VPC endpoint policies), it is optional here.
func rulesFor(t Type) typeRules {
	switch t {
	case TypeIdentity, TypeBoundary:
		return typeRules{principal: forbidden, resource: required, notAction: true, iamSid: true}
	case TypeSession:
		return typeRules{principal: forbidden, resource: required, notAction: true}
	case TypeResource:
		// Resource: see ResourceElementRule, by the resource type.
		return typeRules{principal: required, notPrincipal: true, notAction: true}
	case TypeTrust:
		return typeRules{principal: required, resource: forbidden, notAction: true, iamSid: true}
	case TypeSCP:
		return typeRules{principal: forbidden, notAction: true, version2012: true}
	case TypeRCP:
		return typeRules{principal: required, resource: required, version2012: true, rcp: true}
	case TypeVPCEndpoint:
		return typeRules{principal: required, notPrincipal: true, notAction: true}
	}
	return typeRules{notPrincipal: true, notAction: true}
}

// validate applies the model-level rules. flags, when not nil, names the
// elements whose shape problems the builder already reported.
func validate(p *Policy, t Type, resourceType string, flags *shapeFlags) ErrorList {
	if flags == nil {
		flags = &shapeFlags{}
	}
	v := &validator{source: p.Source, rules: rulesFor(t), t: t}
	if t == TypeResource {
		rule, _ := ResourceElementRule(resourceType)
		v.rules.resource = rule.presence()
		v.resourceType = resourceType
	}

	// Version: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
	// Absent means 2008-10-17; any other value is rejected.
	if !flags.version {
		switch {
		case p.Version != "" || p.VersionPos.IsValid():
			if p.Version != Version2012 && p.Version != Version2008 {
				v.errorf(p.VersionPos, "unknown Version %q: want %q (or the older %q)", p.Version, Version2012, Version2008)
			} else if v.rules.version2012 && p.Version != Version2012 {
				v.errorf(p.VersionPos, "%s must have Version %q, not %q", typeLong(t), Version2012, p.Version)
			}
		case v.rules.version2012:
			v.errorf(p.Pos, "%s must have a Version element with value %q", typeLong(t), Version2012)
		}
	}
	if len(p.Statements) == 0 && !flags.statement {
		v.errorf(p.Pos, "the policy has no Statement")
	}
	var sids map[string]Pos
	for i := range p.Statements {
		var f stmtFlags
		if i < len(flags.stmts) {
			f = flags.stmts[i]
		}
		s := &p.Statements[i]
		v.statement(s, f)
		if v.rules.iamSid && s.Sid != "" {
			if sids == nil {
				sids = make(map[string]Pos)
			}
			v.iamSid(s, sids)
		}
	}
	return v.errs
}

// iamSid checks a Sid against IAM's rules (see typeRules.iamSid); seen holds
// the Sids of the earlier statements.
func (v *validator) iamSid(s *Statement, seen map[string]Pos) {
	pos := s.SidPos
	if !pos.IsValid() {
		pos = s.Pos
	}
	for _, c := range []byte(s.Sid) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			v.errorf(pos, "Sid %q: IAM accepts only ASCII letters and digits in a Sid", s.Sid)
			break
		}
	}
	if first, dup := seen[s.Sid]; dup {
		v.errorf(pos, "Sid %q is used twice (first at %s): in IAM a Sid must be unique within a policy", s.Sid, first.LineCol())
		return
	}
	seen[s.Sid] = pos
}

type validator struct {
	source string
	rules  typeRules
	t      Type
	// resourceType is the resource a TypeResource policy is attached to.
	resourceType string
	errs         ErrorList
}

func (v *validator) errorf(p Pos, format string, args ...any) {
	v.errs = append(v.errs, &Error{Source: v.source, Pos: p, Msg: fmt.Sprintf(format, args...)})
}

func typeLong(t Type) string {
	switch t {
	case TypeIdentity:
		return "an identity-based policy"
	case TypeResource:
		return "a resource-based policy"
	case TypeTrust:
		return "a role trust policy"
	case TypeBoundary:
		return "a permissions boundary"
	case TypeSession:
		return "a session policy"
	case TypeSCP:
		return "a service control policy (SCP)"
	case TypeRCP:
		return "a resource control policy (RCP)"
	case TypeVPCEndpoint:
		return "a VPC endpoint policy"
	}
	return "a policy"
}

func (v *validator) statement(s *Statement, f stmtFlags) {
	r := v.rules
	at := func(p Pos) Pos {
		if p.IsValid() {
			return p
		}
		return s.Pos
	}
	// Effect is required and case-sensitive:
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html
	if !f.effect {
		switch {
		case s.Effect == "" && !s.EffectPos.IsValid():
			v.errorf(s.Pos, "statement %s has no Effect (want \"Allow\" or \"Deny\")", s.Label())
		case s.Effect != Allow && s.Effect != Deny:
			v.errorf(at(s.EffectPos), "Effect must be \"Allow\" or \"Deny\" (case-sensitive), not %q", string(s.Effect))
		}
	}
	// A policy document holds only tab, line feed, carriage return and
	// characters from U+0020: the IAM API's PolicyDocument pattern is
	// [\u0009\u000A\u000D\u0020-\u00FF]+ (CreatePolicy, IAM API Reference).
	// Checked in Action and Resource values, where the engine's matcher
	// reserves control bytes for its compiled wildcards.
	for _, el := range []struct {
		l    List
		name string
	}{{s.Action, "Action"}, {s.Resource, "Resource"}} {
		for _, val := range el.l.Values {
			if i := strings.IndexFunc(val.Text, func(r rune) bool { return r < 0x20 && r != '\t' && r != '\n' && r != '\r' }); i >= 0 {
				v.errorf(at(val.Pos), "%s value %q holds a control character (U+%04X), which IAM does not accept in a policy",
					listName(el.l, el.name), val.Text, []rune(val.Text[i:])[0])
			}
		}
	}
	// Action or NotAction is required:
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
	if !f.action {
		switch {
		case !s.Action.Present:
			v.errorf(s.Pos, "statement %s has neither Action nor NotAction", s.Label())
		case len(s.Action.Values) == 0:
			v.errorf(at(s.Action.Pos), "%s is empty", listName(s.Action, "Action"))
		case s.Action.Not && !r.notAction:
			v.errorf(at(s.Action.Pos), "NotAction is not supported in %s", typeLong(v.t))
		}
	}
	if !f.resource {
		switch {
		case s.Resource.Present && len(s.Resource.Values) == 0:
			v.errorf(at(s.Resource.Pos), "%s is empty", listName(s.Resource, "Resource"))
		case s.Resource.Present && r.resource == forbidden && v.t == TypeResource:
			v.errorf(at(s.Resource.Pos), "%s is not allowed in the resource-based policy of %s (the policy applies to the resource it is attached to)", listName(s.Resource, "Resource"), v.resourceType)
		case s.Resource.Present && r.resource == forbidden:
			v.errorf(at(s.Resource.Pos), "%s is not allowed in %s (its resource is the role itself)", listName(s.Resource, "Resource"), typeLong(v.t))
		case !s.Resource.Present && r.resource == required && v.t == TypeResource:
			v.errorf(s.Pos, "statement %s has neither Resource nor NotResource, which the resource-based policy of %s requires", s.Label(), v.resourceType)
		case !s.Resource.Present && r.resource == required:
			v.errorf(s.Pos, "statement %s has neither Resource nor NotResource, which %s requires", s.Label(), typeLong(v.t))
		}
	}
	if !f.principal {
		v.principal(s, at)
	}
	if r.rcp && !isRCPFullAccess(s) {
		if !f.effect && s.Effect == Allow {
			v.errorf(at(s.EffectPos), "an RCP statement must have Effect \"Deny\": Allow is only supported in the AWS managed RCPFullAWSAccess policy")
		}
		for _, a := range s.Action.Values {
			if a.Text == "*" && !s.Action.Not {
				v.errorf(at(a.Pos), "a customer managed RCP cannot use \"*\" as an action: name the service, as in \"s3:*\"")
			}
		}
	}
	for _, c := range s.Conditions {
		if len(c.Values) == 0 {
			v.errorf(at(c.KeyPos), "condition %s %s has no values", c.Operator, c.Key)
		}
	}
}

func (v *validator) principal(s *Statement, at func(Pos) Pos) {
	r := v.rules
	pr := s.Principal
	name := "Principal"
	if pr.Not {
		name = "NotPrincipal"
	}
	switch {
	case !pr.Present:
		if r.principal == required {
			v.errorf(s.Pos, "statement %s has no Principal, which %s requires", s.Label(), typeLong(v.t))
		}
		return
	case r.principal == forbidden:
		v.errorf(at(pr.Pos), "%s is not allowed in %s", name, typeLong(v.t))
		return
	case !pr.Wildcard && len(pr.Entries) == 0:
		v.errorf(at(pr.Pos), "%s names no principal", name)
		return
	}
	if pr.Not {
		switch {
		case !r.notPrincipal:
			v.errorf(at(pr.Pos), "NotPrincipal is not supported in %s", typeLong(v.t))
		case v.t != TypeAny && v.t != TypeResource && s.Effect == Allow:
			// TypeAny checks only the grammar. Resource-based
			// policies stored before AWS stopped accepting it
			// still carry Allow with NotPrincipal: they are read
			// (the engine evaluates them with the meaning AWS
			// documented and warns); lint reports the form.
			// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
			v.errorf(at(pr.Pos), "NotPrincipal must be used with Effect \"Deny\"; with \"Allow\" it is not supported")
		}
		return
	}
	if r.rcp && !pr.Wildcard {
		v.errorf(at(pr.Pos), "an RCP Principal must be \"*\"; restrict principals with condition keys such as aws:PrincipalArn")
	}
}

// isRCPFullAccess reports whether s is the statement of the AWS managed
// RCPFullAWSAccess policy: {"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}.
func isRCPFullAccess(s *Statement) bool {
	return s.Principal.Present && !s.Principal.Not && s.Principal.Wildcard &&
		isStar(s.Action) && isStar(s.Resource) && len(s.Conditions) == 0
}

func isStar(l List) bool {
	return l.Present && !l.Not && len(l.Values) == 1 && l.Values[0].Text == "*"
}

func listName(l List, name string) string {
	if l.Not {
		return "Not" + name
	}
	return name
}
