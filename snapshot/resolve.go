package snapshot

import (
	"errors"
	"fmt"
	"strings"

	"github.com/iamwhy/iamwhy/arn"
)

// The questions the evaluation engine asks an environment. Answers
// distinguish three things: the thing is not in the environment (an error
// wrapping ErrNotFound, or Known false), it is there with no policy (a nil
// Document), and it is there with its policy.

// ErrNotFound is wrapped by errors for principals that the environment does
// not hold.
var ErrNotFound = errors.New("not found in the environment")

// ErrNotIAMPrincipal is returned by Principal for callers that are not IAM
// identities (service principals, anonymous, canonical users): they have no
// identity policies to look up.
var ErrNotIAMPrincipal = errors.New("not an IAM principal ARN")

// PrincipalKind is what kind of caller an ARN names; package arn owns the
// kinds. Principal returns users, roles, role sessions, root users and
// federated users.
type PrincipalKind = arn.PrincipalKind

// The kinds of caller an environment resolves.
const (
	PrincipalUser          = arn.PrincipalUser
	PrincipalRole          = arn.PrincipalRole
	PrincipalAssumedRole   = arn.PrincipalAssumedRole
	PrincipalRoot          = arn.PrincipalRoot
	PrincipalFederatedUser = arn.PrincipalFederatedUser
)

// IdentityPolicy is one identity-based policy that applies to a principal.
type IdentityPolicy struct {
	// Name is the inline policy's name or the managed policy's name.
	Name string
	// ARN is the managed policy's ARN; "" for inline policies.
	ARN string
	// Group is the group the policy comes through; "" when attached to the
	// user or role itself.
	Group string
	// Document is nil when the policy's document is not in the
	// environment (then it is also listed in Principal.Gaps).
	Document *Document
}

// Inline reports whether the policy is an inline policy.
func (p IdentityPolicy) Inline() bool { return p.ARN == "" }

// Principal is everything the environment says about a caller.
type Principal struct {
	// ARN is the ARN asked about.
	ARN     string
	Kind    PrincipalKind
	Account string
	// User is the IAM user (for a user, or the user a federated user
	// session is taken to belong to); Role the role (for a role or a role
	// session). Both nil for the root user.
	User *User
	Role *Role
	// SessionName is the session part of an assumed-role ARN or the name
	// of a federated user.
	SessionName string
	// Policies are the identity-based policies: inline then managed, and
	// for users then each group's inline and managed policies.
	Policies []IdentityPolicy
	// Boundary is the permissions boundary, nil when none is set.
	Boundary *IdentityPolicy
	// Tags are the user's or role's tags (aws:PrincipalTag).
	Tags []Tag
	// Gaps say what the environment lacks to know this principal's
	// policies fully (a managed policy or group that was not collected).
	// An evaluation that needs them is undetermined, not denied.
	Gaps []string
}

// PrincipalARN is the value of aws:PrincipalArn for the caller: the role's ARN
// for a role session, the ARN itself otherwise.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
func (p *Principal) PrincipalARN() string {
	if (p.Kind == PrincipalAssumedRole || p.Kind == PrincipalRole) && p.Role != nil {
		return p.Role.ARN
	}
	return p.ARN
}

// PrincipalType is the value of aws:PrincipalType: Account, User,
// FederatedUser or AssumedRole.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable
func (p *Principal) PrincipalType() string {
	switch p.Kind {
	case PrincipalRoot:
		return "Account"
	case PrincipalUser:
		return "User"
	case PrincipalFederatedUser:
		return "FederatedUser"
	}
	return "AssumedRole"
}

// IsServiceLinkedRole reports whether the caller is a service-linked role
// (not restricted by SCPs or RCPs).
func (p *Principal) IsServiceLinkedRole() bool { return p.Role != nil && p.Role.IsServiceLinked() }

