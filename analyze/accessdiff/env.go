package accessdiff

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/policy"
	"github.com/iamwhy/iamwhy/snapshot"
)

// Names translates the names of one environment (B) into another's (A)
// and back: account IDs, and role, user, policy and resource names inside
// ARNs. Comparing two states of one environment uses the names unchanged;
// comparing staging with production uses a map (see package drift).
type Names interface {
	ToB(s string) string
	FromB(s string) string
}

type sameNames struct{}

func (sameNames) ToB(s string) string   { return s }
func (sameNames) FromB(s string) string { return s }

// EnvOptions tune a comparison of two environments.
type EnvOptions struct {
	// Catalog gives the actions and resource types; default
	// catalog.Default().
	Catalog *catalog.Catalog
	// Names maps B's names to A's; nil: the same names.
	Names Names
	// Region is aws:RequestedRegion for a request on a resource whose ARN
	// names no region (an S3 bucket, an IAM role); default us-east-1. A
	// regional resource's requests carry the resource's region.
	Region string
	// Paired leaves out the principals only one environment holds (drift
	// reports those as structure).
	Paired bool
	// MaxRequests bounds the requests decided; default 5,000,000. A
	// comparison that would need more fails rather than answering on part
	// of them.
	MaxRequests int
	// MaxProbes bounds the contexts decided per request; default 64.
	MaxProbes int

	// exhaustive decides every request of every principal on every
	// resource, for tests that check the pruning against it.
	exhaustive bool
}

// SideDecision is one environment's answer to a request.
type SideDecision struct {
	Decision eval.Decision
	// Absent: the principal, or the role the request is on, does not
	// exist in this environment.
	Absent bool
}

// Outcome is the decision's name, or "absent".
func (s SideDecision) Outcome() string {
	if s.Absent {
		return "absent"
	}
	return s.Decision.Outcome.String()
}

func (s SideDecision) allows() bool { return !s.Absent && s.Decision.Outcome == eval.Allow }
func (s SideDecision) undetermined() bool {
	return !s.Absent && s.Decision.Outcome == eval.Undetermined
}

// EnvDifference is one request the two environments decide differently.
type EnvDifference struct {
	// Kind is "new" (B allows, A does not), "removed" (A allows, B does
	// not) or "undetermined" (either could not decide).
	Kind string
	// Principal is the caller in A's names; PrincipalA and PrincipalB are
	// its names in each environment.
	Principal, PrincipalA, PrincipalB string
	Action                            string
	// Resource is the pattern or resource the request stands for (A's
	// names), "*" for any resource of the action's types; ResourceA and
	// ResourceB are the ARNs decided in each environment.
	Resource, ResourceA, ResourceB string
	// Conditions are the context keys the request set beyond what the
	// environments give; empty when the difference needs none.
	Conditions []Condition
	A, B       SideDecision
}

// EnvComparison is the result of comparing two environments.
type EnvComparison struct {
	Differences []EnvDifference
	// Requests is how many requests were decided in each environment.
	Requests int
	// Principals is how many principals were compared (both sides, by A's
	// names); OnlyInA and OnlyInB are those one side lacks (in its own
	// names).
	Principals       int
	OnlyInA, OnlyInB []string
	// Notes say what was assumed.
	Notes []string
}

// Environments compares two states of an environment (old, then new: a
// snapshot and the same snapshot with a Terraform plan laid over it, or
// two snapshots): for every principal, every action on every resource its
// layers decide differently, each decided by the engine with every layer.
func Environments(oldEnv, newEnv *snapshot.Environment, opts EnvOptions) (*Result, error) {
	c, err := CompareEnvironments(oldEnv, newEnv, opts)
	if err != nil {
		return nil, err
	}
	r := &Result{NewAccess: []Access{}, RemovedAccess: []Access{}, Undetermined: []Access{}, Requests: c.Requests, Notes: c.Notes}
	for _, d := range c.Differences {
		a := Access{Principal: d.Principal, Action: d.Action, Resource: d.Resource, Conditions: d.Conditions}
		if d.ResourceA != d.Resource {
			a.Example = d.ResourceA
		}
		granting, other := d.B, d.A
		if d.Kind == "removed" || (d.Kind == "undetermined" && !d.B.allows() && !d.B.undetermined()) {
			granting, other = d.A, d.B
		}
		a.Decision = other.Outcome()
		if gd := granting.Decision; !granting.Absent && gd.Policy != nil {
			a.GrantedBy = &Statement{Policy: gd.Policy.Name, Statement: gd.StatementSid(), Location: gd.Location()}
		}
		switch {
		case granting.undetermined():
			a.Reason = granting.Decision.Reason
		case other.undetermined():
			a.Reason = other.Decision.Reason
		}
		switch d.Kind {
		case "new":
			r.NewAccess = append(r.NewAccess, a)
		case "removed":
			r.RemovedAccess = append(r.RemovedAccess, a)
		default:
			r.Undetermined = append(r.Undetermined, a)
		}
	}
	return r, nil
}

