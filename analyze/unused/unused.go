// Package unused finds, for each principal of an environment, the actions
// its identity policies grant that it did not use: each granted action
// (wildcards expanded per service with the service reference) is used (an
// authorised call needed it within the trail's window), unused (no such
// call, and the trail would have recorded one) or unknown (the trail
// cannot tell: data events it does not hold, actions CloudTrail does not
// log, an account it does not cover), with the reason. IAM's last-accessed
// data (get-service-last-accessed-details) fills in for principals the
// trail does not cover.
//
// For each policy that grants unused actions, a removal proposal: the
// policy without them (for an AWS managed policy, the customer managed
// policy to replace it), verified by re-simulating every used call (still
// allowed) and every removed action (now denied) through the engine.
package unused

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iamwhy/iamwhy/analyze/internal/callkey"
	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/policy"
	"github.com/iamwhy/iamwhy/snapshot"
	"github.com/iamwhy/iamwhy/trail"
)

// Options say what to analyse.
type Options struct {
	// Principals are the user and role ARNs to report; empty means every
	// user and role of the environment.
	Principals []string
	// OwnerTag is the tag whose value names the principal's owner; ""
	// means "owner".
	OwnerTag string
	// LastAccessed are IAM's last-accessed reports, each for one
	// principal (ReadLastAccessed).
	LastAccessed []*LastAccessed
	// Catalog is the service reference; nil means catalog.Default().
	Catalog *catalog.Catalog
}

// Analyzer collects the calls of an environment's principals from
// CloudTrail records. Add is safe for concurrent use.
type Analyzer struct {
	o     Options
	c     *catalog.Catalog
	env   *snapshot.Environment
	princ []*principalState
	// byKey finds a principal from a record: "role:ACCOUNT:lowername" or
	// "user:ARN".
	byKey map[string]*principalState
	// byIssuer caches lookup for role session issuers: role ARN ->
	// *principalState (nil for roles not analysed); issuers counts the
	// entries stored.
	byIssuer sync.Map
	issuers  atomic.Int64

	mu         sync.Mutex
	from, to   time.Time
	records    int64
	accounts   map[string]int64 // recipientAccountId -> records
	dataSource map[string]int64 // eventSource -> data events
	readEvents int64            // read-only management events

	// expansions caches expandCached; scpLevels the ceiling of each
	// organisation node's SCPs (nil: not known).
	expansions map[string]map[string]bool
	scpLevels  map[*snapshot.OrgNode]*ceiling
}

// principalState is one principal's grants and calls.
type principalState struct {
	arn     string
	account string
	p       *snapshot.Principal
	owner   *string
	// grants: action -> names of the granting policies.
	grants map[string][]string
	// blocked: granted actions a permissions boundary or an SCP refuses
	// on every resource (applyCeilings).
	blocked map[string]blockedAction
	docs    []*policyDoc
	// used: action -> last time an authorised call needed it.
	used map[string]time.Time
	// requests: distinct authorised requests, for re-simulation.
	requests map[reqKey]keptRequest
	// seen maps a call (callkey.Of) to the requests it rebuilt into.
	seen map[callkey.Key][]reqKey
	// perAction counts the requests kept per action (maxRequestsPerAction);
	// rebuilt the calls rebuilt that needed it (maxRebuildsPerAction).
	perAction map[string]int
	rebuilt   map[string]int
	calls     int64
	la        *LastAccessed
	// mu guards the fields Add changes (used, requests, seen, perAction,
	// calls).
	mu    sync.Mutex
	notes []string
}

type reqKey struct{ action, resource, passedTo string }

// maxRequestsPerAction bounds the distinct requests kept per used action
// for the re-simulation of a removal proposal (memory stays bounded on a
// trail of millions of distinct calls). The proposal keeps every used
// action in every statement that granted it, with the statement's
// resources and conditions unchanged, so the requests not kept are allowed
// on the same grounds as those re-simulated.
const maxRequestsPerAction = 4

