package eval

// Decide evaluates req against the layers as AWS does and returns the
// decision. It derives the context keys that follow from the principal
// (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, ...) when
// req.Context lacks them, never changes req, does not allocate for
// policies without policy variables, and is safe for concurrent use.
//
// The order follows "Policy evaluation logic" in the IAM User Guide:
// an explicit Deny in any layer wins; then RCPs and SCPs (every level must
// allow); then, in one account, a resource-based policy that names the
// caller may allow on its own, else the identity-based policies must allow
// and the permissions boundary and session policies must too; across
// accounts both the resource's and the caller's side must allow. Layers
// whose policy is not known (Layers.Unknown) follow the rule of
// UnknownLayer.
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
	if d.Warning != "" {
		ev.trace.Warnings = append(ev.trace.Warnings, d.Warning)
	}
	return d, ev.trace
}

// evaluator holds one decision's state. Decide keeps it on the stack: it
// must hold no pointer to itself (which would move it to the heap).
type evaluator struct {
	req         *Request
	l           *Layers
	keys        keys
	p           Principal
	userID      string
	hasBoundary bool
	trace       *Trace
	tr          traceValues
	mismatches  []Mismatch // backing array of the current layer's trace
	// svc and res are the request's action service and its resource split
	// into ARN fields, computed once per decision.
	svc    string
	svcBit uint64
	res    requestResource
	buf    [256]byte

	sc scope

	// Results of the layers that govern the request. Up to eight
	// organisation levels live in the arrays; deeper trees use the
	// slices.
	rcp, scp         [8]layerResult
	rcpMore, scpMore []layerResult
	rcpN, scpN       int
	vpce, resource   layerResult
	identity         layerResult
	boundary         layerResult
	session          layerResult

	// unknownWhy is the reason of the first layer that governs the
	// request and whose policy is not known; scpUnknown and rcpUnknown
	// say the organisation chains are.
	unknownWhy             string
	scpUnknown, rcpUnknown bool
}

// traceValues are the request's values as traces show them, made once
// per Explain and shared by its mismatches (read-only).
type traceValues struct {
	action, resource, principal []string
}

// scope is which layers govern the request, and the facts about the
// caller that decide it.
type scope struct {
	iam       bool // an IAM user, role or session
	isSession bool
	slr       bool
	cross     bool
	resAcct   string
	strict    string // the resource policy that must allow ("KMS key policy", "role trust policy"), or ""

	scp, rcp, identity, boundary, session bool
	resource                              bool // a resource policy exists (known or not)
}

// layerResult summarises one layer (or one organisation level).
type layerResult struct {
	allow      tri
	allowPol   *Policy
	allowIdx   int
	allowMatch principalMatch // strongest principal match among matching Allows
	// allowNotPrincipal: the deciding Allow uses NotPrincipal (legacy).
	allowNotPrincipal bool
	deny              tri
	denyPol           *Policy
	denyIdx           int
	reason            string // why a statement's result is unknown
}

func (ev *evaluator) note(s string) {
	if ev.trace != nil {
		ev.trace.Notes = append(ev.trace.Notes, s)
	}
}

// decide runs the phases of AWS's evaluation in order.
func (ev *evaluator) decide(req *Request, l *Layers) Decision {
	if l.AccessPoint != nil {
		return decideAccessPoint(ev.trace, req, l)
	}
	ev.begin(req, l)
	if d, ok := ev.needsNoPermission(); ok {
		return d
	}
	if ev.p.Type == PrincipalUnknown {
		return undetermined("cannot tell what kind of principal " + quote(req.Principal) + " is (want an IAM user, role, assumed-role session, federated user or root ARN, a service principal, or anonymous)")
	}
	ev.scopeLayers()
	ev.evaluateLayers()
	d := ev.withUnknown(ev.combine())
	if d.Outcome == Allow && d.Warning == "" && ev.resource.allow == triTrue && ev.resource.allowNotPrincipal {
		// The resource side of the allow (across accounts, or a
		// delegation) came from a legacy Allow with NotPrincipal.
		d.Warning = warnAllowNotPrincipal
	}
	return d
}