// envSide is one environment with what the comparison learnt of it.
type envSide struct {
	env      *snapshot.Environment
	to, from func(string) string
	// principals by A's name: the summary of the principal-side layers.
	principals map[string]*sideSummary
	names      map[string]string // A's name -> this side's name
	targets    map[string]*sideSummary
	accounts   map[string]*sideSummary
	cache      map[string]*layersEntry
	errs       map[string]error
	// mapped: names are translated (to is not the identity).
	mapped bool
	undo   []saved
}

// sideStmt is a statement with the translation of its side's names.
type sideStmt struct {
	st   *policy.Statement
	from func(string) string
}

type layersEntry struct {
	l          *eval.Layers
	ctx        *eval.Context
	resAccount string
	err        error
	absent     bool
}

type envRun struct {
	opts        EnvOptions
	cat         *catalog.Catalog
	a, b        *envSide
	global      bool
	chTargets   map[string]bool
	chAccounts  map[string]bool
	index       map[string][]string // principal key -> targets naming it
	targetStmts map[string][]sideStmt
	matchCache  map[string][]string
	applyCache  map[string]bool
	typeCache   map[string][]string
	probeCache  map[string][]probe
	noProbe     []probe
	// mu guards the caches above, which the workers share; total counts
	// the requests of every worker against MaxRequests.
	mu           *sync.Mutex
	total        *atomic.Int64
	notes        map[string]bool
	found        map[string]int
	diffs        []EnvDifference
	heldAccounts map[string]bool
}

// CompareEnvironments finds the requests environments a and b decide
// differently: for each principal (paired by Names), each action on each
// resource that a difference between the two can reach. Principals, resources
// and accounts whose policies and structure are the same on both sides
// need no work (see envside.go); a changed SCP changes every principal of
// the accounts under it, a changed RCP every resource of its accounts.
func CompareEnvironments(a, b *snapshot.Environment, opts EnvOptions) (*EnvComparison, error) {
	if opts.Catalog == nil {
		opts.Catalog = catalog.Default()
	}
	if opts.Names == nil {
		opts.Names = sameNames{}
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.MaxRequests == 0 {
		opts.MaxRequests = 5_000_000
	}
	if opts.MaxProbes == 0 {
		opts.MaxProbes = 64
	}
	id := func(s string) string { return s }
	r := &envRun{opts: opts, cat: opts.Catalog, notes: map[string]bool{}, found: map[string]int{},
		matchCache: map[string][]string{}, applyCache: map[string]bool{}, typeCache: map[string][]string{}, probeCache: map[string][]probe{}, noProbe: []probe{{keys: map[string]witness{}}},
		mu: &sync.Mutex{}, total: &atomic.Int64{}}
	r.a = r.load(a, id, id)
	r.b = r.load(b, opts.Names.ToB, opts.Names.FromB)
	_, r.b.mapped = opts.Names.(sameNames)
	r.b.mapped = !r.b.mapped
	r.changes()
	out := &EnvComparison{OnlyInA: []string{}, OnlyInB: []string{}, Notes: []string{}}
	union := map[string]bool{}
	for n := range r.a.principals {
		union[n] = true
	}
	for n := range r.b.principals {
		union[n] = true
	}
	names := make([]string, 0, len(union))
	for n := range union {
		names = append(names, n)
	}
	sort.Strings(names)
	var work []string
	for _, p := range names {
		sa, sb := r.a.principals[p], r.b.principals[p]
		switch {
		case sb == nil:
			out.OnlyInA = append(out.OnlyInA, r.a.names[p])
		case sa == nil:
			out.OnlyInB = append(out.OnlyInB, r.b.names[p])
		}
		if opts.Paired && (sa == nil || sb == nil) {
			continue
		}
		out.Principals++
		work = append(work, p)
	}
	if err := r.parallel(work); err != nil {
		return nil, err
	}
	if err := r.external(); err != nil {
		return nil, err
	}
	out.Differences = r.diffs
	sort.SliceStable(out.Differences, func(i, j int) bool {
		x, y := &out.Differences[i], &out.Differences[j]
		if x.Principal != y.Principal {
			return x.Principal < y.Principal
		}
		if x.Action != y.Action {
			return x.Action < y.Action
		}
		if x.Resource != y.Resource {
			return x.Resource < y.Resource
		}
		return x.Kind < y.Kind
	})
	out.Requests = int(r.total.Load())
	for n := range r.notes {
		out.Notes = append(out.Notes, n)
	}
	sort.Strings(out.Notes)
	return out, nil
}

// parallel decides the principals on GOMAXPROCS workers. Each worker is
// a copy of the run with its own layers cache, results and undo buffers
// (a principal's cached contexts are changed in place, so one principal
// belongs to one worker); the action, resource-type and probe caches are
// shared under mu. The results are merged, then sorted by the caller.
func (r *envRun) parallel(principals []string) error {
	n := runtime.GOMAXPROCS(0)
	if n > len(principals) {
		n = len(principals)
	}
	if n <= 1 {
		for _, p := range principals {
			if err := r.principal(p, r.a.principals[p], r.b.principals[p]); err != nil {
				return err
			}
		}
		return nil
	}
	workers := make([]*envRun, n)
	errs := make([]error, n)
	next := make(chan string)
	var wg sync.WaitGroup
	for i := range workers {
		w := r.fork()
		workers[i] = w
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for p := range next {
				if errs[i] != nil {
					continue
				}
				errs[i] = w.principal(p, w.a.principals[p], w.b.principals[p])
			}
		}(i)
	}
	for _, p := range principals {
		next <- p
	}
	close(next)
	wg.Wait()
	for i, w := range workers {
		if errs[i] != nil {
			return errs[i]
		}
		for k, idx := range w.found {
			r.found[k] = len(r.diffs) + idx
		}
		r.diffs = append(r.diffs, w.diffs...)
		for note := range w.notes {
			r.notes[note] = true
		}
	}
	return nil
}

