package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/policy"
	"github.com/iamwhy/iamwhy/snapshot"
	"github.com/spf13/cobra"
)

// simulateOptions are the typed flags of `iamwhy simulate`, in the manner
// of `aws iam simulate-custom-policy`.
type simulateOptions struct {
	Principal         string
	Actions           []string
	Resources         []string
	ResourceAccount   string
	Identity          []string
	ResourcePolicy    string
	Boundary          string
	Session           []string
	SCPLevels         []string
	RCPLevels         []string
	VPCEndpoint       string
	ManagementAccount string
	Context           []string
	Output            string
	// The AWS CLI's names for the same inputs (aws iam
	// simulate-custom-policy and simulate-principal-policy), merged into
	// the fields above by awsAliases.
	aws awsSimulateFlags
	// envFlags name the environment: every layer then comes from it.
	envFlags
	// VerifyWithAWS also asks AWS's policy simulator.
	VerifyWithAWS bool
	// awsFlags hold --profile, --region and the SDK's HTTP client (tests
	// answer with recorded responses).
	awsFlags
	// src reads file://, fileb:// and - arguments.
	src *argSource
}

// awsSimulateFlags are the parameters of aws iam simulate-custom-policy
// and simulate-principal-policy that simulate takes as aliases:
// https://docs.aws.amazon.com/cli/latest/reference/iam/simulate-custom-policy.html
// https://docs.aws.amazon.com/cli/latest/reference/iam/simulate-principal-policy.html
type awsSimulateFlags struct {
	CallerARN       string
	PolicySourceARN string
	ActionNames     []string
	ResourceARNs    []string
	PolicyInputs    []string
	Boundaries      []string
	ContextEntries  []string
}

func (a *awsSimulateFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&a.CallerARN, "caller-arn", "", "alias of --principal, as in aws iam simulate-custom-policy")
	f.StringVar(&a.PolicySourceARN, "policy-source-arn", "", "with --env: the user or role whose policies are simulated, as the caller (as in aws iam simulate-principal-policy)")
	f.StringArrayVar(&a.ActionNames, "action-names", nil, "alias of --action: actions, several after one flag or a JSON list")
	f.StringArrayVar(&a.ResourceARNs, "resource-arns", nil, "alias of --resource: ARNs, several after one flag or a JSON list")
	f.StringArrayVar(&a.PolicyInputs, "policy-input-list", nil, "alias of --policy: identity policies, several after one flag")
	f.StringArrayVar(&a.Boundaries, "permissions-boundary-policy-input-list", nil, "alias of --boundary (one policy)")
	f.StringArrayVar(&a.ContextEntries, "context-entries", nil, "context entries as the AWS CLI writes them, in its shorthand or JSON (several after one flag)")
	for _, name := range []string{"action-names", "resource-arns", "policy-input-list", "permissions-boundary-policy-input-list", "context-entries"} {
		listFlag(cmd, name)
	}
}

// source is where file://, fileb:// and - arguments are read.
func (o *simulateOptions) source() *argSource {
	if o.src == nil {
		o.src = &argSource{}
	}
	return o.src
}

// awsAliases merges the AWS CLI's spellings into the options: both
// spellings of one input add up, and two callers, two boundaries or a
// policy source without an environment are errors.
func (o *simulateOptions) awsAliases() error {
	a := &o.aws
	if err := onlyOneStdin(map[string][]string{
		"policy": o.Identity, "policy-input-list": a.PolicyInputs, "resource-policy": {o.ResourcePolicy},
		"boundary": {o.Boundary}, "permissions-boundary-policy-input-list": a.Boundaries, "session-policy": o.Session,
		"vpc-endpoint-policy": {o.VPCEndpoint}, "context-entries": a.ContextEntries,
	}); err != nil {
		return err
	}
	for _, c := range []struct{ flag, v string }{{"--caller-arn", a.CallerARN}, {"--policy-source-arn", a.PolicySourceARN}} {
		switch {
		case c.v == "":
		case o.Principal == "":
			o.Principal = c.v
		case o.Principal != c.v:
			return fmt.Errorf("%s %s names another caller than %s: simulate decides for one caller, whose policies they are", c.flag, c.v, o.Principal)
		}
	}
	if a.PolicySourceARN != "" && !o.envFlags.given() {
		return fmt.Errorf("--policy-source-arn needs an environment (--env) holding the policies of %s", a.PolicySourceARN)
	}
	var err error
	if o.Actions, err = appendListValues(o.Actions, "--action-names", a.ActionNames); err != nil {
		return err
	}
	if o.Resources, err = appendListValues(o.Resources, "--resource-arns", a.ResourceARNs); err != nil {
		return err
	}
	o.Identity = append(o.Identity, a.PolicyInputs...)
	switch {
	case len(a.Boundaries) > 1 || len(a.Boundaries) == 1 && o.Boundary != "":
		return errors.New("a principal has one permissions boundary: give one --boundary or --permissions-boundary-policy-input-list")
	case len(a.Boundaries) == 1:
		o.Boundary = a.Boundaries[0]
	}
	// The AWS CLI names the owner by an ARN (arn:aws:iam::ACCOUNT:root).
	if strings.HasPrefix(o.ResourceAccount, "arn:") {
		id, ok := arn.AccountID(o.ResourceAccount)
		if !ok {
			return fmt.Errorf("--resource-owner %s: an ARN without an account ID", o.ResourceAccount)
		}
		o.ResourceAccount = id
	}
	return nil
}