// begin prepares the request: its service, its resource split into ARN
// fields, the principal and the context keys that follow from it.
func (ev *evaluator) begin(req *Request, l *Layers) {
	ev.req, ev.l = req, l
	if ev.trace != nil {
		ev.tr = traceValues{action: []string{req.Action}, resource: []string{req.Resource}, principal: []string{req.Principal}}
	}
	ev.svc = actionService(req.Action)
	ev.svcBit = serviceBit(ev.svc)
	ev.res = newRequestResource(req.Resource)
	ev.p = ParsePrincipal(req.Principal)
	ev.keys.derive(req.Context, &ev.p)
	if e, ok := req.Context.lookup("aws:userid"); ok && len(e.values) == 1 {
		ev.userID = e.values[0]
	}
	ev.hasBoundary = l.Boundary != nil || l.unknown(LayerBoundary) != ""
}

// combine applies the evaluation order to the layers' results.
func (ev *evaluator) combine() Decision {
	if d, stop := ev.explicitDenies(); stop {
		return d
	}
	if d, stop := ev.organizationGates(); stop {
		return d
	}
	if d, stop := ev.endpointGate(); stop {
		return d
	}
	if d, stop := ev.s3AndKMSGates(); stop {
		return d
	}
	return ev.resourceAndIdentity()
}

// needsNoPermission decides the calls that no policy controls.
func (ev *evaluator) needsNoPermission() (Decision, bool) {
	switch {
	case equalFold(ev.req.Action, "sts:GetCallerIdentity"):
		// "No permissions are required to perform this operation. If an
		// administrator attaches a policy to your identity that explicitly
		// denies access to the sts:GetCallerIdentity action, you can
		// still perform this operation."
		// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
		switch ev.p.Type {
		case PrincipalUser, PrincipalRole, PrincipalAssumedRole, PrincipalFederatedUser, PrincipalRoot:
			ev.note("sts:GetCallerIdentity needs no permission: no policy, SCP included, can deny it")
			return Decision{Outcome: Allow, Layer: LayerNone, Statement: -1, Level: -1,
				Reason: "sts:GetCallerIdentity needs no permission and cannot be denied by any policy"}, true
		}
	case equalFold(ev.req.Action, "sts:GetSessionToken"):
		// "No permissions are required for a user to get a session token
		// ... You cannot use policies to control authentication
		// operations." Only IAM users and the root user can call it.
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getsessiontoken.html
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_request.html
		switch ev.p.Type {
		case PrincipalUser, PrincipalRoot:
			ev.note("sts:GetSessionToken needs no permission: policies do not control authentication operations")
			return Decision{Outcome: Allow, Layer: LayerNone, Statement: -1, Level: -1,
				Reason: "sts:GetSessionToken needs no permission: policies cannot control authentication operations"}, true
		case PrincipalRole, PrincipalAssumedRole, PrincipalFederatedUser:
			return implicitDeny(LayerNone, "sts:GetSessionToken must be called with the credentials of an IAM user or the root user, not with temporary credentials"), true
		}
	}
	return Decision{}, false
}