// fork is a worker's copy of the run (see parallel).
func (r *envRun) fork() *envRun {
	w := *r
	a, b := *r.a, *r.b
	a.cache, b.cache = map[string]*layersEntry{}, map[string]*layersEntry{}
	a.undo, b.undo = nil, nil
	w.a, w.b = &a, &b
	w.found, w.diffs, w.notes = map[string]int{}, nil, map[string]bool{}
	return &w
}

// load summarises one environment.
func (r *envRun) load(env *snapshot.Environment, to, from func(string) string) *envSide {
	s := &envSide{env: env, to: to, from: from, principals: map[string]*sideSummary{}, names: map[string]string{},
		targets: map[string]*sideSummary{}, accounts: map[string]*sideSummary{}, cache: map[string]*layersEntry{}, errs: map[string]error{}}
	for _, p := range principalsOf(env) {
		name := from(p)
		s.names[name] = p
		req := &eval.Request{Principal: p, Action: "sts:GetCallerIdentity", Resource: "*", Context: &eval.Context{}}
		l, err := env.Layers(req)
		if err != nil {
			sum := newSummary()
			sum.structural = "error:" + from(err.Error())
			s.principals[name] = sum
			s.errs[name] = err
			continue
		}
		s.principals[name] = principalSummary(l, req.Context, from)
	}
	for _, t := range targetsOf(env) {
		if sum := resourceSummary(env, t, from); sum != nil {
			s.targets[from(t)] = sum
		}
	}
	for _, id := range env.AccountIDs() {
		s.accounts[from(id)] = accountSummary(env, id, from)
	}
	return s
}

// changes finds the targets and accounts that differ, and indexes the
// targets by the principals their policies name.
func (r *envRun) changes() {
	ma, mb := "", ""
	if o := r.a.env.Organization; o != nil {
		ma = o.ManagementAccount + "/" + r.a.env.OrgID()
	}
	if o := r.b.env.Organization; o != nil {
		mb = r.b.from(o.ManagementAccount + "/" + r.b.env.OrgID())
	}
	r.global = ma != mb
	r.chTargets, r.chAccounts = map[string]bool{}, map[string]bool{}
	r.heldAccounts = map[string]bool{}
	for _, s := range []*envSide{r.a, r.b} {
		for id := range s.env.Accounts {
			r.heldAccounts[s.from(id)] = true
		}
	}
	r.index, r.targetStmts = map[string][]string{}, map[string][]sideStmt{}
	union := map[string]bool{}
	for t := range r.a.targets {
		union[t] = true
	}
	for t := range r.b.targets {
		union[t] = true
	}
	for t := range union {
		sa, sb := r.a.targets[t], r.b.targets[t]
		if !same(sa, sb) {
			r.chTargets[t] = true
		}
		keys := map[string]bool{}
		for i, sum := range []*sideSummary{sa, sb} {
			if sum == nil {
				continue
			}
			from := r.a.from
			if i == 1 {
				from = r.b.from
			}
			for _, ref := range sum.slots["resource"] {
				st := ref.st
				r.targetStmts[t] = append(r.targetStmts[t], sideStmt{st, from})
				if st.Effect != policy.Allow {
					continue
				}
				for _, k := range principalKeys(st, from) {
					keys[k] = true
				}
			}
		}
		for k := range keys {
			r.index[k] = append(r.index[k], t)
		}
	}
	for _, ts := range r.index {
		sort.Strings(ts)
	}
	accts := map[string]bool{}
	for a := range r.a.accounts {
		accts[a] = true
	}
	for a := range r.b.accounts {
		accts[a] = true
	}
	for a := range accts {
		if !same(r.a.accounts[a], r.b.accounts[a]) {
			r.chAccounts[a] = true
		}
	}
}

