// Package accessdiff finds what one state of policies allows that another
// does not: the question of IAM Access Analyzer's CheckNoNewAccess, asked
// offline of the engine, for two documents of one policy type or two
// states of a principal's layers.
//
// Both states are decided on the same finite set of requests, built from
// the elements of both (see points.go), so that a difference the documented
// semantics make shows, and a rewrite that changes no decision (statements
// reordered or split, Sids renamed, wildcards written another way) shows
// none.
package accessdiff

import (
	"fmt"
	"sort"
	"strings"

	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/policy"
)

// Condition is a context key with the values under which a difference
// appears.
type Condition struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
	// Absent: the difference appears when the key, which the
	// environment gives the request, is left out (environment
	// comparisons only).
	Absent bool `json:"absent"`
}

// Statement names the statement that grants an access.
type Statement struct {
	Policy    string `json:"policy"`
	Statement string `json:"statement"`
	Location  string `json:"location"`
}

// Access is one action on one resource that one state allows and the
// other does not.
type Access struct {
	Principal string `json:"principal"`
	Action    string `json:"action"`
	// Resource is the policy's resource pattern the difference was found
	// on, or "*" for any resource of the action's types.
	Resource string `json:"resource"`
	// Example is the resource ARN decided, when it differs from Resource;
	// "" (JSON null) otherwise.
	Example string `json:"example"`
	// Conditions are the context keys the request carried; empty when
	// the difference needs none.
	Conditions []Condition `json:"conditions"`
	// GrantedBy is the statement of the allowing state that allows it.
	GrantedBy *Statement `json:"granted_by"`
	// Decision is the other state's decision (implicit-deny,
	// explicit-deny, undetermined; "", JSON null, when the principal or
	// the role the request is on does not exist there).
	Decision string `json:"decision"`
	// Reason says why a side could not decide; "" (JSON null) when both
	// did.
	Reason string `json:"reason"`
}

// Result is the comparison of an old and a new state.
type Result struct {
	// NewAccess is allowed by the new state and not by the old.
	NewAccess []Access `json:"new_access"`
	// RemovedAccess is allowed by the old state and not by the new.
	RemovedAccess []Access `json:"removed_access"`
	// Undetermined are requests either state could not decide: neither a
	// difference nor its absence is shown for them.
	Undetermined []Access `json:"undetermined"`
	// Requests is how many requests were decided in each state.
	Requests int `json:"requests"`
	// Notes say what was assumed.
	Notes []string `json:"notes"`
}

// Options tune a comparison.
type Options struct {
	// Catalog gives the actions and resource types; default
	// catalog.Default().
	Catalog *catalog.Catalog
	// Principal is the caller for identity, boundary, session, SCP, RCP
	// and VPC endpoint policies; default a role of Account.
	Principal string
	// Account is the account of the caller and of the resources;
	// default 111122223333.
	Account string
	// Resource is the resource a trust policy or resource-based policy
	// belongs to, when its statements name none (a role's ARN for a trust
	// policy).
	Resource string
	// MaxRequests bounds the requests decided in each state; default
	// 5,000,000. A comparison that would need more fails rather than
	// answering on part of them.
	MaxRequests int
}

func (o *Options) defaults() {
	if o.Catalog == nil {
		o.Catalog = catalog.Default()
	}
	if o.Account == "" {
		o.Account = "111122223333"
	}
	if o.Principal == "" {
		o.Principal = "arn:aws:iam::" + o.Account + ":role/iamwhy-caller"
	}
	if o.MaxRequests == 0 {
		o.MaxRequests = 5_000_000
	}
}

// allowAll is the identity policy that lets another layer alone decide.
var allowAll = func() *eval.Policy {
	p, err := eval.ParseAndCompile("iamwhy:allow-all", []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`), policy.TypeIdentity)
	if err != nil {
		panic(err)
	}
	return p
}()

// fullAWSAccess is the AWS managed SCP a deny-list SCP sits beside.
var fullAWSAccess = func() *eval.Policy {
	p, err := eval.ParseAndCompile("p-FullAWSAccess", []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`), policy.TypeSCP)
	if err != nil {
		panic(err)
	}
	return p
}()

// hasAllow reports whether a document has an Allow statement.
func hasAllow(d *policy.Policy) bool {
	for i := range d.Statements {
		if d.Statements[i].Effect == policy.Allow {
			return true
		}
	}
	return false
}

