package diagnose

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/policy"
)

// maxFixSteps bounds the chain of fixes: a request may need a change in
// several layers (the identity policy and the boundary, both sides of a
// cross-account request).
const maxFixSteps = 5

// proposeFixes builds the smallest change for the layer that denied,
// re-simulates, and continues with the next layer that denies until the
// request passes. Each fix's document is complete; Requires names the
// earlier fixes it needs.
func proposeFixes(req *eval.Request, orig *eval.Layers, d *eval.Decision, opts Options, finds *[]Finding) []Fix {
	fixes := []Fix{}
	cur := copyLayers(orig)
	dec := *d
	var chain []int
	for step := 0; step < maxFixSteps && dec.Outcome != eval.Allow; step++ {
		var fix Fix
		var next *eval.Layers
		var ok bool
		switch dec.Outcome {
		case eval.ImplicitDeny:
			fix, next, ok = allowFix(req, cur, &dec, opts)
		case eval.ExplicitDeny:
			if dec.Layer == eval.LayerSCP || dec.Layer == eval.LayerRCP {
				*finds = append(*finds, Finding{Code: "org-policy-deny", Message: fmt.Sprintf("the %s that denies is managed by the organisation: the management account (or a delegated administrator) must change it; ask them for an exception for %s on %s, naming statement %s of %s",
					strings.ToUpper(string(dec.Layer)), req.Action, req.Resource, dec.StatementSid(), dec.Policy.Name)})
				return fixes
			}
			fix, next, ok = denyExceptionFix(req, cur, &dec, opts)
		}
		if !ok {
			break
		}
		fix.Requires = append([]int(nil), chain...)
		after := eval.Decide(req, next)
		fixes = append(fixes, fix)
		chain = append(chain, len(fixes)-1)
		cur, dec = next, after
	}
	verified := dec.Outcome == eval.Allow
	for i := range fixes {
		fixes[i].Verified = verified
	}
	if verified && len(fixes) > 0 {
		extra := grantsBeyond(req, orig, cur, opts)
		for i := range fixes {
			fixes[i].GrantsBeyondRequest = len(extra) > 0
			fixes[i].AlsoGrants = extra
		}
	}
	return fixes
}

func copyLayers(l *eval.Layers) *eval.Layers {
	n := *l
	n.Identity = append([]*eval.Policy(nil), l.Identity...)
	n.Session = append([]*eval.Policy(nil), l.Session...)
	if l.Session == nil {
		n.Session = nil
	}
	if l.SCP != nil {
		n.SCP = make([][]*eval.Policy, len(l.SCP))
		for i := range l.SCP {
			n.SCP[i] = append([]*eval.Policy{}, l.SCP[i]...)
		}
	}
	return &n
}

// statementSid makes an IAM-valid Sid (alphanumeric) for a new statement.
func statementSid(prefix, action string) string {
	var b strings.Builder
	b.WriteString(prefix)
	up := true
	for _, r := range action {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if up {
				r = unicode.ToUpper(r)
			}
			b.WriteRune(r)
			up = false
		} else {
			up = true
		}
	}
	return b.String()
}

func values(vs ...string) []policy.Value {
	out := make([]policy.Value, len(vs))
	for i, v := range vs {
		out[i] = policy.Value{Text: v}
	}
	return out
}

// principalARN is what a resource-based policy names to grant the caller.
func principalARN(req *eval.Request, opts Options) string {
	if opts.PrincipalARN != "" {
		return opts.PrincipalARN
	}
	if v, ok := req.Context.Get("aws:PrincipalArn"); ok && len(v) == 1 {
		return v[0]
	}
	return req.Principal
}

