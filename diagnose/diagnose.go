package diagnose

import (
	"fmt"
	"sort"
	"strings"

	"github.com/iamwhy/iamwhy/eval"
)

// Options configure a diagnosis.
type Options struct {
	// Actions lists the actions of a service ("s3" -> s3:GetObject, ...),
	// so that a fix can be shown to grant nothing beyond the request. Nil:
	// only the denied action is probed, on other resources.
	Actions func(service string) []string
	// PrincipalARN is the ARN a resource-based policy should name to grant
	// the caller: for a role session, the role's ARN (with its path).
	// Empty: derived from the request's aws:PrincipalArn or principal.
	PrincipalARN string
	// IdentityTarget names the inline policy a new identity-based
	// statement goes into when no editable identity policy exists, as
	// ROLE_OR_USER_ARN#policy-name. Empty: derived from PrincipalARN.
	IdentityTarget string
	// ResourceTarget names the resource-based policy (the resource ARN
	// the policy is attached to). Empty: the request's resource.
	ResourceTarget string
}

// Diagnose replays req against layers and explains the outcome.
func Diagnose(req *eval.Request, layers *eval.Layers, opts Options) *Report {
	d, tr := eval.Explain(req, layers)
	rep := &Report{
		Request:    requestView(req, tr.ResourceAccount),
		Decision:   d.Outcome.String(),
		Fixes:      []Fix{},
		Candidates: []string{},
		Findings:   []Finding{},
	}
	rep.Notes = append(rep.Notes, tr.Notes...)
	rep.MissingKeys = missingKeys(tr)
	switch d.Outcome {
	case eval.Allow:
		rep.Candidates = allowCandidates(req, rep.MissingKeys)
		return rep
	case eval.Undetermined:
		rep.Candidates = append([]string{"the engine could not decide: " + d.Reason}, allowCandidates(req, rep.MissingKeys)...)
		return rep
	}
	rep.RootCause = rootCause(req, layers, &d, tr, opts)
	rep.Findings = findings(req, layers, &d, tr)
	rep.Fixes = proposeFixes(req, layers, &d, opts, &rep.Findings)
	return rep
}

// allowCandidates lists, most likely first, why AWS may have denied a
// request that the replay allows.
func allowCandidates(req *eval.Request, missing []string) []string {
	var out []string
	if len(missing) > 0 {
		out = append(out, fmt.Sprintf("the decision depends on context the input does not carry (%s): give the values with --context and replay", strings.Join(missing, ", ")))
	}
	out = append(out,
		"a policy changed between the denied request and the snapshot: compare the policies' versions and CloudTrail's IAM/Organizations change events around the time of the denial",
		"IAM is eventually consistent: a policy attached or changed seconds before the request may not have been in force yet; retry and check the event time against the change",
		"context the record does not carry: principal and resource tags (aws:PrincipalTag, aws:ResourceTag), aws:PrincipalOrgID, session tags, aws:CalledVia",
		"a layer missing from the snapshot: an SCP or RCP not collected (SCPs are invisible from member accounts), a resource policy not collected, a session policy passed by the caller, a VPC endpoint policy",
		"a service-specific rule the engine does not model (S3 ACLs and object ownership, KMS grants, S3 Block Public Access, access points)")
	return out
}

