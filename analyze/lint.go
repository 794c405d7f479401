package analyze

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/policy"
)

// LintOptions say how a document is linted.
type LintOptions struct {
	// Type is the policy type the document is used as; it decides which
	// elements are allowed and which checks apply (principal checks to
	// resource and trust policies, ...). policy.TypeAny applies every
	// check that does not depend on the type.
	Type policy.Type
	// ResourceType narrows a resource policy to the resource it is
	// attached to, as Access Analyzer's validatePolicyResourceType does
	// ("AWS::S3::Bucket", "AWS::KMS::Key", ...): it enables the checks
	// of actions, ARNs and condition keys the resource supports, and the
	// resource's size quota. Empty for none.
	ResourceType string
	// Source names the document in findings.
	Source string
	// Start, when valid, is where the document starts in Source: it was
	// found inside an AWS CLI output (policy.Unwrap). Findings' Line and
	// Col are then those of Source, while spans and paths stay those of
	// the document, as Access Analyzer counts them. When Decoded is set
	// the document was decoded from a string (JSON or URL-encoded), whose
	// text no line of Source holds: every finding is placed at Start.
	Start   policy.Pos
	Decoded bool
	// Custom are the custom checks to run as well (nil for none).
	Custom *CustomChecks
	// Catalog is the service reference; nil means catalog.Default().
	Catalog *catalog.Catalog
}

// Lint validates a policy document as IAM Access Analyzer's ValidatePolicy
// does, offline, and with iamwhy's own checks. A document that is not
// JSON gets one JSON_SYNTAX_ERROR finding; otherwise every problem is
// reported, sorted by position.
func Lint(data []byte, opts LintOptions) *Result {
	res := newResult(opts)
	d, serr := readDocument(data)
	l := newLinter(opts, res)
	if serr != nil {
		l.doc = &document{data: data, lines: newLineIndex(data)}
		l.add("JSON_SYNTAX_ERROR", l.doc.pos(serr.off), "", "fix the JSON syntax error at index %d line %d column %d: %s", serr.off, l.doc.pos(serr.off).Line, l.doc.pos(serr.off).Col, serr.msg)
		return res.finish()
	}
	l.doc = d
	p := l.build(d.root)
	if p == nil {
		return res.finish()
	}
	l.p = p
	l.sizeQuota(data)
	l.lint(p)
	l.customChecks(p, opts.Custom)
	return res.finish()
}

// LintPolicy lints a document already parsed. Checks of the document's
// text (JSON types, empty lists and objects, duplicate keys, size) need
// Lint; findings have no location path.
func LintPolicy(p *policy.Policy, opts LintOptions) *Result {
	if opts.Source == "" {
		opts.Source = p.Source
	}
	res := newResult(opts)
	l := newLinter(opts, res)
	l.lint(p)
	l.customChecks(p, opts.Custom)
	return res.finish()
}

func newResult(opts LintOptions) *Result {
	return &Result{Source: opts.Source, Type: opts.Type.String(), Findings: []Finding{}}
}

func newLinter(opts LintOptions, res *Result) *linter {
	c := opts.Catalog
	if c == nil {
		c = catalog.Default()
	}
	return &linter{c: c, t: opts.Type, resourceType: opts.ResourceType, res: res, start: opts.Start, decoded: opts.Decoded}
}

type linter struct {
	c            *catalog.Catalog
	t            policy.Type
	resourceType string
	res          *Result
	doc          *document  // nil for LintPolicy
	start        policy.Pos // LintOptions.Start
	decoded      bool       // LintOptions.Decoded
	p            *policy.Policy
	stmtNodes    []*jnode
	// matched and keys cache catalog lookups: large documents repeat
	// the same actions and keys statement after statement.
	matched map[string][]*catalog.Action
	keys    map[string]*catalog.ConditionKey
}

// matchActions is c.MatchActions, cached.
func (l *linter) matchActions(pattern string) []*catalog.Action {
	if as, ok := l.matched[pattern]; ok {
		return as
	}
	if l.matched == nil {
		l.matched = map[string][]*catalog.Action{}
	}
	as := l.c.MatchActions(pattern)
	l.matched[pattern] = as
	return as
}

// conditionKeyOf is c.ConditionKey, cached (nil for an unknown key).
func (l *linter) conditionKeyOf(name string) (*catalog.ConditionKey, bool) {
	if k, ok := l.keys[name]; ok {
		return k, k != nil
	}
	if l.keys == nil {
		l.keys = map[string]*catalog.ConditionKey{}
	}
	k, ok := l.c.ConditionKey(name)
	if !ok {
		k = nil
	}
	l.keys[name] = k
	return k, ok
}

