package eval

// Layers are the policies that apply to one request, by layer. A nil
// field (or nil slice) means the layer does not exist for this request:
// no boundary, no session policy, an account outside any organisation.
// A layer that exists but whose policy is not known (it was not
// collected, or could not be read) is listed in Unknown instead.
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
	// S3 holds the S3 settings of the target bucket (Block Public Access,
	// Object Ownership, ACLs); nil: not modelled (s3.go).
	S3 *S3
	// AccessPoint is the S3 access point the request goes through; nil:
	// none (accesspoint.go).
	AccessPoint *AccessPoint
	// KMSGrants are the grants on the target KMS key; nil: none
	// (kmsgrant.go).
	KMSGrants []KMSGrant
	// Unknown lists the layers that exist for this request but whose
	// policies are not known: a bucket or queue policy that was not
	// collected, a role's trust policy that could not be read. See
	// UnknownLayer for the rule Decide applies.
	Unknown []UnknownLayer
}

// UnknownLayer says that a layer exists for the request but its policy is
// not known, and why.
//
// Decide applies one rule: an explicit deny in a known layer stands;
// otherwise the unknown policy is assumed to allow as much as a policy of
// its layer can (and deny nothing). If the request is still denied, it is
// denied whatever the unknown policy says, and the decision stands; if it
// would then be allowed, the unknown policy could change the answer (it
// could deny, or fail to allow), and the decision is Undetermined with
// Reason. A KMS key policy or role trust policy that must allow and was not
// given (Layers.Resource nil) is treated the same way.
//
// Layer is one of LayerResource, LayerIdentity, LayerBoundary,
// LayerSession, LayerVPCEndpoint, LayerSCP or LayerRCP; for SCP and RCP the
// whole chain of levels is taken as unknown.
type UnknownLayer struct {
	Layer  Layer  `json:"layer"`
	Reason string `json:"reason"`
}

// unknown returns the reason the layer is unknown, or "".
func (l *Layers) unknown(layer Layer) string {
	for i := range l.Unknown {
		if l.Unknown[i].Layer == layer {
			if l.Unknown[i].Reason == "" {
				return "the " + string(layer) + " policy is not known"
			}
			return l.Unknown[i].Reason
		}
	}
	return ""
}

// Policies returns every policy of the layers, in AWS's evaluation order of
// the layers (identity, resource, boundary, session, SCP levels, RCP
// levels, VPC endpoint), leaving out the layers that have none. Analyses
// that look at every statement a request meets start here.
func (l *Layers) Policies() []*Policy {
	var out []*Policy
	add := func(p *Policy) {
		if p != nil {
			out = append(out, p)
		}
	}
	for _, p := range l.Identity {
		add(p)
	}
	add(l.Resource)
	add(l.Boundary)
	for _, p := range l.Session {
		add(p)
	}
	for _, lvl := range l.SCP {
		for _, p := range lvl {
			add(p)
		}
	}
	for _, lvl := range l.RCP {
		for _, p := range lvl {
			add(p)
		}
	}
	add(l.VPCEndpoint)
	return out
}
