package eval

import (
	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/policy"
)

// Layers are the policies that apply to one request, by layer. A nil
// field (or nil slice) means the layer does not exist for this request:
// no boundary, no session policy, an account outside any organisation.
type Layers struct {
	// Identity holds the caller's identity-based policies: inline and
	// managed, and for an IAM user its groups' policies.
	Identity []*Policy
	// Resource is the resource-based policy of the target: a bucket
	// policy, a KMS key policy, a role trust policy for sts:AssumeRole,
	// a queue or topic policy.
	Resource *Policy
	// Boundary is the permissions boundary of the caller's user or role.
	Boundary *Policy
	// Session holds the session policies passed when the session was
	// created; nil when none were passed.
	Session []*Policy
	// SCP holds the service control policies on the path from the
	// organisation root down to the caller's account, one slice per
	// level, root first. Nil: the caller's account has no SCPs.
	SCP [][]*Policy
	// RCP holds the customer's resource control policies on the path down
	// to the resource's account, one slice per level. AWS's managed
	// RCPFullAWSAccess is always in force at every level and need not be
	// listed. Nil: no RCPs apply.
	RCP [][]*Policy
	// VPCEndpoint is the policy of the VPC endpoint the request went
	// through, if any.
	VPCEndpoint *Policy
	// ManagementAccount is the organisation's management account: SCPs
	// do not restrict its principals, RCPs do not restrict its resources.
	ManagementAccount string
}

// Decide evaluates req against the layers as AWS does and returns the
// decision. It does not allocate for policies without policy variables, and
// is safe for concurrent use.
//
// The order follows "Policy evaluation logic" in the IAM User Guide:
// an explicit Deny in any layer wins; then RCPs and SCPs (every level must
// allow); then, in one account, a resource-based policy that names the
// caller may allow on its own, else the identity-based policies must allow
// and the permissions boundary and session policies must too; across
// accounts both the resource's and the caller's side must allow.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
func Decide(req *Request, l *Layers) Decision {
	var ev evaluator
	return ev.decide(req, l)
}

// Explain is Decide with a full Trace: every layer, every statement that
// matched, and the near misses with the element that failed and the
// expected and actual values.
func Explain(req *Request, l *Layers) (Decision, *Trace) {
	ev := evaluator{trace: &Trace{}}
	d := ev.decide(req, l)
	return d, ev.trace
}

type evaluator struct {
	req         *Request
	ctx         *Context
	p           Principal
	userID      string
	hasBoundary bool
	trace       *Trace
	// svc and res are the request's action service and its resource split
	// into ARN fields, computed once per decision.
	svc    string
	svcBit uint64
	res    requestResource
	buf    [256]byte
}

// layerResult summarises one layer (or one organisation level).
type layerResult struct {
	allow      tri
	allowPol   *Policy
	allowIdx   int
	allowMatch principalMatch // strongest principal match among matching Allows
	deny       tri
	denyPol    *Policy
	denyIdx    int
	reason     string // why a statement's result is unknown
}

func (ev *evaluator) note(s string) {
	if ev.trace != nil {
		ev.trace.Notes = append(ev.trace.Notes, s)
	}
}

