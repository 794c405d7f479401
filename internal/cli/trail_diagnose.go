package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/diagnose"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/snapshot"
	"github.com/iamwhy/iamwhy/trail"
)

// trailDiagnoseOptions are the flags of `iamwhy trail diagnose`.
type trailDiagnoseOptions struct {
	Paths []string
	envFlags
	Output string
	Filter trailFilterFlags
}

func newTrailDiagnoseCmd(s Streams) *cobra.Command {
	var o trailDiagnoseOptions
	cmd := &cobra.Command{
		Use:   "diagnose PATH... --env ENV",
		Short: "Diagnose every access-denied event in CloudTrail logs, grouped by root cause",
		Long: `Replays every access-denied event of the logs against an environment (as 'iamwhy diagnose
--event' does for one), and groups the events by root cause: the layer, the policy, the
statement and the condition that decided. Each group lists its events, callers and actions,
and the fixes proposed (proven by re-simulation). Events the replay allows, or cannot replay
(a caller the environment does not hold), are grouped with the reason.

Exit status: 0; 1 when some inputs could not be read; 2 when the command could not run.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Paths = args
			return runTrailDiagnose(cmd.Context(), s, o)
		},
	}
	o.envFlags.register(cmd, "the environment to replay the events in (required)")
	cmd.Flags().StringVarP(&o.Output, "output", "o", "text", "output format: text or json")
	o.Filter.register(cmd)
	return cmd
}

// rootCauseGroup is the events that share one root cause.
type rootCauseGroup struct {
	Key        string              `json:"key"`
	Decision   string              `json:"decision"`
	RootCause  *diagnose.RootCause `json:"root_cause"`
	Reason     string              `json:"reason,omitempty"` // for events not reproduced or not replayed
	Count      int                 `json:"count"`
	Principals []string            `json:"principals"`
	Actions    []string            `json:"actions"`
	Resources  []string            `json:"resources"`
	EventIDs   []string            `json:"event_ids"`
	First      string              `json:"first"`
	Last       string              `json:"last"`
	Fixes      []diagnose.Fix      `json:"fixes"`
	Findings   []diagnose.Finding  `json:"findings"`
	Candidates []string            `json:"candidates,omitempty"`
	seen       map[string]bool     `json:"-"`
}

type trailDiagnosis struct {
	Events   int               `json:"events"`
	Distinct int               `json:"distinct_requests"`
	Groups   []*rootCauseGroup `json:"groups"`
	Stats    trail.Stats       `json:"stats"`
}

func runTrailDiagnose(ctx context.Context, s Streams, o trailDiagnoseOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if !o.envFlags.given() {
		return fmt.Errorf("--env is required: the environment to replay the events in")
	}
	if o.Output != "text" && o.Output != "json" {
		return fmt.Errorf("--output %q: want text or json", o.Output)
	}
	env, err := o.envFlags.load()
	if err != nil {
		return err
	}
	opts, err := o.Filter.options(s, time.Now())
	if err != nil {
		return err
	}
	opts.Filter.DeniedOnly = true
	opts.Serial = true
	var records []*trail.Record
	st, err := trail.Read(ctx, o.Paths, opts, func(r *trail.Record) error {
		records = append(records, r.Clone())
		return nil
	})
	if err != nil {
		return err
	}
	if st.NoInput() {
		printTrailProblems(s, &st)
		return noInputError(&st)
	}
	// Workers deliver records in any order: sort on a total order so the
	// groups, their lists and examples are the same from run to run.
	sort.Slice(records, func(i, j int) bool {
		a, b := records[i], records[j]
		if a.EventTime != b.EventTime {
			return a.EventTime < b.EventTime
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Index != b.Index {
			return a.Index < b.Index
		}
		return a.EventID < b.EventID
	})
	out := diagnoseRecords(env, records)
	out.Stats = st
	if o.Output == "json" {
		enc := json.NewEncoder(s.Out)
		enc.SetIndent("", "  ")
		err = enc.Encode(out)
	} else {
		err = renderTrailDiagnosis(s.Out, out)
	}
	if err != nil {
		return err
	}
	for _, p := range st.Problems {
		fmt.Fprintf(s.Err, "iamwhy: trail: %s\n", p)
	}
	if len(st.Problems) > 0 {
		return silentExit(1)
	}
	return nil
}

// diagnoseRecords replays each distinct request once and groups the events
// by what decided.
func diagnoseRecords(env *snapshot.Environment, records []*trail.Record) *trailDiagnosis {
	actions := func(src, name string) []string {
		a, _ := catalog.Default().EventActions(src, name)
		return a
	}
	out := &trailDiagnosis{Events: len(records), Groups: []*rootCauseGroup{}}
	groups := map[string]*rootCauseGroup{}
	memo := map[string]*rootCauseGroup{}
	add := func(g *rootCauseGroup, r *trail.Record, req *eval.Request) {
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
		if len(g.EventIDs) < 20 {
			g.EventIDs = append(g.EventIDs, r.EventID)
		}
		if g.First == "" || r.EventTime < g.First {
			g.First = r.EventTime
		}
		if r.EventTime > g.Last {
			g.Last = r.EventTime
		}
	}
	group := func(key string, init func() *rootCauseGroup) *rootCauseGroup {
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
		rp := trail.ToReplay(r, trail.RequestOptions{Actions: actions})
		if len(rp.Requests) == 0 || rp.Requests[0].Principal == "" {
			g := group("not replayed: no principal", func() *rootCauseGroup {
				return &rootCauseGroup{Decision: "not-replayed", Reason: "the record names no IAM principal to replay"}
			})
			add(g, r, &eval.Request{})
			continue
		}
		req := rp.Requests[0]
		memoKey := requestKey(req)
		if g, ok := memo[memoKey]; ok {
			add(g, r, req)
			continue
		}
		out.Distinct++
		layers, err := env.Layers(req)
		if err != nil {
			reason := err.Error()
			g := group("not replayed: "+reason, func() *rootCauseGroup {
				return &rootCauseGroup{Decision: "not-replayed", Reason: reason}
			})
			memo[memoKey] = g
			add(g, r, req)
			continue
		}
		principalARN := ""
		if v, ok := req.Context.Get("aws:PrincipalArn"); ok && len(v) == 1 {
			principalARN = v[0]
		}
		rep := diagnose.Diagnose(req, layers, diagnose.Options{Actions: catalogServiceActions, PrincipalARN: principalARN, ResourceTarget: resourcePolicyTarget(req.Resource)})
		var key string
		var init func() *rootCauseGroup
		if rc := rep.RootCause; rc != nil {
			key = rep.Decision + "|" + rc.Layer + "|" + rc.Policy
			if rc.Statement != nil {
				key += "|" + *rc.Statement
			}
			if rc.Condition != nil {
				key += "|" + rc.Condition.Operator + " " + rc.Condition.Key
			}
			init = func() *rootCauseGroup {
				return &rootCauseGroup{Decision: rep.Decision, RootCause: rc, Fixes: rep.Fixes, Findings: rep.Findings}
			}
		} else {
			key = "not reproduced: " + rep.Decision
			init = func() *rootCauseGroup {
				return &rootCauseGroup{Decision: rep.Decision, Reason: "the replay " + map[string]string{"allow": "allows the request", "undetermined": "cannot decide"}[rep.Decision], Candidates: rep.Candidates}
			}
		}
		g := group(key, init)
		memo[memoKey] = g
		add(g, r, req)
	}
	sort.SliceStable(out.Groups, func(i, j int) bool { return out.Groups[i].Count > out.Groups[j].Count })
	return out
}

// requestKey identifies a request for memoisation: principal, action,
// resource and context, without the per-call time.
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

func renderTrailDiagnosis(w io.Writer, d *trailDiagnosis) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%d access-denied events (%d distinct requests) in %d groups by root cause.\n", d.Events, d.Distinct, len(d.Groups))
	for i, g := range d.Groups {
		fmt.Fprintf(&b, "\n%d. %d× ", i+1, g.Count)
		if rc := g.RootCause; rc != nil {
			fmt.Fprintf(&b, "%s by the %s layer: %s\n", strings.ToUpper(g.Decision), rc.Layer, rc.Summary)
			if rc.Policy != "" {
				fmt.Fprintf(&b, "   policy %s", rc.Policy)
				if rc.Statement != nil {
					fmt.Fprintf(&b, ", statement %s", *rc.Statement)
				}
				b.WriteString("\n")
			}
		} else {
			fmt.Fprintf(&b, "%s\n", g.Reason)
		}
		fmt.Fprintf(&b, "   callers: %s\n   actions: %s\n", strings.Join(limit(g.Principals, 5), ", "), strings.Join(limit(g.Actions, 5), ", "))
		fmt.Fprintf(&b, "   first %s, last %s; e.g. event %s\n", g.First, g.Last, g.EventIDs[0])
		for _, f := range g.Findings {
			fmt.Fprintf(&b, "   [%s] %s\n", f.Code, f.Message)
		}
		for _, f := range g.Fixes {
			fmt.Fprintf(&b, "   fix: %s (verified: %v, grants beyond the request: %v)\n", f.Description, f.Verified, f.GrantsBeyondRequest)
		}
		for j, c := range g.Candidates {
			if j == 3 {
				break
			}
			fmt.Fprintf(&b, "   candidate: %s\n", c)
		}
	}
	fmt.Fprintf(&b, "\nRead %d files, %d records; %d problems.\n", d.Stats.Files, d.Stats.Records, len(d.Stats.Problems))
	_, err := io.WriteString(w, b.String())
	return err
}

func limit(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(append([]string(nil), s[:n]...), fmt.Sprintf("and %d more", len(s)-n))
}