// allowFix adds one narrow Allow statement (the denied action on the denied
// resource) to the policy of the layer that failed to allow.
func allowFix(req *eval.Request, cur *eval.Layers, d *eval.Decision, opts Options) (Fix, *eval.Layers, bool) {
	p := eval.ParsePrincipal(req.Principal)
	st := policy.Statement{
		Sid:      statementSid("IamwhyAllow", req.Action),
		Effect:   policy.Allow,
		Action:   policy.List{Present: true, Values: values(req.Action)},
		Resource: policy.List{Present: true, Values: values(req.Resource)},
	}
	next := copyLayers(cur)
	var base *eval.Policy
	var target string
	var ptype policy.Type
	fix := Fix{Layer: string(d.Layer)}
	switch d.Layer {
	case eval.LayerIdentity:
		ptype = policy.TypeIdentity
		for _, pol := range cur.Identity {
			if editable(pol) {
				base = pol
				break
			}
		}
		target = opts.IdentityTarget
		if base != nil {
			target = base.Name
		} else if target == "" {
			target = principalARN(req, opts) + "#iamwhy-allow"
		}
		fix.Description = fmt.Sprintf("add a statement allowing %s on %s to the caller's identity-based policy %s", req.Action, req.Resource, target)
	case eval.LayerResource:
		ptype = policy.TypeResource
		base = cur.Resource
		who := principalARN(req, opts)
		kind := policy.PrincipalAWS
		switch p.Type {
		case eval.PrincipalService:
			kind, who = policy.PrincipalService, p.Name
		case eval.PrincipalFederatedProvider:
			kind, who = policy.PrincipalFederated, p.Name
		case eval.PrincipalAnonymous:
			return Fix{}, nil, false // granting anonymous access is not a fix we propose
		}
		st.Principal = policy.Principals{Present: true, Entries: []policy.PrincipalEntry{{Kind: kind, Value: who}}}
		switch {
		case eval.AuthorizedByTrustPolicy(req.Action):
			ptype = policy.TypeTrust
			st.Resource = policy.List{}
		case strings.HasPrefix(strings.ToLower(req.Action), "kms:"):
			st.Resource = policy.List{Present: true, Values: values("*")} // "*" in a key policy means this key
		}
		target = opts.ResourceTarget
		if base != nil {
			target = base.Name
		} else if target == "" {
			target = req.Resource
		}
		fix.Description = fmt.Sprintf("add a statement to the resource-based policy of %s that allows %s to call %s", target, who, req.Action)
	case eval.LayerBoundary:
		ptype, base = policy.TypeBoundary, cur.Boundary
		target = base.Name
		fix.Description = fmt.Sprintf("allow %s on %s in the permissions boundary %s (a boundary only caps: the identity policy must allow it too)", req.Action, req.Resource, target)
	case eval.LayerSession:
		ptype = policy.TypeSession
		if len(cur.Session) > 0 {
			base = cur.Session[0]
			target = base.Name
		} else {
			target = "session-policy"
		}
		fix.Description = fmt.Sprintf("allow %s on %s in the session policy passed when the session is created (often by a pipeline or an identity broker)", req.Action, req.Resource)
		fix.WhoMustAct = "whoever creates the session (the AssumeRole/GetFederationToken caller) passes the session policy"
	case eval.LayerSCP:
		ptype = policy.TypeSCP
		if d.Level >= 0 && d.Level < len(cur.SCP) && len(cur.SCP[d.Level]) > 0 {
			base = cur.SCP[d.Level][0]
			target = base.Name
		} else {
			target = fmt.Sprintf("new SCP at organisation level %d", d.Level)
		}
		fix.Description = fmt.Sprintf("allow %s at organisation level %d (every level must allow)", req.Action, d.Level)
		fix.WhoMustAct = "the organisation's management account or delegated administrator: SCPs are not visible or changeable from member accounts"
	case eval.LayerVPCEndpoint:
		ptype, base = policy.TypeVPCEndpoint, cur.VPCEndpoint
		target = base.Name
		st.Principal = policy.Principals{Present: true, Entries: []policy.PrincipalEntry{{Kind: policy.PrincipalAWS, Value: principalARN(req, opts)}}}
		fix.Description = fmt.Sprintf("allow %s on %s for the caller in the VPC endpoint policy", req.Action, req.Resource)
	default:
		return Fix{}, nil, false
	}
	var doc *policy.Policy
	if base != nil && base.Doc != nil {
		doc = base.Doc.Clone()
	} else {
		doc = &policy.Policy{Version: policy.Version2012}
	}
	st.Index = len(doc.Statements)
	doc.Statements = append(doc.Statements, st)
	np, raw, err := recompile(target, doc, ptype)
	if err != nil {
		return Fix{}, nil, false
	}
	fix.Target, fix.Document, fix.CurrentDocument = target, raw, currentDocument(base)
	fix.Patch = patchText(base, st)
	switch d.Layer {
	case eval.LayerIdentity:
		if base != nil {
			replace(next.Identity, base, np)
		} else {
			next.Identity = append(next.Identity, np)
		}
	case eval.LayerResource:
		next.Resource = np
	case eval.LayerBoundary:
		next.Boundary = np
	case eval.LayerSession:
		if base != nil {
			replace(next.Session, base, np)
		} else {
			next.Session = append(next.Session, np)
		}
	case eval.LayerSCP:
		if base != nil {
			replace(next.SCP[d.Level], base, np)
		} else if d.Level >= 0 && d.Level < len(next.SCP) {
			next.SCP[d.Level] = append(next.SCP[d.Level], np)
		}
	case eval.LayerVPCEndpoint:
		next.VPCEndpoint = np
	}
	return fix, next, true
}