// scopeLayers finds which layers govern the request.
func (ev *evaluator) scopeLayers() {
	l, p, req := ev.l, &ev.p, ev.req
	sc := &ev.sc
	switch p.Type {
	case PrincipalUser, PrincipalRole, PrincipalAssumedRole, PrincipalFederatedUser:
		sc.iam = true
	}
	sc.isSession = p.Type == PrincipalRole || p.Type == PrincipalAssumedRole || p.Type == PrincipalFederatedUser
	sc.slr = ev.isServiceLinkedRole()
	sc.resAcct = req.resourceAccount(p)
	if l.S3 != nil {
		sc.resAcct = l.S3.objectOwner(&ev.res, sc.resAcct)
	}
	sc.cross = p.Account != "" && sc.resAcct != "" && p.Account != sc.resAcct
	if ev.trace != nil {
		ev.trace.Principal = *p
		ev.trace.ResourceAccount = sc.resAcct
		ev.trace.CrossAccount = sc.cross
	}

	scpUnknown := l.unknown(LayerSCP) != ""
	scpExists := l.SCP != nil || scpUnknown
	sc.scp = scpExists && (sc.iam || p.Type == PrincipalRoot)
	switch {
	case !scpExists:
	case !sc.scp:
		ev.note("SCPs do not apply: they govern only IAM users, roles and the root user of member accounts")
	case l.ManagementAccount != "" && p.Account == l.ManagementAccount:
		sc.scp = false
		ev.note("SCPs do not apply: the principal is in the management account")
	case sc.slr:
		sc.scp = false
		ev.note("SCPs do not apply: service-linked roles are exempt")
	}
	rcpUnknown := l.unknown(LayerRCP) != ""
	rcpExists := l.RCP != nil || rcpUnknown
	sc.rcp = rcpExists
	switch {
	case !rcpExists:
	case l.ManagementAccount != "" && sc.resAcct == l.ManagementAccount:
		sc.rcp = false
		ev.note("RCPs do not apply: the resource is in the management account")
	case sc.slr:
		sc.rcp = false
		ev.note("RCPs do not apply: calls by service-linked roles are exempt")
	case equalFold(req.Action, "kms:RetireGrant"):
		// "The kms:RetireGrant permission is not effective in an RCP,
		// even if the Action element specifies an asterisk."
		// https://docs.aws.amazon.com/kms/latest/developerguide/resource-control-policies.html
		sc.rcp = false
		ev.note("RCPs do not apply to kms:RetireGrant")
	case !rcpSupported(req.Action):
		sc.rcp = false
		ev.note("RCPs do not apply: " + actionService(req.Action) + " is not a service that supports RCPs")
	}
	sc.identity = sc.iam
	if !sc.identity && (len(l.Identity) > 0 || l.unknown(LayerIdentity) != "") {
		ev.note("identity-based policies do not apply to a " + p.Type.String() + " principal")
	}
	sc.boundary = sc.iam && ev.hasBoundary
	sessionExists := l.Session != nil || l.unknown(LayerSession) != ""
	sc.session = sc.isSession && sessionExists
	if sessionExists && !sc.isSession {
		ev.note("session policies do not apply: the principal is not a role or federated user session")
	}
	sc.strict = strictResourceKind(req.Action, req.Resource)
	sc.resource = l.Resource != nil || l.unknown(LayerResource) != "" || sc.strict != ""
}

// evaluateLayers evaluates every layer that governs the request once;
// each pass finds both its Allows and its Denies. A layer whose policy is
// not known gets the most it could allow (see UnknownLayer).
func (ev *evaluator) evaluateLayers() {
	l, sc := ev.l, &ev.sc
	if sc.rcp {
		if len(l.RCP) > len(ev.rcp) {
			ev.rcpMore = make([]layerResult, len(l.RCP))
		}
		for i, lvl := range l.RCP {
			ev.evalLayer(ev.rcpLevel(i), LayerRCP, i, lvl)
		}
		ev.rcpN = len(l.RCP)
		if why := l.unknown(LayerRCP); why != "" {
			ev.rcpUnknown = true
			ev.unknownLayer(LayerRCP, why)
		}
	}
	if sc.scp {
		if len(l.SCP) > len(ev.scp) {
			ev.scpMore = make([]layerResult, len(l.SCP))
		}
		for i, lvl := range l.SCP {
			ev.evalLayer(ev.scpLevel(i), LayerSCP, i, lvl)
		}
		ev.scpN = len(l.SCP)
		if why := l.unknown(LayerSCP); why != "" {
			ev.scpUnknown = true
			ev.unknownLayer(LayerSCP, why)
		}
	}
	if l.VPCEndpoint != nil {
		ev.evalOne(&ev.vpce, LayerVPCEndpoint, l.VPCEndpoint)
	}
	if why := l.unknown(LayerVPCEndpoint); why != "" {
		ev.vpce.assumeBestCase()
		ev.unknownLayer(LayerVPCEndpoint, why)
	}
	if l.Resource != nil {
		ev.evalOne(&ev.resource, LayerResource, l.Resource)
	}
	why := l.unknown(LayerResource)
	if why == "" && l.Resource == nil && sc.strict != "" {
		why = "the " + sc.strict + " must allow this request, and none was given"
	}
	if why != "" {
		ev.resource.assumeBestCase()
		ev.unknownLayer(LayerResource, why)
	}
	if sc.identity {
		ev.evalLayer(&ev.identity, LayerIdentity, -1, l.Identity)
		if why := l.unknown(LayerIdentity); why != "" {
			ev.identity.assumeBestCase()
			ev.unknownLayer(LayerIdentity, why)
		}
	}
	if sc.boundary {
		if l.Boundary != nil {
			ev.evalOne(&ev.boundary, LayerBoundary, l.Boundary)
		}
		if why := l.unknown(LayerBoundary); why != "" {
			ev.boundary.assumeBestCase()
			ev.unknownLayer(LayerBoundary, why)
		}
	}
	if sc.session {
		ev.evalLayer(&ev.session, LayerSession, -1, l.Session)
		if why := l.unknown(LayerSession); why != "" {
			ev.session.assumeBestCase()
			ev.unknownLayer(LayerSession, why)
		}
	}
}