// maxSeen bounds the per-principal cache of calls already rebuilt.
const maxSeen = 512

// policyDoc is one identity policy of a principal.
type policyDoc struct {
	name       string // as diagnose names policies: ARN or OWNER_ARN#name
	awsManaged bool
	doc        *policy.Policy
	compiled   *eval.Policy
	// stmtActions[i] are the actions statement i grants (nil for
	// statements that grant nothing: Deny).
	stmtActions []map[string]bool
}

// New prepares the principals of env.
func New(env *snapshot.Environment, o Options) (*Analyzer, error) {
	a := &Analyzer{o: o, c: o.Catalog, env: env, byKey: map[string]*principalState{},
		accounts: map[string]int64{}, dataSource: map[string]int64{},
		expansions: map[string]map[string]bool{}, scpLevels: map[*snapshot.OrgNode]*ceiling{}}
	if a.c == nil {
		a.c = catalog.Default()
	}
	if a.o.OwnerTag == "" {
		a.o.OwnerTag = "owner"
	}
	arns := o.Principals
	if len(arns) == 0 {
		for _, id := range env.AccountIDs() {
			acct, ok := env.Accounts[id]
			if !ok {
				continue
			}
			for _, r := range acct.Roles {
				arns = append(arns, r.ARN)
			}
			for _, u := range acct.Users {
				arns = append(arns, u.ARN)
			}
		}
	}
	sort.Strings(arns)
	las := map[string]*LastAccessed{}
	for _, la := range o.LastAccessed {
		las[la.Principal] = la
	}
	for _, p := range arns {
		st, err := a.principal(p)
		if err != nil {
			return nil, err
		}
		if la, ok := las[p]; ok {
			st.la = la
			delete(las, p)
		}
		if a.byKey[st.key()] != nil {
			continue // named twice
		}
		a.princ = append(a.princ, st)
		a.byKey[st.key()] = st
	}
	for p := range las {
		return nil, fmt.Errorf("--last-accessed for %s: not a principal being analysed", p)
	}
	return a, nil
}

func (st *principalState) key() string {
	if st.p.Kind == snapshot.PrincipalUser {
		return "user:" + st.arn
	}
	_, name := arn.PathName(strings.TrimPrefix(mustResource(st.arn), "role/"))
	return "role:" + st.account + ":" + strings.ToLower(name)
}

// roleKey is the byKey key of the role a session issuer's ARN names.
func roleKey(role string) string {
	_, name := arn.PathName(strings.TrimPrefix(mustResource(role), "role/"))
	return "role:" + arn.Account(role) + ":" + strings.ToLower(name)
}

func mustResource(s string) string {
	a, _ := arn.Split(s)
	return a.Resource
}

func (a *Analyzer) principal(p string) (*principalState, error) {
	sp, err := a.env.Principal(p)
	if err != nil {
		return nil, fmt.Errorf("principal %s: %w", p, err)
	}
	if sp.Kind != snapshot.PrincipalUser && sp.Kind != snapshot.PrincipalRole {
		return nil, fmt.Errorf("principal %s: give a user or role ARN (a %s is not analysed on its own)", p, sp.Kind)
	}
	st := &principalState{arn: sp.PrincipalARN(), account: sp.Account, p: sp, grants: map[string][]string{}, blocked: map[string]blockedAction{},
		used: map[string]time.Time{}, requests: map[reqKey]keptRequest{}, seen: map[callkey.Key][]reqKey{}, perAction: map[string]int{}, rebuilt: map[string]int{}}
	st.owner = snapshot.Owner(sp.Tags, a.o.OwnerTag)
	st.notes = append(st.notes, sp.Gaps...)
	for _, ip := range sp.Policies {
		if ip.Document == nil {
			continue // listed in Gaps
		}
		d, err := a.policyDoc(st, ip)
		if err != nil {
			return nil, err
		}
		st.docs = append(st.docs, d)
	}
	a.expandGrants(st)
	a.applyCeilings(st)
	return st, nil
}

