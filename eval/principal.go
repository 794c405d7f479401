package eval

import (
	"strings"

	"github.com/iamwhy/iamwhy/arn"
)

// PrincipalType classifies the caller of a request; it is the one
// principal-kind type of the module, owned by package arn.
type PrincipalType = arn.PrincipalKind

// The kinds of caller; see arn.PrincipalKind.
const (
	PrincipalUnknown           = arn.PrincipalUnknown
	PrincipalUser              = arn.PrincipalUser
	PrincipalRole              = arn.PrincipalRole
	PrincipalAssumedRole       = arn.PrincipalAssumedRole
	PrincipalFederatedUser     = arn.PrincipalFederatedUser
	PrincipalRoot              = arn.PrincipalRoot
	PrincipalService           = arn.PrincipalService
	PrincipalAnonymous         = arn.PrincipalAnonymous
	PrincipalFederatedProvider = arn.PrincipalFederatedProvider
)

// Principal is a parsed request principal. Parsing takes substrings of the
// ARN and does not allocate.
type Principal struct {
	Type      PrincipalType `json:"type"`
	ARN       string        `json:"arn"` // as given
	Partition string        `json:"partition"`
	Account   string        `json:"account"`
	// Name is the user name, role name, federated user name or service
	// name; for a session, the role name.
	Name string `json:"name"`
	// Path is the user or role path ("/" when the ARN has none). A
	// session ARN does not carry its role's path.
	Path    string `json:"path"`
	Session string `json:"session"` // session name of an assumed-role session
}

// ParsePrincipal classifies a request principal: an IAM user, role or
// assumed-role session ARN, a federated user ARN, an account root ARN or
// account ID, a service principal name, "anonymous", or a SAML/OIDC provider
// ARN or web identity provider name.
func ParsePrincipal(s string) Principal {
	p := Principal{ARN: s, Path: "/"}
	switch {
	case s == "anonymous" || s == "*":
		p.Type = PrincipalAnonymous
		p.Account = "anonymous"
		return p
	case arn.IsAccountID(s):
		p.Type = PrincipalRoot
		p.Account = s
		p.Partition = "aws"
		return p
	case !strings.HasPrefix(s, "arn:"):
		if isWebIdentityProvider(s) {
			p.Type = PrincipalFederatedProvider
			p.Name = s
			return p
		}
		if strings.Contains(s, ".") {
			p.Type = PrincipalService
			p.Name = s
		}
		return p
	}
	a, ok := arn.Split(s)
	if !ok {
		return p
	}
	p.Partition, p.Account = a.Partition, a.Account
	// One split: classify and take the names from its fields.
	p.Type = a.PrincipalKind()
	switch p.Type {
	case PrincipalUser, PrincipalRole:
		p.Path, p.Name = arn.PathName(a.Resource)
	case PrincipalAssumedRole:
		p.Name, p.Session, _ = a.SessionRole()
	case PrincipalFederatedUser:
		p.Name = a.Resource[len("federated-user/"):]
	case PrincipalFederatedProvider:
		p.Name = s
	}
	return p
}

// The web identity providers that appear in trust policies as Federated
// principals by name rather than by provider ARN.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-federated-web-identity
func isWebIdentityProvider(s string) bool {
	switch s {
	case "cognito-identity.amazonaws.com", "accounts.google.com", "graph.facebook.com", "www.amazon.com":
		return true
	}
	return false
}

// IsServiceLinkedRole reports whether a role ARN is a service-linked role
// (path /aws-service-role/), which SCPs and RCPs do not restrict.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
func IsServiceLinkedRole(roleARN string) bool {
	return strings.Contains(roleARN, ":role/aws-service-role/")
}

// principalMatch is how strongly a resource policy statement names the
// caller. The strength decides which implicit denies the grant overrides in
// the same account (IAM User Guide, "Policy evaluation logic" and "Session
// policies"): a grant to the session itself (or to an IAM user, or to
// everyone) stands alone; a grant to the role ARN still needs the permissions
// boundary and the session policy; a grant to the account only delegates to
// the account's identity-based policies.
type principalMatch int

const (
	matchNone principalMatch = iota
	matchAccount
	matchRole
	matchDirect
)

func (m principalMatch) String() string {
	switch m {
	case matchAccount:
		return "account"
	case matchRole:
		return "role"
	case matchDirect:
		return "principal"
	}
	return "none"
}

// exported is the match as the trace names it.
func (m principalMatch) exported() PrincipalMatch {
	switch m {
	case matchAccount:
		return PrincipalMatchAccount
	case matchRole:
		return PrincipalMatchRole
	case matchDirect:
		return PrincipalMatchDirect
	}
	return PrincipalMatchNone
}

