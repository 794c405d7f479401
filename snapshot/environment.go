package snapshot

import (
	"fmt"
	"sort"

	"github.com/iamwhy/iamwhy/catalog"
)

// ManagedPolicyResolver returns the document of an AWS managed policy by
// ARN (arn:aws:iam::aws:policy/...), ok false when it does not know it. The
// embedded catalog of AWS managed policies provides one; it is consulted for
// policies a file attaches without including.
type ManagedPolicyResolver func(arn string) (doc []byte, ok bool)

// Options configure loading.
type Options struct {
	// ManagedPolicyResolver resolves AWS managed policies that are
	// attached but not included in the authorization details. Nil: the
	// embedded catalog of AWS managed policies (package catalog), unless
	// NoCatalog is set.
	ManagedPolicyResolver ManagedPolicyResolver
	// NoCatalog leaves AWS managed policies that the files do not include
	// missing (Environment.Missing) instead of taking them from the
	// catalog: for environments that must be self-contained.
	NoCatalog bool
}

// resolveManaged looks an AWS managed policy up with the configured
// resolver, or in the embedded catalog, which also gives its version.
func (o Options) resolveManaged(arn string) (doc []byte, version string, ok bool) {
	switch {
	case o.ManagedPolicyResolver != nil:
		doc, ok = o.ManagedPolicyResolver(arn)
		return doc, "", ok
	case o.NoCatalog:
		return nil, "", false
	}
	return catalog.Default().ManagedPolicy(arn)
}

// Stats count what was read and what was skipped, so nothing is dropped
// silently.
type Stats struct {
	AuthorizationFiles int
	// Pages counts the top-level objects read from authorization-details
	// files (several when pages were concatenated).
	Pages           int
	Users           int
	Groups          int
	Roles           int
	ManagedPolicies int
	// NonDefaultVersions counts policy versions read and not kept (only
	// the default version is evaluated).
	NonDefaultVersions int
	// DuplicateAWSManaged counts AWS managed policies met again in another
	// file (the first copy is kept).
	DuplicateAWSManaged int
	// CatalogPolicies counts AWS managed policies taken from the resolver.
	CatalogPolicies int
	// SkippedFields counts top-level fields of authorization-details files
	// that are not entity lists (IsTruncated, Marker, unknown fields).
	SkippedFields int
	// UnparsedDates counts dates that were not RFC 3339 and were left zero.
	UnparsedDates     int
	OrgAccounts       int
	OrgPolicies       int
	ResourceFiles     int
	Resources         int
	ResourcesNoPolicy int
}

// Environment is a snapshot of accounts, their organisation and their
// resources. Build one with Load or LoadFile (or New and the Add methods
// followed by Finish). After Finish it is read-only and safe for concurrent
// use.
type Environment struct {
	// Accounts by id.
	Accounts map[string]*Account
	// ManagedPolicies by ARN, customer and AWS managed.
	ManagedPolicies map[string]*ManagedPolicy
	// Organization is nil when no organisation was given.
	Organization *Organization
	// Resources by ARN.
	Resources map[string]*Resource
	// S3Accounts holds accounts' S3 settings (account-level Block Public
	// Access, canonical user ID), from records without an arn.
	S3Accounts map[string]*S3Account
	Stats      Stats
	// Missing lists the managed policies (including permissions
	// boundaries) that are attached to an entity but whose document is
	// neither in the files nor known to the resolver. A principal that
	// has one reports it in Principal.Gaps.
	Missing []string
	// Warnings are problems that did not stop loading (a user in a group
	// that is not in the file, a truncated last page, an organisation
	// node without an SCP).
	Warnings []string

	opts      Options
	users     map[string]*User     // by ARN
	roles     map[string]*Role     // by ARN
	vpce      map[string]*Resource // by endpoint id
	canonical map[string]string    // S3 canonical user ID -> account
	missing   map[string]bool
	finished  bool
	cc        compileCache
}

// New returns an empty environment.
func New(opts Options) *Environment {
	return &Environment{
		Accounts:        map[string]*Account{},
		ManagedPolicies: map[string]*ManagedPolicy{},
		Resources:       map[string]*Resource{},
		opts:            opts,
		users:           map[string]*User{},
		roles:           map[string]*Role{},
		vpce:            map[string]*Resource{},
		missing:         map[string]bool{},
	}
}

