package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/denial"
	"github.com/iamwhy/iamwhy/inputfile"
	"github.com/iamwhy/iamwhy/replay"
	"github.com/iamwhy/iamwhy/reproduce"
	"github.com/iamwhy/iamwhy/snapshot"
)

// reproduceOptions are the typed flags of `iamwhy reproduce`.
type reproduceOptions struct {
	Event string
	envFlags
	Output string
}

func newReproduceCmd(s Streams) *cobra.Command {
	o := &reproduceOptions{}
	cmd := &cobra.Command{
		Use:   "reproduce (--event FILE | MESSAGE | -) [--env DIR] [--output text|json]",
		Short: "Print the commands that reproduce a denied call safely, as the same identity",
		Long: `reproduce prints the shell commands that make a denied call again as the identity AWS
decided for: aws sts assume-role for the session's role (a new session, iamwhy-reproduce; never
the original credentials), the exports, and the AWS CLI call rebuilt from the CloudTrail record
(operation, parameters, Region), with --dry-run where the API has one. A call that is not
read-only by its access level in the service reference is marked, to be run in a test account
only. From a message, only the caller, action and resource are known: the plan says what to add.
With --env, the role's real ARN (its path) comes from the environment.

It prints; it does not run anything. Exit status: 0; 3 the input is not an access-denied error;
2 could not run.`,
		Example: `  iamwhy reproduce --event denied-event.json
  iamwhy reproduce 'User: arn:aws:sts::111122223333:assumed-role/app/fn is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::cfg/app.json"'`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReproduce(s, o, strings.Join(args, " "))
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Event, "event", "", "a CloudTrail record, or a file whose first denied record is taken")
	o.envFlags.register(cmd)
	outputFlag(cmd, &o.Output, "text", "json")
	return cmd
}

func runReproduce(s Streams, o *reproduceOptions, message string) error {
	cat := catalog.Default()
	var plan *reproduce.Plan
	switch {
	case o.Event != "":
		raw, err := inputfile.Read(o.Event)
		if err != nil {
			return err
		}
		rec := replay.FirstDenied(string(raw))
		if rec == nil {
			return &ExitError{Code: 3, Err: fmt.Errorf("%s holds no access-denied CloudTrail record", o.Event)}
		}
		if plan, err = reproduce.FromRecord(rec, cat); err != nil {
			return err
		}
	default:
		text := message
		if text == "" || text == "-" {
			raw, err := inputfile.ReadAllFrom(s.In, "standard input")
			if err != nil {
				return err
			}
			text = string(raw)
		}
		if rec := replay.FirstDenied(text); rec != nil {
			var err error
			if plan, err = reproduce.FromRecord(rec, cat); err != nil {
				return err
			}
			break
		}
		d, err := denial.Parse(text, catalogDenialOptions())
		if err != nil {
			return err
		}
		if !d.Recognized {
			return &ExitError{Code: 3, Err: fmt.Errorf("not an access-denied error")}
		}
		if d.Principal == nil || d.Action == nil {
			return fmt.Errorf("the message names no caller or no action: give the CloudTrail record (--event) instead")
		}
		res := ""
		if d.Resource != nil {
			res = *d.Resource
		}
		if plan, err = reproduce.FromRequest(*d.Principal, *d.Action, res, cat); err != nil {
			return err
		}
	}
	if o.envFlags.given() && strings.Contains(plan.Principal, ":assumed-role/") {
		env, err := o.envFlags.load()
		if err != nil {
			return err
		}
		if role := roleInEnv(env, plan.Principal); role != "" {
			plan.WithRole(role)
		}
	}
	if o.Output == "json" {
		enc := json.NewEncoder(s.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			FormatVersion int `json:"format_version"`
			*reproduce.Plan
		}{1, plan})
	}
	return reproduceText(s.Out, plan)
}

// roleInEnv finds the role of a session ARN in the environment by its
// account and name, which gives its path.
func roleInEnv(env *snapshot.Environment, session string) string {
	role, _, ok := arn.SessionRole(session)
	if !ok {
		return ""
	}
	acct := env.Accounts[arn.Account(session)]
	if acct == nil {
		return ""
	}
	for _, r := range acct.Roles {
		if r.Name == role {
			return r.ARN
		}
	}
	return ""
}

func reproduceText(w io.Writer, p *reproduce.Plan) error {
	fmt.Fprintf(w, "# Reproduce %s (%s) as %s\n", p.Call.Action, strings.ToLower(orDash(p.Call.AccessLevel)), p.Principal)
	for _, n := range p.Notes {
		fmt.Fprintf(w, "# note: %s\n", n)
	}
	for _, c := range p.Commands {
		fmt.Fprintln(w, c)
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "access level unknown"
	}
	return s
}
