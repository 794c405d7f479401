// Package trust maps the cross-account trust of an environment: every edge
// by which a principal of one account, or from outside the organisation (a
// service, a SAML or OIDC provider, anyone), can reach a role or resource
// of another, through role trust policies and resource-based policies.
//
// A policy naming a principal is not yet access: each edge is decided by
// the engine with the environment's layers (SCPs of the caller's account,
// RCPs of the resource's account, the policy itself), first with no
// context, then with a context that meets the statement's conditions, so
// that an edge a guardrail blocks shows as blocked and one that holds only
// under conditions shows as conditional.
package trust

import (
	"fmt"
	"sort"
	"strings"

	"github.com/iamwhy/iamwhy/analyze/accessdiff"
	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/policy"
	"github.com/iamwhy/iamwhy/snapshot"
)

// Node is a principal or resource at one end of an edge.
type Node struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"` // role, user, account, service, federated, anyone, resource
	Account string `json:"account"`
	// Owner is the value of the owner tag of a role or user of the
	// environment; null when it has none or is not in the environment.
	Owner          *string `json:"owner"`
	InOrganization bool    `json:"in_organization"`
}

// Via names the policy statement that makes an edge.
type Via struct {
	Policy    string `json:"policy"`
	Statement string `json:"statement"`
	Location  string `json:"location"`
}

// Edge is one way from a principal to a role or resource.
type Edge struct {
	From    string   `json:"from"`
	To      string   `json:"to"`
	Kind    string   `json:"kind"` // assume-role, resource-access, kms-key, federation, service
	Actions []string `json:"actions"`
	// Status is allowed, conditional (only when the statement's
	// conditions hold) or blocked (another layer denies, or the
	// conditions cannot be met).
	Status string `json:"status"`
	// Conditions are the condition keys of the granting statement.
	Conditions          []string `json:"conditions"`
	OutsideOrganization bool     `json:"outside_organization"`
	// ConfusedDeputyRisk: a service principal trusted without
	// aws:SourceAccount, aws:SourceArn or aws:SourceOrgID.
	ConfusedDeputyRisk bool `json:"confused_deputy_risk"`
	// UnscopedFederation: a SAML or OIDC provider trusted without an
	// audience or subject condition.
	UnscopedFederation bool `json:"unscoped_federation"`
	Via                Via  `json:"via"`
	// Reason says what decided a blocked or conditional edge; "" (JSON
	// null) for an allowed one.
	Reason string `json:"reason"`
}

// Graph is the trust map.
type Graph struct {
	Nodes []Node `json:"nodes"`
	Edges []Edge `json:"edges"`
	// NoOwner lists the roles and users of the graph without the owner tag.
	NoOwner []string `json:"no_owner"`
	// Notes say what was assumed (the identity policies of accounts the
	// environment does not hold).
	Notes []string `json:"notes"`
}

// Options scope the map.
type Options struct {
	// Account keeps the edges into or out of this account.
	Account string
	// Principal keeps the edges reachable from this principal, through
	// role chains up to Depth.
	Principal string
	// ExternalOnly keeps the edges from outside the organisation.
	ExternalOnly bool
	// Depth bounds role chains from Principal; default 3.
	Depth int
	// OwnerTag is the tag naming a principal's owner; default "owner".
	OwnerTag string
	// Catalog expands action patterns; default catalog.Default().
	Catalog *catalog.Catalog
}

// Build maps the environment's trust.
func Build(env *snapshot.Environment, opts Options) (*Graph, error) {
	if opts.Depth <= 0 {
		opts.Depth = 3
	}
	if opts.OwnerTag == "" {
		opts.OwnerTag = snapshot.DefaultOwnerTag
	}
	if opts.Catalog == nil {
		opts.Catalog = catalog.Default()
	}
	b := &builder{env: env, opts: opts, notes: map[string]bool{}}
	for _, id := range env.AccountIDs() {
		acct := env.Accounts[id]
		if acct == nil {
			continue // an account of the organisation that was not collected
		}
		for _, r := range acct.Roles {
			if r.Trust == nil {
				continue
			}
			doc, err := r.Trust.Policy(policy.TypeTrust)
			if err != nil {
				return nil, fmt.Errorf("trust policy of %s: %w", r.ARN, err)
			}
			b.fromPolicy(r.ARN, r.Account, doc, r.Trust, true)
		}
	}
	arns := make([]string, 0, len(env.Resources))
	for a := range env.Resources {
		arns = append(arns, a)
	}
	sort.Strings(arns)
	for _, a := range arns {
		res := env.Resources[a]
		if res.Policy == nil {
			continue
		}
		doc, err := res.Policy.Policy(policy.TypeResource)
		if err != nil {
			return nil, fmt.Errorf("policy of %s: %w", a, err)
		}
		b.fromPolicy(a, res.Account, doc, res.Policy, false)
	}
	return b.graph(), nil
}