// appendListValues adds the values of an AWS CLI list flag: each value a
// word, or a JSON list of words.
func appendListValues(to []string, flag string, values []string) ([]string, error) {
	for _, v := range values {
		if t := strings.TrimSpace(v); strings.HasPrefix(t, "[") {
			var list []string
			if err := json.Unmarshal([]byte(t), &list); err != nil {
				return nil, fmt.Errorf("%s %s: not a JSON list of strings: %w", flag, v, err)
			}
			to = append(to, list...)
			continue
		}
		to = append(to, v)
	}
	return to, nil
}

func newSimulateCmd(s Streams) *cobra.Command {
	o := &simulateOptions{}
	cmd := &cobra.Command{
		Use:   "simulate --principal ARN --action A [--resource R] (--policy F ... | --env DIR)",
		Short: "Simulate a request against policies of every layer and show which statement decided",
		Long: `simulate decides one or more requests (each action x resource) offline, with every layer AWS
evaluates: identity policies (--policy), the resource policy (--resource-policy; a role trust
policy for sts:AssumeRole, a KMS key policy for kms: actions on a key), a permissions boundary,
session policies, SCPs and RCPs (one --scp/--rcp flag per organisation level, root first, each a
comma-separated list of files), and a VPC endpoint policy. Policy arguments are file paths,
file:// paths, or inline JSON.

With --env DIR (an environment: see docs/environment.md), every layer comes from the snapshot
instead, in the manner of aws iam simulate-principal-policy but with resource policies for every
principal type, SCPs, RCPs and boundaries: the principal's identity policies and boundary, the
SCPs of its account, the resource's policy, the RCPs of the resource's account, and the VPC
endpoint policy named by aws:SourceVpce; --session-policy adds session policies. An assumed-role
session ARN resolves to its role. The environment also fills the context keys it knows
(aws:PrincipalArn, aws:PrincipalTag/*, aws:PrincipalOrgID, aws:ResourceAccount, ...). A principal
the environment does not hold is an error (exit 2); a resource policy the decision needs but the
snapshot lacks makes the answer "undetermined", with the gap named, never a deny.

--verify-with-aws also asks AWS's simulator (iam:SimulatePrincipalPolicy with --env, else
iam:SimulateCustomPolicy) with the default credentials (or --profile) and reports, per action
and resource, whether it agrees, explaining a difference by what AWS's simulator does not model.

Context keys: --context KEY=VALUE (repeat a key, or write KEY=[v1,v2], for a multivalued key).

The AWS CLI's names work too (see docs/simulate.md): --caller-arn, --policy-input-list,
--permissions-boundary-policy-input-list, --action-names, --resource-arns, --resource-policy,
--resource-owner (an account ID or arn:aws:iam::ACCOUNT:root), --context-entries in the AWS
CLI's shorthand or JSON, and with --env --policy-source-arn. A list takes several values after
one flag; file://PATH, fileb://PATH and - (standard input) give a value from a file.`,
		Example: `  iamwhy simulate --principal arn:aws:sts::111122223333:assumed-role/app/fn \
    --action s3:GetObject --resource arn:aws:s3:::cfg/settings.json \
    --policy file://app.json --context aws:RequestedRegion=eu-west-1
  iamwhy simulate --env examples/env \
    --principal arn:aws:sts::111122223333:assumed-role/config-reader/config-loader \
    --action s3:GetObject --resource arn:aws:s3:::example-data-config/app/settings.json \
    --context aws:RequestedRegion=eu-west-1 --context aws:SecureTransport=true
  iamwhy simulate --caller-arn arn:aws:iam::123456789012:user/alejandro \
    --policy-input-list file://policy.json --action-names dynamodb:CreateBackup dynamodb:GetItem \
    --context-entries ContextKeyName=aws:SourceIp,ContextKeyValues=203.0.113.7,ContextKeyType=ip`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.src = &argSource{in: s.In}
			return runSimulate(s, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Principal, "principal", "", "the caller: user, role, assumed-role session, federated user or root ARN, service principal, or anonymous")
	f.StringSliceVar(&o.Actions, "action", nil, "action(s) to simulate, e.g. s3:GetObject (repeatable, comma-separated)")
	f.StringSliceVar(&o.Resources, "resource", nil, "resource ARN(s) (repeatable; default *)")
	f.StringVar(&o.ResourceAccount, "resource-owner", "", "account that owns the resource (default: the ARN's account, else the principal's)")
	f.StringArrayVar(&o.Identity, "policy", nil, "identity-based policy (repeatable)")
	f.StringVar(&o.ResourcePolicy, "resource-policy", "", "resource-based policy of the resource")
	f.StringVar(&o.Boundary, "boundary", "", "permissions boundary")
	f.StringArrayVar(&o.Session, "session-policy", nil, "session policy (repeatable)")
	f.StringArrayVar(&o.SCPLevels, "scp", nil, "SCPs of one organisation level, comma-separated (repeat per level, root first)")
	f.StringArrayVar(&o.RCPLevels, "rcp", nil, "customer RCPs of one organisation level, comma-separated (repeat per level, root first)")
	f.StringVar(&o.VPCEndpoint, "vpc-endpoint-policy", "", "policy of the VPC endpoint the request went through")
	f.StringVar(&o.ManagementAccount, "management-account", "", "the organisation's management account (SCPs/RCPs do not restrict it)")
	contextFlag(cmd, &o.Context)
	outputFlag(cmd, &o.Output, "text", "json")
	o.envFlags.register(cmd)
	o.aws.register(cmd)
	f.BoolVar(&o.VerifyWithAWS, "verify-with-aws", false, "also ask AWS's policy simulator (needs AWS credentials) and compare")
	f.StringVar(&o.Profile, "profile", "", "AWS profile for --verify-with-aws")
	f.StringVar(&o.Region, "region", "", "AWS region for --verify-with-aws (IAM is global; default from the profile, else us-east-1)")
	return cmd
}

// SimulationResult is one decided request, as `simulate --output json`
// prints it (docs/simulate.md). Every field is always present: a string
// without a value is null, a list without items is [].
type SimulationResult struct {
	Principal   string `json:"principal"`
	Action      string `json:"action"`
	Resource    string `json:"resource"`
	Decision    string `json:"decision"`
	DecidedBy   string `json:"decided_by"`
	Policy      string `json:"policy"`
	Statement   string `json:"statement"`
	Location    string `json:"location"`
	Reason      string `json:"reason"`
	Explanation string `json:"explanation"`
	// Gaps name what the environment lacks for this request (--env); when
	// one could change the decision, Decision is "undetermined" and
	// DecisionWithoutGaps is the engine's answer on the layers at hand.
	Gaps                []string    `json:"gaps"`
	DecisionWithoutGaps string      `json:"decision_without_gaps"`
	Trace               *eval.Trace `json:"trace"`
	// AWS is AWS's simulator's answer (--verify-with-aws).
	AWS *awsComparison `json:"aws"`
}

// MarshalJSON writes the result with null for the strings that have no
// value and [] for no gaps.
func (r SimulationResult) MarshalJSON() ([]byte, error) {
	gaps := r.Gaps
	if gaps == nil {
		gaps = []string{}
	}
	return marshalNoEscape(struct {
		Principal           string         `json:"principal"`
		Action              string         `json:"action"`
		Resource            string         `json:"resource"`
		Decision            string         `json:"decision"`
		DecidedBy           string         `json:"decided_by"`
		Policy              *string        `json:"policy"`
		Statement           *string        `json:"statement"`
		Location            *string        `json:"location"`
		Reason              *string        `json:"reason"`
		Explanation         string         `json:"explanation"`
		Gaps                []string       `json:"gaps"`
		DecisionWithoutGaps *string        `json:"decision_without_gaps"`
		Trace               *eval.Trace    `json:"trace"`
		AWS                 *awsComparison `json:"aws"`
	}{r.Principal, r.Action, r.Resource, r.Decision, r.DecidedBy, nullString(r.Policy), nullString(r.Statement),
		nullString(r.Location), nullString(r.Reason), r.Explanation, gaps, nullString(r.DecisionWithoutGaps), r.Trace, r.AWS})
}

func runSimulate(s Streams, o *simulateOptions) error {
	if err := o.awsAliases(); err != nil {
		return err
	}
	if o.Principal == "" {
		return fmt.Errorf("--principal is required")
	}
	if len(o.Actions) == 0 {
		return fmt.Errorf("--action is required")
	}
	if len(o.Resources) == 0 {
		o.Resources = []string{"*"}
	}
	ctx, err := parseContextFlags(o.Context)
	if err != nil {
		return err
	}
	entries, err := parseContextEntries(o.aws.ContextEntries, o.source())
	if err != nil {
		return err
	}
	if err := applyContextEntries(ctx, entries); err != nil {
		return err
	}
	// Values take their key type's canonical form ("True" -> "true"), as
	// AWS gives them; the trace notes what changed.
	normalized := eval.NormalizeContext(ctx, catalogReference())
	var env *snapshot.Environment
	if o.envFlags.given() {
		if err := o.envModeFlags(); err != nil {
			return err
		}
		if env, err = o.envFlags.load(); err != nil {
			return err
		}
	}
	var results []SimulationResult
	var requests []*eval.Request
	for _, action := range o.Actions {
		var layers *eval.Layers
		if env == nil {
			if layers, err = o.layers(action); err != nil {
				return err
			}
		}
		for _, resource := range o.Resources {
			req := &eval.Request{Principal: o.Principal, Action: action, Resource: resource, ResourceAccount: o.ResourceAccount, Context: ctx.Clone()}
			l := layers
			var gaps []string
			if env != nil {
				if l, gaps, err = o.envLayers(env, req); err != nil {
					return err
				}
			} else {
				req.FillPrincipalContext("")
			}
			d, tr := eval.ExplainWith(req, l, eval.Options{Reference: catalogReference()})
			tr.Notes = append(tr.Notes, normalized...)
			r := SimulationResult{Principal: o.Principal, Action: action, Resource: resource, Decision: d.Outcome.String(),
				DecidedBy: string(d.Layer), Reason: d.Reason, Explanation: eval.Describe(d, tr), Trace: tr}
			if d.Policy != nil {
				r.Policy, r.Statement, r.Location = d.Policy.Name, d.StatementSid(), d.Location()
			}
			if len(gaps) > 0 {
				// The engine decided what the missing policy can
				// change (eval.UnknownLayer); say what the policies at
				// hand alone would give.
				r.Gaps = gaps
				if d.Outcome == eval.Undetermined && len(l.Unknown) > 0 {
					known := *l
					known.Unknown = nil
					r.DecisionWithoutGaps = eval.Decide(req, &known).Outcome.String()
				}
			}
			results = append(results, r)
			requests = append(requests, req)
		}
	}
	if o.VerifyWithAWS {
		if err := o.verifyWithAWS(env, results, requests); err != nil {
			return err
		}
	}
	return simulateRenderers[o.Output](s.Out, results)
}

// simulateRenderers are simulate's outputs, by --output format.
var simulateRenderers = map[string]func(io.Writer, []SimulationResult) error{
	"json": func(w io.Writer, results []SimulationResult) error {
		return writeVersionedJSON(w, map[string]any{"results": results})
	},
	"text": func(w io.Writer, results []SimulationResult) error {
		for i := range results {
			renderSimulationText(w, &results[i])
		}
		return nil
	},
}

func renderSimulationText(w io.Writer, r *SimulationResult) {
	fmt.Fprintf(w, "%s on %s by %s\n  => ", r.Action, r.Resource, r.Principal)
	paint(w, decisionStyle(r.Decision), strings.ToUpper(r.Decision))
	switch {
	case r.DecisionWithoutGaps != "":
		fmt.Fprintf(w, " (the environment is incomplete; the policies at hand give %s)", strings.ToUpper(r.DecisionWithoutGaps))
	case r.DecidedBy != "none":
		fmt.Fprintf(w, " (decided by %s)", r.DecidedBy)
	}
	fmt.Fprintln(w)
	if r.Policy != "" {
		fmt.Fprintf(w, "  statement %s of %s", r.Statement, r.Policy)
		if r.Location != "" {
			fmt.Fprintf(w, " at %s", r.Location)
		}
		fmt.Fprintln(w)
	}
	if r.Reason != "" {
		fmt.Fprintf(w, "  %s\n", r.Reason)
	}
	for _, g := range r.Gaps {
		fmt.Fprintf(w, "  gap: %s\n", g)
	}
	renderAWSComparison(w, r.AWS)
	tr := r.Trace
	for _, wn := range tr.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", wn)
	}
	for _, n := range tr.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	for _, lt := range tr.Layers {
		for _, st := range lt.Statements {
			if st.Result == "match" && !(r.Policy == st.Policy && r.Statement == labelOf(st)) {
				fmt.Fprintf(w, "  %s: %s statement %s of %s matches (%s)\n", layerLabel(lt), st.Effect, labelOf(st), st.Policy, posOf(st))
				continue
			}
			if st.Result == "match" {
				continue
			}
			parts := make([]string, 0, len(st.Failed))
			for _, f := range st.Failed {
				parts = append(parts, f.String())
			}
			fmt.Fprintf(w, "  %s: near miss, %s statement %s of %s (%s): %s\n", layerLabel(lt), st.Effect, labelOf(st), st.Policy, posOf(st), strings.Join(parts, "; "))
		}
	}
	fmt.Fprintln(w)
}

