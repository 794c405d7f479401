package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/spf13/cobra"
)

// actionsOptions are the typed flags of `iamwhy actions`, and the
// service reference it searches.
type actionsOptions struct {
	// Catalog is the service reference searched; nil is the embedded one,
	// decoded when the command runs (not when the command tree is built,
	// which every command does).
	Catalog      *catalog.Catalog
	Patterns     []string
	AccessLevels []catalog.AccessLevel
	Resource     string
	Details      bool
	Output       string
}

func newActionsCmd(s Streams) *cobra.Command {
	var levels []string
	opts := &actionsOptions{}
	cmd := &cobra.Command{
		Use:   "actions [PATTERN...]",
		Short: "List IAM actions from the embedded service reference",
		Long: `List IAM actions matching patterns with IAM's wildcards (* and ?), case-insensitive,
as an Action element would match them; filter by access level; list the actions that
work on a resource's type (--resource ARN); show resource types, condition keys and
dependent actions (--details).

Exit status: 0 when actions were listed, 1 when nothing matched, 2 on bad input.`,
		Example: `  iamwhy actions 's3:Get*'
  iamwhy actions '*:Describe*' --access-level List
  iamwhy actions --resource arn:aws:s3:::my-bucket/key
  iamwhy actions s3:GetObject --details --output json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Patterns = args
			for _, l := range levels {
				for _, part := range strings.Split(l, ",") {
					lvl, ok := catalog.ParseAccessLevel(part)
					if !ok {
						return fmt.Errorf("--access-level %q: want List, Read, Write, Permissions-management or Tagging", part)
					}
					opts.AccessLevels = append(opts.AccessLevels, lvl)
				}
			}
			if len(opts.Patterns) == 0 && opts.Resource == "" {
				return errors.New("give an action pattern (e.g. 's3:Get*') or --resource ARN")
			}
			return runActions(s.Out, opts)
		},
	}
	cmd.Flags().StringSliceVar(&levels, "access-level", nil, "keep only actions of these access levels: List, Read, Write, Permissions-management, Tagging (repeatable or comma-separated)")
	cmd.Flags().StringVar(&opts.Resource, "resource", "", "list the actions that work on this ARN's resource type(s)")
	cmd.Flags().BoolVar(&opts.Details, "details", false, "show resource types, condition keys and dependent actions")
	outputFlag(cmd, &opts.Output, "text", "json")
	return cmd
}

func runActions(out io.Writer, opts *actionsOptions) error {
	cat := opts.Catalog
	if cat == nil {
		cat = catalog.Default()
	}
	res, err := cat.FindActions(catalog.ActionQuery{Patterns: opts.Patterns, AccessLevels: opts.AccessLevels, Resource: opts.Resource, Details: opts.Details})
	if err != nil {
		return fmt.Errorf("--resource %w", err)
	}
	w := bufio.NewWriterSize(out, 64<<10)
	if err := actionsRenderers[opts.Output](w, res, opts.Details); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if len(res.Actions) == 0 {
		return silentExit(1)
	}
	return nil
}

// actionsRenderers are actions' outputs, by --output format; details asks
// for each action's resource types, condition keys and dependent actions.
var actionsRenderers = map[string]func(w io.Writer, res *catalog.ActionSearch, details bool) error{
	"json": func(w io.Writer, res *catalog.ActionSearch, _ bool) error { return writeVersionedJSON(w, res) },
	"text": renderActionsText,
}

func renderActionsText(w io.Writer, res *catalog.ActionSearch, details bool) error {
	if res.Resource != nil {
		if len(res.Resource.Types) == 0 {
			fmt.Fprintf(w, "%s fits no resource type's ARN format in the service reference\n", res.Resource.ARN)
		} else {
			fmt.Fprintf(w, "%s is a resource of type:\n", res.Resource.ARN)
			for _, t := range res.Resource.Types {
				fmt.Fprintf(w, "  %s:%s  %s\n", t.Service, t.Name, strings.Join(t.ARNFormats, ", "))
			}
			fmt.Fprintln(w)
		}
	}
	if details {
		for i, a := range res.Actions {
			if i > 0 {
				fmt.Fprintln(w)
			}
			renderActionDetails(w, a)
		}
	} else {
		tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
		for _, a := range res.Actions {
			fmt.Fprintf(tw, "%s\t%s\n", a.Action, a.AccessLevel)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	for _, h := range res.Hints {
		fmt.Fprintf(w, "hint: %s\n", h)
	}
	noun := "actions"
	if len(res.Actions) == 1 {
		noun = "action"
	}
	_, err := fmt.Fprintf(w, "%d %s (service reference %s, %s)\n", len(res.Actions), noun, res.Catalog.Version, res.Catalog.Updated)
	return err
}

func renderActionDetails(w io.Writer, a catalog.ActionSummary) {
	fmt.Fprintf(w, "%s  (%s)\n", a.Action, a.AccessLevel)
	if a.Description != "" {
		fmt.Fprintf(w, "  %s\n", a.Description)
	}
	if len(a.ResourceTypes) == 0 {
		fmt.Fprintln(w, "  Resource types: none (the action supports only Resource \"*\")")
	} else {
		fmt.Fprintln(w, "  Resource types (* = required):")
		tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
		for _, r := range a.ResourceTypes {
			mark := ""
			if r.Required != nil && *r.Required {
				mark = "*"
			}
			fmt.Fprintf(tw, "    %s%s\t%s\n", r.Name, mark, strings.Join(r.ARNFormats, ", "))
			if len(r.ConditionKeys) > 0 {
				fmt.Fprintf(tw, "      keys: %s\t\n", strings.Join(r.ConditionKeys, ", "))
			}
		}
		tw.Flush()
	}
	if len(a.ConditionKeys) == 0 {
		fmt.Fprintln(w, "  Condition keys: none beyond the global keys")
	} else {
		fmt.Fprintln(w, "  Condition keys:")
		tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
		for _, k := range a.ConditionKeys {
			fmt.Fprintf(tw, "    %s\t%s\n", k.Name, k.Type)
		}
		tw.Flush()
	}
	if len(a.DependentActions) == 0 {
		fmt.Fprintln(w, "  Dependent actions: none listed")
	} else {
		fmt.Fprintf(w, "  Dependent actions: %s\n", strings.Join(a.DependentActions, ", "))
	}
}
