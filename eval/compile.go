package eval

import (
	"strings"

	"github.com/iamwhy/iamwhy/policy"
)

// Policy is a policy document compiled for evaluation: action patterns
// folded and encoded, resource patterns split into ARN fields, principals
// classified, condition values parsed. Compile once, decide many times; a
// Policy is immutable and safe for concurrent use.
type Policy struct {
	// Name identifies the policy in decisions and traces: a policy ARN,
	// "ROLE_ARN#inline-name", a resource ARN, or a file name.
	Name string
	// Doc is the parsed document, for positions and display.
	Doc   *policy.Policy
	stmts []statement
	// services is the union of the statements' literal service prefixes
	// when every statement has them (see statement.services); nil
	// otherwise. Decide skips the whole policy for a request to another
	// service.
	services []string
	svcMask  uint64 // serviceBit of each of services
}

type statement struct {
	src       *policy.Statement
	deny      bool
	notAction bool
	actions   []string // encoded globs, matched case-insensitively
	shapes    []globShape
	// services holds the distinct service prefixes of the Action patterns
	// when every pattern names its service without wildcards ("s3:Get*",
	// not "*" or "s*:Get"); nil otherwise. A request for another service is
	// then rejected with one comparison per service instead of a glob
	// match per pattern.
	services []string
	svcMask  uint64 // serviceBit of each of services

	hasResource bool
	notResource bool
	resources   []resourcePattern

	hasPrincipal bool
	notPrincipal bool
	principals   []principalEntry

	conds []condition

	// The element values as written, for traces (shared by every trace:
	// read-only). resourceTexts is nil when an entry has a variable.
	actionTexts, principalTexts, resourceTexts []string
}

type resourcePattern struct {
	raw  string
	pat  arnPattern
	tmpl *template
	// outside names the ARN field (region, account, ...) that holds a
	// policy variable; such an entry's meaning is not documented.
	outside string
}

// Compile prepares a parsed document for evaluation under name.
func Compile(name string, doc *policy.Policy) *Policy {
	p := &Policy{Name: name, Doc: doc}
	vars := doc.VariablesEnabled()
	p.stmts = make([]statement, len(doc.Statements))
	for i := range doc.Statements {
		s := &doc.Statements[i]
		cs := statement{src: s, deny: s.Effect == policy.Deny}
		cs.notAction = s.Action.Not
		for _, a := range s.Action.Values {
			enc := encodeWildcards(a.Text)
			cs.actions = append(cs.actions, enc)
			cs.shapes = append(cs.shapes, shapeOf(enc))
		}
		cs.services = literalServices(s.Action.Values)
		cs.svcMask = serviceMask(cs.services)
		cs.hasResource = s.Resource.Present
		cs.notResource = s.Resource.Not
		for _, r := range s.Resource.Values {
			rp := resourcePattern{raw: r.Text}
			if vars {
				rp.tmpl = parseTemplate(r.Text, true)
				if field, ok := policy.VariableOutsideResourcePart(r.Text); ok && rp.tmpl != nil {
					rp.outside = field
				}
			}
			if rp.tmpl == nil {
				rp.pat = compileARNPattern(encodeWildcards(r.Text))
			}
			cs.resources = append(cs.resources, rp)
		}
		cs.hasPrincipal = s.Principal.Present
		cs.notPrincipal = s.Principal.Not
		if s.Principal.Wildcard {
			cs.principals = append(cs.principals, principalEntry{kind: peAny, raw: "*"})
		}
		for _, e := range s.Principal.Entries {
			cs.principals = append(cs.principals, compilePrincipalEntry(string(e.Kind), e.Value))
		}
		for j := range s.Conditions {
			cs.conds = append(cs.conds, compileCondition(&s.Conditions[j], vars))
		}
		cs.actionTexts = valuesOf(s.Action.Values)
		cs.principalTexts = principalValues(&cs)
		cs.resourceTexts = valuesOf(s.Resource.Values)
		for _, r := range cs.resources {
			if r.tmpl != nil {
				cs.resourceTexts = nil
				break
			}
		}
		p.stmts[i] = cs
	}
	p.services = policyServices(p.stmts)
	p.svcMask = serviceMask(p.services)
	return p
}

// policyServices is the union of the statements' service prefixes, or nil
// when a statement has NotAction or an Action without a literal service.
func policyServices(stmts []statement) []string {
	var out []string
	for i := range stmts {
		s := &stmts[i]
		if s.services == nil || s.notAction {
			return nil
		}
		for _, svc := range s.services {
			if !serviceIn(out, svc) {
				out = append(out, svc)
			}
		}
	}
	return out
}

// serviceBit hashes a service prefix (ignoring ASCII case) to one bit of a
// 64-bit mask: a policy or statement whose mask lacks the request's bit
// cannot name its service, which one AND tells without comparing strings.
func serviceBit(svc string) uint64 {
	h := uint64(14695981039346656037) // FNV-1a
	for i := 0; i < len(svc); i++ {
		h ^= uint64(lowerASCII(svc[i]))
		h *= 1099511628211
	}
	return 1 << (h & 63)
}

func serviceMask(services []string) uint64 {
	var m uint64
	for _, s := range services {
		m |= serviceBit(s)
	}
	return m
}