func (ev *evaluator) decide(req *Request, l *Layers) Decision {
	ev.req = req
	ev.svc = actionService(req.Action)
	ev.svcBit = serviceBit(ev.svc)
	ev.res = newRequestResource(req.Resource)
	ev.ctx = req.Context
	if ev.ctx == nil {
		ev.ctx = &Context{}
	}
	ev.p = ParsePrincipal(req.Principal)
	p := &ev.p
	if e, ok := ev.ctx.lookup("aws:userid"); ok && len(e.values) == 1 {
		ev.userID = e.values[0]
	}
	ev.hasBoundary = l.Boundary != nil
	resAcct := req.resourceAccount(p)
	cross := p.Account != "" && resAcct != "" && p.Account != resAcct
	if ev.trace != nil {
		ev.trace.Principal = *p
		ev.trace.ResourceAccount = resAcct
		ev.trace.CrossAccount = cross
	}
	if p.Type == PrincipalUnknown {
		return undetermined("cannot tell what kind of principal " + quote(req.Principal) + " is (want an IAM user, role, assumed-role session, federated user or root ARN, a service principal, or anonymous)")
	}

	iamPrincipal := false
	switch p.Type {
	case PrincipalUser, PrincipalRole, PrincipalAssumedRole, PrincipalFederatedUser:
		iamPrincipal = true
	}
	isSession := p.Type == PrincipalRole || p.Type == PrincipalAssumedRole || p.Type == PrincipalFederatedUser
	slr := ev.isServiceLinkedRole()

	// Which layers govern this request.
	scpApplies := l.SCP != nil && (iamPrincipal || p.Type == PrincipalRoot)
	switch {
	case l.SCP == nil:
	case !scpApplies:
		ev.note("SCPs do not apply: they govern only IAM users, roles and the root user of member accounts")
	case l.ManagementAccount != "" && p.Account == l.ManagementAccount:
		scpApplies = false
		ev.note("SCPs do not apply: the principal is in the management account")
	case slr:
		scpApplies = false
		ev.note("SCPs do not apply: service-linked roles are exempt")
	}
	rcpApplies := l.RCP != nil
	switch {
	case l.RCP == nil:
	case l.ManagementAccount != "" && resAcct == l.ManagementAccount:
		rcpApplies = false
		ev.note("RCPs do not apply: the resource is in the management account")
	case slr:
		rcpApplies = false
		ev.note("RCPs do not apply: calls by service-linked roles are exempt")
	case equalFold(req.Action, "kms:RetireGrant"):
		// "The kms:RetireGrant permission is not effective in an RCP,
		// even if the Action element specifies an asterisk."
		// https://docs.aws.amazon.com/kms/latest/developerguide/resource-control-policies.html
		rcpApplies = false
		ev.note("RCPs do not apply to kms:RetireGrant")
	case !rcpSupported(req.Action):
		rcpApplies = false
		ev.note("RCPs do not apply: " + actionService(req.Action) + " is not a service that supports RCPs")
	}
	identityApplies := iamPrincipal
	if !identityApplies && len(l.Identity) > 0 {
		ev.note("identity-based policies do not apply to a " + p.Type.String() + " principal")
	}
	boundaryApplies := iamPrincipal && l.Boundary != nil
	sessionApplies := isSession && l.Session != nil
	if l.Session != nil && !isSession {
		ev.note("session policies do not apply: the principal is not a role or federated user session")
	}

	// Evaluate every applicable layer once; each pass finds both its
	// Allows and its Denies.
	var rcp, scp [8]layerResult
	rcpN, scpN := 0, 0
	var rcpLevels, scpLevels []layerResult
	if rcpApplies {
		rcpLevels = rcp[:0]
		if len(l.RCP) > len(rcp) {
			rcpLevels = make([]layerResult, 0, len(l.RCP))
		}
		for i, lvl := range l.RCP {
			rcpLevels = append(rcpLevels, ev.evalLayer(LayerRCP, i, lvl))
		}
		rcpN = len(rcpLevels)
	}
	if scpApplies {
		scpLevels = scp[:0]
		if len(l.SCP) > len(scp) {
			scpLevels = make([]layerResult, 0, len(l.SCP))
		}
		for i, lvl := range l.SCP {
			scpLevels = append(scpLevels, ev.evalLayer(LayerSCP, i, lvl))
		}
		scpN = len(scpLevels)
	}
	var vpce, res, id, bnd, ses layerResult
	if l.VPCEndpoint != nil {
		vpce = ev.evalOne(LayerVPCEndpoint, l.VPCEndpoint)
	}
	if l.Resource != nil {
		res = ev.evalOne(LayerResource, l.Resource)
	}
	if identityApplies {
		id = ev.evalLayer(LayerIdentity, -1, l.Identity)
	}
	if boundaryApplies {
		bnd = ev.evalOne(LayerBoundary, l.Boundary)
	}
	if sessionApplies {
		ses = ev.evalLayer(LayerSession, -1, l.Session)
	}

	// 1. An explicit deny in any layer decides.
	for i := 0; i < rcpN; i++ {
		if rcpLevels[i].deny == triTrue {
			return explicitDeny(LayerRCP, i, &rcpLevels[i])
		}
	}
	for i := 0; i < scpN; i++ {
		if scpLevels[i].deny == triTrue {
			return explicitDeny(LayerSCP, i, &scpLevels[i])
		}
	}
	// The layers and their results are kept in two arrays: a struct
	// holding both would let escape analysis move the results to the heap
	// (the Layer string flows into the returned Decision).
	accountLayers := [...]Layer{LayerVPCEndpoint, LayerResource, LayerIdentity, LayerBoundary, LayerSession}
	accountResults := [...]*layerResult{&vpce, &res, &id, &bnd, &ses}
	for i, r := range accountResults {
		if r.deny == triTrue {
			return explicitDeny(accountLayers[i], -1, r)
		}
	}
	for i := 0; i < rcpN; i++ {
		if rcpLevels[i].deny == triUnknown {
			return undetermined("a Deny statement in an RCP could not be evaluated: " + rcpLevels[i].reason)
		}
	}
	for i := 0; i < scpN; i++ {
		if scpLevels[i].deny == triUnknown {
			return undetermined("a Deny statement in an SCP could not be evaluated: " + scpLevels[i].reason)
		}
	}
	for i, r := range accountResults {
		if r.deny == triUnknown {
			return undetermined("a Deny statement in the " + string(accountLayers[i]) + " layer could not be evaluated: " + r.reason)
		}
	}

	// 2. RCPs: AWS's RCPFullAWSAccess allows everything at every level
	// and cannot be detached, so RCPs only ever deny.
	// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html

	// 3. SCPs: every level from the root down must allow.
	// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_inheritance_auth.html
	for i := 0; i < scpN; i++ {
		if d, stop := requireAllow(LayerSCP, i, &scpLevels[i], "no service control policy allows the action"); stop {
			return d
		}
	}

	// 4. The VPC endpoint policy is a gate of its own: it "does not
	// override or replace" the other policies, and must allow.
	// https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
	if l.VPCEndpoint != nil {
		if d, stop := requireAllow(LayerVPCEndpoint, -1, &vpce, "no VPC endpoint policy allows the action"); stop {
			return d
		}
	}

	// 5. Resource-based and identity-based policies.
	strict := strictResourceKind(req.Action, req.Resource)
	if strict != "" && l.Resource == nil {
		return undetermined("the " + strict + " must allow this request, and none was given")
	}

	if !iamPrincipal && p.Type != PrincipalRoot {
		// Service principals, anonymous callers and federation providers
		// have no identity-based policies: only the resource policy can
		// allow them.
		if l.Resource == nil {
			return implicitDeny(LayerResource, "no resource-based policy allows a "+p.Type.String()+" principal")
		}
		if d, stop := requireAllow(LayerResource, -1, &res, "no resource-based policy allows the action"); stop {
			return d
		}
		return allowBy(LayerResource, &res)
	}

	if p.Type == PrincipalRoot {
		// STS refuses AssumeRole called with root user credentials ("Roles
		// may not be assumed by root accounts"), whatever the trust policy
		// says: "You must use credentials for an IAM user or an IAM role".
		// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
		if equalFold(req.Action, "sts:AssumeRole") {
			return implicitDeny(LayerNone, "the root user cannot call sts:AssumeRole: STS requires the credentials of an IAM user or role")
		}
		// The root user is not governed by identity-based policies: in its
		// own account it may do what no Deny, SCP or RCP forbids, but a KMS
		// key policy or a role trust policy must still allow it, and
		// across accounts the resource policy must.
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#access_policies-root
		if cross || strict != "" {
			if l.Resource == nil {
				return implicitDeny(LayerResource, "no resource-based policy allows the cross-account request")
			}
			if d, stop := requireAllow(LayerResource, -1, &res, "the resource-based policy does not allow the root user"); stop {
				return d
			}
			return allowBy(LayerResource, &res)
		}
		if res.allow == triTrue {
			return allowBy(LayerResource, &res)
		}
		ev.note("the root user's own account: identity-based permissions are implicit")
		return Decision{Outcome: Allow, Layer: LayerIdentity, Statement: -1, Level: -1, Reason: "the root user may do anything in its own account that nothing denies"}
	}

	if cross && equalFold(actionService(req.Action), "kms") && !kmsCrossAccountAction(req.Action) {
		// Only some KMS operations can be used on a key in another
		// account; for the rest no policy can grant access.
		// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
		return implicitDeny(LayerResource, req.Action+" cannot be used on a KMS key in another account")
	}
	if strict == "role trust policy" && ev.selfAssume() && res.allow == triTrue && res.allowMatch == matchAccount {
		// Since 2022 a role may assume itself only when its trust policy
		// names the role explicitly; trusting the account is not enough.
		// https://aws.amazon.com/blogs/security/announcing-an-update-to-iam-role-trust-policy-behavior/
		return implicitDeny(LayerResource, "a role assuming itself needs a trust policy statement that names the role, not only its account")
	}

	resourceUnknown := false
	if !cross {
		switch {
		case res.allow == triTrue && res.allowMatch == matchDirect:
			// A grant to the user, the session itself or everyone: not
			// limited by an implicit deny in identity policies, the
			// boundary or session policies.
			ev.note("the resource-based policy names the caller directly: identity-based policies, the boundary and session policies are not needed")
			return allowBy(LayerResource, &res)
		case res.allow == triTrue && res.allowMatch == matchRole:
			// A grant to the role ARN: identity policies are not needed,
			// but the boundary and session policies still limit it.
			// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
			ev.note("the resource-based policy names the caller's role: the boundary and session policies still apply")
			if boundaryApplies {
				if d, stop := requireAllow(LayerBoundary, -1, &bnd, "the permissions boundary does not allow the action"); stop {
					return d
				}
			}
			if d, stop := ev.sessionGate(p, sessionApplies, &ses); stop {
				return d
			}
			return allowBy(LayerResource, &res)
		case res.allow == triTrue && res.allowMatch == matchAccount:
			ev.note("the resource-based policy names the caller's account: it delegates to the account's identity-based policies")
		case strict != "":
			if res.allow == triUnknown {
				return undetermined("the " + strict + " could not be evaluated: " + res.reason)
			}
			return implicitDeny(LayerResource, "the "+strict+" does not allow the caller, directly or through its account")
		case res.allow == triUnknown:
			resourceUnknown = true
		}
	} else {
		// Across accounts, the resource's account must allow through the
		// resource-based policy, and the caller's account through its
		// identity-based policies.
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
		ev.note("cross-account request: the resource-based policy and the caller's identity-based policies must both allow")
		if l.Resource == nil {
			return implicitDeny(LayerResource, "no resource-based policy allows the cross-account request")
		}
		if d, stop := requireAllow(LayerResource, -1, &res, "no resource-based policy allows the cross-account request"); stop {
			return d
		}
	}

	if id.allow != triTrue {
		if id.allow == triUnknown || resourceUnknown {
			return undetermined("whether a policy allows could not be evaluated: " + firstNonEmpty(id.reason, res.reason))
		}
		return implicitDeny(LayerIdentity, "no identity-based policy allows the action")
	}
	if boundaryApplies {
		if d, stop := requireAllow(LayerBoundary, -1, &bnd, "the permissions boundary does not allow the action"); stop {
			return d
		}
	}
	if d, stop := ev.sessionGate(p, sessionApplies, &ses); stop {
		return d
	}
	return allowBy(LayerIdentity, &id)
}