// Principal resolves a caller ARN: an IAM user, a role, an assumed-role
// session (resolved to its role: the session's permissions are the role's,
// before session policies), an account root user, or a federated user
// (resolved to the IAM user of the same name in the account: the ARN does
// not name the user who called GetFederationToken, so a federated user
// whose name is not an IAM user's is an error wrapping ErrNotFound).
//
// A principal the environment does not hold is an error wrapping
// ErrNotFound; a service principal or "anonymous" is ErrNotIAMPrincipal.
func (e *Environment) Principal(arn string) (*Principal, error) {
	if isAccountID(arn) {
		// A bare account id names the account, as in a Principal
		// element: its root user.
		arn = "arn:aws:iam::" + arn + ":root"
	}
	a, ok := ParseARN(arn)
	if !ok {
		return nil, fmt.Errorf("%q: %w", arn, ErrNotIAMPrincipal)
	}
	p := &Principal{ARN: arn, Account: a.Account}
	acct := e.Accounts[a.Account]
	notFound := func(what string) error {
		if acct == nil {
			return fmt.Errorf("%s: %s; account %s has no authorization details in the environment: %w", arn, what, a.Account, ErrNotFound)
		}
		return fmt.Errorf("%s: %s: %w", arn, what, ErrNotFound)
	}
	switch {
	case a.Service == "iam" && a.Resource == "root":
		p.Kind = PrincipalRoot
		if !e.knowsAccount(a.Account) {
			return nil, fmt.Errorf("%s: account %s: %w", arn, a.Account, ErrNotFound)
		}
		return p, nil
	case a.Service == "iam" && strings.HasPrefix(a.Resource, "user/"):
		p.Kind = PrincipalUser
		u := e.users[arn]
		if u == nil && acct != nil {
			u = acct.usersByName[lastSegment(a.Resource)]
			if u != nil && u.ARN != arn {
				return nil, notFound(fmt.Sprintf("no user with this ARN (user %s has ARN %s)", u.Name, u.ARN))
			}
		}
		if u == nil {
			return nil, notFound("no such user")
		}
		e.fillUser(p, u)
		return p, nil
	case a.Service == "iam" && strings.HasPrefix(a.Resource, "role/"):
		p.Kind = PrincipalRole
		r := e.roles[arn]
		if r == nil && acct != nil {
			r = acct.rolesByName[lastSegment(a.Resource)]
			if r != nil && r.ARN != arn {
				return nil, notFound(fmt.Sprintf("no role with this ARN (role %s has ARN %s)", r.Name, r.ARN))
			}
		}
		if r == nil {
			return nil, notFound("no such role")
		}
		e.fillRole(p, r)
		return p, nil
	case a.Service == "sts" && strings.HasPrefix(a.Resource, "assumed-role/"):
		p.Kind = PrincipalAssumedRole
		role, session, ok := sessionRole(arn)
		if !ok || session == "" {
			return nil, fmt.Errorf("%s: an assumed-role ARN is arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION: %w", arn, ErrNotIAMPrincipal)
		}
		p.SessionName = session
		var r *Role
		if acct != nil {
			r = acct.rolesByName[role]
		}
		if r == nil {
			return nil, notFound("no role " + role)
		}
		e.fillRole(p, r)
		return p, nil
	case a.Service == "sts" && strings.HasPrefix(a.Resource, "federated-user/"):
		p.Kind = PrincipalFederatedUser
		p.SessionName = strings.TrimPrefix(a.Resource, "federated-user/")
		var u *User
		if acct != nil {
			u = acct.usersByName[p.SessionName]
		}
		if u == nil {
			return nil, notFound("the ARN does not name the IAM user who called GetFederationToken, and no IAM user is named " + p.SessionName)
		}
		e.fillUser(p, u)
		return p, nil
	}
	return nil, fmt.Errorf("%s: %w", arn, ErrNotIAMPrincipal)
}

func (e *Environment) knowsAccount(id string) bool {
	if e.Accounts[id] != nil {
		return true
	}
	if e.Organization != nil {
		if _, ok := e.Organization.accounts[id]; ok {
			return true
		}
	}
	return false
}

func (e *Environment) managedPolicy(p *Principal, m AttachedManagedPolicy, group string) IdentityPolicy {
	ip := IdentityPolicy{Name: m.Name, ARN: m.ARN, Group: group}
	if mp := e.ManagedPolicies[m.ARN]; mp != nil {
		ip.Document = mp.Document
	} else {
		via := ""
		if group != "" {
			via = " (through group " + group + ")"
		}
		p.Gaps = append(p.Gaps, "managed policy "+m.ARN+via+" is attached but its document is not in the environment")
	}
	return ip
}