// principalKeys are the index keys of the callers an Allow statement can
// name: "*" for anyone (a wildcard anywhere, or NotPrincipal),
// "arn:ARN" for a user or role named itself (the statement grants it
// directly), "acct:ID" for an account (its root: the account's own
// identity policies must allow too, so only the actions they allow can
// differ), or the service or provider.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
func principalKeys(st *policy.Statement, from func(string) string) []string {
	if !st.Principal.Present {
		return nil
	}
	if st.Principal.Not || st.Principal.Wildcard {
		return []string{"*"}
	}
	var out []string
	for _, e := range st.Principal.Entries {
		v := from(e.Value)
		switch {
		case e.Kind != policy.PrincipalAWS:
			out = append(out, "other:"+strings.ToLower(v))
		case strings.Contains(v, "*"):
			out = append(out, "*")
		case arn.IsAccountID(v):
			out = append(out, "acct:"+v)
		case strings.HasSuffix(v, ":root"):
			out = append(out, "acct:"+arn.Account(v))
		default:
			out = append(out, "arn:"+v)
		}
	}
	return out
}

// directlyNames reports whether an Allow statement of a target's policy
// names the principal itself (or anyone), so that its actions, not only
// the principal's identity actions, can be allowed.
func directlyNames(st *policy.Statement, from func(string) string, p string) bool {
	for _, k := range principalKeys(st, from) {
		if k == "*" || k == "arn:"+p {
			return true
		}
	}
	return false
}

// universe is what a principal's requests can be: the actions and
// resource patterns of its identity Allow statements in both environments.
type universe struct {
	actions  []string
	patterns []resourcePattern
	wide     bool
	byPrefix map[string][]string
}

func (r *envRun) universe(p string) *universe {
	u := &universe{byPrefix: map[string][]string{}}
	seenA, seenP := map[string]bool{}, map[string]bool{}
	for _, s := range []*envSide{r.a, r.b} {
		sum := s.principals[p]
		if sum == nil {
			continue
		}
		for _, ref := range sum.slots["identity"] {
			st := ref.st
			if st.Effect != policy.Allow {
				continue
			}
			for _, a := range r.statementActions(st) {
				if !seenA[a] {
					seenA[a] = true
					u.actions = append(u.actions, a)
				}
			}
			if st.Resource.Not {
				u.wide = true
			}
			for _, v := range st.Resource.Values {
				text := s.from(v.Text)
				if text == "*" {
					u.wide = true
					continue
				}
				if !seenP[text] {
					seenP[text] = true
					u.patterns = append(u.patterns, resourcePattern{pattern: text, instance: instance(text)})
				}
			}
		}
	}
	sort.Strings(u.actions)
	sort.Slice(u.patterns, func(i, j int) bool { return u.patterns[i].pattern < u.patterns[j].pattern })
	for _, a := range u.actions {
		pre := a[:strings.IndexByte(a, ':')]
		u.byPrefix[pre] = append(u.byPrefix[pre], a)
	}
	return u
}

// statementActions are the catalog actions a statement's Action (or
// NotAction) element can match.
func (r *envRun) statementActions(st *policy.Statement) []string {
	if !st.Action.Present {
		return nil
	}
	if st.Action.Not {
		return r.match("*")
	}
	var out []string
	for _, v := range st.Action.Values {
		out = append(out, r.match(v.Text)...)
	}
	return out
}

func (r *envRun) match(pattern string) []string {
	k := strings.ToLower(pattern)
	r.mu.Lock()
	m, ok := r.matchCache[k]
	r.mu.Unlock()
	if ok {
		return m
	}
	var out []string
	for _, a := range r.cat.MatchActions(pattern) {
		out = append(out, a.FullName)
	}
	r.mu.Lock()
	r.matchCache[k] = out
	r.mu.Unlock()
	return out
}

func (r *envRun) mayApply(action, pattern string) bool {
	k := action + "\x00" + pattern
	r.mu.Lock()
	v, ok := r.applyCache[k]
	r.mu.Unlock()
	if ok {
		return v
	}
	may, known := r.cat.ActionMayApplyTo(action, pattern)
	v = may || !known
	r.mu.Lock()
	r.applyCache[k] = v
	r.mu.Unlock()
	return v
}

func (r *envRun) typeARNs(action, account string) []string {
	k := action + "\x00" + account
	r.mu.Lock()
	v, ok := r.typeCache[k]
	r.mu.Unlock()
	if ok {
		return v
	}
	v = typeARNs(r.cat, action, account)
	r.mu.Lock()
	r.typeCache[k] = v
	r.mu.Unlock()
	return v
}

