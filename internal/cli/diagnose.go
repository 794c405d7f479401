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
			return runDiagnose(cmd.Context(), s, o)
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

func runDiagnose(ctx context.Context, s Streams, o *diagnoseOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if !o.envFlags.given() {
		return errors.New("--env is required: the environment to replay the request in")
	}
	dopts, err := diagnoseReplayOptions(&o.envFlags, o.Context, o.CompareEnv, o.ComparePrin)
	if err != nil {
		return err
	}
	in := replay.Input{EventFile: o.Event, Given: replay.Given{Principal: o.Principal, Action: o.Action, Resource: o.Resource, ResourceAccount: o.ResourceAccount}}
	if o.Event == "" && (o.Message != "" || o.File != "" || o.Principal == "" || o.Action == "") {
		// A message or records, as an argument, in a file or on stdin;
		// with neither, the flags state the request.
		if in.Name, in.Text, err = readExplainInput(s, o.File, o.Message); err != nil {
			return err
		}
	}
	res, err := replay.Diagnose(ctx, in, *dopts)
	if errors.Is(err, replay.ErrNotAccessDenied) {
		return diagnoseNotDenied(s, o.Output)
	}
	if err != nil {
		return err
	}
	if err := diagnoseRenderers[o.Output](s.Out, res); err != nil {
		return err
	}
	if res.RootCause == nil {
		return silentExit(4)
	}
	return nil
}

// diagnoseNotDenied ends diagnose of an input that is not an access-denied
// error: exit status 3, said on stdout as text, or as the JSON error
// document under --output json.
func diagnoseNotDenied(s Streams, format string) error {
	const msg = "the input is not an access-denied error; nothing to diagnose"
	if format == "json" {
		return &ExitError{Code: 3, Err: errors.New(msg)}
	}
	fmt.Fprintln(s.Out, msg)
	return silentExit(3)
}

// diagnoseReplayOptions are the options of a replay in the environment the
// flags name, with the --context keys, and with --compare-env (and its
// principal) when given. The environments are loaded when the replay
// needs them.
func diagnoseReplayOptions(env *envFlags, contextFlags []string, compareEnv, comparePrincipal string) (*replay.DiagnoseOptions, error) {
	overrides, err := parseContextFlags(contextFlags)
	if err != nil {
		return nil, err
	}
	opts := &replay.DiagnoseOptions{
		Options: replay.DefaultOptions(),
		Replay: diagnose.ReplayOptions{
			Options:          diagnose.Options{Actions: catalog.Default().ServiceActions},
			Reference:        catalogReference(),
			ComparePrincipal: comparePrincipal,
		},
		Context:     overrides,
		Environment: env.load,
	}
	if compareEnv != "" {
		opts.Compare = func() (*snapshot.Environment, error) {
			e, err := loadEnvironment(snapshot.Spec{File: compareEnv})
			if err != nil {
				return nil, fmt.Errorf("--compare-env: %w", err)
			}
			return e, nil
		}
	}
	return opts, nil
}

// diagnoseRenderers are diagnose's outputs, by --output format.
var diagnoseRenderers = map[string]func(io.Writer, *replay.Diagnosis) error{
	"json": func(w io.Writer, d *replay.Diagnosis) error { return writeVersionedJSON(w, d) },
	"text": renderDiagnoseText,
}

// renderDiagnoseText writes the human form of a diagnosis.
func renderDiagnoseText(w io.Writer, res *replay.Diagnosis) error {
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
	for _, n := range res.ReplayNotes {
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