// AccountIDs returns the ids of every account known to the environment
// (from authorization details, the organisation or resource records),
// sorted.
func (e *Environment) AccountIDs() []string {
	set := map[string]bool{}
	for id := range e.Accounts {
		set[id] = true
	}
	if e.Organization != nil {
		for _, id := range e.Organization.Accounts() {
			set[id] = true
		}
	}
	for _, r := range e.Resources {
		if r.Account != "" {
			set[r.Account] = true
		}
	}
	out := make([]string, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

func (e *Environment) account(id string) *Account {
	a := e.Accounts[id]
	if a == nil {
		a = newAccount(id)
		e.Accounts[id] = a
	}
	return a
}

func (e *Environment) warnf(format string, args ...any) {
	e.Warnings = append(e.Warnings, fmt.Sprintf(format, args...))
}

// Finish resolves what the loaded files refer to: AWS managed policies that
// are attached but not included are asked of the resolver; what remains
// unknown is listed in Missing; users in groups that were not read are
// warned about. Load and LoadFile call it.
func (e *Environment) Finish() error {
	if e.finished {
		return nil
	}
	e.finished = true
	need := func(arn string) {
		if arn == "" || e.ManagedPolicies[arn] != nil || e.missing[arn] {
			return
		}
		if accountOfARN(arn) == "aws" {
			if doc, version, ok := e.opts.resolveManaged(arn); ok {
				a, _ := ParseARN(arn)
				e.ManagedPolicies[arn] = &ManagedPolicy{
					ARN: arn, Name: lastSegment(a.Resource), Path: policyPathOf(a.Resource),
					DefaultVersion: version, AWSManaged: true, Source: "catalog",
					Document: &Document{JSON: doc, Source: arn, Encoding: EncodingCatalog, Name: "AWS managed policy " + arn},
				}
				e.Stats.CatalogPolicies++
				return
			}
		}
		e.missing[arn] = true
		e.Missing = append(e.Missing, arn)
	}
	ids := make([]string, 0, len(e.Accounts))
	for id := range e.Accounts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		a := e.Accounts[id]
		for _, u := range a.Users {
			for _, m := range u.ManagedPolicies {
				need(m.ARN)
			}
			need(u.BoundaryARN)
			for _, g := range u.Groups {
				if _, ok := a.groupsByName[g]; !ok {
					e.warnf("%s: user %s is in group %s, which is not in the authorization details; its policies are unknown", u.Source, u.Name, g)
				}
			}
		}
		for _, g := range a.Groups {
			for _, m := range g.ManagedPolicies {
				need(m.ARN)
			}
		}
		for _, r := range a.Roles {
			for _, m := range r.ManagedPolicies {
				need(m.ARN)
			}
			need(r.BoundaryARN)
		}
	}
	sort.Strings(e.Missing)
	e.assignIDs()
	return nil
}

// assignIDs names every document the way diagnoses and check results name
// policies (spec/explain.md): managed policies, SCPs and RCPs by ARN or id,
// inline policies as OWNER_ARN#policy-name, and resource-based policies
// (trust policies included) by the ARN of the resource they are attached to.
func (e *Environment) assignIDs() {
	set := func(d *Document, id string) {
		if d != nil && d.ID == "" {
			d.ID = id
		}
	}
	for _, a := range e.Accounts {
		for _, u := range a.Users {
			for _, ip := range u.InlinePolicies {
				set(ip.Document, u.ARN+"#"+ip.Name)
			}
		}
		for _, g := range a.Groups {
			for _, ip := range g.InlinePolicies {
				set(ip.Document, g.ARN+"#"+ip.Name)
			}
		}
		for _, r := range a.Roles {
			for _, ip := range r.InlinePolicies {
				set(ip.Document, r.ARN+"#"+ip.Name)
			}
			set(r.Trust, r.ARN)
		}
	}
	for arn, m := range e.ManagedPolicies {
		set(m.Document, arn)
	}
	for arn, r := range e.Resources {
		set(r.Policy, arn)
	}
	if e.Organization != nil {
		for id, p := range e.Organization.Policies {
			set(p.Document, id)
		}
	}
}

// policyPathOf returns the path of a managed policy from its ARN's resource
// part ("policy/service-role/X" -> "/service-role/").
func policyPathOf(res string) string {
	const p = "policy"
	if len(res) < len(p) || res[:len(p)] != p {
		return "/"
	}
	rest := res[len(p):]
	i := len(rest) - 1
	for i >= 0 && rest[i] != '/' {
		i--
	}
	if i <= 0 {
		return "/"
	}
	return rest[:i+1]
}
