package snapshot

import (
	"errors"
	"fmt"
	"reflect"
)

// cacheForm is what the environment cache stores: the exported model, the
// organisation tree without its parent links (gob encodes no cycles), and
// the indexes Load builds that the model does not hold. environment()
// rebuilds the rest exactly as Load leaves it; TestCacheRoundTrip compares
// the two field by field, private fields included, so a field added to
// the model without being cached fails that test.
type cacheForm struct {
	Accounts        map[string]*Account
	ManagedPolicies map[string]*ManagedPolicy
	Org             *cacheOrg
	Resources       map[string]*Resource
	S3Accounts      map[string]*S3Account
	Stats           Stats
	Missing         []string
	Warnings        []string
	NoCatalog       bool
	VPCEndpoints    map[string]string // endpoint id -> resource ARN
	Canonical       map[string]string
	// EmptyMarks are the walk numbers of the empty non-nil slices and maps
	// of this form (cacheempty.go); computed last, over the rest.
	EmptyMarks []int
	// DocSpans are, for each document in walk order, the span of its JSON
	// in the blob that follows the gob payload: the bulk of an
	// environment is document text, and slicing one buffer is much
	// cheaper than gob copying each document.
	DocSpans []docSpan
}

type docSpan struct{ Off, Len int }

type cacheOrg struct {
	ID                string
	ManagementAccount string
	Policies          map[string]*OrgPolicy
	Root              *cacheOrgNode
	Source            string
}

type cacheOrgNode struct {
	Kind     NodeKind
	ID       string
	Name     string
	SCPs     []string
	RCPs     []string
	OUs      []*cacheOrgNode
	Accounts []*cacheOrgNode
	Source   string
}

func toCacheForm(e *Environment) *cacheForm {
	cf := &cacheForm{Accounts: e.Accounts, ManagedPolicies: e.ManagedPolicies, Resources: e.Resources,
		S3Accounts: e.S3Accounts, Stats: e.Stats, Missing: e.Missing, Warnings: e.Warnings,
		NoCatalog: e.opts.NoCatalog, Canonical: e.canonical, VPCEndpoints: map[string]string{}}
	for id, r := range e.vpce {
		cf.VPCEndpoints[id] = r.ARN
	}
	if o := e.Organization; o != nil {
		cf.Org = &cacheOrg{ID: o.ID, ManagementAccount: o.ManagementAccount, Policies: o.Policies, Source: o.Source}
		var conv func(n *OrgNode) *cacheOrgNode
		conv = func(n *OrgNode) *cacheOrgNode {
			if n == nil {
				return nil
			}
			c := &cacheOrgNode{Kind: n.Kind, ID: n.ID, Name: n.Name, SCPs: n.SCPs, RCPs: n.RCPs, Source: n.Source}
			for _, ou := range n.OUs {
				c.OUs = append(c.OUs, conv(ou))
			}
			for _, a := range n.Accounts {
				c.Accounts = append(c.Accounts, conv(a))
			}
			return c
		}
		cf.Org.Root = conv(o.Root)
	}
	return cf
}

// restore undoes what encoding took out of a decoded form, in one walk
// (two walks over a large environment were a third of reading its cache):
// each document gets its text from the blob (its span in DocSpans), and the
// containers EmptyMarks names are made empty again.
func (cf *cacheForm) restore(blob []byte) error {
	marks, spans := cf.EmptyMarks, cf.DocSpans
	// As when the marks were computed: these two were nil then.
	cf.EmptyMarks, cf.DocSpans = nil, nil
	n, next, i := 0, 0, 0
	var bad error
	walk(reflect.ValueOf(cf), func(c reflect.Value) {
		if next < len(marks) && marks[next] == n {
			makeEmpty(c)
			next++
		}
		n++
	}, func(d *Document) {
		if i >= len(spans) {
			bad = errors.New("more documents than spans")
			return
		}
		sp := spans[i]
		i++
		if sp.Off < 0 || sp.Len < 0 || sp.Off+sp.Len > len(blob) {
			bad = errors.New("document span outside the blob")
			return
		}
		if sp.Len > 0 {
			d.JSON = blob[sp.Off : sp.Off+sp.Len : sp.Off+sp.Len]
		}
	})
	switch {
	case bad != nil:
		return bad
	case i != len(spans):
		return errors.New("fewer documents than spans")
	case next != len(marks):
		return fmt.Errorf("cache form shape: %d of %d empty containers found", next, len(marks))
	}
	return nil
}

// environment rebuilds a finished Environment from a restored form.
func (cf *cacheForm) environment() (*Environment, error) {
	e := New(Options{NoCatalog: cf.NoCatalog})
	if cf.Accounts != nil {
		e.Accounts = cf.Accounts
	}
	if cf.ManagedPolicies != nil {
		e.ManagedPolicies = cf.ManagedPolicies
	}
	if cf.Resources != nil {
		e.Resources = cf.Resources
	}
	e.S3Accounts, e.Stats, e.Missing, e.Warnings, e.canonical = cf.S3Accounts, cf.Stats, cf.Missing, cf.Warnings, cf.Canonical
	for _, arn := range cf.Missing {
		e.missing[arn] = true
	}
	for id, a := range e.Accounts {
		if a == nil || a.ID != id {
			return nil, fmt.Errorf("account %q does not match its key", id)
		}
		a.usersByName, a.groupsByName, a.rolesByName = map[string]*User{}, map[string]*Group{}, map[string]*Role{}
		for _, u := range a.Users {
			a.usersByName[u.Name] = u
			e.users[u.ARN] = u
		}
		for _, g := range a.Groups {
			a.groupsByName[g.Name] = g
		}
		for _, r := range a.Roles {
			a.rolesByName[r.Name] = r
			e.roles[r.ARN] = r
		}
		// One policy object, as Load shares it between the account and
		// the environment.
		for i, p := range a.Policies {
			if mp := e.ManagedPolicies[p.ARN]; mp != nil {
				a.Policies[i] = mp
			}
		}
	}
	for id, arn := range cf.VPCEndpoints {
		r := e.Resources[arn]
		if r == nil {
			return nil, fmt.Errorf("VPC endpoint %s: no resource %s", id, arn)
		}
		e.vpce[id] = r
	}
	if o := cf.Org; o != nil {
		org := &Organization{ID: o.ID, ManagementAccount: o.ManagementAccount, Policies: o.Policies, Source: o.Source,
			accounts: map[string]*OrgNode{}}
		if org.Policies == nil {
			org.Policies = map[string]*OrgPolicy{}
		}
		var conv func(c *cacheOrgNode, parent *OrgNode) *OrgNode
		conv = func(c *cacheOrgNode, parent *OrgNode) *OrgNode {
			if c == nil {
				return nil
			}
			n := &OrgNode{Kind: c.Kind, ID: c.ID, Name: c.Name, SCPs: c.SCPs, RCPs: c.RCPs, Parent: parent, Source: c.Source}
			for _, ou := range c.OUs {
				n.OUs = append(n.OUs, conv(ou, n))
			}
			for _, a := range c.Accounts {
				n.Accounts = append(n.Accounts, conv(a, n))
			}
			if n.Kind == NodeAccount {
				org.accounts[n.ID] = n
			}
			return n
		}
		org.Root = conv(o.Root, nil)
		e.Organization = org
	}
	e.finished = true
	return e, nil
}