func (e *Environment) boundary(p *Principal, arn string) {
	if arn == "" {
		return
	}
	b := IdentityPolicy{ARN: arn, Name: lastSegment(arn)}
	if mp := e.ManagedPolicies[arn]; mp != nil {
		b.Name, b.Document = mp.Name, mp.Document
	} else {
		p.Gaps = append(p.Gaps, "permissions boundary "+arn+" is set but its document is not in the environment")
	}
	p.Boundary = &b
}

func (e *Environment) fillUser(p *Principal, u *User) {
	p.User, p.Tags = u, u.Tags
	for _, ip := range u.InlinePolicies {
		p.Policies = append(p.Policies, IdentityPolicy{Name: ip.Name, Document: ip.Document})
	}
	for _, m := range u.ManagedPolicies {
		p.Policies = append(p.Policies, e.managedPolicy(p, m, ""))
	}
	acct := e.Accounts[u.Account]
	for _, gname := range u.Groups {
		g := acct.groupsByName[gname]
		if g == nil {
			p.Gaps = append(p.Gaps, "group "+gname+" is not in the environment; its policies are unknown")
			continue
		}
		for _, ip := range g.InlinePolicies {
			p.Policies = append(p.Policies, IdentityPolicy{Name: ip.Name, Group: g.Name, Document: ip.Document})
		}
		for _, m := range g.ManagedPolicies {
			p.Policies = append(p.Policies, e.managedPolicy(p, m, g.Name))
		}
	}
	e.boundary(p, u.BoundaryARN)
}

func (e *Environment) fillRole(p *Principal, r *Role) {
	p.Role, p.Tags = r, r.Tags
	for _, ip := range r.InlinePolicies {
		p.Policies = append(p.Policies, IdentityPolicy{Name: ip.Name, Document: ip.Document})
	}
	for _, m := range r.ManagedPolicies {
		p.Policies = append(p.Policies, e.managedPolicy(p, m, ""))
	}
	e.boundary(p, r.BoundaryARN)
}

// Role returns the role with the given ARN (or the role of an assumed-role
// session ARN).
func (e *Environment) Role(arn string) (*Role, bool) {
	if r := e.roles[arn]; r != nil {
		return r, true
	}
	a, ok := ParseARN(arn)
	if !ok || e.Accounts[a.Account] == nil {
		return nil, false
	}
	name := lastSegment(a.Resource)
	if a.Service == "sts" && strings.HasPrefix(a.Resource, "assumed-role/") {
		role, _, ok := sessionRole(arn)
		if !ok {
			return nil, false
		}
		name = role
	} else if a.Service != "iam" || !strings.HasPrefix(a.Resource, "role/") {
		return nil, false
	}
	r, ok := e.Accounts[a.Account].rolesByName[name]
	if ok && a.Service == "iam" && r.ARN != arn {
		return nil, false
	}
	return r, ok
}

// OrgID returns the organisation's id, "" when there is no organisation.
func (e *Environment) OrgID() string {
	if e.Organization == nil {
		return ""
	}
	return e.Organization.ID
}

// AccountOrgID returns the id of the organisation the account belongs to
// (aws:PrincipalOrgID, aws:ResourceOrgID); ok false when the account is in
// no organisation of the environment.
func (e *Environment) AccountOrgID(account string) (id string, ok bool) {
	if e.Organization == nil {
		return "", false
	}
	if _, in := e.Organization.accounts[account]; !in {
		return "", false
	}
	return e.Organization.ID, true
}

// IsManagementAccount reports whether account is the organisation's
// management account, whose principals SCPs do not restrict and whose
// resources RCPs do not restrict.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
func (e *Environment) IsManagementAccount(account string) bool {
	return e.Organization != nil && e.Organization.ManagementAccount != "" && e.Organization.ManagementAccount == account
}

// SCPLevels returns the SCPs that govern principals of account, one level per
// node from the root down to the account. governed is false when the
// account is in no organisation of the environment (no SCP applies). The
// management account is governed here too: callers apply AWS's exemption
// (IsManagementAccount).
func (e *Environment) SCPLevels(account string) (levels []PolicyLevel, governed bool) {
	return e.levels(account, func(n *OrgNode) []string { return n.SCPs })
}