// add records a finding of the check with the code, when the check
// applies to the policy type.
func (l *linter) add(code string, p policy.Pos, stmt string, format string, args ...any) {
	c, ok := checkIndex[code]
	if !ok {
		panic("analyze: finding of an unknown check " + code)
	}
	if !c.Types.Has(l.t) {
		return
	}
	at := p
	if l.start.IsValid() && p.IsValid() {
		at = l.start.Inside(p)
		if l.decoded {
			at = l.start
		}
	}
	f := Finding{
		Severity: c.Severity, IssueCode: code, LearnMoreLink: c.LearnMoreLink,
		Message: fmt.Sprintf(format, args...), Line: at.Line, Col: at.Col, Statement: stmt,
	}
	if l.doc != nil {
		f.Path = []PathElement{}
		if p.IsValid() {
			off := l.doc.offset(p)
			if n := l.doc.at(off); n != nil {
				f.Path = n.path()
				f.Span = &Span{Start: l.doc.position(n.start), End: l.doc.position(n.end)}
			} else {
				at := l.doc.position(off)
				f.Span = &Span{Start: at, End: at}
			}
		}
	}
	l.res.Findings = append(l.res.Findings, f)
}

func (r *Result) finish() *Result {
	slices.SortStableFunc(r.Findings, func(a, b Finding) int {
		if c := cmp.Compare(a.Line, b.Line); c != 0 {
			return c
		}
		return cmp.Compare(a.Col, b.Col)
	})
	r.Counts = map[string]int{}
	for _, s := range severityNames {
		r.Counts[s] = 0
	}
	for _, f := range r.Findings {
		r.Counts[f.Severity.String()]++
	}
	return r
}

// stmtInfo is what the statement checks learned, kept for the checks
// across statements.
type stmtInfo struct {
	s     *policy.Statement
	label string
	// actions are the catalog actions each Action value resolves to
	// (nil for an unknown one); allKnown is false when any is unknown.
	actions  [][]*catalog.Action
	allKnown bool
}

func (l *linter) lint(p *policy.Policy) {
	l.p = p
	l.typeRules(p)
	l.variableVersion(p)
	stmts := make([]*stmtInfo, len(p.Statements))
	for i := range p.Statements {
		stmts[i] = l.statement2(&p.Statements[i])
	}
	l.sids(p)
	l.redundantStatements(stmts)
	l.privilegeEscalation(stmts)
	l.resourcePolicyEscalation(p, stmts)
}

func (l *linter) statement2(s *policy.Statement) *stmtInfo {
	si := &stmtInfo{s: s, label: s.Label(), allKnown: true}
	l.actions(si)
	l.resources(si)
	l.conditions(si)
	l.principalChecks(si)
	l.passRoleAndSLR(si)
	l.tagKeySupport(si)
	l.resourceTypeChecks(si)
	l.statementRecent(si)
	l.resourceStar(si)
	l.resourceEffectivelyStar(si)
	if s.Effect == policy.Allow {
		l.allowChecks(si)
	}
	return si
}

func (l *linter) addS(si *stmtInfo, code string, p policy.Pos, format string, args ...any) {
	if !p.IsValid() {
		p = si.s.Pos
	}
	l.add(code, p, si.label, format, args...)
}

// typeRules are the elements each policy type requires or forbids.
// Sources: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
// (Principal: not in identity-based policies, required in resource-based
// ones, of which a role trust policy is one),
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
// (identity-based policies need Resource; trust policies have none),
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html
// (SCPs), https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html
// (RCPs).
func (l *linter) typeRules(p *policy.Policy) {
	for i := range p.Statements {
		s := &p.Statements[i]
		label := s.Label()
		at := func(q policy.Pos) policy.Pos {
			if q.IsValid() {
				return q
			}
			return s.Pos
		}
		pr := s.Principal
		switch l.t {
		case policy.TypeIdentity, policy.TypeBoundary, policy.TypeSession:
			if pr.Present {
				l.add("UNSUPPORTED_PRINCIPAL", at(pr.Pos), label, "the policy type %s does not support the %s element: remove it (an identity-based policy applies to the identity it is attached to)", l.t, elementNameP(pr))
			}
			if !s.Resource.Present {
				l.add("MISSING_RESOURCE", s.Pos, label, "add a Resource or NotResource element to the policy statement: identity-based policies need one")
			}
		case policy.TypeSCP:
			if pr.Present {
				l.add("SCP_SYNTAX_ERROR_PRINCIPAL", at(pr.Pos), label, "SCPs do not support specifying principals: remove the %s element (aws:PrincipalArn in a condition names principals)", elementNameP(pr))
			}
		case policy.TypeTrust:
			if !pr.Present {
				l.add("MISSING_PRINCIPAL", s.Pos, label, "add a Principal element to the policy statement: a role trust policy names who may assume the role")
			}
			if pr.Not {
				l.add("ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL", at(pr.Pos), label, "role trust policies do not support NotPrincipal: update the policy to use a Principal element instead")
			}
			if s.Resource.Present {
				l.add("ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE", at(s.Resource.Pos), label, "role trust policies apply to the role that they are attached to: you cannot specify a resource; remove the %s element", elementName(s.Resource, "Resource"))
			}
		case policy.TypeResource, policy.TypeVPCEndpoint:
			if !pr.Present {
				l.add("MISSING_PRINCIPAL", s.Pos, label, "add a Principal element to the policy statement: resource-based policies must name who they apply to")
			}
			if l.t == policy.TypeResource {
				l.resourceElement(s, label, at)
			}
			if pr.Not && s.Effect == policy.Allow {
				l.add("ALLOW_WITH_NOT_PRINCIPAL", at(pr.Pos), label, "using Allow with NotPrincipal can be overly permissive (it allows everyone not listed, anonymous callers included): we recommend that you use Principal instead")
			}
		case policy.TypeRCP:
			l.rcpRules(s, at)
		}
	}
}

