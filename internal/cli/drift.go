package cli

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/iamwhy/iamwhy/analyze/drift"
)

// driftOptions are the typed flags of `iamwhy drift`.
type driftOptions struct {
	Map      string
	Output   string
	OwnerTag string
	Region   string
}

func newDriftCmd(s Streams) *cobra.Command {
	o := &driftOptions{}
	cmd := &cobra.Command{
		Use:   "drift A_ENV B_ENV [--map FILE] [--output text|json|csv]",
		Short: "What differs between two environments that should be alike (staging and production)",
		Long: `drift pairs the principals and resources of two environments (environment files or directories,
as --env reads them) after --map, and reports:

  structure  a principal, policy attachment, group membership, permissions boundary, resource
             (policy), SCP/RCP attachment or trust relation that only one side has;
  access     a paired principal allowed an action on a paired resource in one environment and
             not in the other, decided by the engine with every layer, with the layer, policy and
             statement that make the difference.

The map (YAML) pairs accounts and rewrites names in roles, users, policies, resources and ARNs:

  accounts: {"111111111111": "222222222222"}
  names: [{from: "-staging", to: "-prod"}]

Without an accounts map, the only account of each environment are paired when each holds one;
two different organisations' ids are paired too. Requests carry the context the environments
give (the resource's region as aws:RequestedRegion, --region for resources without one, the
principal's tags, organisation ids); a difference that appears only under another value of a
key has a condition naming it.

Exit status: 0 no difference; 1 differences; 2 could not run.`,
		Example: `  iamwhy drift examples/drift/staging examples/drift/prod --map examples/drift/map.yaml
  iamwhy drift staging/ prod/ --map map.yaml -o json`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDrift(s, o, args[0], args[1])
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Map, "map", "", "the YAML file pairing accounts and names of A with B")
	outputFlag(cmd, &o.Output, "text", "json", "csv")
	f.StringVar(&o.OwnerTag, "owner-tag", "owner", "the tag whose value names a principal's owner")
	f.StringVar(&o.Region, "region", "us-east-1", "aws:RequestedRegion for requests on resources whose ARN names no region")
	return cmd
}

func runDrift(s Streams, o *driftOptions, pathA, pathB string) error {
	var m *drift.Map
	if o.Map != "" {
		var err error
		if m, err = drift.ReadMap(o.Map); err != nil {
			return err
		}
	}
	a, err := (&envFlags{Env: pathA}).load()
	if err != nil {
		return err
	}
	b, err := (&envFlags{Env: pathB}).load()
	if err != nil {
		return err
	}
	r, err := drift.Compare(a, b, drift.Options{Map: m, OwnerTag: o.OwnerTag, Region: o.Region})
	if err != nil {
		return err
	}
	if err := driftRenderers[o.Output](s.Out, r); err != nil {
		return err
	}
	if len(r.Differences) > 0 {
		return silentExit(1)
	}
	return nil
}

var driftRenderers = map[string]func(io.Writer, *drift.Report) error{
	"json": func(w io.Writer, r *drift.Report) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	},
	"text": driftText,
	"csv":  driftCSV,
}

