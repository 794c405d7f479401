package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/diagnose"
	"github.com/iamwhy/iamwhy/inputfile"
	"github.com/iamwhy/iamwhy/replay"
	"github.com/iamwhy/iamwhy/reproduce"
)

// reproduceOptions are the typed flags of `iamwhy reproduce`.
type reproduceOptions struct {
	Event   string
	Message string // the MESSAGE arguments, joined; "" or "-" reads stdin
	Output  string
	envFlags
	awsFlags
	// Run performs the plan through the SDK; AllowWrites lets a call that
	// is not read-only run.
	Run         bool
	AllowWrites bool
}

func newReproduceCmd(s Streams) *cobra.Command {
	o := &reproduceOptions{}
	cmd := &cobra.Command{
		Use:   "reproduce (--event FILE | MESSAGE | -) [--env DIR] [--run [--allow-writes]]",
		Short: "Print (or run) the commands that reproduce a denied call safely, as the same identity",
		Long: `reproduce prints the shell commands that make a denied call again as the identity AWS
decided for: aws sts assume-role for the session's role (a new session, iamwhy-reproduce; never
the original credentials), the exports, and the AWS CLI call rebuilt from the CloudTrail record
(operation, parameters, Region), with --dry-run where the API has one. A call that is not
read-only by its access level in the service reference is marked, to be run in a test account
only. From a message, only the caller, action and resource are known: the plan says what to add.
With --env, the role's real ARN (its path) comes from the environment.

With --run, iamwhy performs the plan through the AWS SDK: it assumes the role with the
credentials of --profile (or the default chain), makes the rebuilt call with the role's temporary
credentials (EC2 calls with DryRun, which only checks the permissions) and reports what AWS
answered: allowed, denied (with its error code and message), or an error that is not an
authorization answer. With --env it also decides the request offline and says whether AWS
agrees. A call that is not read-only is refused unless --allow-writes is given; nothing is sent
then. An IAM user's call runs only with that user's own credentials.

Exit status: 0 printed, or (--run) AWS answered and nothing contradicts iamwhy's offline
decision; 1 (--run) AWS's answer contradicts iamwhy's offline decision; 4 (--run) AWS's answer
was not an authorization decision; 3 the input is not an access-denied error; 2 could not run
(also: a write refused without --allow-writes, a role that could not be assumed).`,
		Example: `  iamwhy reproduce --event denied-event.json
  iamwhy reproduce --event denied-event.json --env prod/ --run --profile admin
  iamwhy reproduce - < denied-message.txt`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Message = strings.Join(args, " ")
			return runReproduce(cmd.Context(), s, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Event, "event", "", "a CloudTrail record, or a file whose first denied record is taken")
	o.envFlags.register(cmd)
	f.BoolVar(&o.Run, "run", false, "perform the plan through the AWS SDK and report AWS's answer (read-only calls only)")
	f.BoolVar(&o.AllowWrites, "allow-writes", false, "with --run: also perform a call that is not read-only")
	f.StringVar(&o.Profile, "profile", "", "with --run: the AWS profile whose credentials assume the role (default: the default chain)")
	f.StringVar(&o.Region, "region", "", "with --run: the Region, when the input names none (a message)")
	outputFlag(cmd, &o.Output, "text", "json")
	return cmd
}

func runReproduce(ctx context.Context, s Streams, o *reproduceOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if o.AllowWrites && !o.Run {
		return fmt.Errorf("--allow-writes is given without --run")
	}
	in := replay.ReproduceInput{EventFile: o.Event, Text: o.Message}
	if o.Event == "" && (o.Message == "" || o.Message == "-") {
		raw, err := inputfile.ReadAllFrom(s.In, "standard input")
		if err != nil {
			return err
		}
		in.Text = string(raw)
	}
	ropts := replay.ReproduceOptions{
		Catalog: catalog.Default(),
		Parse:   replay.DefaultOptions(),
		Replay:  diagnose.ReplayOptions{Options: diagnose.Options{Actions: catalog.Default().ServiceActions}, Reference: catalogReference()},
	}
	if o.envFlags.given() {
		ropts.Environment = o.envFlags.load
	}
	if o.Run {
		ropts.Runner = func(ctx context.Context) (*reproduce.Runner, error) {
			cfg, err := o.awsFlags.config(ctx, "--run")
			if err != nil {
				return nil, err
			}
			return &reproduce.Runner{Config: cfg, AllowWrites: o.AllowWrites}, nil
		}
	}
	out, err := replay.Reproduce(ctx, in, ropts)
	if errors.Is(err, replay.ErrNotAccessDenied) {
		return &ExitError{Code: 3, Err: err}
	}
	if err != nil {
		return err
	}
	if err := reproduceRenderers[o.Output](s.Out, out); err != nil {
		return err
	}
	switch {
	case out.Run == nil:
		return nil
	case out.Run.Answer == reproduce.AnswerError:
		return silentExit(4)
	case out.Run.Comparison != nil && out.Run.Comparison.Agree != nil && !*out.Run.Comparison.Agree:
		return silentExit(1)
	}
	return nil
}

// reproduceRenderers are reproduce's outputs, by --output format.
var reproduceRenderers = map[string]func(io.Writer, *reproduce.Reproduction) error{
	"json": func(w io.Writer, r *reproduce.Reproduction) error { return writeVersionedJSON(w, r) },
	"text": reproduceText,
}

func reproduceText(w io.Writer, out *reproduce.Reproduction) error {
	p := out.Plan
	fmt.Fprintf(w, "# Reproduce %s (%s) as %s\n", p.Call.Action, strings.ToLower(orDash(p.Call.AccessLevel)), p.Principal)
	for _, n := range p.Notes {
		fmt.Fprintf(w, "# note: %s\n", n)
	}
	for _, c := range p.Commands {
		fmt.Fprintln(w, c)
	}
	r := out.Run
	if r == nil {
		return nil
	}
	dry := ""
	if r.DryRun {
		dry = ", dry run"
	}
	fmt.Fprintf(w, "\nRan       %s as %s (%s%s)\n", r.Operation, r.Identity, r.Region, dry)
	answer := r.Answer
	if r.ErrorCode != nil {
		answer += ": " + *r.ErrorCode
		if r.ErrorMessage != nil && *r.ErrorMessage != "" {
			answer += ": " + *r.ErrorMessage
		}
	}
	if r.RequestID != nil {
		answer += " (request " + *r.RequestID + ")"
	}
	fmt.Fprintf(w, "AWS       %s\n", answer)
	if c := r.Comparison; c != nil {
		if c.Offline != nil {
			fmt.Fprintf(w, "Offline   %s (iamwhy, from --env)\n", *c.Offline)
		}
		fmt.Fprintf(w, "Verdict   %s\n", c.Summary)
	}
	for _, n := range r.NotSent {
		fmt.Fprintf(w, "Not sent  %s\n", n)
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "access level unknown"
	}
	return s
}
