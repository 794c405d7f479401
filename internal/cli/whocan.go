package cli

import (
	"fmt"
	"io"
	"sort"

	"github.com/iamwhy/iamwhy/access"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/snapshot"
	"github.com/spf13/cobra"
)

// whoCanOptions are the typed flags of `iamwhy who-can`.
type whoCanOptions struct {
	Action   string
	Resource string
	envFlags
	Context  []string
	Output   string
	All      bool
	OwnerTag string
}

func newWhoCanCmd(s Streams) *cobra.Command {
	o := &whoCanOptions{}
	cmd := &cobra.Command{
		Use:   "who-can ACTION RESOURCE --env DIR",
		Short: "List who may do an action on a resource, with the conditions that must hold",
		Long: `who-can decides the request for every principal of the environment: each account's users and
roles (a role stands for its sessions), each account's root user, and the service principals
the resource's policy names. It lists those allowed:

  allowed            the request as given (--context, and the keys the environment knows:
                     principal ARN, tags and organisation, resource account) is allowed
  allowed if: ...    the request is allowed when these conditions hold: conditions of the
                     statements that decide whose keys the request does not carry. who-can
                     checked them by deciding again with a value satisfying each (shown as
                     "checked with"). "StringEquals k [v]" written for a Deny's
                     "StringNotEquals k [v]" means the key must be present with one of v.
  unknown            the environment lacks a policy the decision needs (named); not a deny

and, after "unless", Deny conditions on keys the request does not carry: a request carrying
matching values is denied. Denied principals are left out unless --all.

Exit status: 0 at least one principal is allowed (or allowed if); 1 none; 2 the command could
not run.`,
		Example: `  iamwhy who-can s3:GetObject arn:aws:s3:::example-data-config/app/settings.json --env examples/env
  iamwhy who-can kms:Decrypt \
    arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab \
    --env examples/env --context aws:RequestedRegion=eu-west-1 --output json`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Action, o.Resource = args[0], args[1]
			return runWhoCan(s, o)
		},
	}
	f := cmd.Flags()
	o.envFlags.register(cmd)
	contextFlag(cmd, &o.Context)
	outputFlag(cmd, &o.Output, "text", "json")
	f.BoolVar(&o.All, "all", false, "also list denied principals")
	f.StringVar(&o.OwnerTag, "owner-tag", "owner", "the tag whose value names a principal's owner")
	return cmd
}

func runWhoCan(s Streams, o *whoCanOptions) error {
	env, ctx, err := loadEnvQuery(&o.envFlags, o.Context)
	if err != nil {
		return err
	}
	res, err := access.WhoCan(env, access.Query{Action: o.Action, Resource: o.Resource, Context: ctx, OwnerTag: o.OwnerTag})
	if err != nil {
		return err
	}
	shown := *res
	shown.Answers = nil
	for _, a := range res.Answers {
		if o.All || a.Status != access.Denied {
			shown.Answers = append(shown.Answers, a)
		}
	}
	if err := whoCanRenderers[o.Output](s.Out, res, &shown); err != nil {
		return err
	}
	if res.Count(access.Allowed)+res.Count(access.AllowedIf) == 0 {
		return silentExit(1)
	}
	return nil
}

// whoCanJSON is `who-can --output json`: the answers shown and the counts
// over every principal considered.
type whoCanJSON struct {
	*access.WhoCanResult
	Allowed      int `json:"allowed"`
	AllowedIf    int `json:"allowed_if"`
	Unknown      int `json:"unknown"`
	Denied       int `json:"denied"`
	Undetermined int `json:"undetermined"`
}

// whoCanRenderers are who-can's outputs, by --output format: all is every
// answer (for the counts), shown the answers listed.
var whoCanRenderers = map[string]func(w io.Writer, all, shown *access.WhoCanResult) error{
	"json": func(w io.Writer, all, shown *access.WhoCanResult) error {
		listed := *shown
		listed.Answers = emptyList(listed.Answers)
		return writeVersionedJSON(w, whoCanJSON{&listed, all.Count(access.Allowed), all.Count(access.AllowedIf),
			all.Count(access.Unknown), all.Count(access.Denied), all.Count(access.Undetermined)})
	},
	"text": func(w io.Writer, all, shown *access.WhoCanResult) error {
		renderWhoCanText(w, all, shown)
		return nil
	},
}

func renderWhoCanText(w io.Writer, all, shown *access.WhoCanResult) {
	fmt.Fprintf(w, "who can %s on %s: %d principals considered; %d allowed, %d allowed if conditions hold, %d unknown, %d undetermined, %d denied\n",
		all.Action, all.Resource, all.Principals, all.Count(access.Allowed), all.Count(access.AllowedIf),
		all.Count(access.Unknown), all.Count(access.Undetermined), all.Count(access.Denied))
	for i := range shown.Answers {
		a := &shown.Answers[i]
		fmt.Fprintf(w, "\n%s (%s)\n  ", a.Principal, a.Kind)
		paint(w, statusStyle(a.Status), a.Summary())
		if a.Status == access.Denied {
			fmt.Fprintf(w, " (%s", a.Decision)
			if a.DecidedBy != "" && a.DecidedBy != "none" {
				fmt.Fprintf(w, " by %s", a.DecidedBy)
			}
			fmt.Fprint(w, ")")
		}
		fmt.Fprintln(w)
		if a.Status == access.AllowedIf {
			seen := map[string]bool{}
			for _, c := range a.Conditions {
				line := fmt.Sprintf("    %s: statement %s of %s\n", c.Layer, c.Statement, c.Policy)
				if !seen[line] {
					seen[line] = true
					fmt.Fprint(w, line)
				}
			}
			fmt.Fprintf(w, "    checked with %s\n", witnessText(a.Witness))
		}
		if (a.Status == access.Allowed || a.Status == access.AllowedIf) && a.Policy != "" {
			fmt.Fprintf(w, "  granted by %s statement %s of %s\n", a.DecidedBy, a.Statement, a.Policy)
		}
		for _, c := range a.IfPresent {
			fmt.Fprintf(w, "  when the request carries %s: %s must hold\n", c.Key, c.String())
		}
		for _, c := range a.Unless {
			fmt.Fprintf(w, "  unless %s (%s statement %s of %s)\n", c.String(), c.Layer, c.Statement, c.Policy)
		}
		if o := whoCanOwner(a); o != "" {
			fmt.Fprintf(w, "  owner: %s\n", o)
		}
	}
}

// whoCanOwner is the owner column of a user or role: its owner tag, or
// "no_owner" when it has none.
func whoCanOwner(a *access.Answer) string {
	switch {
	case a.Owner != nil:
		return *a.Owner
	case a.Kind == "user" || a.Kind == "role":
		return "no_owner"
	}
	return ""
}

func witnessText(m map[string][]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := ""
	for i, k := range keys {
		if i > 0 {
			out += ", "
		}
		out += fmt.Sprintf("%s=%v", k, m[k])
	}
	return out
}

// loadEnvQuery checks the flags every environment question shares and
// loads the environment (required) and the --context entries.
func loadEnvQuery(f *envFlags, context []string) (*snapshot.Environment, *eval.Context, error) {
	if !f.given() {
		return nil, nil, fmt.Errorf("--env is required: the environment whose principals are decided")
	}
	ctx, err := parseContextFlags(context)
	if err != nil {
		return nil, nil, err
	}
	eval.NormalizeContext(ctx, catalogReference())
	env, err := f.load()
	if err != nil {
		return nil, nil, err
	}
	return env, ctx, nil
}
