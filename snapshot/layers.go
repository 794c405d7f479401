package snapshot

import (
	"fmt"
	"strings"
	"sync"

	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/policy"
)

// Layers resolves, for a request, the policies of every layer that applies
// to it in the environment, and adds to the request's context the keys the
// environment knows, unless the request already has them: the keys that
// follow from the principal (eval.Request.FillPrincipalContext, with the
// role's real ARN for a session), aws:PrincipalTag/* from the user's or
// role's tags, aws:PrincipalOrgID, aws:ResourceAccount and
// aws:ResourceOrgID. It implements check.Environment; it decides nothing.
//
// Which policies: the principal's identity policies and permissions
// boundary (Principal); the SCP levels of the principal's account; the
// resource's policy (Resource; a role's trust policy only for
// sts:AssumeRole and the other actions that role assumption authorises);
// the RCP levels of the resource's account; the policy of the VPC endpoint
// named by aws:SourceVpce. Service principals, anonymous callers and
// identity providers have no identity policies and no SCPs.
//
// A principal the environment does not hold, or whose policies it knows
// only in part (Principal.Gaps), is an error: the decision would be a guess.
// A resource without a record has no resource-based policy here, unless
// ResourceGaps says its policy matters and was not collected: the layer is
// then listed in Layers.Unknown with that reason, and eval decides what
// the missing policy can change (an explicit deny still stands).
func (e *Environment) Layers(req *eval.Request) (*eval.Layers, error) {
	if req.Context == nil {
		req.Context = &eval.Context{}
	}
	ctx := req.Context
	setIfAbsent := func(k, v string) {
		if v != "" && !ctx.Has(k) {
			ctx.Set(k, v)
		}
	}
	l := &eval.Layers{}
	if e.Organization != nil {
		l.ManagementAccount = e.Organization.ManagementAccount
	}
	principalAccount := ""
	switch eval.ParsePrincipal(req.Principal).Type {
	case eval.PrincipalService, eval.PrincipalAnonymous, eval.PrincipalFederatedProvider, eval.PrincipalUnknown:
		req.FillPrincipalContext("")
	default:
		p, err := e.Principal(req.Principal)
		if err != nil {
			return nil, err
		}
		if len(p.Gaps) > 0 {
			return nil, fmt.Errorf("%s: the environment does not know all its policies: %s", req.Principal, strings.Join(p.Gaps, "; "))
		}
		roleARN := ""
		if p.Role != nil {
			roleARN = p.Role.ARN
		}
		req.FillPrincipalContext(roleARN)
		for _, t := range p.Tags {
			setIfAbsent("aws:PrincipalTag/"+t.Key, t.Value)
		}
		if id, ok := e.AccountOrgID(p.Account); ok {
			setIfAbsent("aws:PrincipalOrgID", id)
		}
		var unknownIdentity []string
		for _, ip := range p.Policies {
			if ip.Document != nil && ip.Document.Unknown != "" {
				unknownIdentity = append(unknownIdentity, ip.Document.Unknown)
				continue
			}
			cp, err := e.compiled(ip.Document, policy.TypeIdentity)
			if err != nil {
				return nil, err
			}
			l.Identity = append(l.Identity, cp)
		}
		if len(unknownIdentity) > 0 {
			l.Unknown = append(l.Unknown, eval.UnknownLayer{Layer: eval.LayerIdentity, Reason: strings.Join(unknownIdentity, "; ")})
		}
		if p.Boundary != nil && p.Boundary.Document != nil && p.Boundary.Document.Unknown != "" {
			l.Unknown = append(l.Unknown, eval.UnknownLayer{Layer: eval.LayerBoundary, Reason: p.Boundary.Document.Unknown})
		} else if p.Boundary != nil {
			if l.Boundary, err = e.compiled(p.Boundary.Document, policy.TypeBoundary); err != nil {
				return nil, err
			}
		}
		if levels, governed := e.SCPLevels(p.Account); governed {
			if l.SCP, err = e.compiledLevels(levels, policy.TypeSCP); err != nil {
				return nil, err
			}
		}
		principalAccount = p.Account
	}

	resAccount := req.ResourceAccount
	if resAccount == "" {
		if a, ok := e.ResourceAccount(req.Resource); ok {
			resAccount = a
			req.ResourceAccount = a
		} else {
			resAccount = principalAccount
		}
	}
	if req.Resource != "*" && req.Resource != "" {
		setIfAbsent("aws:ResourceAccount", resAccount)
		if id, ok := e.AccountOrgID(resAccount); ok {
			setIfAbsent("aws:ResourceOrgID", id)
		}
		lk, err := e.Resource(req.Resource)
		if err == nil && lk.Policy != nil && lk.Policy.Unknown != "" && (lk.Role == nil || eval.AuthorizedByTrustPolicy(req.Action)) {
			l.Unknown = append(l.Unknown, eval.UnknownLayer{Layer: eval.LayerResource, Reason: lk.Policy.Unknown})
		} else if err == nil && lk.Policy != nil && (lk.Role == nil || eval.AuthorizedByTrustPolicy(req.Action)) {
			typ := policy.TypeResource
			if lk.Role != nil {
				typ = policy.TypeTrust
			}
			if l.Resource, err = e.compiled(lk.Policy, typ); err != nil {
				return nil, err
			}
		}
	}
	if resAccount != "" {
		if levels, governed := e.RCPLevels(resAccount); governed {
			var err error
			if l.RCP, err = e.compiledLevels(levels, policy.TypeRCP); err != nil {
				return nil, err
			}
		}
	}
	if err := e.s3KMSLayers(req, l, resAccount); err != nil {
		return nil, err
	}
	// An access point request found its access point and bucket records
	// (s3KMSLayers); the access point ARN itself has no record to miss.
	if gaps := e.ResourceGaps(principalAccount, req.Action, req.Resource); len(gaps) > 0 && l.Resource == nil && l.AccessPoint == nil && !hasUnknown(l, eval.LayerResource) {
		l.Unknown = append(l.Unknown, eval.UnknownLayer{Layer: eval.LayerResource, Reason: strings.Join(gaps, "; ")})
	}
	if v, ok := ctx.Get("aws:SourceVpce"); ok && len(v) == 1 {
		if r, ok := e.VPCEndpoint(v[0]); ok && r.Policy != nil {
			var err error
			if l.VPCEndpoint, err = e.compiled(r.Policy, policy.TypeVPCEndpoint); err != nil {
				return nil, err
			}
		}
	}
	return l, nil
}

