package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/iamwhy/iamwhy/analyze/generate"
	"github.com/iamwhy/iamwhy/trail"
	"github.com/iamwhy/iamwhy/trail/athena"
)

// generateOptions are the flags of `iamwhy generate`.
type generateOptions struct {
	Paths     []string
	Principal string
	Trail     trailInputFlags
	envFlags
	IncludeDenied  bool
	AllowWildcards bool
	GroupResources bool
	MaxPolicySize  int
	Engine         string
	Output         string
	Athena         athenaQueryOptions
	AthenaTable    string
}

func newGenerateCmd(s Streams) *cobra.Command {
	var o generateOptions
	cmd := &cobra.Command{
		Use:   "generate --principal ARN [--env ENV] PATH...",
		Short: "Write the least-privilege policy for what a principal did, from CloudTrail",
		Long: `Reads CloudTrail (every input 'iamwhy trail' reads, or Athena with --engine athena) and
writes the identity policy that allows exactly the calls the principal made: each event
mapped to its IAM action(s) through the service reference, on the resource ARNs the records
name (only the resource types each action is authorised on), "*" only for actions without
resource types, with the dependent actions the reference lists and iam:PassRole (limited by
iam:PassedToService) for calls that passed a role. Before it is printed, every counted call
is replayed through the engine against the policy (each must be allowed) and the policy is
linted (no ERROR, no SECURITY_WARNING).

--principal is a role ARN (every session of the role), an IAM user ARN, or a role session
ARN (that session only). With --env, the principal must be in the environment (a bare role or
user name is looked up there), IAM ARNs get the entity's path from it, and every call is also
replayed with the policy as the principal's only identity policy under the environment's other
layers (permissions boundary, SCPs, RCPs, resource and trust policies): the calls those still
refuse are listed (verification.environment) and said on standard error. Events that map to
no action are listed in not_covered (--output json), never dropped. A policy larger than
IAM's 6,144-character managed policy quota is
split into several documents (printed as a JSON array, and said on standard error).

Output: policy (default: the document alone, for aws iam put-role-policy) or json.
Exit status: 0; 1 when some inputs could not be read (the policy covers the rest); 3 when the
policy failed verification (printed with the reasons); 2 when the command could not run, no
input could be read, or no call of the principal was counted (no policy is printed then).`,
		Example: `  iamwhy generate --principal arn:aws:iam::111122223333:role/app ./trail-logs/
  iamwhy generate --env examples/env --principal developer examples/trail/cloudtrail.json
  iamwhy generate --principal arn:aws:iam::111122223333:role/app --engine athena \
    --database security --since 90d -o json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if o.Engine == "athena" {
				return cobra.NoArgs(cmd, args)
			}
			return cobra.MinimumNArgs(1)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Paths = args
			return runGenerate(cmd.Context(), s, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Principal, "principal", "", "role, user or role session ARN (required)")
	o.Trail.register(cmd)
	o.envFlags.register(cmd)
	f.BoolVar(&o.IncludeDenied, "include-denied", false, "also grant the principal's access-denied calls")
	f.BoolVar(&o.AllowWildcards, "allow-wildcards", false, "write service:Verb* where every action it matches is granted anyway")
	f.BoolVar(&o.GroupResources, "group-resources", false, "group a statement's ARNs into their longest common prefix plus *")
	f.IntVar(&o.MaxPolicySize, "max-policy-size", generate.DefaultMaxPolicyChars, "characters (without whitespace) each document may have")
	f.StringVar(&o.Engine, "engine", "local", "where the records are aggregated: local (read the inputs) or athena")
	outputFlag(cmd, &o.Output, "policy", "json")
	f.StringVar(&o.AthenaTable, "table", "cloudtrail_logs", "with --engine athena: the CloudTrail table")
	addAthenaQueryFlags(cmd, &o.Athena)
	return cmd
}

func runGenerate(ctx context.Context, s Streams, o generateOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	return jsonErrors(s, o.Output == "json", generateRun(ctx, s, o))
}

func generateRun(ctx context.Context, s Streams, o generateOptions) error {
	if o.Principal == "" {
		return errors.New("--principal is required: the role, user or session ARN whose calls the policy allows")
	}
	gopts := generate.Options{Principal: o.Principal, IncludeDenied: o.IncludeDenied, AllowWildcards: o.AllowWildcards,
		GroupResources: o.GroupResources, MaxPolicyChars: o.MaxPolicySize}
	var err error
	if gopts.Env, err = o.envFlags.load(); err != nil {
		return err
	}
	res, st, err := generateFrom(ctx, s, &o, gopts)
	var verr *generate.VerificationError
	if err != nil && !errors.As(err, &verr) {
		return err
	}
	if o.Engine == "local" {
		// An empty policy would say the principal needs nothing, from
		// logs that were never read. (Athena reads no local input.)
		if err := failNoInput(s, &st); err != nil {
			return err
		}
	}
	if res.Events.Counted == 0 {
		printTrailProblems(s, &st)
		return noCountedCallsError(o.Principal, res)
	}
	if err := generateRenderers[o.Output](s.Out, res); err != nil {
		return err
	}
	if verr != nil {
		fmt.Fprintln(s.Err, "iamwhy: generate:", verr)
		return silentExit(3)
	}
	reportGenerateVerification(s, o.envFlags.name(), res)
	return reportTrailProblems(s, &st)
}

// noCountedCallsError is the error (exit status 2) of a generation that
// counted no call: a policy without statements would read as "this
// principal needs nothing" when the trail, the window or the principal's
// ARN may be what is wrong. Access Analyzer's policy generation likewise
// generates nothing when it finds no activity.
func noCountedCallsError(principal string, res *generate.Result) error {
	// Athena returns only the principal's rows, so Read is unknown there.
	read := fmt.Sprintf("%d calls", res.Events.OfPrincipal)
	if res.Events.Read != nil {
		read = fmt.Sprintf("%d records read, %d of them", *res.Events.Read, res.Events.OfPrincipal)
	}
	return fmt.Errorf("no call of %s to generate a policy from (%s by the principal, none counted: denied calls count only with --include-denied, and calls that need no permission never do); check the principal's ARN, the inputs and --since/--until", principal, read)
}

// generateFrom generates the policy from the records of --engine: the
// inputs read here (local), or an Athena query.
func generateFrom(ctx context.Context, s Streams, o *generateOptions, gopts generate.Options) (*generate.Result, trail.Stats, error) {
	since, until, err := o.Trail.window(time.Now())
	if err != nil {
		return nil, trail.Stats{}, err
	}
	switch o.Engine {
	case "local":
		ro, err := o.Trail.options(s, time.Now())
		if err != nil {
			return nil, trail.Stats{}, err
		}
		ro.Filter.Since, ro.Filter.Until = since, until
		bar := o.Trail.progress(s, o.Output)
		if bar != nil {
			ro.Progress = bar.update
			defer bar.clear()
		}
		return generate.FromTrail(ctx, o.Paths, ro, gopts)
	case "athena":
		ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
		api, err := newAthenaAPI(ctx, o.Athena.Region, o.Athena.httpClient)
		if err != nil {
			return nil, trail.Stats{}, err
		}
		c := athena.New(api, athena.Config{Database: o.Athena.Database, Catalog: o.Athena.Catalog,
			Workgroup: o.Athena.Workgroup, OutputLocation: o.Athena.OutputLocation})
		res, rows, err := generate.FromAthena(ctx, c, generate.AthenaQuery{Table: o.AthenaTable, Since: since, Until: until}, gopts)
		if rows != nil {
			fmt.Fprintf(s.Err, "iamwhy: athena: query %s scanned %.1f MB in %s\n", rows.QueryExecutionID(), float64(rows.Scanned)/1e6, rows.Elapsed)
		}
		return res, trail.Stats{}, err
	}
	return nil, trail.Stats{}, fmt.Errorf("--engine %q: want local or athena", o.Engine)
}

// generateRenderers are generate's outputs, by --output format: the
// policy alone (a JSON array when it is split into several documents),
// or the whole result.
var generateRenderers = map[string]func(io.Writer, *generate.Result) error{
	"policy": func(w io.Writer, res *generate.Result) error {
		if len(res.Policies) == 1 {
			return writeIndentedJSON(w, res.Policies[0])
		}
		return writeIndentedJSON(w, res.Policies)
	},
	"json": func(w io.Writer, res *generate.Result) error { return writeIndentedJSON(w, res) },
}

// writeIndentedJSON writes v indented, without HTML escaping (policies
// hold < > & as they are).
func writeIndentedJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// reportGenerateVerification says on standard error what the verification
// of a generated policy found: the split, the replay, and the calls the
// environment's other layers still refuse.
func reportGenerateVerification(s Streams, envName string, res *generate.Result) {
	if len(res.Policies) > 1 {
		fmt.Fprintf(s.Err, "iamwhy: generate: the policy is split into %d documents within IAM's size quota\n", len(res.Policies))
	}
	fmt.Fprintf(s.Err, "iamwhy: generate: verified: %d calls replayed (%d requests), all allowed; lint: no ERROR or SECURITY_WARNING; %d events not covered\n",
		res.Verification.Replayed, res.Verification.Requests, res.Events.NotCovered)
	er := res.Verification.Environment
	switch {
	case er == nil:
	case er.Allowed == er.Requests:
		fmt.Fprintf(s.Err, "iamwhy: generate: in %s: all %d requests allowed with this policy as the principal's identity policy\n", envName, er.Requests)
	default:
		fmt.Fprintf(s.Err, "iamwhy: generate: in %s: %d of %d requests still refused by another layer (%d denied, %d undetermined); the policy grants them:\n",
			envName, er.Requests-er.Allowed, er.Requests, er.Denied, er.Undetermined)
		for _, n := range er.NotAllowed {
			fmt.Fprintf(s.Err, "  %s on %s: %s (%s) %s\n", n.Action, n.Resource, n.Outcome, orNone(n.Layer), n.Reason)
		}
	}
}