// RCPLevels returns the customer RCPs on the path from the root down to
// account, the account that owns the resource. As in AWS, the managed
// RCPFullAWSAccess is in force at every level and is not listed unless the
// organisation file lists it, so a level may be empty.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
func (e *Environment) RCPLevels(account string) (levels []PolicyLevel, governed bool) {
	return e.levels(account, func(n *OrgNode) []string { return n.RCPs })
}

func (e *Environment) levels(account string, ids func(*OrgNode) []string) ([]PolicyLevel, bool) {
	if e.Organization == nil {
		return nil, false
	}
	node, ok := e.Organization.accounts[account]
	if !ok {
		return nil, false
	}
	path := node.path()
	out := make([]PolicyLevel, len(path))
	for i, n := range path {
		l := PolicyLevel{Node: n}
		for _, id := range ids(n) {
			// Every id was checked against Policies when the file was read.
			l.Policies = append(l.Policies, e.Organization.Policies[id])
		}
		out[i] = l
	}
	return out, true
}

// ResourceLookup is the answer to "which resource-based policy governs a
// request on this ARN".
type ResourceLookup struct {
	// ARN is the ARN asked about; PolicyARN the resource whose policy
	// governs it (the bucket for an S3 object, else ARN).
	ARN       string
	PolicyARN string
	// Known is true when the environment holds the resource: a record,
	// or for a role its authorization details. False means the policy
	// was not collected: a gap, not the absence of a policy.
	Known bool
	// Account owns the resource ("" when unknown).
	Account string
	// Policy is the resource-based policy (for a role, its trust policy);
	// nil when the resource has none (Known) or is unknown (!Known).
	Policy *Document
	// BlockPublicAccess is an S3 bucket's setting, nil when not recorded.
	BlockPublicAccess *BlockPublicAccess
	// Role is set for role ARNs.
	Role *Role
}

// Resource returns the resource-based policy that governs a request on arn:
// a request on an S3 object uses its bucket's policy; a request on a role
// (sts:AssumeRole and friends) uses the role's trust policy from the
// authorization details; any other ARN uses the record for exactly that
// ARN. An error is returned only for a malformed ARN.
func (e *Environment) Resource(arn string) (ResourceLookup, error) {
	a, ok := ParseARN(arn)
	if !ok {
		return ResourceLookup{}, fmt.Errorf("%q is not an ARN", arn)
	}
	l := ResourceLookup{ARN: arn, PolicyARN: arn, Account: a.Account}
	switch {
	case a.Service == "iam" && strings.HasPrefix(a.Resource, "role/"):
		if r, ok := e.Role(arn); ok {
			l.Known, l.Policy, l.Role = true, r.Trust, r
		}
		return l, nil
	default:
		l.PolicyARN = policyResource(arn)
	}
	if r := e.Resources[l.PolicyARN]; r != nil {
		l.Known, l.Account, l.Policy, l.BlockPublicAccess = true, r.Account, r.Policy, r.BlockPublicAccess
	}
	return l, nil
}

// ResourceAccount returns the account that owns the resource: the ARN's
// account field, else the account of its record (S3 buckets and objects).
// ok is false when neither says.
func (e *Environment) ResourceAccount(arn string) (account string, ok bool) {
	l, err := e.Resource(arn)
	if err != nil || l.Account == "" {
		return "", false
	}
	return l.Account, true
}

// VPCEndpoint returns the record of a VPC endpoint by id (vpce-...); ok is
// false when it was not collected. The record's Policy is the endpoint
// policy.
func (e *Environment) VPCEndpoint(id string) (*Resource, bool) {
	r, ok := e.vpce[id]
	return r, ok
}

// RoleARN is the ARN, with its path, of the role a role session or role
// ARN names, when the environment holds that role: a session ARN carries
// the role's name but not its path.
func (e *Environment) RoleARN(principal string) (string, bool) {
	p, err := e.Principal(principal)
	if err != nil || p.Role == nil {
		return "", false
	}
	return p.Role.ARN, true
}
