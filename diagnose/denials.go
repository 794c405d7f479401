package diagnose

import (
	"sort"
	"strings"

	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/internal/jsonenc"
	"github.com/iamwhy/iamwhy/snapshot"
	"github.com/iamwhy/iamwhy/trail"
)

// maxGroupEventIDs bounds the event IDs a group lists (its Count says how
// many events it holds).
const maxGroupEventIDs = 20

// Group is the access-denied events that share one root cause: the same
// decision by the same layer, policy, statement and condition. Events the
// replay does not reproduce, or cannot replay, are grouped by the reason.
type Group struct {
	Key        string     `json:"key"`
	Decision   string     `json:"decision"`
	RootCause  *RootCause `json:"root_cause"`
	Reason     string     `json:"reason"` // for events not reproduced or not replayed; "" (JSON null) otherwise
	Count      int        `json:"count"`
	Principals []string   `json:"principals"`
	Actions    []string   `json:"actions"`
	Resources  []string   `json:"resources"`
	EventIDs   []string   `json:"event_ids"`
	First      string     `json:"first"`
	Last       string     `json:"last"`
	Fixes      []Fix      `json:"fixes"`
	Findings   []Finding  `json:"findings"`
	Candidates []string   `json:"candidates"`
	seen       map[string]bool
}

// MarshalJSON writes every field of the group: no reason (and no first or
// last time, when the events carry none) as null, no candidates (a
// reproduced denial) as [].
func (g Group) MarshalJSON() ([]byte, error) {
	return jsonenc.Marshal(struct {
		Key        string     `json:"key"`
		Decision   string     `json:"decision"`
		RootCause  *RootCause `json:"root_cause"`
		Reason     *string    `json:"reason"`
		Count      int        `json:"count"`
		Principals []string   `json:"principals"`
		Actions    []string   `json:"actions"`
		Resources  []string   `json:"resources"`
		EventIDs   []string   `json:"event_ids"`
		First      *string    `json:"first"`
		Last       *string    `json:"last"`
		Fixes      []Fix      `json:"fixes"`
		Findings   []Finding  `json:"findings"`
		Candidates []string   `json:"candidates"`
	}{g.Key, g.Decision, g.RootCause, jsonenc.Null(g.Reason), g.Count, jsonenc.List(g.Principals), jsonenc.List(g.Actions),
		jsonenc.List(g.Resources), jsonenc.List(g.EventIDs), jsonenc.Null(g.First), jsonenc.Null(g.Last), jsonenc.List(g.Fixes), jsonenc.List(g.Findings),
		jsonenc.List(g.Candidates)})
}

// Denials is a trail's access-denied events grouped by root cause.
type Denials struct {
	Events   int         `json:"events"`
	Distinct int         `json:"distinct_requests"`
	Groups   []*Group    `json:"groups"` // most events first
	Stats    trail.Stats `json:"stats"`  // how the records were read (filled by the caller)
}

// DenialsOptions configure GroupDenials.
type DenialsOptions struct {
	Options
	// Request turns a record into requests (the catalog's event -> action
	// map).
	Request trail.RequestOptions
}

// GroupDenials replays each distinct request of the records once against
// env (the first authorisation each call needs) and groups the events by
// what decided. Records are taken in the order given.
func GroupDenials(env *snapshot.Environment, records []*trail.Record, opts DenialsOptions) *Denials {
	out := &Denials{Events: len(records), Groups: []*Group{}}
	groups := map[string]*Group{}
	memo := map[string]*Group{}
	group := func(key string, init func() *Group) *Group {
		g, ok := groups[key]
		if !ok {
			g = init()
			g.Key = key
			groups[key] = g
			out.Groups = append(out.Groups, g)
		}
		return g
	}
	for _, r := range records {
		rp := trail.ToReplay(r, opts.Request)
		if len(rp.Requests) == 0 || rp.Requests[0].Principal == "" {
			g := group("not replayed: no principal", func() *Group {
				return &Group{Decision: "not-replayed", Reason: "the record names no IAM principal to replay"}
			})
			g.add(r, &eval.Request{})
			continue
		}
		req := rp.Requests[0]
		memoKey := requestKey(req)
		if g, ok := memo[memoKey]; ok {
			g.add(r, req)
			continue
		}
		out.Distinct++
		layers, err := env.Layers(req)
		if err != nil {
			reason := err.Error()
			g := group("not replayed: "+reason, func() *Group {
				return &Group{Decision: "not-replayed", Reason: reason}
			})
			memo[memoKey] = g
			g.add(r, req)
			continue
		}
		dopts := opts.Options
		if v, ok := req.Context.Get("aws:PrincipalArn"); ok && len(v) == 1 && dopts.PrincipalARN == "" {
			dopts.PrincipalARN = v[0]
		}
		dopts.ResourceTarget = arn.PolicyResource(req.Resource)
		rep := Diagnose(req, layers, dopts)
		var key string
		var init func() *Group
		if rc := rep.RootCause; rc != nil {
			key = rep.Decision + "|" + rc.Layer + "|" + rc.Policy
			if rc.Statement != nil {
				key += "|" + *rc.Statement
			}
			if rc.Condition != nil {
				key += "|" + rc.Condition.Operator + " " + rc.Condition.Key
			}
			init = func() *Group {
				return &Group{Decision: rep.Decision, RootCause: rc, Fixes: rep.Fixes, Findings: rep.Findings}
			}
		} else {
			key = "not reproduced: " + rep.Decision
			init = func() *Group {
				return &Group{Decision: rep.Decision, Reason: "the replay " + map[string]string{"allow": "allows the request", "undetermined": "cannot decide"}[rep.Decision], Candidates: rep.Candidates}
			}
		}
		g := group(key, init)
		memo[memoKey] = g
		g.add(r, req)
	}
	sort.SliceStable(out.Groups, func(i, j int) bool { return out.Groups[i].Count > out.Groups[j].Count })
	return out
}

// add counts one event in the group.
func (g *Group) add(r *trail.Record, req *eval.Request) {
	g.Count++
	if g.seen == nil {
		g.seen = map[string]bool{}
	}
	for _, v := range []struct {
		list *[]string
		val  string
		kind string
	}{{&g.Principals, req.Principal, "p"}, {&g.Actions, req.Action, "a"}, {&g.Resources, req.Resource, "r"}} {
		if v.val != "" && !g.seen[v.kind+v.val] {
			g.seen[v.kind+v.val] = true
			*v.list = append(*v.list, v.val)
		}
	}
	if len(g.EventIDs) < maxGroupEventIDs {
		g.EventIDs = append(g.EventIDs, r.EventID)
	}
	if g.First == "" || r.EventTime < g.First {
		g.First = r.EventTime
	}
	if r.EventTime > g.Last {
		g.Last = r.EventTime
	}
}

// requestKey identifies a request for memoisation: principal, action,
// resource and context, without the per-call time and user agent.
func requestKey(req *eval.Request) string {
	var b strings.Builder
	b.WriteString(req.Principal + "\x00" + req.Action + "\x00" + req.Resource + "\x00" + req.ResourceAccount)
	for _, k := range req.Context.Keys() {
		switch strings.ToLower(k) {
		case "aws:currenttime", "aws:epochtime", "aws:tokenissuetime", "aws:useragent":
			continue
		}
		v, _ := req.Context.Get(k)
		b.WriteString("\x00" + strings.ToLower(k) + "=" + strings.Join(v, ","))
	}
	return b.String()
}
