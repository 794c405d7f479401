// Package drift compares two environments that should be alike, staging
// and production: after a map of accounts and names, which principals,
// attachments, boundaries, resource policies, SCP/RCP attachments and
// trust relations only one has (structure), and which requests of a
// paired principal on a paired resource one allows and the other does not
// (access), each decided by the engine with every layer and attributed to
// the layer, policy and statement that make the difference.
package drift

import (
	"sort"

	"github.com/iamwhy/iamwhy/analyze/accessdiff"
	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/snapshot"
)

// Report is the drift between environment A and environment B.
type Report struct {
	FormatVersion int          `json:"format_version"`
	Pairs         Pairs        `json:"pairs"`
	Differences   []Difference `json:"differences"`
	// NoOwner lists the principals (users and roles, in their own
	// environment's names) without the owner tag.
	NoOwner []string `json:"no_owner"`
	// Requests is how many requests were decided in each environment.
	Requests int `json:"requests"`
	// Notes say what was assumed (the map used, callers decided with
	// their own identity policies taken to allow).
	Notes []string `json:"notes"`
}

// Pairs counts what the map paired.
type Pairs struct {
	Principals int `json:"principals"`
	Resources  int `json:"resources"`
	// OnlyInA and OnlyInB are the principals and resources one side
	// lacks, in their own names.
	OnlyInA []string `json:"only_in_a"`
	OnlyInB []string `json:"only_in_b"`
}

// Condition is a context key and the values under which an access
// difference appears.
type Condition = accessdiff.Condition

// Difference is one structure or access difference. Every field is
// present; those that do not apply to the kind are null.
type Difference struct {
	// Kind is "access" or "structure".
	Kind string `json:"kind"`
	// What a structure difference is: principal, policy_attachment,
	// group_membership, boundary, resource, resource_policy,
	// scp_attachment, rcp_attachment, trust.
	What       *string `json:"what"`
	PrincipalA *string `json:"principal_a"`
	PrincipalB *string `json:"principal_b"`
	// OwnerA and OwnerB are the principals' owner tags.
	OwnerA    *string `json:"owner_a"`
	OwnerB    *string `json:"owner_b"`
	Action    *string `json:"action"`
	ResourceA *string `json:"resource_a"`
	ResourceB *string `json:"resource_b"`
	// AllowedIn is the environment that allows ("a" or "b"); null when
	// neither does (one could not decide).
	AllowedIn *string `json:"allowed_in"`
	DecisionA *string `json:"decision_a"`
	DecisionB *string `json:"decision_b"`
	// Layer, Policy, Statement and Location attribute an access
	// difference: the deny that decides in the denying environment, or,
	// for an implicit deny, the first layer there that does not allow and
	// the statement that allows in the other. For a structure difference
	// Policy names what only one side has.
	Layer     *string `json:"layer"`
	Policy    *string `json:"policy"`
	Statement *string `json:"statement"`
	Location  *string `json:"location"`
	// Condition is null when the difference appears under the context
	// the environments give; else the key (the first, when several) and
	// values under which it appears. Conditions lists every key.
	Condition  *Condition  `json:"condition"`
	Conditions []Condition `json:"conditions"`
	// Reason says why a side could not decide.
	Reason *string `json:"reason"`
	// OnlyIn is the side that has what a structure difference names.
	OnlyIn *string `json:"only_in"`
	// Account is the account (in A's names) an SCP or RCP attachment
	// difference is about.
	Account *string `json:"account"`
	// Trusted is the principal a trust relation names.
	Trusted *string `json:"trusted"`
}

// Options tune a comparison.
type Options struct {
	// Map pairs accounts and names; nil: the same names, or, when each
	// environment holds exactly one account, those two accounts.
	Map *Map
	// OwnerTag names the tag holding a principal's owner; default
	// "owner".
	OwnerTag string
	// Region is aws:RequestedRegion for requests on resources whose ARN
	// names none; default us-east-1.
	Region string
	// Catalog gives actions and resource types; default catalog.Default().
	Catalog *catalog.Catalog
	// MaxRequests bounds the requests decided (see accessdiff.EnvOptions).
	MaxRequests int
}