type principalEntryKind int

const (
	peInvalid principalEntryKind = iota
	peAny                        // "*" or {"AWS": "*"}
	peAccount
	peUser
	peRole
	peSession
	peFederatedUser
	peUniqueID
	peService
	peFederated
	peCanonical
)

type principalEntry struct {
	kind      principalEntryKind
	raw       string
	account   string
	name      string // user/role/federated user name
	session   string
	partition string
}

func compilePrincipalEntry(kind string, v string) principalEntry {
	e := principalEntry{raw: v}
	switch kind {
	case "Service":
		e.kind = peService
		return e
	case "Federated":
		e.kind = peFederated
		return e
	case "CanonicalUser":
		e.kind = peCanonical
		return e
	}
	// AWS principals. A partial wildcard is not allowed: it names nobody.
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
	if v == "*" {
		e.kind = peAny
		return e
	}
	if strings.ContainsAny(v, "*?") {
		return e
	}
	if arn.IsAccountID(v) {
		e.kind, e.account, e.partition = peAccount, v, ""
		return e
	}
	if isUniqueID(v) {
		e.kind = peUniqueID
		return e
	}
	p := ParsePrincipal(v)
	e.account, e.partition, e.name = p.Account, p.Partition, p.Name
	switch p.Type {
	case PrincipalRoot:
		e.kind = peAccount
	case PrincipalUser:
		e.kind = peUser
	case PrincipalRole:
		e.kind = peRole
	case PrincipalAssumedRole:
		e.kind, e.session = peSession, p.Session
	case PrincipalFederatedUser:
		e.kind = peFederatedUser
	}
	return e
}

// isUniqueID recognises IAM unique IDs (AIDA... users, AROA... roles), which
// IAM stores in place of the ARN of a principal that has been deleted.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
func isUniqueID(s string) bool {
	if len(s) < 16 || len(s) > 128 {
		return false
	}
	if !strings.HasPrefix(s, "AIDA") && !strings.HasPrefix(s, "AROA") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// match says how this entry names the caller.
func (e *principalEntry) match(p *Principal, userID string) principalMatch {
	switch e.kind {
	case peAny:
		return matchDirect
	case peService:
		if p.Type == PrincipalService && equalFold(e.raw, p.Name) {
			return matchDirect
		}
	case peFederated:
		if p.Type == PrincipalFederatedProvider && equalFold(e.raw, p.Name) {
			return matchDirect
		}
	case peCanonical:
		return matchNone
	case peUniqueID:
		if userID == "" {
			return matchNone
		}
		id := userID
		if i := strings.IndexByte(id, ':'); i >= 0 {
			id = id[:i]
		}
		if id == e.raw {
			if strings.HasPrefix(e.raw, "AROA") {
				return matchRole
			}
			return matchDirect
		}
	case peAccount:
		switch p.Type {
		case PrincipalUser, PrincipalRole, PrincipalAssumedRole, PrincipalFederatedUser, PrincipalRoot:
			if p.Account == e.account {
				return matchAccount
			}
		}
	case peUser:
		if p.Type == PrincipalUser && p.Account == e.account && p.Name == e.name {
			return matchDirect
		}
	case peRole:
		if (p.Type == PrincipalAssumedRole || p.Type == PrincipalRole) && p.Account == e.account && p.Name == e.name {
			return matchRole
		}
	case peSession:
		if p.Type == PrincipalAssumedRole && p.Account == e.account && p.Name == e.name && p.Session == e.session {
			return matchDirect
		}
	case peFederatedUser:
		if p.Type == PrincipalFederatedUser && p.Account == e.account && p.Name == e.name {
			return matchDirect
		}
	}
	return matchNone
}

// notPrincipalExempt reports whether a NotPrincipal list exempts the
// caller. For a Deny with NotPrincipal, AWS checks every link of the
// caller's chain: a role session is exempt only if the list names its
// account, its role and the session; a user only if it names the account
// and the user.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
func notPrincipalExempt(entries []principalEntry, p *Principal, userID string) bool {
	var haveAccount, haveRole, haveDirect bool
	for i := range entries {
		switch entries[i].match(p, userID) {
		case matchAccount:
			haveAccount = true
		case matchRole:
			haveRole = true
		case matchDirect:
			if entries[i].kind == peAny {
				return true
			}
			haveDirect = true
		}
	}
	switch p.Type {
	case PrincipalAssumedRole:
		return haveAccount && haveRole && haveDirect
	case PrincipalRole:
		return haveAccount && haveRole
	case PrincipalUser, PrincipalFederatedUser:
		return haveAccount && haveDirect
	case PrincipalRoot:
		return haveAccount
	}
	return haveDirect
}
