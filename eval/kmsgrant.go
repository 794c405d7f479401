package eval

import "strings"

// KMSGrant is a grant on a KMS key, as ListGrants returns it.
// https://docs.aws.amazon.com/kms/latest/developerguide/grants.html
type KMSGrant struct {
	GrantID string
	Name    string
	// GranteePrincipal gets the grant's permissions; RetiringPrincipal
	// may retire it.
	GranteePrincipal  string
	RetiringPrincipal string
	// Operations are the grant operations without the service prefix:
	// "Decrypt", "GenerateDataKey", "CreateGrant", "RetireGrant", ...
	Operations []string
	// EncryptionContextEquals and EncryptionContextSubset are the grant's
	// constraints (nil: none).
	EncryptionContextEquals map[string]string
	EncryptionContextSubset map[string]string
}

// kmsContextPrefix is the condition key that carries each encryption
// context pair of a request.
// https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-encryption-context
const kmsContextPrefix = "kms:encryptioncontext:"

// kmsGrantOperationsWithContext are the grant operations that take an
// encryption context; a constraint applies to them only.
// https://docs.aws.amazon.com/kms/latest/developerguide/create-grant-overview.html#grant-constraints
var kmsGrantOperationsWithContext = [...]string{
	"Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext",
	"GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo",
}

// kmsGrantDecision applies the key's grants. A grant "allows the grantee
// principal to use the KMS key" for its operations, alongside the key
// policy and IAM policies: it is a grant to the principal itself, so it
// needs neither the key policy nor an identity policy, but explicit denies,
// SCPs and RCPs (applied before it) still limit it. The retiring principal,
// and a grantee whose grant includes RetireGrant, may retire the grant.
// Encryption context constraints: EncryptionContextEquals requires the
// request's context to be exactly the pairs given, EncryptionContextSubset
// to include them; keys and values are compared case-sensitively.
// Allowed reports a grant that allows; unknown a grant whose effect
// cannot be told (a grant to an account, which AWS does not say delegates).
// https://docs.aws.amazon.com/kms/latest/developerguide/grants.html
// https://docs.aws.amazon.com/kms/latest/developerguide/grant-manage.html#grant-retire
// https://docs.aws.amazon.com/kms/latest/developerguide/create-grant-overview.html#grant-constraints
func (ev *evaluator) kmsGrantDecision(grants []KMSGrant) (d Decision, allowed bool, unknown string) {
	op, ok := strings.CutPrefix(ev.req.Action, "kms:")
	if !ok {
		if op, ok = strings.CutPrefix(strings.ToLower(ev.req.Action), "kms:"); !ok {
			return Decision{}, false, ""
		}
	}
	retire := strings.EqualFold(op, "RetireGrant")
	for i := range grants {
		g := &grants[i]
		if retire && g.RetiringPrincipal != "" && ev.grantNames(g.RetiringPrincipal) == matchDirect {
			ev.note("grant " + g.GrantID + " names the caller as its retiring principal")
			return ev.grantAllow(g, "may retire grant "+g.GrantID+" as its retiring principal"), true, ""
		}
		if !grantHasOperation(g, op) {
			continue
		}
		switch ev.grantNames(g.GranteePrincipal) {
		case matchNone:
			continue
		case matchAccount:
			if unknown == "" {
				unknown = "grant " + g.GrantID + " names the caller's account " + g.GranteePrincipal + " as grantee; AWS does not document whether such a grant delegates to the account's IAM principals"
			}
			continue
		}
		if why, ok := ev.grantConstraintsHold(g, op); !ok {
			ev.note("grant " + g.GrantID + " does not apply: " + why)
			continue
		}
		ev.note("grant " + g.GrantID + " allows " + op + " to its grantee " + g.GranteePrincipal)
		return ev.grantAllow(g, "KMS grant "+g.GrantID+" allows "+op), true, ""
	}
	return Decision{}, false, unknown
}

func (ev *evaluator) grantAllow(g *KMSGrant, why string) Decision {
	return Decision{Outcome: Allow, Layer: LayerResource, Statement: -1, Level: -1, Reason: why}
}

func grantHasOperation(g *KMSGrant, op string) bool {
	for _, o := range g.Operations {
		o = strings.TrimPrefix(o, "kms:")
		if strings.EqualFold(o, op) {
			return true
		}
	}
	return false
}

// grantNames says how a grant's principal names the caller: a user or
// session ARN names it directly, a role ARN names every session of the
// role, a service principal itself; an account (or its root ARN) names the
// root user directly and other principals of the account only as an
// account (matchAccount).
func (ev *evaluator) grantNames(principal string) principalMatch {
	p := &ev.p
	if principal == "" {
		return matchNone
	}
	if principal == p.ARN {
		return matchDirect
	}
	g := ParsePrincipal(principal)
	switch g.Type {
	case PrincipalRoot:
		if g.Account != p.Account {
			return matchNone
		}
		if p.Type == PrincipalRoot {
			return matchDirect
		}
		if p.Type == PrincipalService || p.Type == PrincipalAnonymous {
			return matchNone
		}
		return matchAccount
	case PrincipalRole:
		if (p.Type == PrincipalAssumedRole || p.Type == PrincipalRole) && p.Account == g.Account && p.Name == g.Name {
			return matchDirect
		}
	case PrincipalService:
		if p.Type == PrincipalService && p.Name == g.Name {
			return matchDirect
		}
	}
	return matchNone
}

// grantConstraintsHold checks a grant's encryption context constraints
// against the request's kms:EncryptionContext:KEY context keys. They apply
// only to operations that take an encryption context.
func (ev *evaluator) grantConstraintsHold(g *KMSGrant, op string) (string, bool) {
	if g.EncryptionContextEquals == nil && g.EncryptionContextSubset == nil {
		return "", true
	}
	takesContext := false
	for _, o := range kmsGrantOperationsWithContext {
		if strings.EqualFold(o, op) {
			takesContext = true
		}
	}
	if !takesContext {
		return "", true
	}
	req := map[string]string{}
	if ctx := ev.keys.ctx; ctx != nil {
		for _, k := range ctx.Keys() {
			lk := strings.ToLower(k)
			if !strings.HasPrefix(lk, kmsContextPrefix) {
				continue
			}
			e, _ := ctx.lookup(lk)
			if len(e.values) != 1 {
				return "encryption context key " + k + " has more than one value", false
			}
			req[e.name[len(kmsContextPrefix):]] = e.values[0]
		}
	}
	if g.EncryptionContextEquals != nil {
		if len(req) != len(g.EncryptionContextEquals) {
			return "the request's encryption context is not exactly the grant's EncryptionContextEquals", false
		}
		for k, v := range g.EncryptionContextEquals {
			if rv, ok := req[k]; !ok || rv != v {
				return "the request's encryption context is not exactly the grant's EncryptionContextEquals", false
			}
		}
	}
	for k, v := range g.EncryptionContextSubset {
		if rv, ok := req[k]; !ok || rv != v {
			return "the request's encryption context lacks " + k + "=" + v + " (EncryptionContextSubset)", false
		}
	}
	return "", true
}