// assumeBestCase makes the layer allow as strongly as a policy can (a
// statement naming the caller directly), keeping the Denies found in its
// known policies.
func (r *layerResult) assumeBestCase() {
	r.allow, r.allowPol, r.allowIdx, r.allowMatch, r.allowNotPrincipal = triTrue, nil, -1, matchDirect, false
	if r.deny == triFalse {
		r.denyIdx = -1
	}
}

// unknownLayer records a governing layer whose policy is not known.
func (ev *evaluator) unknownLayer(layer Layer, why string) {
	if ev.unknownWhy == "" {
		ev.unknownWhy = why
	}
	if ev.trace != nil {
		ev.trace.Layers = append(ev.trace.Layers, LayerTrace{Layer: layer, Level: -1, Applies: true,
			Note: "the policy is not known: " + why, Allowed: AnswerUnknown, Denied: AnswerUnknown})
	}
}

// withUnknown applies the rule of UnknownLayer to the decision reached
// with the unknown layers at their best case.
func (ev *evaluator) withUnknown(d Decision) Decision {
	if ev.unknownWhy == "" || d.Outcome == ExplicitDeny || d.Outcome == ImplicitDeny {
		if ev.unknownWhy != "" {
			ev.note("denied whatever the policy that is not known says (" + ev.unknownWhy + ")")
		}
		return d
	}
	if d.Outcome == Undetermined {
		return undetermined(d.Reason + "; and " + ev.unknownWhy)
	}
	return undetermined(ev.unknownWhy + ": it could deny the request or fail to allow it, and nothing else denies it")
}

func (ev *evaluator) rcpLevel(i int) *layerResult {
	if ev.rcpMore != nil {
		return &ev.rcpMore[i]
	}
	return &ev.rcp[i]
}

func (ev *evaluator) scpLevel(i int) *layerResult {
	if ev.scpMore != nil {
		return &ev.scpMore[i]
	}
	return &ev.scp[i]
}

// explicitDenies: an explicit deny in any layer decides; a Deny that could
// not be evaluated leaves the answer open.
func (ev *evaluator) explicitDenies() (Decision, bool) {
	for i := 0; i < ev.rcpN; i++ {
		if r := ev.rcpLevel(i); r.deny == triTrue {
			return explicitDeny(LayerRCP, i, r), true
		}
	}
	for i := 0; i < ev.scpN; i++ {
		if r := ev.scpLevel(i); r.deny == triTrue {
			return explicitDeny(LayerSCP, i, r), true
		}
	}
	for i := range accountLayers {
		if r := ev.accountResult(i); r.deny == triTrue {
			return explicitDeny(accountLayers[i], -1, r), true
		}
	}
	for i := 0; i < ev.rcpN; i++ {
		if r := ev.rcpLevel(i); r.deny == triUnknown {
			return undetermined("a Deny statement in an RCP could not be evaluated: " + r.reason), true
		}
	}
	for i := 0; i < ev.scpN; i++ {
		if r := ev.scpLevel(i); r.deny == triUnknown {
			return undetermined("a Deny statement in an SCP could not be evaluated: " + r.reason), true
		}
	}
	for i := range accountLayers {
		if r := ev.accountResult(i); r.deny == triUnknown {
			return undetermined("a Deny statement in the " + string(accountLayers[i]) + " layer could not be evaluated: " + r.reason), true
		}
	}
	return Decision{}, false
}

// accountLayers are the layers of one account, in the order their denies
// are reported.
var accountLayers = [...]Layer{LayerVPCEndpoint, LayerResource, LayerIdentity, LayerBoundary, LayerSession}