func labelOf(st eval.StatementTrace) string {
	if st.Sid != "" {
		return st.Sid
	}
	return fmt.Sprint(st.Index)
}

func posOf(st eval.StatementTrace) string {
	return st.Pos.In(st.Source).String()
}

func layerLabel(lt eval.LayerTrace) string {
	if lt.Level >= 0 {
		return fmt.Sprintf("%s level %d", lt.Layer, lt.Level)
	}
	return string(lt.Layer)
}

// layers loads the policy files of each layer; the resource policy is read
// as a trust policy when the action assumes a role.
func (o *simulateOptions) layers(action string) (*eval.Layers, error) {
	l := &eval.Layers{ManagementAccount: o.ManagementAccount}
	for _, p := range o.Identity {
		cp, err := o.source().policy(p, policy.TypeIdentity)
		if err != nil {
			return nil, err
		}
		l.Identity = append(l.Identity, cp)
	}
	var err error
	if o.ResourcePolicy != "" {
		t := policy.TypeResource
		if eval.AuthorizedByTrustPolicy(action) {
			t = policy.TypeTrust
		}
		if l.Resource, err = o.source().policy(o.ResourcePolicy, t); err != nil {
			return nil, err
		}
	}
	if o.Boundary != "" {
		if l.Boundary, err = o.source().policy(o.Boundary, policy.TypeBoundary); err != nil {
			return nil, err
		}
	}
	for _, p := range o.Session {
		cp, err := o.source().policy(p, policy.TypeSession)
		if err != nil {
			return nil, err
		}
		l.Session = append(l.Session, cp)
	}
	if l.SCP, err = o.source().levels(o.SCPLevels, policy.TypeSCP); err != nil {
		return nil, err
	}
	if l.RCP, err = o.source().levels(o.RCPLevels, policy.TypeRCP); err != nil {
		return nil, err
	}
	if o.VPCEndpoint != "" {
		if l.VPCEndpoint, err = o.source().policy(o.VPCEndpoint, policy.TypeVPCEndpoint); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// envModeFlags rejects the custom-mode layer flags with --env: the
// environment decides every layer; identity policies (--policy, as
// simulate-principal-policy's PolicyInputList) and session policies add
// to it.
func (o *simulateOptions) envModeFlags() error {
	for _, c := range []struct {
		name string
		set  bool
	}{
		{"--resource-policy", o.ResourcePolicy != ""}, {"--boundary (--permissions-boundary-policy-input-list)", o.Boundary != ""},
		{"--scp", len(o.SCPLevels) > 0}, {"--rcp", len(o.RCPLevels) > 0}, {"--vpc-endpoint-policy", o.VPCEndpoint != ""},
		{"--management-account", o.ManagementAccount != ""},
	} {
		if c.set {
			return fmt.Errorf("%s cannot be used with --env: the environment gives that layer (only --policy and --session-policy add to it)", c.name)
		}
	}
	return nil
}

// envLayers resolves the request's layers from the environment, adds the
// session policies, and names what the environment lacks for it.
func (o *simulateOptions) envLayers(env *snapshot.Environment, req *eval.Request) (*eval.Layers, []string, error) {
	l, err := env.Layers(req)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", o.envFlags.name(), err)
	}
	for _, p := range o.Identity {
		cp, err := o.source().policy(p, policy.TypeIdentity)
		if err != nil {
			return nil, nil, err
		}
		l.Identity = append(l.Identity, cp)
	}
	for _, p := range o.Session {
		cp, err := o.source().policy(p, policy.TypeSession)
		if err != nil {
			return nil, nil, err
		}
		l.Session = append(l.Session, cp)
	}
	acct := ""
	if p, err := env.Principal(req.Principal); err == nil {
		acct = p.Account
	}
	return l, env.ResourceGaps(acct, req.Action, req.Resource), nil
}