func (a *Analyzer) policyDoc(st *principalState, ip snapshot.IdentityPolicy) (*policyDoc, error) {
	name := ip.Document.ID
	if name == "" {
		if ip.ARN != "" {
			name = ip.ARN
		} else {
			owner := st.p.ARN
			if ip.Group != "" {
				owner = "arn:" + arn.Partition(st.arn) + ":iam::" + st.account + ":group/" + ip.Group
			}
			name = owner + "#" + ip.Name
		}
	}
	doc, err := ip.Document.Policy(policy.TypeIdentity)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	d := &policyDoc{name: name, awsManaged: strings.Contains(ip.ARN, ":iam::aws:policy/"), doc: doc,
		compiled: eval.Compile(name, doc)}
	return d, nil
}

// Matches reports whether a record is a call of one of the principals.
func (a *Analyzer) Matches(r *trail.Record) bool { return a.lookup(r) != nil }

func (a *Analyzer) lookup(r *trail.Record) *principalState {
	u := &r.UserIdentity
	switch u.Type {
	case "AssumedRole":
		role := u.SessionContext.SessionIssuer.ARN
		if role == "" {
			role, _ = arn.SessionRoleARN(u.ARN)
		}
		if role == "" {
			return nil
		}
		// The issuer's ARN repeats in every record of the role's
		// sessions: its principal is found once.
		if v, ok := a.byIssuer.Load(role); ok {
			st, _ := v.(*principalState)
			return st
		}
		st := a.byKey[roleKey(role)]
		if a.issuers.Add(1) <= maxIssuers {
			a.byIssuer.Store(role, st)
		}
		return st
	case "IAMUser":
		return a.byKey["user:"+u.ARN]
	}
	return nil
}

// maxIssuers bounds the role ARNs remembered by lookup.
const maxIssuers = 1 << 16

// Members are the record members Add reads for every record (given to
// trail.Options.Members, the rest is decoded only for the calls Add
// rebuilds into requests): the caller, the event's kind and outcome, what
// the trail covers, what callkey.OfResources tells calls apart by, and
// what trail.ReplayTargets reads (trail.TargetMembers), so that a call
// is decoded whole only when one of its requests is kept.
var Members = append([]string{"userIdentity.sessionContext.sessionIssuer.arn", "errorCode", "eventType", "eventCategory"},
	trail.TargetMembers...)

