package unused

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/iamwhy/iamwhy/analyze/internal/identityreplay"
	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/policy"
	"github.com/iamwhy/iamwhy/snapshot"
)

// Removal is the proposal for one principal: each granting policy without
// its unused actions, keyed by the policy's name as diagnose names
// policies (the ARN, or OWNER_ARN#inline-policy-name).
type Removal struct {
	Policies map[string]json.RawMessage `json:"policies"`
	// Removed lists, per policy, the actions taken out.
	Removed map[string][]string `json:"removed_actions"`
	// Replaces says, for an AWS managed policy (which cannot be edited),
	// that its document is the customer managed policy to create and
	// attach in its place.
	Replaces map[string]string `json:"replaces"`
	// Verified: every used call the original policies allowed is still
	// allowed, and every removed action is now denied, by the engine with
	// the principal's identity policies alone.
	Verified bool         `json:"verified"`
	Checks   RemovalCheck `json:"checks"`
	Problems []string     `json:"problems"`
}

// RemovalCheck counts the re-simulations.
type RemovalCheck struct {
	// UsedCalls are the distinct used requests re-simulated: every used
	// action, on up to four of its distinct resources.
	UsedCalls      int `json:"used_calls"`
	StillAllowed   int `json:"still_allowed"`
	RemovedActions int `json:"removed_actions"`
	NowDenied      int `json:"now_denied"`
	// NotCheckable counts calls the original policies did not allow on
	// their own (a condition on context the record lacks, a resource
	// policy that grants them), so the proposal cannot change them.
	NotCheckable int `json:"not_checkable"`
}

func (a *Analyzer) removal(st *principalState, removed map[string]bool) (*Removal, error) {
	rm := &Removal{Policies: map[string]json.RawMessage{}, Removed: map[string][]string{}, Replaces: map[string]string{}, Problems: []string{}}
	var orig, proposed []*eval.Policy
	for _, d := range st.docs {
		orig = append(orig, d.compiled)
		nd, taken := a.rewrite(d, removed)
		if len(taken) == 0 {
			proposed = append(proposed, d.compiled)
			continue
		}
		data, err := json.Marshal(nd)
		if err != nil {
			return nil, err
		}
		rm.Policies[d.name] = data
		rm.Removed[d.name] = taken
		if d.awsManaged {
			rm.Replaces[d.name] = "an AWS managed policy cannot be edited: create this document as a customer managed policy, attach it, and detach " + d.name
		}
		if len(nd.Statements) == 0 {
			// Nothing is left: the proposal is to detach the policy, so
			// the re-simulation goes without it.
			rm.Replaces[d.name] = "nothing the policy grants is used: detach it (and delete it if nothing else uses it)"
			continue
		}
		p, err := eval.ParseAndCompile(d.name+" (proposed)", data, policy.TypeIdentity)
		if err != nil {
			return nil, fmt.Errorf("%s: proposed document: %w", d.name, err)
		}
		proposed = append(proposed, p)
	}
	rp, err := identityreplay.New(st.account)
	if err != nil {
		return nil, err
	}
	a.verifyRemoval(st, rp, orig, proposed, removed, rm)
	return rm, nil
}

// rewrite returns the document without the removed actions, and which it
// took out. A pattern none of whose actions is removed stays as written;
// otherwise its actions are written per service: "service:*" for a
// service none of whose actions is removed and all of whose actions the
// pattern matched, else the kept actions one by one. NotAction statements
// become Action statements the same way. Statements left with no action
// are dropped.
func (a *Analyzer) rewrite(d *policyDoc, removed map[string]bool) (*policy.Policy, []string) {
	nd := d.doc.Clone()
	taken := map[string]bool{}
	var stmts []policy.Statement
	for i, s := range nd.Statements {
		acts := d.stmtActions[i]
		hit := false
		for act := range acts {
			if removed[act] {
				hit = true
				taken[act] = true
			}
		}
		if !hit {
			stmts = append(stmts, s)
			continue
		}
		var values []string
		if s.Action.Not {
			values = a.perService(acts, removed)
		} else {
			for _, v := range s.Action.Values {
				exp := map[string]bool{}
				a.expandPattern(v.Text, exp)
				if !intersects(exp, removed) {
					values = append(values, v.Text)
					continue
				}
				values = append(values, a.perService(exp, removed)...)
			}
		}
		values = dedupe(values)
		if len(values) == 0 {
			continue
		}
		s.Action = policy.List{Present: true, Values: make([]policy.Value, len(values))}
		for j, v := range values {
			s.Action.Values[j] = policy.Value{Text: v}
		}
		stmts = append(stmts, s)
	}
	nd.Statements = stmts
	if nd.Statements == nil {
		nd.Statements = []policy.Statement{}
	}
	for i := range nd.Statements {
		nd.Statements[i].Index = i
	}
	return nd, sortedKeys(taken)
}