// rcpRules: "Each statement must contain the Principal element. You can
// only specify "*"", Resource or NotResource is required, no NotAction or
// NotPrincipal, Allow only in the AWS managed RCPFullAWSAccess, "You
// cannot use "*" in the Action element of a customer managed RCP", and
// only the services RCPs apply to.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html#rcp-supported-services
// Access Analyzer names four of these (RCP syntax error principal, allow,
// NotAction, action); RCP_SYNTAX_ERROR is iamwhy's name for the rest.
func (l *linter) rcpRules(s *policy.Statement, at func(policy.Pos) policy.Pos) {
	label := s.Label()
	pr := s.Principal
	if !pr.Present {
		l.add("MISSING_PRINCIPAL", s.Pos, label, "add a Principal element to the policy statement: every RCP statement needs \"Principal\": \"*\"")
	} else if pr.Not || !pr.Wildcard {
		l.add("RCP_SYNTAX_ERROR_PRINCIPAL", at(pr.Pos), label, "the %s element contents are not valid: RCPs only support specifying all principals (\"*\") in the Principal element, and not NotPrincipal; restrict principals with condition keys such as aws:PrincipalArn", elementNameP(pr))
	}
	if !s.Resource.Present {
		l.add("MISSING_RESOURCE", s.Pos, label, "add a Resource or NotResource element to the policy statement: RCPs need one")
	}
	if s.Action.Not {
		l.add("RCP_SYNTAX_ERROR_NOTACTION", at(s.Action.Pos), label, "RCPs do not support the NotAction element: update to use the Action element")
	}
	if !s.Action.Not {
		for _, a := range s.Action.Values {
			prefix, _, ok := strings.Cut(a.Text, ":")
			if !ok || strings.ContainsAny(prefix, "*?") {
				continue
			}
			if svc, known := l.c.Service(strings.ToLower(prefix)); known && !svc.RCPSupported {
				l.add("RCP_SYNTAX_ERROR_ACTION", a.Pos, label, "RCPs only support specifying select service prefixes in the Action element: %s is not one of the services RCPs apply to", prefix)
			}
		}
	}
	full := pr.Wildcard && isStarList(s.Action) && isStarList(s.Resource) && len(s.Conditions) == 0
	if full {
		return
	}
	if s.Effect == policy.Allow {
		if !pr.Wildcard || !isStarList(s.Resource) || len(s.Conditions) > 0 {
			l.add("RCP_SYNTAX_ERROR_ALLOW", at(s.EffectPos), label, "RCPs only support specifying all principals (\"*\") in the Principal element, all resources (\"*\") in the Resource element, and no Condition element with an effect of Allow")
		} else {
			l.add("RCP_SYNTAX_ERROR", at(s.EffectPos), label, "an RCP statement must have Effect Deny: Allow is only supported in the AWS managed RCPFullAWSAccess policy (all actions, principals and resources)")
		}
	}
	for _, a := range s.Action.Values {
		if a.Text == "*" && !s.Action.Not {
			l.add("RCP_SYNTAX_ERROR", a.Pos, label, "a customer managed RCP cannot use \"*\" as an action: name the service, as in \"s3:*\"")
		}
	}
}

func isStarList(list policy.List) bool {
	return list.Present && !list.Not && len(list.Values) == 1 && list.Values[0].Text == "*"
}

func elementName(list policy.List, base string) string {
	if list.Not {
		return "Not" + base
	}
	return base
}

func elementNameP(pr policy.Principals) string {
	if pr.Not {
		return "NotPrincipal"
	}
	return "Principal"
}

