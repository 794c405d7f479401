package arn

import (
	"fmt"
	"strings"
)

// PrincipalKind is what kind of caller a principal identifier names. Its
// text form ("user", "assumed-role", ...) is what JSON output and traces
// show.
type PrincipalKind uint8

const (
	PrincipalUnknown PrincipalKind = iota
	// PrincipalUser is an IAM user (arn:aws:iam::ACCOUNT:user/PATH/NAME).
	PrincipalUser
	// PrincipalRole is an IAM role named directly; as a caller it stands
	// for a session of that role whose session name is unknown.
	PrincipalRole
	// PrincipalAssumedRole is a role session
	// (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION).
	PrincipalAssumedRole
	// PrincipalFederatedUser is a GetFederationToken session
	// (arn:aws:sts::ACCOUNT:federated-user/NAME).
	PrincipalFederatedUser
	// PrincipalRoot is the account root user (arn:aws:iam::ACCOUNT:root,
	// or a bare account ID in a Principal element).
	PrincipalRoot
	// PrincipalService is an AWS service principal (lambda.amazonaws.com).
	PrincipalService
	// PrincipalAnonymous is an unsigned request.
	PrincipalAnonymous
	// PrincipalFederatedProvider is a SAML or OIDC identity provider
	// (arn:aws:iam::ACCOUNT:oidc-provider/HOST) or a web identity provider
	// named by host (accounts.google.com), the principal of
	// sts:AssumeRoleWithWebIdentity and sts:AssumeRoleWithSAML.
	PrincipalFederatedProvider
)

var principalKindNames = [...]string{"unknown", "user", "role", "assumed-role", "federated-user", "root", "service", "anonymous", "federated"}

func (k PrincipalKind) String() string {
	if int(k) < len(principalKindNames) {
		return principalKindNames[k]
	}
	return "unknown"
}

// MarshalText writes the kind's name, so JSON shows "assumed-role", not 3.
func (k PrincipalKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads a kind's name.
func (k *PrincipalKind) UnmarshalText(b []byte) error {
	for i, n := range principalKindNames {
		if n == string(b) {
			*k = PrincipalKind(i)
			return nil
		}
	}
	return fmt.Errorf("unknown principal kind %q", b)
}

// PrincipalKindOf classifies a principal ARN by its form (IAM User Guide,
// "IAM identifiers"):
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
// It looks at ARNs only; a bare account ID, a service principal name or
// "anonymous" is PrincipalUnknown here (see eval.ParsePrincipal for the
// whole Principal element grammar).
func PrincipalKindOf(s string) PrincipalKind {
	a, ok := Split(s)
	if !ok {
		return PrincipalUnknown
	}
	return a.PrincipalKind()
}

// PrincipalKind classifies an ARN already split (see PrincipalKindOf).
func (a ARN) PrincipalKind() PrincipalKind {
	res := a.Resource
	switch a.Service {
	case "iam":
		switch {
		case res == "root":
			return PrincipalRoot
		case strings.HasPrefix(res, "user/"):
			return PrincipalUser
		case strings.HasPrefix(res, "role/"):
			return PrincipalRole
		case strings.HasPrefix(res, "oidc-provider/"), strings.HasPrefix(res, "saml-provider/"):
			return PrincipalFederatedProvider
		}
	case "sts":
		switch {
		case strings.HasPrefix(res, "assumed-role/"):
			if _, _, ok := a.SessionRole(); ok {
				return PrincipalAssumedRole
			}
		case strings.HasPrefix(res, "federated-user/"):
			return PrincipalFederatedUser
		}
	}
	return PrincipalUnknown
}

// SessionRole returns the role name and session name of an assumed-role
// session ARN, arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION. ok is
// false for any other ARN or when the role name is missing. The session ARN
// does not carry the role's path, so the role's own ARN cannot be rebuilt
// exactly from it (see SessionRoleARN).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
func SessionRole(s string) (role, session string, ok bool) {
	a, ok := Split(s)
	if !ok {
		return "", "", false
	}
	return a.SessionRole()
}

// SessionRole is SessionRole of an ARN already split.
func (a ARN) SessionRole() (role, session string, ok bool) {
	if a.Service != "sts" || !strings.HasPrefix(a.Resource, "assumed-role/") {
		return "", "", false
	}
	rest := a.Resource[len("assumed-role/"):]
	i := strings.IndexByte(rest, '/')
	if i <= 0 {
		return "", "", false
	}
	return rest[:i], rest[i+1:], true
}

// SessionRoleARN returns the ARN of the role of an assumed-role session,
// arn:PARTITION:iam::ACCOUNT:role/ROLE, assuming the role has the path "/"
// (the session ARN does not say; look the role up by name where the
// account's roles are known). ok is false when s is not a session ARN.
func SessionRoleARN(s string) (roleARN string, ok bool) {
	role, _, ok := SessionRole(s)
	if !ok {
		return "", false
	}
	a, _ := Split(s)
	return "arn:" + a.Partition + ":iam::" + a.Account + ":role/" + role, true
}

// PathName splits the resource of an IAM user or role ARN
// ("role/path/to/name") into its path ("/path/to/") and name ("name").
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-friendly-names
func PathName(resource string) (path, name string) {
	i := strings.IndexByte(resource, '/')
	if i < 0 {
		return "/", resource
	}
	rest := resource[i:]
	j := strings.LastIndexByte(rest, '/')
	return rest[:j+1], rest[j+1:]
}
