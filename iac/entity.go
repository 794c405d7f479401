package iac

import "github.com/iamwhy/iamwhy/snapshot"

// Existing is a role, user or group as the environment holds it, so that a
// plan or template that attaches policies to an entity it does not define
// adds them to what is already there.
type Existing struct {
	Path     string
	Trust    *snapshot.Document // roles
	Boundary string
	Tags     []snapshot.Tag
	Source   string
	Groups   []string // users
	Inline   []snapshot.InlinePolicy
	Managed  []string // ARNs
}

// Lookup returns the entity of kind ("role", "user", "group") named name
// in account, ok false when the environment does not hold it.
func Lookup(env *snapshot.Environment, account, kind, name string) (Existing, bool) {
	acct := env.Accounts[account]
	if acct == nil {
		return Existing{}, false
	}
	var x Existing
	var managed []snapshot.AttachedManagedPolicy
	switch kind {
	case "role":
		r, ok := acct.Role(name)
		if !ok {
			return Existing{}, false
		}
		x = Existing{Path: r.Path, Trust: r.Trust, Boundary: r.BoundaryARN, Tags: r.Tags, Source: r.Source, Inline: r.InlinePolicies}
		managed = r.ManagedPolicies
	case "user":
		u, ok := acct.User(name)
		if !ok {
			return Existing{}, false
		}
		x = Existing{Path: u.Path, Boundary: u.BoundaryARN, Tags: u.Tags, Source: u.Source, Groups: append([]string(nil), u.Groups...), Inline: u.InlinePolicies}
		managed = u.ManagedPolicies
	case "group":
		g, ok := acct.Group(name)
		if !ok {
			return Existing{}, false
		}
		x = Existing{Path: g.Path, Source: g.Source, Inline: g.InlinePolicies}
		managed = g.ManagedPolicies
	default:
		return Existing{}, false
	}
	x.Inline = append([]snapshot.InlinePolicy(nil), x.Inline...)
	for _, m := range managed {
		x.Managed = append(x.Managed, m.ARN)
	}
	return x, true
}

// RemoveString returns s without x (in place).
func RemoveString(s []string, x string) []string {
	out := s[:0]
	for _, v := range s {
		if v != x {
			out = append(out, v)
		}
	}
	return out
}