// Policies compares two documents of one policy type: what newDoc allows
// that oldDoc does not, and the reverse. Each document is put alone in its
// layer, with the other layers open (an identity policy that allows
// everything, no SCPs), so that it alone decides.
func Policies(oldDoc, newDoc *policy.Policy, t policy.Type, opts Options) (*Result, error) {
	opts.defaults()
	oldP, newP := eval.Compile(name(oldDoc, "old"), oldDoc), eval.Compile(name(newDoc, "new"), newDoc)
	var sides [2]*eval.Layers
	for i, p := range []*eval.Policy{oldP, newP} {
		l := &eval.Layers{}
		switch t {
		case policy.TypeIdentity, policy.TypeAny:
			l.Identity = []*eval.Policy{p}
		case policy.TypeBoundary:
			l.Identity, l.Boundary = []*eval.Policy{allowAll}, p
		case policy.TypeSession:
			l.Identity, l.Session = []*eval.Policy{allowAll}, []*eval.Policy{p}
		case policy.TypeSCP:
			// A deny-list SCP is attached beside FullAWSAccess (every level
			// must allow, and its Denies only take away); an SCP with Allow
			// statements is an allow list and stands alone at its level.
			// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_strategies.html
			level := []*eval.Policy{p}
			if !hasAllow(p.Doc) {
				level = append(level, fullAWSAccess)
			}
			l.Identity, l.SCP = []*eval.Policy{allowAll}, [][]*eval.Policy{level}
		case policy.TypeRCP:
			l.Identity, l.RCP = []*eval.Policy{allowAll}, [][]*eval.Policy{{p}}
		case policy.TypeVPCEndpoint:
			l.Identity, l.VPCEndpoint = []*eval.Policy{allowAll}, p
		case policy.TypeResource, policy.TypeTrust:
			l.Resource = p
		default:
			return nil, fmt.Errorf("access-diff: policy type %s is not supported", t)
		}
		sides[i] = l
	}
	c := &comparison{opts: opts, old: sides[0], new: sides[1]}
	sts := append(statements(sides[0]), statements(sides[1])...)
	c.actions = actions(opts.Catalog, sts)
	c.patterns, c.wide = resources(sts)
	c.probes = probes(sts, 2000)
	switch t {
	case policy.TypeResource, policy.TypeTrust:
		c.resourcePolicy = true
		c.principals = resourcePolicyCallers(sts, opts.Account)
		if t == policy.TypeTrust {
			c.actions = trustActions(opts.Catalog, c.actions)
			if len(c.patterns) == 0 {
				r := opts.Resource
				if r == "" {
					r = "arn:aws:iam::" + opts.Account + ":role/iamwhy-role"
				}
				c.patterns, c.wide = []resourcePattern{{pattern: r, instance: r}}, false
			}
		} else if len(c.patterns) == 0 && opts.Resource != "" {
			c.patterns = []resourcePattern{{pattern: opts.Resource, instance: opts.Resource}}
		}
	case policy.TypeSession:
		c.principals = []string{sessionOf(opts.Principal)}
	default:
		c.principals = []string{opts.Principal}
	}
	if err := c.run(); err != nil {
		return nil, err
	}
	return c.result(), nil
}

func name(d *policy.Policy, def string) string {
	if d != nil && d.Source != "" {
		return d.Source
	}
	return def
}

// sessionOf is a session of a role caller, as session policies apply to.
func sessionOf(principal string) string {
	if a, ok := arn.Parse(principal); ok && strings.HasPrefix(a.Resource, "role/") {
		return "arn:" + a.Partition + ":sts::" + a.Account + ":assumed-role/" + a.Resource[strings.LastIndexByte(a.Resource, '/')+1:] + "/iamwhy-session"
	}
	return principal
}

// trustActions keeps the actions a trust policy governs.
func trustActions(cat *catalog.Catalog, acts []string) []string {
	var out []string
	for _, a := range acts {
		if eval.AuthorizedByTrustPolicy(a) {
			out = append(out, a)
		}
	}
	return out
}

// resourcePolicyCallers are the callers a resource-based policy can tell
// apart: every principal its statements name (an account as a role of
// that account), a caller of the resource's own account, and one from an
// account no statement names, standing for everyone else.
func resourcePolicyCallers(sts []*policy.Statement, account string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		if p != "" && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	add("arn:aws:iam::" + account + ":role/iamwhy-caller")
	for _, st := range sts {
		for _, e := range st.Principal.Entries {
			v := e.Value
			switch e.Kind {
			case policy.PrincipalAWS:
				switch {
				case v == "*":
				case arn.IsAccountID(v):
					add("arn:aws:iam::" + v + ":role/iamwhy-caller")
				case strings.HasSuffix(v, ":root"):
					add("arn:aws:iam::" + arn.Account(v) + ":role/iamwhy-caller")
				default:
					add(instance(v))
				}
			default:
				add(instance(v))
			}
		}
	}
	add("arn:aws:iam::999988887777:role/iamwhy-anyone")
	return out
}