func (ev *evaluator) accountResult(i int) *layerResult {
	switch accountLayers[i] {
	case LayerVPCEndpoint:
		return &ev.vpce
	case LayerResource:
		return &ev.resource
	case LayerIdentity:
		return &ev.identity
	case LayerBoundary:
		return &ev.boundary
	}
	return &ev.session
}

// organizationGates: RCPs only ever deny (AWS's RCPFullAWSAccess allows
// everything at every level and cannot be detached); every SCP level from
// the root down must allow.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_inheritance_auth.html
func (ev *evaluator) organizationGates() (Decision, bool) {
	if ev.scpUnknown {
		return Decision{}, false
	}
	for i := 0; i < ev.scpN; i++ {
		if d, stop := requireAllow(LayerSCP, i, ev.scpLevel(i), "no service control policy allows the action"); stop {
			return d, true
		}
	}
	return Decision{}, false
}

// endpointGate: the VPC endpoint policy "does not override or replace"
// the other policies, and must allow.
// https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
func (ev *evaluator) endpointGate() (Decision, bool) {
	if ev.l.VPCEndpoint == nil && ev.l.unknown(LayerVPCEndpoint) == "" {
		return Decision{}, false
	}
	return requireAllow(LayerVPCEndpoint, -1, &ev.vpce, "no VPC endpoint policy allows the action")
}

// resourceAndIdentity combines the resource-based policy with the caller's
// identity-based policies, boundary and session policies.
func (ev *evaluator) resourceAndIdentity() Decision {
	sc, p, req := &ev.sc, &ev.p, ev.req
	res := &ev.resource
	if !sc.iam && p.Type != PrincipalRoot {
		// Service principals, anonymous callers and federation providers
		// have no identity-based policies: only the resource policy can
		// allow them.
		if !sc.resource {
			return implicitDeny(LayerResource, "no resource-based policy allows a "+p.Type.String()+" principal")
		}
		if d, stop := requireAllow(LayerResource, -1, res, "no resource-based policy allows the action"); stop {
			return d
		}
		return allowBy(LayerResource, res)
	}
	if p.Type == PrincipalRoot {
		return ev.rootUser()
	}
	if sc.cross && equalFold(ev.svc, "kms") && !kmsCrossAccountAction(req.Action) {
		// Only some KMS operations can be used on a key in another
		// account; for the rest no policy can grant access.
		// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
		return implicitDeny(LayerResource, req.Action+" cannot be used on a KMS key in another account")
	}
	// A role session assuming its own role is an ordinary AssumeRole:
	// "specify the role ARN or AWS account ARN as a principal in the role
	// trust policy"; with the account, the identity side must allow.
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html
	if sc.strict == "role trust policy" && ev.selfAssume() {
		ev.note("a role assuming itself: its trust policy must name the role or its account")
	}

	resourceUnknown := false
	if !sc.cross {
		d, done, unknown := ev.sameAccountResource()
		if done {
			return d
		}
		resourceUnknown = unknown
	} else {
		// Across accounts, the resource's account must allow through the
		// resource-based policy, and the caller's account through its
		// identity-based policies.
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
		ev.note("cross-account request: the resource-based policy and the caller's identity-based policies must both allow")
		if !sc.resource {
			return implicitDeny(LayerResource, "no resource-based policy allows the cross-account request")
		}
		if d, stop := requireAllow(LayerResource, -1, res, "no resource-based policy allows the cross-account request"); stop {
			return d
		}
	}
	return ev.identityPath(resourceUnknown)
}