// sessionGate applies session policies: a role session with none passed
// is not limited; with some, they must allow. A federated user session
// (GetFederationToken) has no permissions without a session policy.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getfederationtoken.html
func (ev *evaluator) sessionGate(p *Principal, applies bool, ses *layerResult) (Decision, bool) {
	if p.Type == PrincipalFederatedUser && !applies {
		return implicitDeny(LayerSession, "a federated user session without a session policy has no permissions"), true
	}
	if applies {
		return requireAllow(LayerSession, -1, ses, "no session policy allows the action")
	}
	return Decision{}, false
}

// isServiceLinkedRole tells from the principal ARN, or aws:PrincipalArn,
// whether the caller is a service-linked role.
func (ev *evaluator) isServiceLinkedRole() bool {
	if ev.p.Type == PrincipalRole && IsServiceLinkedRole(ev.p.ARN) {
		return true
	}
	if ev.p.Type == PrincipalRole || ev.p.Type == PrincipalAssumedRole {
		if e, ok := ev.ctx.lookup("aws:principalarn"); ok && len(e.values) == 1 {
			return IsServiceLinkedRole(e.values[0])
		}
	}
	return false
}

func requireAllow(layer Layer, level int, r *layerResult, why string) (Decision, bool) {
	switch r.allow {
	case triTrue:
		return Decision{}, false
	case triUnknown:
		return undetermined("whether the " + string(layer) + " layer allows could not be evaluated: " + r.reason), true
	}
	d := implicitDeny(layer, why)
	d.Level = level
	return d, true
}