// sids: "In IAM, the Sid value must be unique within a JSON policy" and
// supports "ASCII uppercase letters (A-Z), lowercase letters (a-z), and
// numbers (0-9)"; services with resource policies differ (S3 and KMS
// accept spaces), and recommend unique Sids.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html
func (l *linter) sids(p *policy.Policy) {
	seen := map[string]bool{}
	for i := range p.Statements {
		s := &p.Statements[i]
		if !s.SidPos.IsValid() {
			continue
		}
		if s.Sid == "" {
			l.add("EMPTY_SID_VALUE", s.SidPos, s.Label(), "add a value to the empty string in the Sid element (or remove the element)")
			continue
		}
		for _, c := range []byte(s.Sid) {
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
				l.add("UNSUPPORTED_SID", s.SidPos, s.Label(), "the Sid %q has characters outside [a-z, A-Z, 0-9]: update the characters in the Sid element to use only those", s.Sid)
				break
			}
		}
		if seen[s.Sid] {
			l.add("UNIQUE_SIDS_REQUIRED", s.SidPos, s.Label(), "the Sid %q is used by another statement: duplicate statement IDs are not supported for this policy type; update the Sid value", s.Sid)
			l.add("UNIQUE_SIDS_RECOMMENDED", s.SidPos, s.Label(), "the Sid %q is used by another statement: we recommend that you use statement IDs that are unique to your policy", s.Sid)
		}
		seen[s.Sid] = true
	}
}

// Size quotas. Identity policies: managed policies hold 6,144 characters
// and AWS does not count white space; role trust policies 2,048 by
// default (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html);
// SCPs and RCPs 5,120 characters
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html).
// Resource policies depend on the service (resourceTypeRules). Without a
// resource type, the quota is the one of the service every action of the
// policy belongs to, when that is one service lint knows (a bucket
// policy's s3 actions: 20 KB; a queue policy's sqs actions: 8 KB);
// otherwise only a policy larger than every known quota (32 KB, KMS key
// policies) is reported, since a smaller one may fit the resource it is
// for.
func (l *linter) sizeQuota(data []byte) {
	all := utf8.RuneCount(data)
	nonSpace := all
	for _, c := range data {
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			nonSpace--
		}
	}
	p := policy.Pos{Line: 1, Col: 1}
	switch l.t {
	case policy.TypeIdentity, policy.TypeBoundary:
		if nonSpace > 6144 {
			l.add("POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", p, "", "the %d characters in the identity policy, excluding whitespace, exceed the 6144 character maximum for managed policies: we recommend that you use multiple granular policies", nonSpace)
		}
	case policy.TypeTrust:
		if nonSpace > 2048 {
			l.add("POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA", p, "", "the %d characters in the role trust policy, excluding whitespace, exceed the 2048 character default maximum: request a quota increase, or ignore this warning if the quota was raised", nonSpace)
		}
	case policy.TypeSCP:
		if all > 5120 {
			l.add("POLICY_SIZE_EXCEEDS_SCP_QUOTA", p, "", "the %d characters in the service control policy (SCP) exceed the 5120 character maximum for SCPs: we recommend that you use multiple granular policies", all)
		}
	case policy.TypeRCP:
		if all > 5120 {
			l.add("POLICY_SIZE_EXCEEDS_RCP_QUOTA", p, "", "the %d characters in the resource control policy (RCP) exceed the 5120 character maximum for RCPs", all)
		}
	case policy.TypeResource:
		quota := l.resourcePolicyQuota()
		if all > quota {
			l.add("POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA", p, "", "the %d characters in the resource policy exceed the %d character maximum for resource policies: we recommend that you use multiple granular policies", all, quota)
		}
	}
}

// resourcePolicyQuota is the size quota of the resource policy being
// linted (see sizeQuota).
func (l *linter) resourcePolicyQuota() int {
	if rt, ok := resourceTypeRules[strings.ToLower(l.resourceType)]; ok && rt.sizeQuota > 0 {
		return rt.sizeQuota
	}
	largest := 0
	byService := map[string]int{}
	for _, rt := range resourceTypeRules {
		largest = max(largest, rt.sizeQuota)
		if len(rt.actions) == 1 && rt.sizeQuota > 0 {
			if q, seen := byService[rt.actions[0]]; !seen || rt.sizeQuota < q {
				byService[rt.actions[0]] = rt.sizeQuota
			}
		}
	}
	service := ""
	if l.p != nil {
		for _, s := range l.p.Statements {
			if s.Action.Not {
				return largest
			}
			for _, a := range s.Action.Values {
				prefix, _, ok := strings.Cut(strings.ToLower(a.Text), ":")
				if !ok || strings.ContainsAny(prefix, "*?") || service != "" && prefix != service {
					return largest
				}
				service = prefix
			}
		}
	}
	if q, ok := byService[service]; ok {
		return q
	}
	return largest
}
