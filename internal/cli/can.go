package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/iamwhy/iamwhy/access"
	"github.com/iamwhy/iamwhy/catalog"
	"github.com/spf13/cobra"
)

// canOptions are the typed flags of `iamwhy can`.
type canOptions struct {
	Principal string
	envFlags
	Services []string
	Resource string
	Context  []string
	Output   string
	Actions  bool
}

func newCanCmd(s Streams) *cobra.Command {
	o := &canOptions{}
	cmd := &cobra.Command{
		Use:   "can PRINCIPAL --env DIR [--service S] [--resource R]",
		Short: "Show what a principal can do: effective permissions by service and access level",
		Long: `can decides every action of the catalog (or of --service) for the principal, with every
layer of the environment, and groups the actions allowed by service and access level (List,
Read, Write, Permissions management, Tagging, as the Service Authorization Reference classifies
them).

Without --resource each action is decided on a stand-in for "any resource of its type in the
principal's account": "*" for actions with no resource type, else an ARN built from the
resource type's ARN format with the principal's account and "*" for the region and every
name (e.g. arn:aws:s3:::*/* for s3:GetObject). This is an approximation: an action counts as
allowed only when the policies allow it on every resource of the type; one allowed only on
some resources (a statement naming a bucket) does not show; and resource-based policies
(bucket, key, queue policies, trust policies) do not apply, so cross-account grants and KMS key
policies are not considered. Give --resource to decide the actions that work on one resource,
with its resource-based policy.

Conditions on keys the request does not carry are reported as "allowed if", as who-can does.
Without --context, an SCP that denies requests outside some regions makes actions "allowed if"
the region holds: give --context aws:RequestedRegion=... to decide for one region.

By default each service lists its counts per access level; --actions lists the actions too
(always in --output json).`,
		Example: `  iamwhy can arn:aws:iam::111122223333:role/developer --env examples/env --service lambda --actions
  iamwhy can arn:aws:iam::111122223333:user/alice --env examples/env \
    --context aws:RequestedRegion=eu-west-1`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Principal = args[0]
			return runCan(s, o)
		},
	}
	f := cmd.Flags()
	o.envFlags.register(cmd)
	f.StringSliceVar(&o.Services, "service", nil, "service prefix(es) to consider, e.g. s3 (default: every service)")
	f.StringVar(&o.Resource, "resource", "", "decide on this resource (only actions that work on it); default: any resource of each action's type")
	contextFlag(cmd, &o.Context)
	outputFlag(cmd, &o.Output, "text", "json")
	f.BoolVar(&o.Actions, "actions", false, "list the actions of each service, not only the counts")
	return cmd
}

func runCan(s Streams, o *canOptions) error {
	env, ctx, err := loadEnvQuery(&o.envFlags, o.Context)
	if err != nil {
		return err
	}
	res, err := access.Can(env, catalog.Default(), access.CanQuery{Principal: o.Principal, Services: o.Services, Resource: o.Resource, Context: ctx})
	if err != nil {
		return err
	}
	return canRenderers[o.Output](s.Out, res, o)
}

// canRenderers are can's outputs, by --output format.
var canRenderers = map[string]func(io.Writer, *access.CanResult, *canOptions) error{
	"json": func(w io.Writer, r *access.CanResult, _ *canOptions) error {
		listed := *r
		listed.Services = emptyList(listed.Services)
		return writeVersionedJSON(w, &listed)
	},
	"text": func(w io.Writer, r *access.CanResult, o *canOptions) error {
		renderCanText(w, r, o.Actions || len(o.Services) > 0)
		return nil
	},
}

func renderCanText(w io.Writer, r *access.CanResult, list bool) {
	fmt.Fprintf(w, "%s can do (%d actions decided", r.Principal, r.Considered)
	if r.Approximate {
		fmt.Fprintf(w, "; each on any resource of its type in account %s: resource-based policies not considered, grants on specific resources not shown", r.Account)
	}
	fmt.Fprintln(w, "):")
	if len(r.Services) == 0 {
		fmt.Fprintln(w, "  nothing")
		return
	}
	for _, sp := range r.Services {
		var counts []string
		for _, lvl := range access.AccessLevels {
			if n := sp.Counts[lvl]; n > 0 {
				counts = append(counts, fmt.Sprintf("%s %d", lvl, n))
			}
		}
		if len(counts) == 0 {
			counts = []string{"none allowed"}
		}
		fmt.Fprintf(w, "\n%s: %s\n", sp.Service, strings.Join(counts, ", "))
		unknown := 0
		for _, a := range sp.Actions {
			if a.Status == access.Unknown || a.Status == access.Undetermined {
				unknown++
			}
		}
		if unknown > 0 {
			fmt.Fprintf(w, "  %d undecided (unknown or undetermined)\n", unknown)
		}
		if !list {
			continue
		}
		for _, lvl := range access.AccessLevels {
			for _, a := range sp.Actions {
				if a.Access != lvl {
					continue
				}
				fmt.Fprintf(w, "  %-24s %s  %s", lvl, a.Action, a.Summary())
				if a.Scope != "" && r.Approximate {
					fmt.Fprintf(w, "  [on %s]", a.Scope)
				}
				fmt.Fprintln(w)
			}
		}
	}
}