func explicitDeny(layer Layer, level int, r *layerResult) Decision {
	return Decision{Outcome: ExplicitDeny, Layer: layer, Policy: r.denyPol, Statement: r.denyIdx, Level: level}
}

func implicitDeny(layer Layer, why string) Decision {
	return Decision{Outcome: ImplicitDeny, Layer: layer, Statement: -1, Level: -1, Reason: why}
}

func allowBy(layer Layer, r *layerResult) Decision {
	return Decision{Outcome: Allow, Layer: layer, Policy: r.allowPol, Statement: r.allowIdx, Level: -1}
}

func undetermined(why string) Decision {
	return Decision{Outcome: Undetermined, Layer: LayerNone, Statement: -1, Level: -1, Reason: why}
}

func quote(s string) string { return "\"" + s + "\"" }

func firstNonEmpty(a ...string) string {
	for _, s := range a {
		if s != "" {
			return s
		}
	}
	return ""
}

func (ev *evaluator) evalOne(layer Layer, p *Policy) layerResult {
	ps := [1]*Policy{p}
	return ev.evalLayer(layer, -1, ps[:])
}

// evalLayer evaluates every statement of the layer's policies.
func (ev *evaluator) evalLayer(layer Layer, level int, pols []*Policy) layerResult {
	r := layerResult{allowIdx: -1, denyIdx: -1}
	var lt *LayerTrace
	if ev.trace != nil {
		ev.trace.Layers = append(ev.trace.Layers, LayerTrace{Layer: layer, Level: level, Applies: true})
		lt = &ev.trace.Layers[len(ev.trace.Layers)-1]
		if len(pols) == 0 {
			lt.Note = "no policies at this level"
		}
	}
	for _, pol := range pols {
		if pol == nil {
			continue
		}
		if lt == nil && pol.services != nil && (pol.svcMask&ev.svcBit == 0 || !serviceIn(pol.services, ev.svc)) {
			continue // no statement names the request's service
		}
		for i := range pol.stmts {
			s := &pol.stmts[i]
			res, pm, why := ev.evalStatement(s, lt, pol)
			if res == triFalse {
				continue
			}
			if s.deny {
				if res == triTrue && r.deny != triTrue {
					r.deny, r.denyPol, r.denyIdx = triTrue, pol, i
				} else if res == triUnknown && r.deny == triFalse {
					r.deny, r.reason = triUnknown, why
				}
				continue
			}
			switch {
			case res == triTrue && (r.allow != triTrue || pm > r.allowMatch):
				r.allow, r.allowPol, r.allowIdx, r.allowMatch = triTrue, pol, i, pm
			case res == triUnknown && r.allow == triFalse:
				r.allow, r.reason = triUnknown, why
			}
		}
	}
	if lt != nil {
		lt.Allowed, lt.Denied = r.allow.word(), r.deny.word()
	}
	return r
}

