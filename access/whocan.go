package access

import (
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/policy"
	"github.com/iamwhy/iamwhy/snapshot"
)

// Status is the answer for one principal.
type Status string

const (
	// Allowed: the request as given (its context and what the
	// environment knows) is allowed.
	Allowed Status = "allowed"
	// AllowedIf: the request is allowed when the listed conditions hold:
	// WhoCan decided it again with a value satisfying each and it was
	// allowed.
	AllowedIf Status = "allowed-if"
	// Denied: denied, and no condition on a key the request lacks can
	// change that (as far as WhoCan could find values for them).
	Denied Status = "denied"
	// Unknown: the environment lacks something the decision needs (a
	// policy that was not collected); Gaps says what. Not a deny.
	Unknown Status = "unknown"
	// Undetermined: the engine could not decide, or the request is
	// allowed only under conditions WhoCan cannot check with a value of
	// its own (a policy variable, a ForAllValues set); Reason says which.
	Undetermined Status = "undetermined"
)

// Query is a who-can question.
type Query struct {
	Action   string
	Resource string
	// Context holds the keys the caller gives; the environment adds the
	// keys it knows per principal. Nil is an empty context.
	Context *eval.Context
	// Workers bounds the concurrent decisions; 0 is GOMAXPROCS.
	Workers int
	// OwnerTag is the tag whose value names a user's or role's owner
	// (Answer.Owner); "" is "owner".
	OwnerTag string
}

// Answer is one principal's result.
type Answer struct {
	Principal string `json:"principal"`
	// Kind is "user", "role" (the role's sessions), "root" or "service".
	Kind    string `json:"kind"`
	Account string `json:"account"`
	// Owner is the value of a user's or role's owner tag (Query.OwnerTag);
	// null when it has none, and for root users and services.
	Owner  *string `json:"owner"`
	Status Status  `json:"status"`
	// Decision is the engine's outcome for the request as given.
	Decision string `json:"decision"`
	// DecidedBy is the layer that decided (for AllowedIf, the decision
	// with the witnesses).
	DecidedBy string `json:"decided_by"`
	Policy    string `json:"policy"`
	Statement string `json:"statement"`
	// Conditions must hold for an AllowedIf answer: conditions of the
	// statements that allow whose keys the request lacks, and, negated,
	// conditions of Deny statements that matched only because it lacks
	// them.
	Conditions []Condition `json:"conditions"`
	// Witness is the context values WhoCan supplied to check the
	// conditions (key -> values).
	Witness map[string][]string `json:"witness"`
	// Unless lists conditions of Deny statements on keys the request
	// lacks: if the request carries values that meet one, it is denied.
	Unless []Condition `json:"unless"`
	// IfPresent lists the conditions of the granting statement whose keys
	// the request lacks: they held because the key is absent (IfExists,
	// negated operators, ForAllValues); a request carrying the key must
	// meet them, or another statement must allow it.
	IfPresent []Condition `json:"if_present"`
	// Gaps say what the environment lacks (Status Unknown).
	Gaps   []string `json:"gaps"`
	Reason string   `json:"reason"`
}

// WhoCanResult is the answer to a Query: one Answer per principal
// considered, in a stable order (accounts, then users, roles, root;
// service principals last).
type WhoCanResult struct {
	Action     string   `json:"action"`
	Resource   string   `json:"resource"`
	Principals int      `json:"principals"`
	Answers    []Answer `json:"answers"`
}

// Count returns how many answers have the status.
func (r *WhoCanResult) Count(s Status) int {
	n := 0
	for i := range r.Answers {
		if r.Answers[i].Status == s {
			n++
		}
	}
	return n
}

// candidate is one principal to ask about.
type candidate struct {
	arn, kind, account string
}

// Principals lists every principal WhoCan considers for a request on
// resource: each account's users and roles (a role ARN stands for its
// sessions), the root user of each account the environment knows, and the
// service principals named in the resource's policy.
func Principals(env *snapshot.Environment, resource string) []string {
	cs := candidates(env, resource)
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.arn
	}
	return out
}

func candidates(env *snapshot.Environment, resource string) []candidate {
	var out []candidate
	ids := make([]string, 0, len(env.Accounts))
	for id := range env.Accounts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		a := env.Accounts[id]
		for _, u := range a.Users {
			out = append(out, candidate{u.ARN, "user", id})
		}
		for _, r := range a.Roles {
			out = append(out, candidate{r.ARN, "role", id})
		}
	}
	for _, id := range env.AccountIDs() {
		out = append(out, candidate{"arn:aws:iam::" + id + ":root", "root", id})
	}
	for _, s := range servicePrincipals(env, resource) {
		out = append(out, candidate{s, "service", ""})
	}
	return out
}