// missingKeys lists the condition keys that matched or nearly matched
// statements test but the request does not carry.
func missingKeys(tr *eval.Trace) []string {
	seen := map[string]string{}
	for _, lt := range tr.Layers {
		for _, st := range lt.Statements {
			for _, f := range st.Failed {
				if f.Element == "condition" && len(f.Actual) == 0 && !strings.EqualFold(f.Operator, "Null") {
					seen[strings.ToLower(f.Key)] = f.Key
				}
			}
		}
	}
	out := make([]string, 0, len(seen))
	for _, k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// bestNearMiss picks, in the layer that failed, the Allow statement that
// came closest: one whose only failures are conditions (fewest first), then
// one that failed on the principal only, then on the resource only.
func bestNearMiss(tr *eval.Trace, layer eval.Layer, level int) *eval.StatementTrace {
	var best *eval.StatementTrace
	score := func(st *eval.StatementTrace) int {
		elems := map[eval.Element]int{}
		for _, f := range st.Failed {
			elems[f.Element]++
		}
		switch {
		case len(elems) == 1 && elems["condition"] > 0:
			return 100 - elems["condition"]
		case len(elems) == 1 && elems["principal"] > 0:
			return 50
		case len(elems) == 1 && elems["resource"] > 0:
			return 40
		case len(elems) == 1 && elems["action"] > 0:
			return 30
		}
		return 0
	}
	bestScore := 0
	for i := range tr.Layers {
		lt := &tr.Layers[i]
		if lt.Layer != layer || (level >= 0 && lt.Level != level) {
			continue
		}
		for j := range lt.Statements {
			st := &lt.Statements[j]
			if st.Effect != "Allow" || st.Result == "match" {
				continue
			}
			if s := score(st); s > bestScore {
				best, bestScore = st, s
			}
		}
	}
	return best
}

func rootCause(req *eval.Request, layers *eval.Layers, d *eval.Decision, tr *eval.Trace, opts Options) *RootCause {
	rc := &RootCause{Layer: string(d.Layer)}
	if d.Outcome == eval.ExplicitDeny {
		rc.Policy = d.Policy.Name
		sid := d.StatementSid()
		rc.Statement = &sid
		rc.Location = d.Location()
		st := &d.Policy.Doc.Statements[d.Statement]
		if len(st.Conditions) > 0 {
			c := st.Conditions[0]
			actual, _ := req.Context.Get(c.Key)
			rc.Condition = &ConditionView{Operator: c.Operator, Key: c.Key, Expected: valueTexts(c.Values), Actual: nonNilStrings(actual)}
		}
		rc.Summary = fmt.Sprintf("statement %s of %s %s explicitly denies %s", sid, layerWords(d.Layer, d.Level), d.Policy.Name, req.Action)
		if rc.Condition != nil {
			rc.Summary += fmt.Sprintf(" (its condition %s %s matched %s)", rc.Condition.Operator, rc.Condition.Key, showValues(rc.Condition.Actual))
		}
		return rc
	}
	nm := bestNearMiss(tr, d.Layer, d.Level)
	rc.Policy = layerPolicyName(req, layers, d, opts)
	if nm != nil {
		rc.Policy = nm.Policy
		for _, f := range nm.Failed {
			if f.Element == "condition" {
				rc.Condition = &ConditionView{Operator: f.Operator, Key: f.Key, Expected: nonNilStrings(f.Expected), Actual: nonNilStrings(f.Actual)}
				break
			}
		}
	}
	rc.Summary = implicitSummary(req, layers, d, tr, nm, rc)
	return rc
}

func implicitSummary(req *eval.Request, layers *eval.Layers, d *eval.Decision, tr *eval.Trace, nm *eval.StatementTrace, rc *RootCause) string {
	var s string
	switch d.Layer {
	case eval.LayerResource:
		switch {
		case layers.Resource == nil:
			s = fmt.Sprintf("%s has no resource-based policy, and the cross-account request needs one that allows %s", req.Resource, tr.Principal.ARN)
		case tr.CrossAccount:
			s = fmt.Sprintf("the resource-based policy of %s does not allow this cross-account caller", req.Resource)
		default:
			s = fmt.Sprintf("the resource-based policy of %s does not allow the caller: %s", req.Resource, d.Reason)
		}
	case eval.LayerIdentity:
		s = fmt.Sprintf("no identity-based policy of %s allows %s on %s", tr.Principal.ARN, req.Action, req.Resource)
	case eval.LayerBoundary:
		s = fmt.Sprintf("the permissions boundary %s does not allow %s", rc.Policy, req.Action)
	case eval.LayerSession:
		s = fmt.Sprintf("the session policy passed when the session was created does not allow %s", req.Action)
		if tr.Principal.Type == eval.PrincipalFederatedUser && layers.Session == nil {
			s = "a federated user session created without a session policy has no permissions"
		}
	case eval.LayerSCP:
		s = fmt.Sprintf("no service control policy at organisation level %d allows %s", d.Level, req.Action)
	case eval.LayerVPCEndpoint:
		s = fmt.Sprintf("the VPC endpoint policy does not allow %s", req.Action)
	default:
		s = d.Reason
	}
	if rc.Condition != nil {
		s += fmt.Sprintf("; the closest statement fails on %s %s: expected %s, got %s", rc.Condition.Operator, rc.Condition.Key, showValues(rc.Condition.Expected), showValues(rc.Condition.Actual))
	}
	return s
}

func layerPolicyName(req *eval.Request, layers *eval.Layers, d *eval.Decision, opts Options) string {
	switch d.Layer {
	case eval.LayerResource:
		if layers.Resource != nil {
			return layers.Resource.Name
		}
		if opts.ResourceTarget != "" {
			return opts.ResourceTarget
		}
		return req.Resource
	case eval.LayerBoundary:
		if layers.Boundary != nil {
			return layers.Boundary.Name
		}
	case eval.LayerSession:
		if len(layers.Session) > 0 {
			return layers.Session[0].Name
		}
	case eval.LayerVPCEndpoint:
		if layers.VPCEndpoint != nil {
			return layers.VPCEndpoint.Name
		}
	case eval.LayerSCP:
		if d.Level >= 0 && d.Level < len(layers.SCP) && len(layers.SCP[d.Level]) > 0 {
			names := make([]string, 0, len(layers.SCP[d.Level]))
			for _, p := range layers.SCP[d.Level] {
				names = append(names, p.Name)
			}
			return strings.Join(names, ",")
		}
	}
	return ""
}

func layerWords(l eval.Layer, level int) string {
	switch l {
	case eval.LayerSCP:
		return fmt.Sprintf("the SCP at organisation level %d,", level)
	case eval.LayerRCP:
		return fmt.Sprintf("the RCP at organisation level %d,", level)
	case eval.LayerIdentity:
		return "identity-based policy"
	case eval.LayerResource:
		return "the resource-based policy"
	case eval.LayerBoundary:
		return "the permissions boundary"
	case eval.LayerSession:
		return "the session policy"
	case eval.LayerVPCEndpoint:
		return "the VPC endpoint policy"
	}
	return string(l)
}

func showValues(v []string) string {
	if len(v) == 0 {
		return "nothing (the key is absent)"
	}
	return "[" + strings.Join(v, ", ") + "]"
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return append([]string(nil), s...)
}