func (t tri) word() string {
	switch t {
	case triTrue:
		return "yes"
	case triUnknown:
		return "unknown"
	}
	return "no"
}

// evalStatement matches one statement. Without a trace it stops at the
// first element that fails; with one it checks every element so that a
// near miss shows all that failed.
func (ev *evaluator) evalStatement(s *statement, lt *LayerTrace, pol *Policy) (tri, principalMatch, string) {
	req := ev.req
	if lt == nil {
		if !s.matchActionIn(req.Action, ev.svc, ev.svcBit) || !s.matchResourceIn(&ev.res, ev.ctx, ev.buf[:]) {
			return triFalse, matchNone, ""
		}
		pm := s.matchPrincipal(&ev.p, ev.userID, ev.hasBoundary)
		if pm == matchNone {
			return triFalse, matchNone, ""
		}
		res, why := triTrue, ""
		for i := range s.conds {
			o := s.conds[i].eval(ev.ctx, ev.buf[:])
			if o.result == triFalse {
				return triFalse, matchNone, ""
			}
			if o.result == triUnknown {
				res, why = triUnknown, o.reason
			}
		}
		return res, pm, why
	}

	st := StatementTrace{Policy: pol.Name, Sid: s.src.Sid, Index: s.src.Index, Effect: string(s.src.Effect), Pos: s.src.Pos}
	if pol.Doc != nil {
		st.Source = pol.Doc.Source
	}
	actionOK := s.matchActionIn(req.Action, ev.svc, ev.svcBit)
	if !actionOK {
		st.Failed = append(st.Failed, Mismatch{Element: "action", Expected: valuesOf(s.src.Action.Values), Actual: []string{req.Action},
			Reason: notWord(s.notAction) + "Action does not cover the action", Pos: s.src.Action.Pos})
	}
	if !s.matchResourceIn(&ev.res, ev.ctx, ev.buf[:]) {
		st.Failed = append(st.Failed, Mismatch{Element: "resource", Expected: ev.resourceValues(s), Actual: []string{req.Resource},
			Reason: notWord(s.notResource) + "Resource does not cover the resource", Pos: s.src.Resource.Pos})
	}
	pm := s.matchPrincipal(&ev.p, ev.userID, ev.hasBoundary)
	if pm == matchNone {
		st.Failed = append(st.Failed, Mismatch{Element: "principal", Expected: principalValues(s), Actual: []string{req.Principal},
			Reason: notWord(s.notPrincipal) + "Principal does not name the caller", Pos: s.src.Principal.Pos})
	}
	condRes, why := triTrue, ""
	for i := range s.conds {
		c := &s.conds[i]
		o := c.eval(ev.ctx, ev.buf[:])
		switch o.result {
		case triTrue:
			continue
		case triFalse:
			condRes = triFalse
		case triUnknown:
			if condRes == triTrue {
				condRes, why = triUnknown, o.reason
			}
		}
		actual, _ := ev.ctx.lookup(c.lkey)
		reason := o.reason
		if reason == "" {
			reason = "condition not met"
		}
		st.Failed = append(st.Failed, Mismatch{Element: "condition", Operator: c.src.Operator, Key: c.src.Key,
			Expected: condValues(c), Actual: actual.values, Reason: reason, Pos: c.src.KeyPos})
	}
	if pm != matchNone && s.hasPrincipal && !s.notPrincipal {
		st.PrincipalMatch = pm.String()
	}
	final := triFalse
	if actionOK && pm != matchNone && (len(st.Failed) == 0 || st.Failed[0].Element == "condition") {
		final = condRes
	}
	st.Result = final.resultWord()
	// Keep matches, unknowns and near misses: statements whose action
	// matched, or whose only failure is the action.
	if final != triFalse || actionOK || len(st.Failed) == 1 {
		lt.Statements = append(lt.Statements, st)
	}
	if final == triFalse {
		return triFalse, matchNone, ""
	}
	return final, pm, why
}