type builder struct {
	env   *snapshot.Environment
	opts  Options
	edges []Edge
	notes map[string]bool
}

// fromPolicy adds the edges of one policy's Allow statements.
func (b *builder) fromPolicy(to, toAccount string, doc *policy.Policy, src *snapshot.Document, trustPolicy bool) {
	for i := range doc.Statements {
		st := &doc.Statements[i]
		if st.Effect != policy.Allow || !st.Principal.Present || st.Principal.Not {
			continue
		}
		entries := st.Principal.Entries
		if st.Principal.Wildcard {
			entries = []policy.PrincipalEntry{{Kind: policy.PrincipalAWS, Value: "*"}}
		}
		for _, e := range entries {
			from, fromKind, fromAccount := principalNode(e)
			if fromKind == "account" || fromKind == "role" || fromKind == "user" {
				if fromAccount == toAccount {
					continue // trust within one account is not cross-account trust
				}
			}
			edge := Edge{From: from, To: to, Actions: b.actions(st, trustPolicy), Conditions: conditionKeys(st),
				Via: Via{Policy: src.ID, Statement: st.Label(), Location: location(src, st)}}
			switch {
			case fromKind == "service":
				edge.Kind = "service"
				edge.ConfusedDeputyRisk = !hasAnyKey(st, "aws:SourceAccount", "aws:SourceArn", "aws:SourceOrgID", "aws:SourceOrgPaths")
			case fromKind == "federated":
				edge.Kind = "federation"
				edge.UnscopedFederation = !federationScoped(e.Value, st)
			case trustPolicy:
				edge.Kind = "assume-role"
			case strings.HasPrefix(to, "arn:aws:kms:") || strings.Contains(to, ":kms:"):
				edge.Kind = "kms-key"
			default:
				edge.Kind = "resource-access"
			}
			if fromKind == "anyone" {
				edge.OutsideOrganization = true
			} else if fromAccount != "" {
				edge.OutsideOrganization = !b.inOrganization(fromAccount)
			}
			if len(edge.Actions) == 0 {
				continue
			}
			b.check(&edge, st, toAccount)
			b.edges = append(b.edges, edge)
		}
	}
}

// principalNode names the caller a principal entry stands for.
func principalNode(e policy.PrincipalEntry) (id, kind, account string) {
	v := e.Value
	switch e.Kind {
	case policy.PrincipalService:
		return v, "service", ""
	case policy.PrincipalFederated:
		return v, "federated", arn.Account(v)
	}
	switch {
	case v == "*":
		return "*", "anyone", ""
	case arn.IsAccountID(v):
		return "arn:aws:iam::" + v + ":root", "account", v
	case strings.HasSuffix(v, ":root"):
		return v, "account", arn.Account(v)
	}
	switch arn.PrincipalKindOf(v) {
	case arn.PrincipalKindOf("arn:aws:iam::111122223333:user/x"):
		return v, "user", arn.Account(v)
	}
	return v, "role", arn.Account(v)
}

// actions are the actions a statement grants: a literal action in the
// catalog's spelling, a pattern as written (a trust policy's, only the role
// assumption actions it covers).
func (b *builder) actions(st *policy.Statement, trustPolicy bool) []string {
	if st.Action.Not {
		return []string{"NotAction: " + joinValues(st.Action.Values)}
	}
	seen := map[string]bool{}
	var out []string
	add := func(a string) {
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	for _, v := range st.Action.Values {
		matched := b.opts.Catalog.MatchActions(v.Text)
		switch {
		case trustPolicy:
			for _, a := range matched {
				if eval.AuthorizedByTrustPolicy(a.FullName) {
					add(a.FullName)
				}
			}
			if len(matched) == 0 {
				add(v.Text)
			}
		case len(matched) == 1 && !strings.ContainsAny(v.Text, "*?"):
			add(matched[0].FullName)
		default:
			add(v.Text)
		}
	}
	sort.Strings(out)
	return out
}

// checkAction is the concrete action an edge is decided on: the first
// action its patterns match of the target's own service (a bucket policy's
// "s3:*" is decided as an S3 action), else the first they match.
func (b *builder) checkAction(e *Edge) string {
	svc := ""
	if a, ok := arn.Parse(e.To); ok {
		svc = a.Service
	}
	first, unknownType := "", ""
	for _, pat := range e.Actions {
		for _, a := range b.opts.Catalog.MatchActions(pat) {
			if first == "" {
				first = a.FullName
			}
			if svc != "" && a.Service.Prefix == svc {
				may, known := b.opts.Catalog.ActionMayApplyTo(a.FullName, e.To)
				if may && known {
					return a.FullName
				}
				if !known && unknownType == "" {
					unknownType = a.FullName
				}
			}
		}
	}
	if unknownType != "" {
		return unknownType
	}
	if first == "" && len(e.Actions) > 0 && strings.Contains(e.Actions[0], ":") && !strings.ContainsAny(e.Actions[0], "*?") {
		return e.Actions[0]
	}
	return first
}

func joinValues(vs []policy.Value) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.Text
	}
	return strings.Join(parts, ", ")
}

