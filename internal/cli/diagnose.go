package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/diagnose"
	"github.com/iamwhy/iamwhy/replay"
	"github.com/iamwhy/iamwhy/snapshot"
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
		Use:   "diagnose --env ENV [--context K=V ...] [MESSAGE | --event FILE | --file F | -]",
		Short: "Replay a denied request against an environment: root cause and a proven fix",
		Long: `diagnose rebuilds the denied request from an access-denied message, a CloudTrail record
(--event: one record, or a file whose first denied record is taken) or explicit flags
(--principal, --action, --resource), replays it against the environment, names the root cause
(layer, policy, statement, failed condition) and proposes the smallest policy change that makes
the request pass, proven by re-simulation. With --compare-env, it also says which difference
between the two environments (staging and production, say) explains the denial.

Exit status: 0 a root cause was found; 4 the replay does not reproduce the denial (candidates
are listed); 3 the input is not an access-denied error; 2 diagnose could not run.`,
		Example: `  iamwhy diagnose --env examples/env --event examples/trail/cloudtrail.json
  iamwhy diagnose --env examples/env --context aws:RequestedRegion=eu-west-1 --file message.txt
  iamwhy diagnose --env examples/env --principal arn:aws:iam::111122223333:user/alice \
    --action s3:PutObject --resource arn:aws:s3:::example-data-config/app/settings.json
  iamwhy diagnose --env prod/ --compare-env staging/ --event denied.json -o json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Message = strings.Join(args, " ")
			return runDiagnose(s, o)
		},
	}
	f := cmd.Flags()
	o.envFlags.register(cmd)
	f.StringVar(&o.Event, "event", "", "a CloudTrail record, or a file of records whose first denied one is taken")
	f.StringVar(&o.File, "file", "", "read the access-denied message from this file")
	contextFlag(cmd, &o.Context)
	outputFlag(cmd, &o.Output, "text", "json")
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
	Input      *replay.Source `json:"input,omitempty"`
	Warnings   []string       `json:"warnings,omitempty"`
	Unknown    []string       `json:"unknown_context_keys,omitempty"`
	ReplayNote []string       `json:"replay_notes,omitempty"`
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
	rr, err := o.buildRequest(s)
	if errors.Is(err, replay.ErrNotAccessDenied) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	req := rr.Request
	overrides, err := parseContextFlags(o.Context)
	if err != nil {
		return nil, err
	}
	for _, k := range overrides.Keys() {
		v, _ := overrides.Get(k)
		req.Context.Set(k, v...)
	}
	env, err := o.envFlags.load()
	if err != nil {
		return nil, err
	}
	ropts := diagnose.ReplayOptions{
		Options:          diagnose.Options{Actions: catalog.Default().ServiceActions},
		Reference:        catalogReference(),
		ComparePrincipal: o.ComparePrin,
	}
	if o.CompareEnv != "" {
		if ropts.Compare, err = loadEnvironment(snapshot.Spec{File: o.CompareEnv}); err != nil {
			return nil, fmt.Errorf("--compare-env: %w", err)
		}
	}
	if rr.Source != nil && rr.Source.Kind == "message" {
		// A message carries no request context: the keys it cannot carry
		// are unknown, and its deny kind and policy type are evidence.
		ropts.Message = &diagnose.Evidence{Deny: rr.Source.Deny, PolicyType: rr.Source.PolicyType}
	}
	out, err := diagnose.Replay(env, req, ropts)
	if err != nil {
		return nil, err
	}
	return &diagnoseResult{Report: out.Report, Input: rr.Source, Warnings: out.Warnings, Unknown: rr.Unknown,
		ReplayNote: append(rr.Notes, out.Notes...)}, nil
}

// buildRequest turns the input into the request to replay;
// replay.ErrNotAccessDenied when the input is read but is not an
// access-denied error.
func (o *diagnoseOptions) buildRequest(s Streams) (*replay.Request, error) {
	given := replay.Given{Principal: o.Principal, Action: o.Action, Resource: o.Resource, ResourceAccount: o.ResourceAccount}
	if o.Event != "" {
		return replay.FromEventFile(context.Background(), o.Event, given, replay.DefaultOptions())
	}
	if o.Message == "" && o.File == "" && o.Principal != "" && o.Action != "" {
		return replay.FromGiven(given), nil
	}
	name, text := "input", o.text
	if !o.haveText {
		var err error
		name, text, err = readExplainInput(s, explainOptions{File: o.File, Message: o.Message})
		if err != nil {
			return nil, err
		}
	}
	return replay.FromText(name, text, given, replay.DefaultOptions())
}

func renderDiagnose(w io.Writer, format string, res *diagnoseResult) error {
	if format == "json" {
		// The contract's fields first, then the extensions.
		// Every extension is present: null when there is no input record,
		// [] for no warnings, keys or notes.
		type out struct {
			*diagnose.Report
			Input      *replay.Source `json:"input"`
			Warnings   []string       `json:"warnings"`
			Unknown    []string       `json:"unknown_context_keys"`
			ReplayNote []string       `json:"replay_notes"`
		}
		return writeVersionedJSON(w, out{res.Report, res.Input, emptyList(res.Warnings), emptyList(res.Unknown), emptyList(res.ReplayNote)})
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
	if mc := r.MessageCheck; mc != nil && mc.Note != "" {
		fmt.Fprintf(&b, "\nAgainst the message: %s\n", mc.Note)
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