// comparison is one run over the request set.
type comparison struct {
	opts           Options
	old, new       *eval.Layers
	actions        []string
	patterns       []resourcePattern
	wide           bool
	probes         []probe
	principals     []string
	resourcePolicy bool

	requests int
	found    map[string]*Access // by kind, principal, action, resource
	order    []string
}

// target is one resource to decide an action on.
type target struct {
	resource, example string
}

func (c *comparison) targets(action string) []target {
	var out []target
	for _, p := range c.patterns {
		if may, known := c.opts.Catalog.ActionMayApplyTo(action, p.pattern); known && !may {
			continue
		}
		t := target{resource: p.pattern}
		if p.instance != p.pattern {
			t.example = p.instance
		}
		out = append(out, t)
	}
	if c.wide || len(c.patterns) == 0 {
		for _, r := range typeARNs(c.opts.Catalog, action, c.opts.Account) {
			t := target{resource: "*"}
			if r != "*" {
				t.example = r
			}
			out = append(out, t)
		}
	}
	return out
}

func (c *comparison) run() error {
	c.found = map[string]*Access{}
	for _, action := range c.actions {
		for _, t := range c.targets(action) {
			res := t.resource
			if t.example != "" {
				res = t.example
			}
			for _, principal := range c.principals {
				oldL, newL := c.old, c.new
				if c.resourcePolicy && arn.Account(principal) != c.opts.Account && arn.Account(principal) != "" {
					// A caller of another account needs its own identity
					// policy too; give it one that allows everything, so
					// that the resource policy alone decides.
					oldL, newL = withIdentity(oldL), withIdentity(newL)
				}
				for _, pr := range c.probes {
					c.requests++
					if c.requests > c.opts.MaxRequests {
						return fmt.Errorf("access-diff: the comparison needs more than %d requests; compare fewer or narrower policies", c.opts.MaxRequests)
					}
					req := &eval.Request{Principal: principal, Action: action, Resource: res, ResourceAccount: c.opts.Account, Context: pr.context()}
					od, nd := eval.Decide(req, oldL), eval.Decide(req, newL)
					c.compare(req, t, pr, od, nd)
				}
			}
		}
	}
	return nil
}

// withIdentity adds the allow-everything identity policy to a copy.
func withIdentity(l *eval.Layers) *eval.Layers {
	cp := *l
	cp.Identity = append([]*eval.Policy{allowAll}, l.Identity...)
	return &cp
}

func (c *comparison) compare(req *eval.Request, t target, pr probe, od, nd eval.Decision) {
	oAllow, nAllow := od.Outcome == eval.Allow, nd.Outcome == eval.Allow
	kind := ""
	var granted eval.Decision
	var other eval.Decision
	switch {
	case od.Outcome == eval.Undetermined || nd.Outcome == eval.Undetermined:
		if oAllow || nAllow || od.Outcome != nd.Outcome {
			kind, granted, other = "undetermined", nd, od
		}
	case nAllow && !oAllow:
		kind, granted, other = "new", nd, od
	case oAllow && !nAllow:
		kind, granted, other = "removed", od, nd
	}
	if kind == "" {
		return
	}
	key := kind + "\x00" + req.Principal + "\x00" + req.Action + "\x00" + t.resource
	if _, dup := c.found[key]; dup {
		// The first probe to show it is the one with the fewest keys set.
		return
	}
	a := &Access{Principal: req.Principal, Action: req.Action, Resource: t.resource, Example: t.example,
		Conditions: pr.conditions(), Decision: other.Outcome.String()}
	switch {
	case granted.Outcome == eval.Undetermined:
		a.Reason = granted.Reason
	case other.Outcome == eval.Undetermined:
		a.Reason = other.Reason
	}
	if granted.Policy != nil {
		a.GrantedBy = &Statement{Policy: granted.Policy.Name, Statement: granted.StatementSid(), Location: granted.Location()}
	}
	c.found[key] = a
	c.order = append(c.order, key)
}

func (c *comparison) result() *Result {
	r := &Result{NewAccess: []Access{}, RemovedAccess: []Access{}, Undetermined: []Access{}, Requests: c.requests, Notes: []string{}}
	sort.Strings(c.order)
	for _, k := range c.order {
		a := *c.found[k]
		switch k[:strings.IndexByte(k, 0)] {
		case "new":
			r.NewAccess = append(r.NewAccess, a)
		case "removed":
			r.RemovedAccess = append(r.RemovedAccess, a)
		default:
			r.Undetermined = append(r.Undetermined, a)
		}
	}
	return r
}