func conditionKeys(st *policy.Statement) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, c := range st.Conditions {
		if !seen[strings.ToLower(c.Key)] {
			seen[strings.ToLower(c.Key)] = true
			out = append(out, c.Key)
		}
	}
	return out
}

func hasAnyKey(st *policy.Statement, keys ...string) bool {
	for _, c := range st.Conditions {
		for _, k := range keys {
			if strings.EqualFold(c.Key, k) {
				return true
			}
		}
	}
	return false
}

// federationScoped reports whether a federated trust names its audience
// or subject: SAML:aud for a SAML provider, PROVIDER:aud or PROVIDER:sub
// for an OIDC provider.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
func federationScoped(provider string, st *policy.Statement) bool {
	host := provider
	if i := strings.Index(provider, ":oidc-provider/"); i >= 0 {
		host = provider[i+len(":oidc-provider/"):]
	}
	for _, c := range st.Conditions {
		k := strings.ToLower(c.Key)
		switch {
		case k == "saml:aud", k == "saml:sub":
			return true
		case strings.HasSuffix(k, ":aud") || strings.HasSuffix(k, ":sub") || strings.HasSuffix(k, ":amr"):
			if strings.HasPrefix(k, strings.ToLower(host)) || !strings.Contains(provider, "oidc-provider") {
				return true
			}
		}
	}
	return false
}

// location is where the statement is written. The positions of a parsed
// Document are already those of its file (Document.Policy).
func location(src *snapshot.Document, st *policy.Statement) string {
	if !st.Pos.IsValid() {
		return src.Where()
	}
	return st.Pos.In(src.ParseSource()).String()
}

func (b *builder) inOrganization(account string) bool {
	_, ok := b.env.AccountOrgID(account)
	return ok
}

// caller is the request principal an edge's start stands for.
func caller(from string) string {
	if from == "*" {
		return "arn:aws:iam::999988887777:role/iamwhy-anyone"
	}
	if strings.HasSuffix(from, ":root") {
		// Any principal of the account: a role of it.
		return "arn:aws:iam::" + arn.Account(from) + ":role/iamwhy-caller"
	}
	return from
}

// check decides the edge's first action with the environment's layers.
func (b *builder) check(e *Edge, st *policy.Statement, toAccount string) {
	action := b.checkAction(e)
	if action == "" {
		e.Status, e.Reason = "conditional", "the statement's actions are not a list iamwhy can decide"
		return
	}
	resource := e.To
	if strings.HasPrefix(e.To, "arn:aws:s3:::") && !strings.Contains(strings.TrimPrefix(e.To, "arn:aws:s3:::"), "/") && !bucketAction(action) {
		resource = e.To + "/iamwhy-object"
	}
	decide := func(ctx *eval.Context) (eval.Decision, error) {
		req := &eval.Request{Principal: caller(e.From), Action: action, Resource: resource, ResourceAccount: toAccount, Context: ctx}
		l, err := b.layers(req)
		if err != nil {
			return eval.Decision{}, err
		}
		return eval.Decide(req, l), nil
	}
	d, err := decide(&eval.Context{})
	if err != nil {
		e.Status, e.Reason = "conditional", err.Error()
		return
	}
	if d.Outcome == eval.Allow {
		e.Status = "allowed"
		return
	}
	if len(st.Conditions) > 0 {
		d2, err := decide(accessdiff.SatisfyingContext(st))
		if err == nil && d2.Outcome == eval.Allow {
			e.Status, e.Reason = "conditional", "allowed when the statement's conditions hold"
			return
		}
		if err == nil {
			d = d2
		}
	}
	e.Status = "blocked"
	e.Reason = fmt.Sprintf("%s by %s", d.Outcome, d.Layer)
	if d.Policy != nil {
		e.Reason += " (" + d.Policy.Name
		if s := d.StatementSid(); s != "" {
			e.Reason += " statement " + s
		}
		e.Reason += ")"
	}
	if d.Reason != "" {
		e.Reason += ": " + d.Reason
	}
}

func bucketAction(action string) bool {
	a := strings.ToLower(action)
	return strings.Contains(a, "bucket") || strings.HasPrefix(a, "s3:list")
}