// denyExceptionFix narrows the denying statement with the smallest
// exception: the caller's principal ARN is excluded through ArnNotEquals on
// aws:PrincipalArn (AWS's recommended alternative to NotPrincipal).
func denyExceptionFix(req *eval.Request, cur *eval.Layers, d *eval.Decision, opts Options) (Fix, *eval.Layers, bool) {
	base := d.Policy
	doc := base.Doc.Clone()
	st := &doc.Statements[d.Statement]
	who := principalARN(req, opts)
	added := false
	for i := range st.Conditions {
		c := &st.Conditions[i]
		if c.Operator == "ArnNotEquals" && strings.EqualFold(c.Key, "aws:PrincipalArn") {
			c.Values = append(c.Values, policy.Value{Text: who})
			added = true
		}
	}
	if !added {
		st.Conditions = append(st.Conditions, policy.Condition{Operator: "ArnNotEquals", Key: "aws:PrincipalArn", Values: values(who)})
	}
	ptype := map[eval.Layer]policy.Type{eval.LayerIdentity: policy.TypeIdentity, eval.LayerResource: policy.TypeResource,
		eval.LayerBoundary: policy.TypeBoundary, eval.LayerSession: policy.TypeSession, eval.LayerVPCEndpoint: policy.TypeVPCEndpoint}[d.Layer]
	if d.Layer == eval.LayerResource && eval.AuthorizedByTrustPolicy(req.Action) {
		ptype = policy.TypeTrust
	}
	np, raw, err := recompile(base.Name, doc, ptype)
	if err != nil {
		return Fix{}, nil, false
	}
	next := copyLayers(cur)
	switch d.Layer {
	case eval.LayerIdentity:
		replace(next.Identity, base, np)
	case eval.LayerResource:
		next.Resource = np
	case eval.LayerBoundary:
		next.Boundary = np
	case eval.LayerSession:
		replace(next.Session, base, np)
	case eval.LayerVPCEndpoint:
		next.VPCEndpoint = np
	default:
		return Fix{}, nil, false
	}
	return Fix{Layer: string(d.Layer), Target: base.Name, Document: raw, CurrentDocument: currentDocument(base),
		Description: fmt.Sprintf("exempt %s from Deny statement %s of %s with ArnNotEquals on aws:PrincipalArn; review first: a Deny is usually a deliberate guardrail", who, d.StatementSid(), base.Name),
		Patch:       fmt.Sprintf("statement %s: add Condition ArnNotEquals {\"aws:PrincipalArn\": %q}", d.StatementSid(), who)}, next, true
}