// Compare finds the drift between environments a and b.
func Compare(a, b *snapshot.Environment, opts Options) (*Report, error) {
	if opts.OwnerTag == "" {
		opts.OwnerTag = snapshot.DefaultOwnerTag
	}
	m, notes := effectiveMap(a, b, opts.Map)
	tr := m.translation(orgRewrites(a, b, m)...)
	r := &Report{FormatVersion: 1, Differences: []Difference{}, NoOwner: []string{}, Notes: notes,
		Pairs: Pairs{OnlyInA: []string{}, OnlyInB: []string{}}}
	st := &structure{a: a, b: b, names: tr, ownerTag: opts.OwnerTag, report: r}
	st.compare()
	c, err := accessdiff.CompareEnvironments(a, b, accessdiff.EnvOptions{Catalog: opts.Catalog, Names: tr, Paired: true,
		Region: opts.Region, MaxRequests: opts.MaxRequests})
	if err != nil {
		return nil, err
	}
	r.Requests = c.Requests
	r.Notes = append(r.Notes, c.Notes...)
	for i := range c.Differences {
		if d, ok := st.access(&c.Differences[i]); ok {
			r.Differences = append(r.Differences, d)
		}
	}
	sort.Strings(r.Pairs.OnlyInA)
	sort.Strings(r.Pairs.OnlyInB)
	sort.Strings(r.NoOwner)
	sort.Strings(r.Notes)
	return r, nil
}

// effectiveMap is the map given, or one pairing the only account of each
// side.
func effectiveMap(a, b *snapshot.Environment, m *Map) (*Map, []string) {
	if m == nil {
		m = &Map{}
	}
	if len(m.Accounts) > 0 {
		return m, []string{}
	}
	if len(a.Accounts) == 1 && len(b.Accounts) == 1 {
		var ia, ib string
		for id := range a.Accounts {
			ia = id
		}
		for id := range b.Accounts {
			ib = id
		}
		if ia != ib {
			cp := *m
			cp.Accounts = map[string]string{ia: ib}
			return &cp, []string{"no account map: the only account of each environment, " + ia + " and " + ib + ", are paired"}
		}
	}
	return m, []string{}
}

// orgRewrites pair the organisation ids (aws:PrincipalOrgID,
// aws:ResourceOrgID) when the two are different organisations and the map
// does not say.
func orgRewrites(a, b *snapshot.Environment, m *Map) []Rewrite {
	ia, ib := a.OrgID(), b.OrgID()
	if ia == "" || ib == "" || ia == ib {
		return nil
	}
	for _, r := range m.Names {
		if r.From == ia {
			return nil
		}
	}
	return []Rewrite{{From: ia, To: ib}}
}

func str(s string) *string { return &s }

func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// access turns an access difference of the engine into a drift
// difference; false for one on a principal or resource only one side has
// (a structure difference says so).
func (s *structure) access(d *accessdiff.EnvDifference) (Difference, bool) {
	if d.A.Absent || d.B.Absent {
		return Difference{}, false
	}
	out := Difference{Kind: "access", PrincipalA: str(d.PrincipalA), PrincipalB: str(d.PrincipalB), Action: str(d.Action),
		ResourceA: str(d.ResourceA), ResourceB: str(d.ResourceB), DecisionA: str(d.A.Outcome()), DecisionB: str(d.B.Outcome()),
		Conditions: d.Conditions}
	if out.Conditions == nil {
		out.Conditions = []Condition{}
	}
	if len(d.Conditions) > 0 {
		c := d.Conditions[0]
		out.Condition = &c
	}
	out.OwnerA, out.OwnerB = s.owner(s.a, d.PrincipalA), s.owner(s.b, d.PrincipalB)
	allowed, denied := d.A, d.B
	switch {
	case d.A.Decision.Outcome == eval.Allow:
		out.AllowedIn = str("a")
	case d.B.Decision.Outcome == eval.Allow:
		out.AllowedIn = str("b")
		allowed, denied = d.B, d.A
	}
	switch {
	case denied.Decision.Outcome == eval.Undetermined:
		out.Reason = opt(denied.Decision.Reason)
	case allowed.Decision.Outcome == eval.Undetermined:
		out.Reason = opt(allowed.Decision.Reason)
	}
	dd := denied.Decision
	out.Layer = opt(string(dd.Layer))
	attr := dd
	if dd.Policy == nil && out.AllowedIn != nil {
		attr = allowed.Decision
	}
	if attr.Policy != nil {
		out.Policy = str(attr.Policy.Name)
		out.Statement = opt(attr.StatementSid())
		out.Location = opt(attr.Location())
	}
	return out, true
}

// owner is the owner tag of a user or role of env.
func (s *structure) owner(env *snapshot.Environment, principal string) *string {
	p, err := env.Principal(principal)
	if err != nil {
		return nil
	}
	return snapshot.Owner(p.Tags, s.ownerTag)
}