// servicePrincipals returns the service principals a resource's policy
// names, sorted.
func servicePrincipals(env *snapshot.Environment, resource string) []string {
	if resource == "*" || resource == "" {
		return nil
	}
	lk, err := env.Resource(resource)
	if err != nil || lk.Policy == nil {
		return nil
	}
	typ := policy.TypeResource
	if lk.Role != nil {
		typ = policy.TypeTrust
	}
	doc, err := lk.Policy.Policy(typ)
	if err != nil {
		return nil
	}
	set := map[string]bool{}
	for i := range doc.Statements {
		pr := doc.Statements[i].Principal
		if pr.Not {
			continue
		}
		for _, e := range pr.Entries {
			if e.Kind == policy.PrincipalService && e.Value != "*" {
				set[e.Value] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// WhoCan decides q for every principal of the environment (see
// Principals), concurrently, and returns every answer, denied ones
// included; callers filter on Status.
func WhoCan(env *snapshot.Environment, q Query) (*WhoCanResult, error) {
	if q.Action == "" || q.Resource == "" {
		return nil, errors.New("who-can needs an action and a resource")
	}
	cs := candidates(env, q.Resource)
	res := &WhoCanResult{Action: q.Action, Resource: q.Resource, Principals: len(cs), Answers: make([]Answer, len(cs))}
	workers := q.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers > len(cs) {
		workers = len(cs)
	}
	var wg sync.WaitGroup
	next := make(chan int, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				res.Answers[i] = Ask(env, cs[i].arn, q.Action, q.Resource, q.Context)
				res.Answers[i].Kind, res.Answers[i].Account = cs[i].kind, cs[i].account
				if k := cs[i].kind; k == "user" || k == "role" {
					if p, err := env.Principal(cs[i].arn); err == nil {
						res.Answers[i].Owner = snapshot.Owner(p.Tags, q.OwnerTag)
					}
				}
			}
		}()
	}
	for i := range cs {
		next <- i
	}
	close(next)
	wg.Wait()
	return res, nil
}

// maxRounds bounds the witness search: each round satisfies the conditions
// of one statement (an Allow to satisfy or a Deny to escape).
const maxRounds = 6

// Ask decides one principal's request and, when it is denied only for
// conditions on keys the request lacks, looks for values that allow it.
func Ask(env *snapshot.Environment, principal, action, resource string, ctx *eval.Context) Answer {
	a := Answer{Principal: principal}
	if ctx == nil {
		ctx = &eval.Context{}
	}
	req := &eval.Request{Principal: principal, Action: action, Resource: resource, Context: ctx.Clone()}
	layers, err := env.Layers(req)
	if err != nil {
		a.Status, a.Decision, a.DecidedBy = Unknown, "unknown", "none"
		a.Gaps = []string{err.Error()}
		return a
	}
	return decideWithConditions(req, layers, resourceGaps(env, principal, action, resource), true, impossibleKeys(env, req))
}

// impossibleKeys are the context keys the request lacks and no real
// request of this principal on this resource can carry, because the
// environment knows the organisation: aws:PrincipalOrgID and
// aws:PrincipalOrgPaths for a principal whose account is not in it (or
// that is no IAM principal), aws:ResourceOrgID and aws:ResourceOrgPaths
// for a resource whose account is not in it. AWS sets these keys only for
// accounts that belong to an organisation, so a condition on them is not a
// condition the caller could meet ("allowed if aws:PrincipalOrgID = o-..."
// would be false for an account outside it).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-resourceorgid
func impossibleKeys(env *snapshot.Environment, req *eval.Request) map[string]bool {
	if env.Organization == nil {
		return nil
	}
	out := map[string]bool{}
	p := eval.ParsePrincipal(req.Principal)
	switch p.Type {
	case eval.PrincipalUser, eval.PrincipalRole, eval.PrincipalAssumedRole, eval.PrincipalFederatedUser, eval.PrincipalRoot:
		if _, in := env.AccountOrgID(p.Account); !in {
			out["aws:principalorgid"], out["aws:principalorgpaths"] = true, true
		}
	default:
		out["aws:principalorgid"], out["aws:principalorgpaths"] = true, true
	}
	resAcct := req.ResourceAccount
	if resAcct == "" {
		resAcct = p.Account
	}
	if req.Resource != "*" && resAcct != "" {
		if _, in := env.AccountOrgID(resAcct); !in {
			out["aws:resourceorgid"], out["aws:resourceorgpaths"] = true, true
		}
	}
	return out
}

// decideWithConditions decides req, and when it is denied looks for the
// conditions on absent keys that would allow it (see Ask). unless adds the
// Deny conditions of the final trace to an allowed answer.
// impossible holds the lower-cased keys no real request can carry (see
// impossibleKeys): no witness is offered for them.
func decideWithConditions(req *eval.Request, layers *eval.Layers, gaps []string, unless bool, impossible map[string]bool) Answer {
	a := Answer{Principal: req.Principal}
	d := eval.Decide(req, layers)
	a.Decision = d.Outcome.String()
	if d.Outcome == eval.Allow && !unless {
		// The fast path: an allowed request needs no trace.
		a.Status, a.DecidedBy = Allowed, string(d.Layer)
		if d.Policy != nil {
			a.Policy, a.Statement = d.Policy.Name, d.StatementSid()
		}
		return withGaps(a, d, gaps)
	}
	if d.Outcome == eval.Undetermined {
		a.Status, a.DecidedBy, a.Reason = Undetermined, string(d.Layer), d.Reason
		return withGaps(a, d, gaps)
	}
	given := req.Context // the request as given, filled by the environment
	work := &eval.Request{Principal: req.Principal, Action: req.Action, Resource: req.Resource,
		ResourceAccount: req.ResourceAccount, Context: given.Clone()}
	var conds []Condition
	witness := map[string][]string{}
	for round := 0; ; round++ {
		dd, tr := eval.Explain(work, layers)
		if dd.Outcome == eval.Allow {
			a.DecidedBy, a.Policy, a.Statement = string(dd.Layer), "", ""
			if dd.Policy != nil {
				a.Policy, a.Statement = dd.Policy.Name, dd.StatementSid()
			}
			if unless {
				a.Unless = unlessConditions(tr, given, impossible)
				a.IfPresent = vacuousConditions(dd, work.Context)
			}
			if len(conds) == 0 {
				a.Status = Allowed
			} else {
				a.Status, a.Conditions, a.Witness = AllowedIf, conds, witness
			}
			break
		}
		if round == 0 {
			a.DecidedBy = string(dd.Layer)
			if dd.Policy != nil {
				a.Policy, a.Statement = dd.Policy.Name, dd.StatementSid()
			}
			a.Reason = dd.Reason
		}
		var next, unchecked []Condition
		if round < maxRounds && dd.Outcome != eval.Undetermined {
			next, unchecked = escape(dd, tr, given, work.Context, impossible)
		}
		if len(next) == 0 && len(unchecked) > 0 {
			// The request may be allowed when conditions hold for which
			// no value can be written down from the policy alone (a
			// policy variable, a ForAllValues set): not a deny.
			a.Status, a.Conditions, a.Witness = Undetermined, append(conds, unchecked...), witness
			a.Reason = "allowed only if conditions hold that iamwhy cannot check with a value of its own: " + conditionList(unchecked)
			break
		}
		if len(next) == 0 {
			a.Status = Denied
			break
		}
		for _, c := range next {
			v, _ := witnessValue(c)
			witness[c.Key] = []string{v}
			setWitness(work.Context, c, v)
		}
		conds = append(conds, next...)
	}
	return withGaps(a, d, gaps)
}

// withGaps reports what the environment lacks. The engine has already
// decided what a policy that was not collected can change
// (eval.UnknownLayer): the answer is unknown only when the decision is
// undetermined; a deny that holds whatever the missing policy says stays
// a deny.
func withGaps(a Answer, d eval.Decision, gaps []string) Answer {
	if len(gaps) > 0 && d.Outcome == eval.Undetermined {
		a.Status, a.Gaps = Unknown, gaps
	}
	return a
}

func resourceGaps(env *snapshot.Environment, principal, action, resource string) []string {
	acct := ""
	if p, err := env.Principal(principal); err == nil {
		acct = p.Account
	}
	if eval.ParsePrincipal(principal).Type == eval.PrincipalService {
		// A service principal has no account: a resource whose policy was
		// not collected may grant it anything.
		if lk, err := env.Resource(resource); err == nil && !lk.Known && resource != "*" {
			return []string{"the policy of " + lk.PolicyARN + " was not collected"}
		}
		return nil
	}
	return env.ResourceGaps(acct, action, resource)
}

func witnessValue(c Condition) (string, bool) {
	if c.Negated {
		return falsifying(c.Operator, c.Values)
	}
	return satisfying(c.Operator, c.Values)
}

func setWitness(ctx *eval.Context, c Condition, v string) {
	if o, _ := policy.ParseConditionOperator(c.Operator); o.Set != policy.SetNone {
		ctx.SetMulti(c.Key, v)
		return
	}
	ctx.Set(c.Key, v)
}

// escape returns the conditions that, once met, lift the denial dd: for an
// explicit deny, one condition of the deciding Deny statement that held
// only because its key is absent; for an implicit deny, every failed
// condition of the nearest Allow statement in the layer that failed, when
// all of them failed only because their keys are absent. Keys already
// given or witnessed are facts and are not changed. Nil when nothing can
// be done. unchecked are the conditions that would lift the denial but
// for which no value can be written down from the condition alone.
func escape(dd eval.Decision, tr *eval.Trace, given, work *eval.Context, impossible map[string]bool) (next, unchecked []Condition) {
	absent := func(key string) bool {
		return !given.Has(key) && !work.Has(key) && !impossible[strings.ToLower(key)]
	}
	if dd.Outcome == eval.ExplicitDeny {
		if dd.Policy == nil || dd.Policy.Doc == nil || dd.Statement < 0 || dd.Statement >= len(dd.Policy.Doc.Statements) {
			return nil, nil
		}
		st := &dd.Policy.Doc.Statements[dd.Statement]
		for _, c := range st.Conditions {
			vals := valueTexts(c.Values)
			if !absent(c.Key) {
				continue
			}
			cond := Condition{Operator: c.Operator, Key: c.Key, Values: vals, Negated: true,
				Policy: dd.Policy.Name, Statement: st.Label(), Layer: string(dd.Layer)}
			if _, ok := falsifying(c.Operator, vals); ok {
				return []Condition{cond}, nil
			}
			if unchecked == nil {
				unchecked = []Condition{cond}
			}
		}
		return nil, unchecked
	}
	var best []Condition
	for _, lt := range tr.Layers {
		if lt.Layer != dd.Layer || (dd.Level >= 0 && lt.Level != dd.Level) {
			continue
		}
		for _, st := range lt.Statements {
			if st.Effect != "Allow" || st.Result == "match" || len(st.Failed) == 0 {
				continue
			}
			var cs []Condition
			ok, witnessable := true, true
			for _, f := range st.Failed {
				if f.Element != "condition" || len(f.Actual) > 0 || !absent(f.Key) {
					ok = false
					break
				}
				c := Condition{Operator: f.Operator, Key: f.Key, Values: f.Expected, Policy: st.Policy, Statement: labelOf(st), Layer: string(lt.Layer)}
				if _, can := satisfying(c.Operator, c.Values); !can {
					witnessable = false
				}
				cs = append(cs, c)
			}
			switch {
			case !ok:
			case !witnessable:
				if unchecked == nil {
					unchecked = cs
				}
			case best == nil || len(cs) < len(best):
				best = cs
			}
		}
	}
	return best, unchecked
}

// vacuousConditions are the conditions of the deciding Allow statement on
// keys absent from ctx.
func vacuousConditions(dd eval.Decision, ctx *eval.Context) []Condition {
	if dd.Policy == nil || dd.Policy.Doc == nil || dd.Statement < 0 || dd.Statement >= len(dd.Policy.Doc.Statements) {
		return nil
	}
	st := &dd.Policy.Doc.Statements[dd.Statement]
	var out []Condition
	for _, c := range st.Conditions {
		if !ctx.Has(c.Key) {
			out = append(out, Condition{Operator: c.Operator, Key: c.Key, Values: valueTexts(c.Values),
				Policy: dd.Policy.Name, Statement: st.Label(), Layer: string(dd.Layer)})
		}
	}
	return out
}

func conditionList(cs []Condition) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.String()
	}
	return strings.Join(parts, " AND ")
}

