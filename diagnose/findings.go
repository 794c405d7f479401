package diagnose

import (
	"fmt"
	"strings"

	"github.com/iamwhy/iamwhy/eval"
)

// findings names the troubleshooting guides' pitfalls that fit the
// decision: condition keys that differ by environment, KMS key policies,
// session policies, cross-account requests, SCPs, boundaries, role trust.
func findings(req *eval.Request, layers *eval.Layers, d *eval.Decision, tr *eval.Trace) []Finding {
	out := []Finding{}
	add := func(code, format string, args ...any) {
		for _, f := range out {
			if f.Code == code {
				return
			}
		}
		out = append(out, Finding{Code: code, Message: fmt.Sprintf(format, args...)})
	}
	keys := decisiveKeys(d, tr)
	for _, k := range keys {
		switch strings.ToLower(k) {
		case "aws:requestedregion":
			v, _ := req.Context.Get("aws:RequestedRegion")
			add("region-condition", "a condition on aws:RequestedRegion decides: the same call works in one region and not another (request region %s). Check the region the client is configured for, and global services, which are called in us-east-1", showValues(v))
		case "aws:sourcevpc", "aws:sourcevpce", "aws:vpcsourceip":
			add("vpc-condition", "a condition on %s decides: the request must (or must not) come through a given VPC or VPC endpoint; requests from the console, CI runners or other VPCs differ", k)
		case "aws:sourceip":
			add("source-ip-condition", "a condition on aws:SourceIp decides: requests through a VPC endpoint carry no aws:SourceIp, and calls made by AWS services on your behalf carry the service's address")
		case "aws:multifactorauthpresent", "aws:multifactorauthage":
			add("mfa-condition", "a condition on %s decides: long-term access keys never carry MFA; use a session from sts:GetSessionToken with MFA", k)
		case "aws:principalorgid", "aws:resourceorgid", "aws:principalorgpaths":
			add("org-condition", "a condition on %s decides: the caller or the resource is outside the expected organisation (or the snapshot lacks the organisation)", k)
		case "aws:securetransport":
			// Only when the request did not use TLS (or may not have):
			// a request made over TLS is not denied for its transport.
			if v, ok := req.Context.Get("aws:SecureTransport"); !ok || len(v) != 1 || !strings.EqualFold(v[0], "true") {
				add("tls-condition", "a condition on aws:SecureTransport decides: the request was made without TLS (or the input does not say it used TLS)")
			}
		}
	}
	svc := strings.ToLower(req.Action)
	switch d.Layer {
	case eval.LayerResource:
		switch {
		case strings.HasPrefix(svc, "kms:"):
			add("kms-key-policy", "the KMS key policy must allow the caller, or delegate to its account (the default \"Enable IAM User Permissions\" statement) so that IAM policies count; an IAM policy alone never grants use of a key. S3 with SSE-KMS, Secrets Manager and other services need the same kms permissions on the key")
		case strings.HasPrefix(svc, "sts:assumerole") || svc == "sts:tagsession" || svc == "sts:setsourceidentity":
			add("role-trust", "the role's trust policy must allow the caller (sts:TagSession too when session tags are passed); a role assuming itself must be named in its own trust policy")
		}
		if tr.CrossAccount {
			add("cross-account", "cross-account request: the resource's policy must allow the caller AND the caller's identity policy must allow the action; either side missing gives AccessDenied")
		}
	case eval.LayerIdentity:
		if tr.CrossAccount {
			add("cross-account", "cross-account request: the resource's policy allows the caller, but the caller's own account must also allow the action in an identity-based policy")
		}
	case eval.LayerSession:
		add("session-policy", "a session policy limits this session: the caller (a pipeline, an SSO or identity broker, GetFederationToken) passed it when creating the session; the role's own policies allow more than the session may use")
	case eval.LayerSCP:
		add("scp", "a service control policy of the organisation decides; SCPs are not visible from member accounts (an account admin sees nothing in IAM): ask the organisation's administrators")
	case eval.LayerRCP:
		add("rcp", "a resource control policy of the organisation decides; RCPs are not visible from member accounts: ask the organisation's administrators")
	case eval.LayerBoundary:
		add("permissions-boundary", "a permissions boundary caps the caller: the identity policy allows the action, but the boundary does not; both must")
	case eval.LayerVPCEndpoint:
		add("vpc-endpoint-policy", "the request went through a VPC endpoint whose policy does not allow it")
	}
	if d.Outcome == eval.ExplicitDeny && looksLikeGuardrail(d, keys) {
		add("guardrail", "the denying statement looks like a deliberate guardrail (%s); lifting it is likely wrong: change the request (region, network path, MFA, tags) instead", guardrailWhy(d, keys))
	}
	return out
}

// decisiveKeys are the condition keys of the deciding Deny statement, or of
// the near misses of the layer that failed to allow.
func decisiveKeys(d *eval.Decision, tr *eval.Trace) []string {
	var keys []string
	if d.Outcome == eval.ExplicitDeny && d.Policy != nil {
		for _, c := range d.Policy.Doc.Statements[d.Statement].Conditions {
			keys = append(keys, c.Key)
		}
		return keys
	}
	for _, lt := range tr.Layers {
		if lt.Layer != d.Layer || (d.Level >= 0 && lt.Level != d.Level) {
			continue
		}
		for _, st := range lt.Statements {
			for _, f := range st.Failed {
				if f.Element == "condition" {
					keys = append(keys, f.Key)
				}
			}
		}
	}
	return keys
}

func looksLikeGuardrail(d *eval.Decision, keys []string) bool {
	if d.Layer == eval.LayerSCP || d.Layer == eval.LayerRCP || d.Layer == eval.LayerBoundary {
		return true
	}
	for _, k := range keys {
		switch strings.ToLower(k) {
		case "aws:requestedregion", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceip", "aws:principalorgid",
			"aws:resourceorgid", "aws:securetransport", "aws:multifactorauthpresent", "aws:principalarn", "aws:sourceaccount":
			return true
		}
	}
	return false
}

func guardrailWhy(d *eval.Decision, keys []string) string {
	if len(keys) > 0 {
		return "it denies on " + strings.Join(keys, ", ")
	}
	return "it is in the " + string(d.Layer) + " layer"
}