// Add takes one record: what the trail covers (accounts, data events,
// read events, the window), and, for a principal's authorised call, the
// actions it used.
func (a *Analyzer) Add(r *trail.Record) {
	st := a.lookup(r)
	a.mu.Lock()
	a.records++
	a.accounts[r.Account()]++
	if r.EventCategory == "Data" {
		a.dataSource[r.EventSource]++
	} else if r.ReadOnly == "true" {
		a.readEvents++
	}
	if !r.Time.IsZero() {
		if a.from.IsZero() || r.Time.Before(a.from) {
			a.from = r.Time
		}
		if r.Time.After(a.to) {
			a.to = r.Time
		}
	}
	a.mu.Unlock()
	if st == nil || trail.IsAccessDenied(r.ErrorCode) || r.EventType == "AwsServiceEvent" {
		return
	}
	acts, m := a.c.EventActionsWithParameters(r.EventSource, r.EventName, r.RequestParameters)
	mapped := m.Kind == catalog.EventDerived || m.Kind == catalog.EventException
	// A call that passes a role also uses iam:PassRole (PassedRoles
	// parses the parameters only when they name a role at all).
	passes := bytes.Contains(r.RequestParameters, []byte(":role/")) && len(trail.PassedRoles(r)) > 0
	// The principal's own lock: calls of different principals do not
	// wait on each other.
	st.mu.Lock()
	// When every action of the call (and iam:PassRole when it passes a
	// role) already has its requests kept for the re-simulation,
	// rebuilding it would change nothing but the actions' last use (a
	// call seen before would touch the same actions), so it needs neither
	// its key nor a rebuild.
	if mapped && st.saturated(acts) && (!passes || st.saturated(passRole)) {
		st.calls++
		touched := acts
		if passes {
			touched = append(append([]string(nil), acts...), passRole...)
		}
		for _, act := range touched {
			if last, ok := st.used[act]; !ok || r.Time.After(last) {
				st.used[act] = r.Time
			}
		}
		st.mu.Unlock()
		return
	}
	// A call seen before uses the same actions on the same resources:
	// only its time counts (requests are kept by action and resource, so
	// the call's context does not matter here).
	key := callkey.OfResources(r)
	if keys, ok := st.seen[key]; ok {
		st.calls++
		st.touch(keys, r.Time)
		st.mu.Unlock()
		return
	}
	st.mu.Unlock()

	var keys []reqKey
	var reqs []*eval.Request
	cacheable := true
	if mapped {
		ropts := trail.RequestOptions{
			Actions:   func(string, string) []string { return acts },
			Resources: a.c.ScopeResources,
			PassRole:  true,
		}
		// The targets (action, resource, role passed) come from members
		// Read decoded; the requests, whose context costs most of a
		// rebuild, are built only when one of them is to be kept.
		targets, fromResponse := trail.ReplayTargets(r, ropts)
		cacheable = !fromResponse
		keys = make([]reqKey, len(targets))
		for i, t := range targets {
			keys[i] = reqKey{action: t.Action, resource: t.Resource, passedTo: t.PassedTo}
		}
		if st.wants(keys) {
			// Rebuilding needs every field; Read may have decoded only
			// Members.
			if err := r.DecodeAll(); err != nil {
				return
			}
			// The same rebuilding in the same order: the requests match
			// the keys one to one.
			if rp := trail.ToReplay(r, ropts); len(rp.Requests) == len(keys) {
				reqs = rp.Requests
			}
		}
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.calls++
	if len(st.seen) < maxSeen && cacheable {
		st.seen[key] = keys
	}
	counted := map[string]bool{}
	for _, k := range keys {
		if !counted[k.action] {
			counted[k.action] = true
			st.rebuilt[k.action]++
		}
	}
	for i, k := range keys {
		if _, kept := st.requests[k]; !kept && st.perAction[k.action] < maxRequestsPerAction {
			if reqs == nil {
				// wants said no place was free, and places are never
				// freed.
				continue
			}
			st.requests[k] = keep(reqs[i])
			st.perAction[k.action]++
		}
	}
	st.touch(keys, r.Time)
}

// wants reports whether one of the requests would be kept for the
// re-simulation (the test Add makes when storing them).
func (st *principalState) wants(keys []reqKey) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, k := range keys {
		if _, kept := st.requests[k]; !kept && st.perAction[k.action] < maxRequestsPerAction {
			return true
		}
	}
	return false
}

// saturated reports whether every action has maxRequestsPerAction
// requests kept.
func (st *principalState) saturated(acts []string) bool {
	for _, a := range acts {
		if st.perAction[a] < maxRequestsPerAction && st.rebuilt[a] < maxRebuildsPerAction {
			return false
		}
	}
	return len(acts) > 0
}

var passRole = []string{"iam:PassRole"}

// maxRebuildsPerAction: after this many calls needing an action were
// rebuilt, an action with fewer than maxRequestsPerAction distinct
// requests (one whose calls all rebuild to "*" or to the same few
// resources) is taken to have its requests for the re-simulation: later
// calls only update its last use.
const maxRebuildsPerAction = 16

// touch records that the requests' actions were used at t.
func (st *principalState) touch(keys []reqKey, t time.Time) {
	for _, k := range keys {
		if last, ok := st.used[k.action]; !ok || t.After(last) {
			st.used[k.action] = t
		}
	}
}