// sameAccountResource applies a resource-based policy in the caller's own
// account: a grant that names the caller (or its role) may allow without
// the identity-based policies. done says the decision is final; unknown
// that the resource policy's answer could not be evaluated.
func (ev *evaluator) sameAccountResource() (d Decision, done, unknown bool) {
	sc, res, p := &ev.sc, &ev.resource, &ev.p
	switch {
	case res.allow == triTrue && res.allowMatch == matchDirect:
		// A grant to the user, the session itself or everyone: not
		// limited by an implicit deny in identity policies, the
		// boundary or session policies.
		ev.note("the resource-based policy names the caller directly: identity-based policies, the boundary and session policies are not needed")
		return allowBy(LayerResource, res), true, false
	case res.allow == triTrue && res.allowMatch == matchRole:
		// A grant to the role ARN: identity policies are not needed,
		// but the boundary and session policies still limit it.
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
		ev.note("the resource-based policy names the caller's role: the boundary and session policies still apply")
		if sc.boundary {
			if d, stop := requireAllow(LayerBoundary, -1, &ev.boundary, "the permissions boundary does not allow the action"); stop {
				return d, true, false
			}
		}
		if d, stop := ev.sessionGate(p, sc.session, &ev.session); stop {
			return d, true, false
		}
		return allowBy(LayerResource, res), true, false
	case res.allow == triTrue && res.allowMatch == matchAccount:
		ev.note("the resource-based policy names the caller's account: it delegates to the account's identity-based policies")
	case sc.strict != "":
		if res.allow == triUnknown {
			return undetermined("the " + sc.strict + " could not be evaluated: " + res.reason), true, false
		}
		return implicitDeny(LayerResource, "the "+sc.strict+" does not allow the caller, directly or through its account"), true, false
	case res.allow == triUnknown:
		return Decision{}, false, true
	}
	return Decision{}, false, false
}

// identityPath: the identity-based policies must allow, then the
// permissions boundary and the session policies.
func (ev *evaluator) identityPath(resourceUnknown bool) Decision {
	id := &ev.identity
	if id.allow != triTrue {
		if id.allow == triUnknown || resourceUnknown {
			return undetermined("whether a policy allows could not be evaluated: " + firstNonEmpty(id.reason, ev.resource.reason))
		}
		return implicitDeny(LayerIdentity, "no identity-based policy allows the action")
	}
	if ev.sc.boundary {
		if d, stop := requireAllow(LayerBoundary, -1, &ev.boundary, "the permissions boundary does not allow the action"); stop {
			return d
		}
	}
	if d, stop := ev.sessionGate(&ev.p, ev.sc.session, &ev.session); stop {
		return d
	}
	return allowBy(LayerIdentity, id)
}

// rootUser decides for the account's root user.
func (ev *evaluator) rootUser() Decision {
	sc, res, req := &ev.sc, &ev.resource, ev.req
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
	if sc.cross || sc.strict != "" {
		if !sc.resource {
			return implicitDeny(LayerResource, "no resource-based policy allows the cross-account request")
		}
		if d, stop := requireAllow(LayerResource, -1, res, "the resource-based policy does not allow the root user"); stop {
			return d
		}
		return allowBy(LayerResource, res)
	}
	if res.allow == triTrue {
		return allowBy(LayerResource, res)
	}
	ev.note("the root user's own account: identity-based permissions are implicit")
	return Decision{Outcome: Allow, Layer: LayerIdentity, Statement: -1, Level: -1, Reason: "the root user may do anything in its own account that nothing denies"}
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

// isServiceLinkedRole tells from the principal ARN, or aws:PrincipalArn as
// the caller gave it, whether the caller is a service-linked role. (A role
// ARN derived from a session ARN has path "/": never a service-linked
// role's.)
func (ev *evaluator) isServiceLinkedRole() bool {
	if ev.p.Type == PrincipalRole && IsServiceLinkedRole(ev.p.ARN) {
		return true
	}
	if ev.p.Type == PrincipalRole || ev.p.Type == PrincipalAssumedRole {
		if e, ok := ev.req.Context.lookup("aws:principalarn"); ok && len(e.values) == 1 {
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
	d := Decision{Outcome: Allow, Layer: layer, Policy: r.allowPol, Statement: r.allowIdx, Level: -1}
	if r.allowNotPrincipal {
		d.Warning = warnAllowNotPrincipal
	}
	return d
}

// warnAllowNotPrincipal is attached to a decision allowed by a statement
// with Effect Allow and NotPrincipal: AWS no longer supports the form
// (it rejects new policies using it) but older policies carry it; it is
// evaluated with the only meaning AWS documented, "every principal except
// those named".
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
const warnAllowNotPrincipal = "allowed by a statement with Effect \"Allow\" and NotPrincipal, which AWS no longer supports; it was evaluated as AWS once documented it: every principal except those named"

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