// actionMatcher says whether an action can be matched by one of the
// statements (their Action, or anything outside their NotAction).
func actionMatcher(sts []*policy.Statement) func(string) bool {
	return func(action string) bool {
		la := strings.ToLower(action)
		for _, st := range sts {
			if statementMatchesAction(st, la) {
				return true
			}
		}
		return false
	}
}

// statementMatchesAction: the action (lower-case) is in the statement's
// Action, or outside its NotAction.
func statementMatchesAction(st *policy.Statement, la string) bool {
	if !st.Action.Present {
		return false
	}
	in := false
	for _, v := range st.Action.Values {
		if catalog.WildcardMatch(v.Text, la) {
			in = true
			break
		}
	}
	return in != st.Action.Not
}

// principal decides the requests of one principal that a difference can
// reach.
func (r *envRun) principal(p string, sa, sb *sideSummary) error {
	full := r.global || sa == nil || sb == nil || sa.structural != sb.structural || r.opts.exhaustive
	var ch []*policy.Statement
	if !full {
		ch = changed(sa, sb)
	}
	if !full && len(ch) == 0 && len(r.chTargets) == 0 && len(r.chAccounts) == 0 {
		return nil
	}
	chMatch := actionMatcher(ch)
	account := arn.Account(p)
	u := r.universe(p)
	keep := func(action, res, resAccount string) bool {
		return full || (len(ch) > 0 && chMatch(action)) || r.chTargets[arn.PolicyResource(res)] || r.chAccounts[resAccount]
	}
	seen := map[string]bool{}
	do := func(action string, t target) error {
		res := t.resource
		if t.example != "" {
			res = t.example
		}
		k := action + "\x00" + res
		if seen[k] {
			return nil
		}
		seen[k] = true
		return r.decide(p, action, t, r.a.names[p], r.b.names[p])
	}
	// Requests from the principal's identity statements.
	if full || len(ch) > 0 || len(r.chAccounts) > 0 {
		for _, action := range u.actions {
			for _, pat := range u.patterns {
				if !r.mayApply(action, pat.pattern) {
					continue
				}
				acct := arn.Account(pat.instance)
				if acct == "" {
					acct = r.resourceAccount(pat.instance, account)
				}
				if !keep(action, pat.instance, acct) {
					continue
				}
				t := target{resource: pat.pattern}
				if pat.instance != pat.pattern {
					t.example = pat.instance
				}
				if err := do(action, t); err != nil {
					return err
				}
			}
			if u.wide {
				for _, res := range r.typeARNs(action, account) {
					if !keep(action, res, account) {
						continue
					}
					t := target{resource: "*"}
					if res != "*" {
						t.example = res
					}
					if err := do(action, t); err != nil {
						return err
					}
				}
			}
		}
	}
	// Requests on the resources whose policies can name the principal,
	// and on the changed resources its identity statements reach.
	cands := map[string]bool{}
	for _, key := range []string{"*", "acct:" + account, "arn:" + p} {
		for _, t := range r.index[key] {
			if full || len(ch) > 0 || r.chTargets[t] || r.chAccounts[r.resourceAccount(t, "")] {
				cands[t] = true
			}
		}
	}
	for t := range r.chTargets {
		if !cands[t] && r.reaches(u, t) {
			cands[t] = true
		}
	}
	if r.opts.exhaustive {
		for t := range r.targetStmts {
			cands[t] = true
		}
		for t := range r.a.targets {
			cands[t] = true
		}
		for t := range r.b.targets {
			cands[t] = true
		}
	}
	list := make([]string, 0, len(cands))
	for t := range cands {
		list = append(list, t)
	}
	sort.Strings(list)
	for _, t := range list {
		acct := r.resourceAccount(t, account)
		for _, action := range r.targetActions(t, p, u) {
			for _, tg := range r.targetRequests(t, action, u) {
				res := tg.resource
				if tg.example != "" {
					res = tg.example
				}
				if !keep(action, res, acct) {
					continue
				}
				if err := do(action, tg); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// resourceAccount is the account owning a resource, in A's names.
func (r *envRun) resourceAccount(res, def string) string {
	pr := arn.PolicyResource(res)
	for _, s := range []*envSide{r.a, r.b} {
		if a, ok := s.env.ResourceAccount(s.to(pr)); ok {
			return s.from(a)
		}
	}
	if a := arn.Account(res); a != "" {
		return a
	}
	return def
}

// reaches reports whether an identity pattern of the principal can match
// the target or, for a bucket, an object in it.
func (r *envRun) reaches(u *universe, t string) bool {
	if u.wide {
		return true
	}
	lt := strings.ToLower(t)
	for _, p := range u.patterns {
		pat := variablesAsWildcards(p.pattern)
		if catalog.WildcardMatch(pat, lt) || catalog.WildcardMatch(pat, lt+"/iamwhy-object") {
			return true
		}
		if b, _, ok := strings.Cut(pat, "/"); ok && strings.HasPrefix(lt, "arn:aws:s3:::") && catalog.WildcardMatch(b, lt) {
			return true
		}
	}
	return false
}

// variablesAsWildcards turns each ${...} of a pattern into *.
func variablesAsWildcards(p string) string {
	for {
		i := strings.Index(p, "${")
		if i < 0 {
			return p
		}
		j := strings.IndexByte(p[i:], '}')
		if j < 0 {
			return p
		}
		p = p[:i] + "*" + p[i+j+1:]
	}
}

// targetActions are the actions to decide on a target for principal p:
// those its policy's Allow statements that name p directly (or anyone)
// allow, and p's identity actions of the target's service; each only
// where it can apply.
func (r *envRun) targetActions(t, p string, u *universe) []string {
	seen := map[string]bool{}
	var out []string
	add := func(a string) {
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	svc := ""
	if a, ok := arn.Parse(t); ok {
		svc = a.Service
	}
	isRole := svc == "iam" && strings.Contains(t, ":role/")
	for _, ss := range r.targetStmts[t] {
		st := ss.st
		if st.Effect != policy.Allow || (p != "" && !directlyNames(st, ss.from, p)) {
			continue
		}
		if st.Action.Not {
			for _, a := range r.match(svc + ":*") {
				add(a)
			}
			if isRole {
				for _, a := range r.match("sts:*") {
					add(a)
				}
			}
			continue
		}
		for _, a := range r.statementActions(st) {
			add(a)
		}
	}
	for _, a := range u.byPrefix[svc] {
		add(a)
	}
	if isRole {
		for _, a := range u.byPrefix["sts"] {
			add(a)
		}
	}
	var kept []string
	for _, a := range out {
		if isRole {
			if eval.AuthorizedByTrustPolicy(a) {
				kept = append(kept, a)
			}
			continue
		}
		if r.mayApply(a, t) || r.mayApply(a, t+"/*") {
			kept = append(kept, a)
		}
	}
	sort.Strings(kept)
	return kept
}

// targetRequests are the resources to decide an action on for a target:
// the target itself, and for a bucket, an object of each pattern its
// policy and the principal's identity statements name in it.
func (r *envRun) targetRequests(t, action string, u *universe) []target {
	var out []target
	if r.mayApply(action, t) {
		out = append(out, target{resource: t})
	}
	bucket, object, ok := arn.S3Bucket(t)
	if !ok || object {
		return out
	}
	_ = bucket
	seen := map[string]bool{}
	addPattern := func(pat string) {
		b, rest, ok := strings.Cut(pat, "/")
		if !ok || !catalog.WildcardMatch(strings.ToLower(variablesAsWildcards(b)), strings.ToLower(t)) {
			return
		}
		p := t + "/" + rest
		if seen[p] || !r.mayApply(action, p) {
			return
		}
		seen[p] = true
		out = append(out, target{resource: p, example: instance(p)})
	}
	for _, ss := range r.targetStmts[t] {
		for _, v := range ss.st.Resource.Values {
			addPattern(ss.from(v.Text))
		}
	}
	for _, p := range u.patterns {
		addPattern(p.pattern)
	}
	if u.wide || len(seen) == 0 {
		addPattern(t + "/*")
	}
	return out
}

// external decides, on the changed resources, the callers their policies
// name that neither environment holds (another account, a service,
// anyone): what such a caller may do is decided by these policies alone.
func (r *envRun) external() error {
	ts := make([]string, 0, len(r.chTargets))
	for t := range r.chTargets {
		ts = append(ts, t)
	}
	if r.opts.exhaustive {
		ts = ts[:0]
		for t := range r.targetStmts {
			ts = append(ts, t)
		}
	}
	sort.Strings(ts)
	empty := &universe{byPrefix: map[string][]string{}}
	for _, t := range ts {
		callers := map[string]bool{}
		for _, ss := range r.targetStmts[t] {
			st := ss.st
			if st.Effect != policy.Allow || !st.Principal.Present {
				continue
			}
			if st.Principal.Wildcard || st.Principal.Not {
				callers["arn:aws:iam::999988887777:role/iamwhy-anyone"] = true
				continue
			}
			for _, e := range st.Principal.Entries {
				v := ss.from(e.Value)
				switch {
				case e.Kind != policy.PrincipalAWS:
					callers[instance(v)] = true
				case v == "*" || strings.Contains(v, "*"):
					callers["arn:aws:iam::999988887777:role/iamwhy-anyone"] = true
				case arn.IsAccountID(v) || strings.HasSuffix(v, ":root"):
					acct := v
					if !arn.IsAccountID(v) {
						acct = arn.Account(v)
					}
					if !r.heldAccounts[acct] {
						callers["arn:aws:iam::"+acct+":role/iamwhy-caller"] = true
					}
				default:
					if _, held := r.a.principals[v]; held {
						continue
					}
					if _, held := r.b.principals[v]; held {
						continue
					}
					callers[v] = true
				}
			}
		}
		list := make([]string, 0, len(callers))
		for c := range callers {
			list = append(list, c)
		}
		sort.Strings(list)
		for _, c := range list {
			for _, action := range r.targetActions(t, "", empty) {
				for _, tg := range r.targetRequests(t, action, empty) {
					if err := r.decide(c, action, tg, c, r.b.to(c)); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// decide decides one request (every probe context) on both sides and
// records the first context under which they differ, per kind.
func (r *envRun) decide(p, action string, t target, pa, pb string) error {
	resA := t.resource
	if t.example != "" {
		resA = t.example
	}
	ea := r.layers(r.a, p, pa, action, resA, resA)
	eb := r.layers(r.b, p, pb, action, resA, r.b.to(resA))
	probes := r.probes(action, ea, eb)
	resB := r.b.to(resA)
	for i, pr := range probes {
		if i > 0 && ea.gives(pr) && eb.gives(pr) {
			continue // the context the environments give already: the first probe decided it
		}
		if r.total.Add(1) > int64(r.opts.MaxRequests) {
			return fmt.Errorf("access-diff: the comparison needs more than %d requests; compare fewer principals or environments", r.opts.MaxRequests)
		}
		da := r.a.decideWith(ea, pr, pa, action, resA)
		db := r.b.decideWith(eb, pr, pb, action, resB)
		kind := ""
		switch {
		case da.undetermined() || db.undetermined():
			if da.allows() || db.allows() || da.Outcome() != db.Outcome() {
				kind = "undetermined"
			}
		case db.allows() && !da.allows():
			kind = "new"
		case da.allows() && !db.allows():
			kind = "removed"
		}
		if kind == "" {
			continue
		}
		key := kind + "\x00" + p + "\x00" + action + "\x00" + t.resource
		if _, dup := r.found[key]; dup {
			continue
		}
		r.found[key] = len(r.diffs)
		r.diffs = append(r.diffs, EnvDifference{Kind: kind, Principal: p, PrincipalA: pa, PrincipalB: pb, Action: action,
			Resource: t.resource, ResourceA: resA, ResourceB: r.b.to(resA), Conditions: pr.envConditions(), A: da, B: db})
	}
	return nil
}

// layers resolves (once per principal, resource and kind of action) the
// layers of a request on one side, with the context the environment
// gives it.
func (r *envRun) layers(s *envSide, p, name, action, resA, res string) *layersEntry {
	trustAction := eval.AuthorizedByTrustPolicy(action)
	key := name + "\x00" + res
	if trustAction {
		key += "\x00trust"
	}
	if e, ok := s.cache[key]; ok {
		return e
	}
	e := &layersEntry{}
	s.cache[key] = e
	_, internal := r.a.principals[p]
	if !internal {
		_, internal = r.b.principals[p]
	}
	if internal && s.principals[p] == nil {
		e.absent = true
		return e
	}
	if trustAction && strings.Contains(res, ":role/") {
		if acct := arn.Account(res); s.env.Accounts[acct] != nil {
			if _, ok := s.env.Role(res); !ok {
				e.absent = true
				return e
			}
		}
	}
	if pr := arn.PolicyResource(resA); s.targets[pr] == nil && (r.a.targets[pr] != nil || r.b.targets[pr] != nil) && !strings.Contains(pr, ":role/") {
		// A resource whose record only the other side holds does not
		// exist on this one (it was created or deleted between the two).
		e.absent = true
		return e
	}
	if err := s.errs[p]; err != nil {
		e.err = err
		return e
	}
	req := &eval.Request{Principal: name, Action: action, Resource: res, Context: &eval.Context{}}
	switch eval.ParsePrincipal(name).Type {
	case eval.PrincipalService, eval.PrincipalAnonymous, eval.PrincipalFederatedProvider, eval.PrincipalUnknown:
		internal = true
	}
	if internal {
		e.l, e.err = s.env.Layers(req)
	} else {
		// A caller neither environment holds: its own account's
		// identity policies are not visible, so they are taken to
		// allow, and these policies alone decide.
		probe := &eval.Request{Principal: "iamwhy.amazonaws.com", Action: action, Resource: res, Context: &eval.Context{}}
		e.l, e.err = s.env.Layers(probe)
		if e.err == nil {
			l := *e.l
			l.Identity = []*eval.Policy{allowAll}
			e.l = &l
			req.ResourceAccount = probe.ResourceAccount
			for _, k := range probe.Context.Keys() {
				if lk := strings.ToLower(k); lk == "aws:resourceaccount" || lk == "aws:resourceorgid" {
					v, _ := probe.Context.Get(k)
					req.Context.Set(k, v...)
				}
			}
			r.notes[fmt.Sprintf("callers outside the environments (account %s) are decided as if their identity policies allowed", arn.Account(name))] = true
		}
	}
	e.ctx, e.resAccount = req.Context, req.ResourceAccount
	if !e.ctx.Has("aws:RequestedRegion") {
		region := r.opts.Region
		if a, ok := arn.Parse(res); ok && a.Region != "" {
			region = a.Region
		}
		e.ctx.Set("aws:RequestedRegion", region)
	}
	return e
}

// decideWith decides one request on one side with a probe's keys set (or
// removed) in the context the environment gives. The context is changed
// in place and put back after: every key the environment gives is
// single-valued (snapshot.Layers sets each with one value), so putting a
// value back with Set restores it exactly, and nothing is allocated per
// probe.
func (s *envSide) decideWith(e *layersEntry, pr probe, name, action, res string) SideDecision {
	if e.absent {
		return SideDecision{Absent: true}
	}
	if e.err != nil {
		return SideDecision{Decision: eval.Decision{Outcome: eval.Undetermined, Statement: -1, Level: -1, Reason: e.err.Error()}}
	}
	ctx := e.ctx
	s.undo = s.undo[:0]
	for _, pk := range pr.set {
		k, w := pk.lower, pk.w
		old, had := ctx.Get(k)
		if !w.absent && had && len(old) == 1 && len(w.values) == 1 && !s.mapped && old[0] == w.values[0] {
			continue // the environment gives this value already
		}
		s.undo = append(s.undo, saved{k, old, had})
		if w.absent {
			ctx.Delete(k)
			continue
		}
		vals := w.values
		if s.mapped {
			vals = make([]string, len(w.values))
			for i, v := range w.values {
				vals[i] = s.to(v)
			}
		}
		if len(vals) != 1 {
			ctx.SetMulti(k, vals...)
		} else {
			ctx.Set(k, vals...)
		}
	}
	req := &eval.Request{Principal: name, Action: action, Resource: res, ResourceAccount: e.resAccount, Context: ctx}
	d := SideDecision{Decision: eval.Decide(req, e.l)}
	for i := len(s.undo) - 1; i >= 0; i-- {
		u := s.undo[i]
		if u.had {
			ctx.Set(u.key, u.values...)
		} else {
			ctx.Delete(u.key)
		}
	}
	return d
}

// gives reports whether the context the environment gives the request
// already has every value the probe sets (absent for an absent witness).
func (e *layersEntry) gives(pr probe) bool {
	if e.absent || e.err != nil {
		return true
	}
	for _, pk := range pr.set {
		old, had := e.ctx.Get(pk.lower)
		if pk.w.absent {
			if had {
				return false
			}
			continue
		}
		if !had || len(old) != len(pk.w.values) || len(old) != 1 || old[0] != pk.w.values[0] {
			return false
		}
	}
	return true
}

// saved is a context key's value before a probe changed it.
type saved struct {
	key    string
	values []string
	had    bool
}

// probes are the contexts to decide a request with: the environments'
// own first, then each condition of the statements that can match the
// action met and missed.
func (r *envRun) probes(action string, ea, eb *layersEntry) []probe {
	la := strings.ToLower(action)
	var sts []*policy.Statement
	var key strings.Builder
	for _, e := range []*layersEntry{ea, eb} {
		if e.l == nil {
			continue
		}
		for _, p := range e.l.Policies() {
			if p.Doc == nil {
				continue
			}
			for i := range p.Doc.Statements {
				st := &p.Doc.Statements[i]
				if len(st.Conditions) == 0 || !statementMatchesAction(st, la) {
					continue
				}
				sts = append(sts, st)
				fmt.Fprintf(&key, "%p,", st)
			}
		}
	}
	if len(sts) == 0 {
		return r.noProbe
	}
	k := key.String()
	r.mu.Lock()
	ps, ok := r.probeCache[k]
	r.mu.Unlock()
	if ok {
		return ps
	}
	ps = probes(sts, r.opts.MaxProbes)
	// Witnesses come from both sides' statements: in A's names.
	for i := range ps {
		p := &ps[i]
		for key, w := range p.keys {
			vals := make([]string, len(w.values))
			for i, v := range w.values {
				vals[i] = r.b.from(v)
			}
			w.values = vals
			p.keys[key] = w
			p.set = append(p.set, probeEntry{lower: strings.ToLower(key), name: key, w: w})
		}
		sort.Slice(p.set, func(i, j int) bool { return p.set[i].lower < p.set[j].lower })
	}
	r.mu.Lock()
	r.probeCache[k] = ps
	r.mu.Unlock()
	return ps
}

// envConditions says what a probe sets or removes, sorted by key.
func (p probe) envConditions() []Condition {
	out := []Condition{}
	for k, w := range p.keys {
		c := Condition{Key: k, Values: append([]string{}, w.values...), Absent: w.absent}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