// unlessConditions lists the Deny statements of the final trace that failed
// only on conditions whose keys the request lacks: a request carrying
// matching values would be denied.
func unlessConditions(tr *eval.Trace, given *eval.Context, impossible map[string]bool) []Condition {
	var out []Condition
	for _, lt := range tr.Layers {
		for _, st := range lt.Statements {
			if st.Effect != "Deny" || st.Result == "match" || len(st.Failed) == 0 {
				continue
			}
			var cs []Condition
			for _, f := range st.Failed {
				if f.Element != "condition" || len(f.Actual) > 0 || given.Has(f.Key) || impossible[strings.ToLower(f.Key)] {
					cs = nil
					break
				}
				cs = append(cs, Condition{Operator: f.Operator, Key: f.Key, Values: f.Expected, Policy: st.Policy, Statement: labelOf(st), Layer: string(lt.Layer)})
			}
			out = append(out, cs...)
		}
	}
	return out
}

func labelOf(st eval.StatementTrace) string {
	if st.Sid != "" {
		return st.Sid
	}
	return fmt.Sprint(st.Index)
}

func valueTexts(vs []policy.Value) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Text
	}
	return out
}

// Summary renders "allowed", "allowed if: ..." or the status, for people.
func (a *Answer) Summary() string {
	switch a.Status {
	case AllowedIf:
		return "allowed if: " + conditionList(a.Conditions)
	case Unknown:
		return "unknown: " + strings.Join(a.Gaps, "; ")
	case Undetermined:
		return "undetermined: " + a.Reason
	}
	return string(a.Status)
}
