package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/iamwhy/iamwhy/inputfile"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/denial"
	"github.com/iamwhy/iamwhy/diagnose"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/snapshot"
	"github.com/iamwhy/iamwhy/trail"
)

// diagnoseOptions are the typed flags of `iamwhy diagnose` (spec/explain.md).
type diagnoseOptions struct {
	envFlags
	Event           string
	File            string
	Message         string
	Context         []string
	Output          string
	Principal       string
	Action          string
	Resource        string
	ResourceAccount string
	CompareEnv      string
	ComparePrin     string
	// text is the input already read (by explain --env), when haveText.
	text     string
	haveText bool
}

func newDiagnoseCmd(s Streams) *cobra.Command {
	o := &diagnoseOptions{}
	cmd := &cobra.Command{
		Use:   "diagnose --env ENV [--context KEY=VALUE ...] [MESSAGE | --event FILE | --file F | -]",
		Short: "Replay a denied request against an environment: root cause and a proven fix",
		Long: `diagnose rebuilds the denied request from an access-denied message, a CloudTrail record
(--event: one record, or a file whose first denied record is taken) or explicit flags
(--principal, --action, --resource), replays it against the environment, names the root cause
(layer, policy, statement, failed condition) and proposes the smallest policy change that makes
the request pass, proven by re-simulation. With --compare-env, it also says which difference
between the two environments (staging and production, say) explains the denial.

Exit status: 0 a root cause was found; 4 the replay does not reproduce the denial (candidates
are listed); 3 the input is not an access-denied error; 2 diagnose could not run.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Message = strings.Join(args, " ")
			return runDiagnose(s, o)
		},
	}
	f := cmd.Flags()
	o.envFlags.register(cmd, "the environment to replay the request in (required)")
	f.StringVar(&o.Event, "event", "", "a CloudTrail record, or a file of records whose first denied one is taken")
	f.StringVar(&o.File, "file", "", "read the access-denied message from this file")
	f.StringArrayVar(&o.Context, "context", nil, "add or override a request context key: KEY=VALUE or KEY=[V1,V2] (repeatable)")
	f.StringVarP(&o.Output, "output", "o", "text", "output format: text or json")
	f.StringVar(&o.Principal, "principal", "", "the caller, when the input does not name it (or to diagnose an explicit request)")
	f.StringVar(&o.Action, "action", "", "the action, when the input does not name it")
	f.StringVar(&o.Resource, "resource", "", "the resource ARN, when the input does not name it")
	f.StringVar(&o.ResourceAccount, "resource-account", "", "the account that owns the resource")
	f.StringVar(&o.CompareEnv, "compare-env", "", "another environment where the request works (staging, say), to explain the difference")
	f.StringVar(&o.ComparePrin, "compare-principal", "", "the caller's ARN in --compare-env (default: the same user or role name there)")
	return cmd
}

// diagnoseResult is what diagnose prints: the contract's report plus what
// the input said.
type diagnoseResult struct {
	*diagnose.Report
	Input      *inputSummary `json:"input,omitempty"`
	Warnings   []string      `json:"warnings,omitempty"`
	Unknown    []string      `json:"unknown_context_keys,omitempty"`
	ReplayNote []string      `json:"replay_notes,omitempty"`
}

type inputSummary struct {
	Kind       string `json:"kind"` // message, event, request
	Deny       string `json:"deny,omitempty"`
	PolicyType string `json:"policy_type,omitempty"`
	EventID    string `json:"event_id,omitempty"`
	EventTime  string `json:"event_time,omitempty"`
}

func runDiagnose(s Streams, o *diagnoseOptions) error {
	if o.Output != "text" && o.Output != "json" {
		return fmt.Errorf("unknown --output %q (want text or json)", o.Output)
	}
	res, err := computeDiagnosis(s, o)
	if err != nil {
		return err
	}
	if res == nil { // not an access-denied error
		fmt.Fprintln(s.Out, "the input is not an access-denied error; nothing to diagnose")
		return silentExit(3)
	}
	if err := renderDiagnose(s.Out, o.Output, res); err != nil {
		return err
	}
	if res.RootCause == nil {
		return silentExit(4)
	}
	return nil
}

// computeDiagnosis rebuilds the request from the input, replays it in the
// environment and diagnoses it. It returns nil (and no error) when the
// input is not an access-denied error.
func computeDiagnosis(s Streams, o *diagnoseOptions) (*diagnoseResult, error) {
	if !o.envFlags.given() {
		return nil, errors.New("--env is required: the environment to replay the request in")
	}
	req, res, err := o.buildRequest(s)
	if err != nil {
		return nil, err
	}
	if req == nil {
		return nil, nil
	}
	overrides, err := parseContextFlags(o.Context)
	if err != nil {
		return nil, err
	}
	for _, k := range overrides.Keys() {
		v, _ := overrides.Get(k)
		req.Context.Set(k, v...)
	}
	res.ReplayNote = append(res.ReplayNote, eval.NormalizeContext(req.Context, catalogReference())...)
	env, err := o.envFlags.load()
	if err != nil {
		return nil, err
	}
	layers, err := env.Layers(req)
	if err != nil {
		return nil, err
	}
	principalARN := ""
	if v, ok := req.Context.Get("aws:PrincipalArn"); ok && len(v) == 1 {
		principalARN = v[0]
	}
	rep := diagnose.Diagnose(req, layers, diagnose.Options{
		Actions:        catalogServiceActions,
		PrincipalARN:   principalARN,
		ResourceTarget: resourcePolicyTarget(req.Resource),
	})
	_, tr := eval.ExplainWith(req, layers, eval.Options{Reference: catalog.Default()})
	res.Report = rep
	res.Warnings = append(res.Warnings, tr.Warnings...)
	gaps := env.ResourceGaps(eval.ParsePrincipal(req.Principal).Account, req.Action, req.Resource)
	for _, g := range gaps {
		rep.Findings = append(rep.Findings, diagnose.Finding{Code: "snapshot-gap", Message: g})
	}
	if rep.Decision == "allow" || rep.Decision == "undetermined" {
		if len(gaps) > 0 {
			rep.Candidates = append([]string{"a policy the snapshot lacks: " + strings.Join(gaps, "; ")}, rep.Candidates...)
		}
		if c := recentChangeCandidate(env, req); c != "" {
			rep.Candidates = append([]string{c}, rep.Candidates...)
		}
	}
	if o.CompareEnv != "" {
		fs, err := o.compare(req, layers)
		if err != nil {
			return nil, err
		}
		rep.Findings = append(rep.Findings, fs...)
	}
	return res, nil
}

// buildRequest turns the input into the request to replay. It returns a
// nil request when the input is read but is not an access-denied error.
func (o *diagnoseOptions) buildRequest(s Streams) (*eval.Request, *diagnoseResult, error) {
	res := &diagnoseResult{}
	if o.Event != "" {
		return o.requestFromEvent(res)
	}
	if o.Message == "" && o.File == "" && o.Principal != "" && o.Action != "" {
		req := &eval.Request{Principal: o.Principal, Action: o.Action, Resource: orStar(o.Resource), ResourceAccount: o.ResourceAccount, Context: &eval.Context{}}
		res.Input = &inputSummary{Kind: "request"}
		return req, res, nil
	}
	name, text := "input", o.text
	if !o.haveText {
		var err error
		name, text, err = readExplainInput(s, explainOptions{File: o.File, Message: o.Message})
		if err != nil {
			return nil, nil, err
		}
	}
	if rec := firstDeniedRecord(text); rec != nil {
		return o.fromRecord(rec, res)
	}
	d, err := denial.Parse(text, catalogDenialOptions())
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	if !d.Recognized {
		return nil, res, nil
	}
	res.Input = &inputSummary{Kind: "message", Deny: string(d.Deny), PolicyType: string(d.PolicyType)}
	req := &eval.Request{Principal: o.Principal, Action: o.Action, Resource: o.Resource, ResourceAccount: o.ResourceAccount, Context: &eval.Context{}}
	if req.Principal == "" && d.Principal != nil {
		req.Principal = *d.Principal
	}
	if req.Action == "" && d.Action != nil {
		req.Action = *d.Action
	}
	if req.Resource == "" && d.Resource != nil {
		req.Resource = *d.Resource
	}
	switch {
	case req.Principal == "":
		return nil, nil, errors.New("the message does not name the caller: give --principal")
	case req.Action == "":
		return nil, nil, errors.New("the message does not name the action: give --action")
	case req.Resource == "":
		req.Resource = "*"
		res.ReplayNote = append(res.ReplayNote, "the message names no resource; replayed on \"*\" (give --resource to replay on the real one)")
	}
	res.ReplayNote = append(res.ReplayNote, "a message carries no region, source IP, VPC endpoint, MFA state or time: give them with --context if the policies test them (missing_context_keys lists those they test)")
	return req, res, nil
}

func orStar(s string) string {
	if s == "" {
		return "*"
	}
	return s
}

// firstDeniedRecord reads text as CloudTrail records and returns the first
// access-denied one, or nil when text is not CloudTrail.
func firstDeniedRecord(text string) *trail.Record {
	t := strings.TrimSpace(text)
	if !strings.HasPrefix(t, "{") && !strings.HasPrefix(t, "[") {
		return nil
	}
	if !strings.Contains(t, "eventSource") {
		return nil
	}
	var rec *trail.Record
	_, _ = trail.Read(context.Background(), []string{"-"}, trail.Options{Stdin: strings.NewReader(text), Serial: true, Filter: trail.Filter{DeniedOnly: true}}, func(r *trail.Record) error {
		if rec == nil {
			rec = r.Clone()
		}
		return nil
	})
	return rec
}

func (o *diagnoseOptions) requestFromEvent(res *diagnoseResult) (*eval.Request, *diagnoseResult, error) {
	data, err := inputfile.Read(o.Event)
	if err != nil {
		return nil, nil, err
	}
	var rec *trail.Record
	st, err := trail.Read(context.Background(), []string{o.Event}, trail.Options{Serial: true}, func(r *trail.Record) error {
		if rec == nil && trail.IsAccessDenied(r.ErrorCode) {
			rec = r.Clone()
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if rec == nil {
		if st.Records == 0 {
			return nil, nil, fmt.Errorf("%s: no CloudTrail record could be read (%d bytes; %d problems)", o.Event, len(data), len(st.Problems))
		}
		return nil, res, nil
	}
	// Fields of the wrong JSON type were left empty by the reader: the
	// replay runs without them, and says so.
	for _, p := range st.Problems {
		res.Warnings = append(res.Warnings, "not used from the event: "+p.String())
	}
	return o.fromRecord(rec, res)
}

func (o *diagnoseOptions) fromRecord(rec *trail.Record, res *diagnoseResult) (*eval.Request, *diagnoseResult, error) {
	rp := trail.ToReplay(rec, trail.RequestOptions{Actions: func(src, name string) []string {
		a, _ := catalog.Default().EventActions(src, name)
		return a
	}})
	res.Input = &inputSummary{Kind: "event", EventID: rec.EventID, EventTime: rec.EventTime}
	if d, err := denial.Parse(rec.ErrorMessage, catalogDenialOptions()); err == nil && d.Recognized {
		res.Input.Deny, res.Input.PolicyType = string(d.Deny), string(d.PolicyType)
	}
	res.Unknown = rp.Unknown
	res.ReplayNote = append(res.ReplayNote, rp.Notes...)
	if len(rp.Requests) == 0 || rp.Requests[0].Principal == "" {
		return nil, nil, fmt.Errorf("event %s: the record names no principal to replay", rec.EventID)
	}
	if len(rp.Requests) > 1 {
		res.ReplayNote = append(res.ReplayNote, fmt.Sprintf("the call needs %d authorisations; the first (%s on %s) is diagnosed", len(rp.Requests), rp.Requests[0].Action, rp.Requests[0].Resource))
	}
	req := rp.Requests[0]
	if o.Principal != "" {
		req.Principal = o.Principal
	}
	if o.Resource != "" {
		req.Resource = o.Resource
	}
	if o.ResourceAccount != "" {
		req.ResourceAccount = o.ResourceAccount
	}
	return req, res, nil
}

// resourcePolicyTarget names the resource a resource-based policy is
// attached to: an S3 object's bucket, else the resource itself.
func resourcePolicyTarget(resource string) string { return arn.PolicyResource(resource) }

// recentChangeCandidate reports a role or user created shortly before the
// request (IAM is eventually consistent).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency
func recentChangeCandidate(env *snapshot.Environment, req *eval.Request) string {
	v, ok := req.Context.Get("aws:CurrentTime")
	if !ok || len(v) != 1 {
		return ""
	}
	at, err := time.Parse(time.RFC3339, v[0])
	if err != nil {
		return ""
	}
	p, err := env.Principal(req.Principal)
	if err != nil {
		return ""
	}
	created := time.Time{}
	what := ""
	switch {
	case p.Role != nil:
		created, what = p.Role.CreateDate, "role "+p.Role.ARN
	case p.User != nil:
		created, what = p.User.CreateDate, "user "+p.User.ARN
	}
	if created.IsZero() || at.Before(created) {
		if !created.IsZero() {
			return fmt.Sprintf("the %s was created at %s, after the request (%s): the snapshot is newer than the event", what, created.Format(time.RFC3339), v[0])
		}
		return ""
	}
	if at.Sub(created) < 10*time.Minute {
		return fmt.Sprintf("IAM eventual consistency: the %s was created %s before the request; changes can take seconds to apply everywhere", what, at.Sub(created).Round(time.Second))
	}
	return ""
}

// compare replays the request in the other environment and explains the
// difference.
func (o *diagnoseOptions) compare(req *eval.Request, layers *eval.Layers) ([]diagnose.Finding, error) {
	other, err := snapshot.LoadFile(o.CompareEnv, snapshot.Options{})
	if err != nil {
		return nil, fmt.Errorf("--compare-env: %w", err)
	}
	principal := o.ComparePrin
	if principal == "" {
		principal = counterpart(other, req.Principal)
	}
	// The same resource in the other environment: where the caller moved
	// to another account, so does a resource of its own account.
	resource := req.Resource
	from, to := eval.ParsePrincipal(req.Principal).Account, eval.ParsePrincipal(principal).Account
	if from != "" && to != "" && from != to {
		resource = strings.Replace(resource, ":"+from+":", ":"+to+":", 1)
	}
	oreq := &eval.Request{Principal: principal, Action: req.Action, Resource: resource, Context: &eval.Context{}}
	for _, k := range req.Context.Keys() {
		switch strings.ToLower(k) {
		case "aws:principalarn", "aws:principalaccount", "aws:userid", "aws:principalorgid", "aws:resourceaccount", "aws:resourceorgid", "aws:username", "aws:principaltype", "aws:principalisawsservice":
			continue
		}
		v, _ := req.Context.Get(k)
		oreq.Context.Set(k, v...)
	}
	olayers, err := other.Layers(oreq)
	if err != nil {
		return nil, fmt.Errorf("--compare-env: %w", err)
	}
	return diagnose.Compare(req, layers, oreq, olayers), nil
}

// counterpart finds the principal of the same kind and name in another
// environment (the same role in the staging account).
func counterpart(env *snapshot.Environment, arn string) string {
	if _, err := env.Principal(arn); err == nil {
		return arn
	}
	p := eval.ParsePrincipal(arn)
	for _, id := range env.AccountIDs() {
		cand := strings.Replace(arn, ":"+p.Account+":", ":"+id+":", 1)
		if _, err := env.Principal(cand); err == nil {
			return cand
		}
	}
	return arn
}

func renderDiagnose(w io.Writer, format string, res *diagnoseResult) error {
	if format == "json" {
		// The contract's fields first, then the extensions.
		type out struct {
			*diagnose.Report
			Input      *inputSummary `json:"input,omitempty"`
			Warnings   []string      `json:"warnings,omitempty"`
			Unknown    []string      `json:"unknown_context_keys,omitempty"`
			ReplayNote []string      `json:"replay_notes,omitempty"`
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out{res.Report, res.Input, res.Warnings, res.Unknown, res.ReplayNote})
	}
	r := res.Report
	var b strings.Builder
	fmt.Fprintf(&b, "Request   %s\n          %s on %s", r.Request.Principal, r.Request.Action, r.Request.Resource)
	if r.Request.ResourceAccount != "" {
		fmt.Fprintf(&b, " (account %s)", r.Request.ResourceAccount)
	}
	b.WriteString("\n")
	if len(r.Request.Context) > 0 {
		keys := make([]string, 0, len(r.Request.Context))
		for k := range r.Request.Context {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("Context  ")
		for _, k := range keys {
			fmt.Fprintf(&b, " %s=%s", k, strings.Join(r.Request.Context[k], ","))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "Replay    %s\n", strings.ToUpper(r.Decision))
	if rc := r.RootCause; rc != nil {
		fmt.Fprintf(&b, "\nRoot cause (%s layer)\n  %s\n", rc.Layer, rc.Summary)
		if rc.Policy != "" {
			fmt.Fprintf(&b, "  policy     %s\n", rc.Policy)
		}
		if rc.Statement != nil {
			fmt.Fprintf(&b, "  statement  %s", *rc.Statement)
			if rc.Location != "" {
				fmt.Fprintf(&b, " at %s", rc.Location)
			}
			b.WriteString("\n")
		}
		if c := rc.Condition; c != nil {
			fmt.Fprintf(&b, "  condition  %s %s: expected [%s], got [%s]\n", c.Operator, c.Key, strings.Join(c.Expected, ", "), strings.Join(c.Actual, ", "))
		}
	}
	if len(r.Findings) > 0 {
		b.WriteString("\nFindings\n")
		for _, f := range r.Findings {
			fmt.Fprintf(&b, "  [%s] %s\n", f.Code, f.Message)
		}
	}
	if len(r.Fixes) > 0 {
		b.WriteString("\nFixes\n")
		for i, f := range r.Fixes {
			fmt.Fprintf(&b, "  %d. %s\n     layer %s, target %s; verified by re-simulation: %v; grants beyond the request: %v\n", i+1, f.Description, f.Layer, f.Target, f.Verified, f.GrantsBeyondRequest)
			if len(f.Requires) > 0 {
				fmt.Fprintf(&b, "     together with fix %v\n", plusOne(f.Requires))
			}
			if f.WhoMustAct != "" {
				fmt.Fprintf(&b, "     who must act: %s\n", f.WhoMustAct)
			}
			if f.Patch != "" {
				fmt.Fprintf(&b, "     %s\n", f.Patch)
			}
			for _, g := range f.AlsoGrants {
				fmt.Fprintf(&b, "     also grants: %s\n", g)
			}
		}
	}
	if len(r.MissingKeys) > 0 {
		fmt.Fprintf(&b, "\nThe decision depends on context keys the input does not give: %s (add them with --context)\n", strings.Join(r.MissingKeys, ", "))
	}
	if len(r.Candidates) > 0 {
		b.WriteString("\nThe replay does not reproduce the denial. Candidates, most likely first:\n")
		for i, c := range r.Candidates {
			fmt.Fprintf(&b, "  %d. %s\n", i+1, c)
		}
	}
	for _, n := range res.ReplayNote {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	for _, wn := range res.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", wn)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func plusOne(idx []int) []int {
	out := make([]int, len(idx))
	for i, v := range idx {
		out[i] = v + 1
	}
	return out
}