// layers are the request's layers from the environment. A caller the
// environment does not hold (another organisation's account, anyone) gets
// an identity policy that allows everything: its own account's policies
// are not visible here, and the edge is about what this side permits.
func (b *builder) layers(req *eval.Request) (*eval.Layers, error) {
	if !strings.HasPrefix(req.Principal, "arn:") {
		return b.env.Layers(req) // a service principal: no identity policies
	}
	if _, err := b.env.Principal(req.Principal); err == nil {
		return b.env.Layers(req)
	}
	probe := &eval.Request{Principal: "iamwhy.amazonaws.com", Action: req.Action, Resource: req.Resource, Context: &eval.Context{}}
	l, err := b.env.Layers(probe)
	if err != nil {
		return nil, err
	}
	l.Identity = []*eval.Policy{allowAll}
	acct := arn.Account(req.Principal)
	b.notes[fmt.Sprintf("the identity policies of account %s are not in the environment: its edges are decided as if they allowed", acct)] = true
	return l, nil
}

var allowAll = func() *eval.Policy {
	p, err := eval.ParseAndCompile("iamwhy:caller-identity-assumed", []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`), policy.TypeIdentity)
	if err != nil {
		panic(err)
	}
	return p
}()

// graph applies the filters and gathers the nodes.
func (b *builder) graph() *Graph {
	edges := b.filter(b.edges)
	sort.SliceStable(edges, func(i, j int) bool {
		if edges[i].To != edges[j].To {
			return edges[i].To < edges[j].To
		}
		return edges[i].From < edges[j].From
	})
	g := &Graph{Nodes: []Node{}, Edges: edges, NoOwner: []string{}, Notes: []string{}}
	seen := map[string]bool{}
	for _, e := range edges {
		for _, id := range []string{e.From, e.To} {
			if !seen[id] {
				seen[id] = true
				n := b.node(id)
				g.Nodes = append(g.Nodes, n)
				if (n.Kind == "role" || n.Kind == "user") && n.Owner == nil && b.known(id) {
					g.NoOwner = append(g.NoOwner, id)
				}
			}
		}
	}
	sort.Slice(g.Nodes, func(i, j int) bool { return g.Nodes[i].ID < g.Nodes[j].ID })
	sort.Strings(g.NoOwner)
	for n := range b.notes {
		g.Notes = append(g.Notes, n)
	}
	sort.Strings(g.Notes)
	return g
}

func (b *builder) known(id string) bool {
	_, ok := b.env.Role(id)
	return ok
}

func (b *builder) node(id string) Node {
	n := Node{ID: id, Account: arn.Account(id)}
	switch {
	case id == "*":
		n.Kind = "anyone"
	case !strings.HasPrefix(id, "arn:"):
		n.Kind = "service"
	case strings.Contains(id, ":saml-provider/") || strings.Contains(id, ":oidc-provider/"):
		n.Kind = "federated"
	case strings.HasSuffix(id, ":root"):
		n.Kind = "account"
	case strings.Contains(id, ":role/"):
		n.Kind = "role"
	case strings.Contains(id, ":user/"):
		n.Kind = "user"
	default:
		n.Kind = "resource"
	}
	if n.Account != "" {
		n.InOrganization = b.inOrganization(n.Account)
	}
	if r, ok := b.env.Role(id); ok {
		n.Owner = snapshot.Owner(r.Tags, b.opts.OwnerTag)
	}
	return n
}

// filter keeps the edges the options ask for.
func (b *builder) filter(edges []Edge) []Edge {
	out := []Edge{}
	for _, e := range edges {
		if b.opts.ExternalOnly && !e.OutsideOrganization {
			continue
		}
		if b.opts.Account != "" && arn.Account(e.From) != b.opts.Account && arn.Account(e.To) != b.opts.Account {
			continue
		}
		out = append(out, e)
	}
	if b.opts.Principal == "" {
		return out
	}
	// The edges reachable from the principal: its own, then those of the
	// roles it reaches, up to Depth. A principal reaches an edge that starts
	// at it or at its account's root.
	reach := map[string]bool{b.opts.Principal: true}
	var kept []Edge
	used := make([]bool, len(out))
	for depth := 0; depth < b.opts.Depth; depth++ {
		// The principals reached before this step; those this step reaches
		// count from the next one.
		now := make(map[string]bool, len(reach))
		for p := range reach {
			now[p] = true
		}
		grew := false
		for i, e := range out {
			if used[i] {
				continue
			}
			if now[e.From] || (strings.HasSuffix(e.From, ":root") && reachesAccount(now, arn.Account(e.From))) {
				used[i] = true
				kept = append(kept, e)
				if e.Status != "blocked" && !reach[e.To] {
					reach[e.To] = true
					grew = true
				}
			}
		}
		if !grew {
			break
		}
	}
	if kept == nil {
		kept = []Edge{}
	}
	return kept
}

func reachesAccount(reach map[string]bool, account string) bool {
	for p := range reach {
		if arn.Account(p) == account {
			return true
		}
	}
	return false
}