func (a *Analyzer) perService(exp, removed map[string]bool) []string {
	bySvc := map[string][]string{}
	for act := range exp {
		bySvc[serviceOf(act)] = append(bySvc[serviceOf(act)], act)
	}
	var out []string
	for _, svc := range sortedKeys(bySvc) {
		acts := bySvc[svc]
		sort.Strings(acts)
		anyRemoved := false
		for _, act := range acts {
			anyRemoved = anyRemoved || removed[act]
		}
		if s, ok := a.c.Service(svc); ok && !anyRemoved && len(acts) == len(s.Actions) {
			out = append(out, s.Prefix+":*")
			continue
		}
		for _, act := range acts {
			if !removed[act] {
				out = append(out, act)
			}
		}
	}
	return out
}

func intersects(a, b map[string]bool) bool {
	for k := range a {
		if b[k] {
			return true
		}
	}
	return false
}

func dedupe(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// verifyRemoval re-simulates every used call (the original policies
// allowed it, so must the proposal) and every removed action on the
// resources of a statement that granted it (allowed before, denied now).
func (a *Analyzer) verifyRemoval(st *principalState, rp *identityreplay.Replayer, orig, proposed []*eval.Policy, removed map[string]bool, rm *Removal) {
	c := &rm.Checks
	problem := func(format string, args ...any) {
		if len(rm.Problems) < 20 {
			rm.Problems = append(rm.Problems, fmt.Sprintf(format, args...))
		}
	}
	keys := make([]reqKey, 0, len(st.requests))
	for k := range st.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].action != keys[j].action {
			return keys[i].action < keys[j].action
		}
		if keys[i].resource != keys[j].resource {
			return keys[i].resource < keys[j].resource
		}
		return keys[i].passedTo < keys[j].passedTo
	})
	for _, k := range keys {
		req, err := st.requests[k].request()
		if err != nil {
			// Only keep writes the form: this is not expected.
			c.NotCheckable++
			problem("used call %s on %s could not be re-simulated: %v", k.action, k.resource, err)
			continue
		}
		if rp.Decide(req, orig).Outcome != eval.Allow {
			c.NotCheckable++
			continue
		}
		c.UsedCalls++
		if d := rp.Decide(req, proposed); d.Outcome == eval.Allow {
			c.StillAllowed++
		} else {
			problem("used call %s on %s is %s with the proposal: %s", req.Action, req.Resource, d.Outcome, d.Reason)
		}
	}
	caller, roleARN := st.arn, ""
	if st.p.Kind == snapshot.PrincipalRole {
		_, name := arn.PathName(strings.TrimPrefix(mustResource(st.arn), "role/"))
		caller = "arn:" + arn.Partition(st.arn) + ":sts::" + st.account + ":assumed-role/" + name + "/iamwhy-unused"
		roleARN = st.arn
	}
	for _, act := range sortedKeys(removed) {
		checked := false
		for _, d := range st.docs {
			for i, acts := range d.stmtActions {
				if checked || !acts[act] {
					continue
				}
				s := &d.doc.Statements[i]
				if s.Resource.Not {
					continue
				}
				for _, r := range s.Resource.Values {
					req := &eval.Request{Principal: caller, Action: act, Resource: r.Text, Context: &eval.Context{}}
					req.FillPrincipalContext(roleARN)
					if rp.Decide(req, orig).Outcome != eval.Allow {
						continue
					}
					checked = true
					c.RemovedActions++
					if d := rp.Decide(req, proposed); d.Outcome == eval.Allow {
						problem("removed action %s on %s is still allowed by the proposal", act, r.Text)
					} else {
						c.NowDenied++
					}
					break
				}
			}
		}
		if !checked {
			c.NotCheckable++
		}
	}
	rm.Verified = len(rm.Problems) == 0 && c.RemovedActions == len(removed)
	if !rm.Verified && len(rm.Problems) == 0 {
		rm.Problems = append(rm.Problems, fmt.Sprintf("%d removed actions could not be re-simulated (their statements have conditions or NotResource that a request without context does not meet)", len(removed)-c.RemovedActions))
	}
}