func notWord(not bool) string {
	if not {
		return "Not"
	}
	return ""
}

func (ev *evaluator) resourceValues(s *statement) []string {
	out := make([]string, 0, len(s.resources))
	for i := range s.resources {
		r := &s.resources[i]
		if r.tmpl != nil {
			if v, ok := r.tmpl.resolve(ev.ctx, nil); ok {
				out = append(out, r.raw+" => "+decodeWildcards(string(v)))
				continue
			}
			out = append(out, r.raw+" (a variable has no value)")
			continue
		}
		out = append(out, r.raw)
	}
	return out
}

func valuesOf(vs []policy.Value) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Text
	}
	return out
}

func (t tri) resultWord() string {
	switch t {
	case triTrue:
		return "match"
	case triUnknown:
		return "unknown"
	}
	return "no-match"
}

func principalValues(s *statement) []string {
	out := make([]string, 0, len(s.principals))
	for _, e := range s.principals {
		out = append(out, e.raw)
	}
	return out
}

func condValues(c *condition) []string {
	out := make([]string, 0, len(c.values))
	for _, v := range c.values {
		out = append(out, v.raw)
	}
	return out
}

// selfAssume reports whether a role session asks to assume its own role.
func (ev *evaluator) selfAssume() bool {
	if ev.p.Type != PrincipalAssumedRole && ev.p.Type != PrincipalRole {
		return false
	}
	parts, ok := arnParts(ev.req.Resource)
	if !ok || parts[3] != ev.p.Account {
		return false
	}
	_, name := arn.PathName(parts[4])
	return name == ev.p.Name
}

// kmsCrossAccountActions can be used on a KMS key in another account.
// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
var kmsCrossAccountActions = [...]string{
	"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyPair",
	"kms:GenerateDataKeyPairWithoutPlaintext", "kms:GenerateDataKeyWithoutPlaintext", "kms:GenerateMac",
	"kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:Sign", "kms:Verify", "kms:VerifyMac", "kms:DeriveSharedSecret",
	"kms:CreateGrant", "kms:DescribeKey", "kms:GetKeyRotationStatus", "kms:GetPublicKey",
	"kms:ListGrants", "kms:RetireGrant", "kms:RevokeGrant",
}

func kmsCrossAccountAction(action string) bool {
	for _, a := range kmsCrossAccountActions {
		if equalFold(a, action) {
			return true
		}
	}
	return false
}