// ResourceGaps says what the environment lacks to decide a request on
// resource for a caller in principalAccount: the resource's policy was not
// collected, and the request is cross-account or the resource is a KMS key
// (whose key policy must allow every use). Nil when nothing is missing.
func (e *Environment) ResourceGaps(principalAccount, action, resource string) []string {
	lk, err := e.Resource(resource)
	if err != nil || lk.Known || resource == "*" {
		return nil
	}
	switch resourceTypeOf(lk.PolicyARN) {
	case "iam:role":
		if !eval.AuthorizedByTrustPolicy(action) {
			return nil
		}
		return []string{"role " + lk.PolicyARN + " is not in the environment; its trust policy must allow " + action}
	case "kms:key":
		return []string{"the key policy of " + lk.PolicyARN + " was not collected; a KMS key policy must allow every use of the key"}
	}
	switch {
	case lk.Account == "":
		return []string{"the owner and policy of " + lk.PolicyARN + " were not collected; whether the request is cross-account is unknown"}
	case lk.Account != principalAccount:
		return []string{"the resource policy of " + lk.PolicyARN + " (account " + lk.Account + ") was not collected; a cross-account request needs it to allow"}
	}
	return nil
}

type compileKey struct {
	doc *Document
	typ policy.Type
}

// compileCache holds compiled policies; Layers is called concurrently.
type compileCache struct {
	mu sync.Mutex
	m  map[compileKey]*eval.Policy
}

func (e *Environment) compiled(d *Document, typ policy.Type) (*eval.Policy, error) {
	e.cc.mu.Lock()
	if cp, ok := e.cc.m[compileKey{d, typ}]; ok {
		e.cc.mu.Unlock()
		return cp, nil
	}
	e.cc.mu.Unlock()
	p, err := d.Policy(typ)
	if err != nil {
		return nil, &DocumentError{Document: d, Err: err}
	}
	name := d.ID
	if name == "" {
		name = d.Name
	}
	cp := eval.Compile(name, p)
	e.cc.mu.Lock()
	if e.cc.m == nil {
		e.cc.m = map[compileKey]*eval.Policy{}
	}
	e.cc.m[compileKey{d, typ}] = cp
	e.cc.mu.Unlock()
	return cp, nil
}

func (e *Environment) compiledLevels(levels []PolicyLevel, typ policy.Type) ([][]*eval.Policy, error) {
	out := make([][]*eval.Policy, len(levels))
	for i, lv := range levels {
		out[i] = []*eval.Policy{}
		for _, op := range lv.Policies {
			cp, err := e.compiled(op.Document, typ)
			if err != nil {
				return nil, err
			}
			out[i] = append(out[i], cp)
		}
	}
	return out, nil
}

func hasUnknown(l *eval.Layers, layer eval.Layer) bool {
	for _, u := range l.Unknown {
		if u.Layer == layer {
			return true
		}
	}
	return false
}