func editable(p *eval.Policy) bool {
	return p != nil && p.Doc != nil && !strings.Contains(p.Name, ":aws:policy/")
}

func replace(list []*eval.Policy, old, new *eval.Policy) {
	for i, p := range list {
		if p == old {
			list[i] = new
		}
	}
}

// recompile marshals the new document, parses it as its policy type (so a
// proposed fix is always a document AWS would accept), and compiles it.
func recompile(name string, doc *policy.Policy, t policy.Type) (*eval.Policy, json.RawMessage, error) {
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, nil, err
	}
	parsed, err := policy.Parse(raw, policy.Options{Type: t, Source: name})
	if err != nil {
		return nil, nil, err
	}
	return eval.Compile(name, parsed), raw, nil
}

// currentDocument is a policy's document as JSON, or JSON null when there
// is none yet.
func currentDocument(base *eval.Policy) json.RawMessage {
	if base == nil || base.Doc == nil {
		return json.RawMessage("null")
	}
	raw, err := json.Marshal(base.Doc)
	if err != nil {
		return json.RawMessage("null")
	}
	return raw
}

func patchText(base *eval.Policy, st policy.Statement) string {
	doc := &policy.Policy{Statements: []policy.Statement{st}}
	raw, _ := json.Marshal(doc)
	var v struct {
		Statement []json.RawMessage
	}
	_ = json.Unmarshal(raw, &v)
	where := "a new policy"
	if base != nil {
		where = base.Name
	}
	return fmt.Sprintf("add to %s: %s", where, v.Statement[0])
}

func valueTexts(vs []policy.Value) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Text
	}
	return out
}

// grantsBeyond compares what the caller may do before and after the fixes,
// across the service's actions on the denied resource and on other
// resources, and lists what the fixes newly allow besides the request.
func grantsBeyond(req *eval.Request, before, after *eval.Layers, opts Options) []string {
	service := req.Action
	if i := strings.IndexByte(service, ':'); i >= 0 {
		service = service[:i]
	}
	actions := []string{req.Action}
	if opts.Actions != nil {
		if list := opts.Actions(service); len(list) > 0 {
			actions = list
		}
	}
	resources := probeResources(req.Resource)
	var extra []string
	for _, a := range actions {
		for _, r := range resources {
			if strings.EqualFold(a, req.Action) && r == req.Resource {
				continue
			}
			probe := *req
			probe.Action, probe.Resource = a, r
			b, af := before, after
			if !sameResourcePolicy(req.Resource, r) {
				// Another resource has its own resource-based policy: the
				// one changed here does not govern it.
				b, af = withoutResource(before), withoutResource(after)
			}
			if eval.Decide(&probe, b).Outcome == eval.Allow {
				continue
			}
			if eval.Decide(&probe, af).Outcome == eval.Allow {
				extra = append(extra, a+" on "+r)
				if len(extra) == 20 {
					return extra
				}
			}
		}
	}
	return extra
}

// probeResources are the denied resource and its neighbours: another
// object or name beside it, its parent (an S3 object's bucket), and "*".
func probeResources(r string) []string {
	out := []string{r}
	if i := strings.LastIndexByte(r, '/'); i >= 0 {
		out = append(out, r[:i+1]+"iamwhy-probe-other")
		if _, object, ok := arn.S3Bucket(r); ok && object {
			out = append(out, arn.PolicyResource(r))
		}
	} else if r != "*" {
		out = append(out, r+"-iamwhy-probe-other")
	}
	if r != "*" {
		out = append(out, "*")
	}
	return out
}

// sameResourcePolicy reports whether one resource-based policy governs both
// resources: a bucket policy covers the bucket and all its objects; other
// policies (key, queue, topic, trust, secret) only their own resource.
func sameResourcePolicy(a, b string) bool { return arn.SamePolicy(a, b) }

func withoutResource(l *eval.Layers) *eval.Layers {
	n := *l
	n.Resource = nil
	return &n
}