func val(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func driftText(w io.Writer, r *drift.Report) error {
	var access, structure []drift.Difference
	for _, d := range r.Differences {
		if d.Kind == "access" {
			access = append(access, d)
		} else {
			structure = append(structure, d)
		}
	}
	if len(r.Differences) == 0 {
		fmt.Fprintf(w, "No drift: %d principals and %d resources paired, %d requests decided in each.\n", r.Pairs.Principals, r.Pairs.Resources, r.Requests)
	} else {
		fmt.Fprintf(w, "Drift: %d access and %d structure differences; %d principals and %d resources paired (%d only in A, %d only in B); %d requests decided in each.\n",
			len(access), len(structure), r.Pairs.Principals, r.Pairs.Resources, len(r.Pairs.OnlyInA), len(r.Pairs.OnlyInB), r.Requests)
	}
	if len(access) > 0 {
		fmt.Fprintln(w, "\nAccess:")
		for _, d := range access {
			side := val(d.AllowedIn)
			fmt.Fprintf(w, "  %s on %s", val(d.Action), val(d.ResourceA))
			if val(d.ResourceB) != val(d.ResourceA) {
				fmt.Fprintf(w, " / %s", val(d.ResourceB))
			}
			fmt.Fprintf(w, "\n    %s%s / %s%s: A %s, B %s", val(d.PrincipalA), ownerText(d.OwnerA), val(d.PrincipalB), ownerText(d.OwnerB), val(d.DecisionA), val(d.DecisionB))
			if side != "" {
				fmt.Fprintf(w, " (allowed in %s only)", strings.ToUpper(side))
			}
			if len(d.Conditions) > 0 {
				fmt.Fprintf(w, "\n    only when %s", driftConditions(d.Conditions))
			}
			if d.Layer != nil {
				fmt.Fprintf(w, "\n    layer %s", *d.Layer)
				if d.Policy != nil {
					fmt.Fprintf(w, ": %s", *d.Policy)
					if d.Statement != nil {
						fmt.Fprintf(w, " statement %s", *d.Statement)
					}
					if d.Location != nil {
						fmt.Fprintf(w, " at %s", *d.Location)
					}
				}
			}
			if d.Reason != nil {
				fmt.Fprintf(w, "\n    %s", *d.Reason)
			}
			fmt.Fprintln(w)
		}
	}
	if len(structure) > 0 {
		fmt.Fprintln(w, "\nStructure:")
		for _, d := range structure {
			fmt.Fprintf(w, "  %s only in %s:", val(d.What), strings.ToUpper(val(d.OnlyIn)))
			for _, part := range []struct{ label, v string }{
				{"principal", sideOf(d, d.PrincipalA, d.PrincipalB)}, {"resource", sideOf(d, d.ResourceA, d.ResourceB)},
				{"account", val(d.Account)}, {"policy", val(d.Policy)}, {"trusts", val(d.Trusted)},
			} {
				if part.v != "" {
					fmt.Fprintf(w, " %s %s", part.label, part.v)
				}
			}
			fmt.Fprintln(w)
		}
	}
	if len(r.NoOwner) > 0 {
		fmt.Fprintf(w, "\nWithout an owner tag: %s\n", strings.Join(r.NoOwner, ", "))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "\nNote: %s\n", n)
	}
	return nil
}

// sideOf is the name on the side a structure difference is about.
func sideOf(d drift.Difference, a, b *string) string {
	if val(d.OnlyIn) == "b" && b != nil {
		return *b
	}
	if a != nil {
		return *a
	}
	return val(b)
}

func ownerText(o *string) string {
	if o == nil {
		return " (no owner)"
	}
	return " (owner " + *o + ")"
}

func driftConditions(cs []drift.Condition) string {
	var parts []string
	for _, c := range cs {
		if c.Absent {
			parts = append(parts, c.Key+" absent")
			continue
		}
		parts = append(parts, c.Key+"="+strings.Join(c.Values, ","))
	}
	return strings.Join(parts, " ")
}

func driftCSV(w io.Writer, r *drift.Report) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"kind", "what", "principal_a", "principal_b", "owner_a", "owner_b", "action", "resource_a", "resource_b",
		"allowed_in", "decision_a", "decision_b", "layer", "policy", "statement", "location", "conditions", "only_in", "account", "trusted", "reason"})
	for _, d := range r.Differences {
		cw.Write([]string{d.Kind, val(d.What), val(d.PrincipalA), val(d.PrincipalB), val(d.OwnerA), val(d.OwnerB), val(d.Action),
			val(d.ResourceA), val(d.ResourceB), val(d.AllowedIn), val(d.DecisionA), val(d.DecisionB), val(d.Layer), val(d.Policy),
			val(d.Statement), val(d.Location), driftConditions(d.Conditions), val(d.OnlyIn), val(d.Account), val(d.Trusted), val(d.Reason)})
	}
	cw.Flush()
	return cw.Error()
}
