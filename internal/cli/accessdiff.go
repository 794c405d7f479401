package cli

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/iamwhy/iamwhy/analyze/accessdiff"
	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/policy"
)

// accessDiffOptions are the typed flags of `iamwhy access-diff`.
type accessDiffOptions struct {
	PolicyType string
	Output     string
	Principal  string
	Account    string
	Resource   string
	// Env is the old environment (with --env-new or --plan the new one
	// is compared against it).
	Env    envFlags
	EnvNew string
	Region string
}

func newAccessDiffCmd(s Streams) *cobra.Command {
	o := &accessDiffOptions{}
	cmd := &cobra.Command{
		Use:   "access-diff [--policy-type T] (OLD NEW | --env DIR (--env-new DIR2 | --plan PLAN))",
		Short: "What a new policy allows that the old one does not (offline CheckNoNewAccess)",
		Long: `access-diff decides both policies on every request their elements can tell apart (each action
their patterns match, an instance of each resource pattern, each condition met and missed) and
lists the actions x resources (and the context) NEW allows that OLD does not, with the statement
that grants each, and what NEW no longer allows. Reordering or splitting statements, renaming
Sids and equivalent wildcards are no difference. OLD or NEW may be '-' (standard input) or an
AWS managed policy's ARN.

The policy is decided alone in its layer: an identity policy for a caller of --account; a
boundary, session policy, SCP, RCP or VPC endpoint policy beside an identity policy that allows
everything (a deny-list SCP beside FullAWSAccess); a resource or trust policy for each principal
it names, a caller of its own account and one of an account it does not name.

With --env, two states of an environment are compared instead: --env is the old state, and
the new one is --env-new, or --env with the Terraform plans of --plan laid over it (both: the
plans over --env-new). For every principal, every action on every resource that the two decide
differently, each decided with every layer (identity, boundary, SCPs, RCPs, resource and trust
policies), under the context the environment gives (the principal's tags, organisation ids, the
resource's region as aws:RequestedRegion, --region for resources without one), then under each
condition met and missed. Only what a difference can reach is decided: a principal whose
policies, SCPs and tags are the same on both sides is decided only on the resources and accounts
whose policies changed.

Exit status: 0 no new access; 1 new access, or requests that could not be decided; 2 could not run.`,
		Example: `  iamwhy access-diff old.json new.json
  iamwhy access-diff --policy-type scp -o json guardrails-v1.json guardrails-v2.json
  iamwhy access-diff arn:aws:iam::aws:policy/ReadOnlyAccess my-readonly.json
  iamwhy access-diff --env snapshot/ --plan plan.json
  iamwhy access-diff --env before/ --env-new after/ -o json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if o.Env.given() || o.EnvNew != "" {
				if len(args) != 0 {
					return fmt.Errorf("give two policies or --env, not both")
				}
				return nil
			}
			return cobra.ExactArgs(2)(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Env.given() || o.EnvNew != "" {
				return runAccessDiffEnv(s, o)
			}
			return runAccessDiff(s, o, args[0], args[1])
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.PolicyType, "policy-type", "identity", "identity, resource, trust, boundary, session, scp, rcp or vpc_endpoint")
	outputFlag(cmd, &o.Output, "text", "json", "csv", "markdown")
	f.StringVar(&o.Principal, "principal", "", "the caller an identity policy is decided for (default a role of --account)")
	f.StringVar(&o.Account, "account", "", "the account of the caller and the resources (default 111122223333)")
	f.StringVar(&o.Resource, "resource", "", "the ARN of the resource a resource or trust policy belongs to, when it names none")
	f.StringVar(&o.EnvNew, "env-new", "", "with --env (the old state): the new state, an environment file or directory")
	f.StringVar(&o.Region, "region", "us-east-1", "with --env: aws:RequestedRegion for requests on resources whose ARN names no region")
	o.Env.register(cmd)
	return cmd
}

func runAccessDiff(s Streams, o *accessDiffOptions, oldName, newName string) error {
	t, err := policy.ParseType(o.PolicyType)
	if err != nil {
		return fmt.Errorf("--policy-type: %w", err)
	}
	cat := catalog.Default()
	var docs [2]*policy.Policy
	for i, name := range []string{oldName, newName} {
		raw, err := readPolicyFile(s, cat, name)
		if err != nil {
			return err
		}
		doc, err := policy.ParseJSONOrString(raw, policy.Options{Type: t, Source: name})
		if err != nil {
			return err
		}
		docs[i] = doc
	}
	res, err := accessdiff.Policies(docs[0], docs[1], t, accessdiff.Options{Catalog: cat, Principal: o.Principal, Account: o.Account, Resource: o.Resource})
	if err != nil {
		return err
	}
	return renderAccessDiff(s, o, res)
}

func renderAccessDiff(s Streams, o *accessDiffOptions, res *accessdiff.Result) error {
	if err := accessDiffRenderers[o.Output](s.Out, res); err != nil {
		return err
	}
	if len(res.NewAccess) > 0 || len(res.Undetermined) > 0 {
		return silentExit(1)
	}
	return nil
}

// runAccessDiffEnv compares two states of an environment.
func runAccessDiffEnv(s Streams, o *accessDiffOptions) error {
	if !o.Env.given() || o.Env.Env == "" && len(o.Env.AuthorizationDetails) == 0 && o.Env.Organization == "" && len(o.Env.ResourcePolicies) == 0 {
		return fmt.Errorf("--env is required: the old environment")
	}
	if o.EnvNew == "" && len(o.Env.Plans) == 0 && !o.Env.Templates.given() {
		return fmt.Errorf("give the new state: --env-new DIR, or --plan PLAN laid over --env")
	}
	oldFlags := o.Env
	oldFlags.Plans, oldFlags.Templates = nil, templateFlags{}
	oldEnv, err := oldFlags.load()
	if err != nil {
		return err
	}
	newFlags := o.Env
	if o.EnvNew != "" {
		newFlags = envFlags{Env: o.EnvNew, Plans: o.Env.Plans, Templates: o.Env.Templates}
	}
	newEnv, err := newFlags.load()
	if err != nil {
		return err
	}
	res, err := accessdiff.Environments(oldEnv, newEnv, accessdiff.EnvOptions{Region: o.Region})
	if err != nil {
		return err
	}
	return renderAccessDiff(s, o, res)
}

var accessDiffRenderers = map[string]func(io.Writer, *accessdiff.Result) error{
	"json": func(w io.Writer, r *accessdiff.Result) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			FormatVersion int `json:"format_version"`
			*accessdiff.Result
		}{1, r})
	},
	"text":     accessDiffText,
	"markdown": accessDiffMarkdown,
	"csv":      accessDiffCSV,
}

func conditionText(cs []accessdiff.Condition) string {
	var parts []string
	for _, c := range cs {
		parts = append(parts, c.Key+"="+strings.Join(c.Values, ","))
	}
	return strings.Join(parts, " ")
}

func accessDiffText(w io.Writer, r *accessdiff.Result) error {
	switch {
	case len(r.NewAccess) == 0 && len(r.Undetermined) == 0:
		fmt.Fprintf(w, "No new access: NEW allows nothing OLD does not (%d requests decided in each).\n", r.Requests)
	default:
		fmt.Fprintf(w, "NEW allows %d action/resource pairs that OLD does not", len(r.NewAccess))
		if len(r.Undetermined) > 0 {
			fmt.Fprintf(w, ", and %d could not be decided", len(r.Undetermined))
		}
		fmt.Fprintf(w, " (%d requests decided in each).\n", r.Requests)
	}
	if len(r.RemovedAccess) > 0 {
		fmt.Fprintf(w, "NEW no longer allows %d that OLD does.\n", len(r.RemovedAccess))
	}
	section := func(title string, as []accessdiff.Access) {
		if len(as) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s:\n", title)
		for _, a := range as {
			fmt.Fprintf(w, "  %s on %s", a.Action, a.Resource)
			if a.Example != "" {
				fmt.Fprintf(w, " (e.g. %s)", a.Example)
			}
			fmt.Fprintf(w, "\n    for %s", a.Principal)
			if c := conditionText(a.Conditions); c != "" {
				fmt.Fprintf(w, " when %s", c)
			}
			fmt.Fprintf(w, "; the other side: %s", a.Decision)
			if g := a.GrantedBy; g != nil {
				fmt.Fprintf(w, "\n    granted by %s statement %s at %s", g.Policy, g.Statement, g.Location)
			}
			fmt.Fprintln(w)
		}
	}
	section("New access", r.NewAccess)
	section("Undetermined", r.Undetermined)
	section("Removed access", r.RemovedAccess)
	return nil
}

func accessDiffMarkdown(w io.Writer, r *accessdiff.Result) error {
	if len(r.NewAccess) == 0 && len(r.Undetermined) == 0 {
		fmt.Fprintf(w, "**iamwhy access-diff: no new access** (%d requests decided).\n", r.Requests)
	} else {
		fmt.Fprintf(w, "**iamwhy access-diff: %d new access, %d undetermined**\n", len(r.NewAccess), len(r.Undetermined))
	}
	table := func(title string, as []accessdiff.Access) {
		if len(as) == 0 {
			return
		}
		fmt.Fprintf(w, "\n#### %s\n\n| action | resource | principal | when | granted by |\n|---|---|---|---|---|\n", title)
		for _, a := range as {
			g := ""
			if a.GrantedBy != nil {
				g = fmt.Sprintf("`%s` %s (%s)", a.GrantedBy.Policy, a.GrantedBy.Statement, a.GrantedBy.Location)
			}
			fmt.Fprintf(w, "| `%s` | `%s` | `%s` | %s | %s |\n", mdCell(a.Action), mdCell(a.Resource), mdCell(a.Principal), mdCell(conditionText(a.Conditions)), mdCell(g))
		}
	}
	table("New access", r.NewAccess)
	table("Undetermined", r.Undetermined)
	table("Removed access", r.RemovedAccess)
	return nil
}

// mdCell keeps a value inside its table cell.
func mdCell(s string) string { return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s) }

func accessDiffCSV(w io.Writer, r *accessdiff.Result) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"change", "principal", "action", "resource", "example", "conditions", "other_decision", "policy", "statement", "location"})
	for _, part := range []struct {
		kind string
		as   []accessdiff.Access
	}{{"new", r.NewAccess}, {"undetermined", r.Undetermined}, {"removed", r.RemovedAccess}} {
		for _, a := range part.as {
			var p, st, loc string
			if g := a.GrantedBy; g != nil {
				p, st, loc = g.Policy, g.Statement, g.Location
			}
			cw.Write([]string{part.kind, a.Principal, a.Action, a.Resource, a.Example, conditionText(a.Conditions), a.Decision, p, st, loc})
		}
	}
	cw.Flush()
	return cw.Error()
}