// serviceIn reports whether svc is in list, ignoring ASCII case.
func serviceIn(list []string, svc string) bool {
	for _, x := range list {
		if equalFold(x, svc) {
			return true
		}
	}
	return false
}

// ParseAndCompile parses a JSON document as the given policy type and
// compiles it. The name is used as the document's source in errors.
func ParseAndCompile(name string, data []byte, t policy.Type) (*Policy, error) {
	doc, err := policy.Parse(data, policy.Options{Type: t, Source: name})
	if err != nil {
		return nil, err
	}
	return Compile(name, doc), nil
}

// matchAction reports whether the statement's Action (or NotAction) covers
// the action. Action names compare case-insensitively.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
func (s *statement) matchAction(action string) bool {
	svc := actionService(action)
	return s.matchActionIn(action, svc, serviceBit(svc))
}

// matchActionIn is matchAction with the action's service prefix already
// split off (Decide does it once per request, not once per statement).
func (s *statement) matchActionIn(action, svc string, svcBit uint64) bool {
	if s.services != nil && !s.notAction && (s.svcMask&svcBit == 0 || !serviceIn(s.services, svc)) {
		return false
	}
	hit := false
	for i, a := range s.actions {
		if matchShaped(a, s.shapes[i], action, true) {
			hit = true
			break
		}
	}
	return hit != s.notAction
}

// literalServices returns the distinct service prefixes of the action
// patterns, or nil when one of them has a wildcard in its service part or no
// service part at all ("*").
func literalServices(vals []policy.Value) []string {
	var out []string
	for _, v := range vals {
		i := strings.IndexByte(v.Text, ':')
		if i < 0 || strings.ContainsAny(v.Text[:i], "*?") {
			return nil
		}
		svc := v.Text[:i]
		if !serviceIn(out, svc) {
			out = append(out, svc)
		}
	}
	return out
}

// matchResourceIn reports whether Resource (or NotResource) covers the
// request's resource (split once per request by newRequestResource). A
// statement without either (trust policies) applies to the resource it is
// attached to. It is unknown when only an entry with a
// policy variable outside the ARN's resource part could cover it.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
func (s *statement) matchResourceIn(rr *requestResource, k *keys, buf []byte) tri {
	if !s.hasResource {
		return triTrue
	}
	hit, unknown := false, false
	for i := range s.resources {
		r := &s.resources[i]
		if r.tmpl == nil {
			if r.pat.matchSplit(rr) {
				hit = true
				break
			}
			continue
		}
		if r.outside != "" {
			unknown = true
			continue
		}
		out, ok := r.tmpl.resolve(k, buf)
		if !ok {
			continue // an unresolved variable matches nothing
		}
		if m, _ := matchEncodedBytes(out, rr); m {
			hit = true
			break
		}
	}
	if !hit && unknown {
		return triUnknown
	}
	return boolTri(hit != s.notResource)
}

// outsideVariableReason explains an unknown resource match.
func (s *statement) outsideVariableReason() string {
	for i := range s.resources {
		if r := &s.resources[i]; r.outside != "" {
			return "Resource " + strconvQuote(r.raw) + " has a policy variable in its " + r.outside + " field; AWS documents variables only in the resource part of an ARN"
		}
	}
	return ""
}

// matchPrincipal says how the statement's Principal names the caller. For
// NotPrincipal it returns matchDirect when the caller is not exempt (the
// statement applies) and matchNone when it is. A statement without either
// element (identity policies, SCPs) applies to the caller: matchDirect.
func (s *statement) matchPrincipal(p *Principal, userID string, hasBoundary bool) principalMatch {
	if !s.hasPrincipal {
		return matchDirect
	}
	if s.notPrincipal && !s.deny {
		// Allow with NotPrincipal: AWS no longer supports it, but the
		// only meaning it documented is "every principal except those
		// named"; a caller named by any entry (itself, its role or its
		// account) is excluded. The decision carries a warning.
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
		for i := range s.principals {
			if s.principals[i].match(p, userID) != matchNone {
				return matchNone
			}
		}
		return matchDirect
	}
	if s.notPrincipal {
		// A Deny with NotPrincipal always denies a principal that has a
		// permissions boundary.
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
		if hasBoundary || !notPrincipalExempt(s.principals, p, userID) {
			return matchDirect
		}
		return matchNone
	}
	best := matchNone
	for i := range s.principals {
		if m := s.principals[i].match(p, userID); m > best {
			best = m
		}
	}
	return best
}

// AuthorizedByTrustPolicy reports whether the action is one a role's trust
// policy authorises (the request's resource is then the role, and its
// resource-based policy is the trust policy): sts:AssumeRole and its
// siblings, sts:TagSession, sts:SetSourceIdentity, sts:SetContext.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html
func AuthorizedByTrustPolicy(action string) bool { return isSTSAssumeAction(action) }

func isSTSAssumeAction(action string) bool {
	for _, a := range stsAssumeActions {
		if equalFold(a, action) {
			return true
		}
	}
	return false
}

// stsAssumeActions are authorised by the target role's trust policy.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html
var stsAssumeActions = [...]string{"sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity",
	"sts:TagSession", "sts:SetSourceIdentity", "sts:SetContext"}
