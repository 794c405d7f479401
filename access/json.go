package access

import (
	"github.com/iamwhy/iamwhy/internal/jsonenc"
)

// MarshalJSON writes every field of the answer: a value the answer lacks
// (no deciding policy for an implicit deny, no reason) as null, a list
// without entries as [] and no witness as {}, never leaving one out, so
// a program reads every answer the same way.
func (a Answer) MarshalJSON() ([]byte, error) {
	witness := a.Witness
	if witness == nil {
		witness = map[string][]string{}
	}
	return jsonenc.Marshal(struct {
		Principal  string              `json:"principal"`
		Kind       *string             `json:"kind"`
		Account    *string             `json:"account"`
		Owner      *string             `json:"owner"`
		Status     Status              `json:"status"`
		Decision   string              `json:"decision"`
		DecidedBy  string              `json:"decided_by"`
		Policy     *string             `json:"policy"`
		Statement  *string             `json:"statement"`
		Conditions []Condition         `json:"conditions"`
		Witness    map[string][]string `json:"witness"`
		Unless     []Condition         `json:"unless"`
		IfPresent  []Condition         `json:"if_present"`
		Gaps       []string            `json:"gaps"`
		Reason     *string             `json:"reason"`
	}{a.Principal, jsonenc.Null(a.Kind), jsonenc.Null(a.Account), a.Owner, a.Status, a.Decision, a.DecidedBy,
		jsonenc.Null(a.Policy), jsonenc.Null(a.Statement), jsonenc.List(a.Conditions), witness, jsonenc.List(a.Unless),
		jsonenc.List(a.IfPresent), jsonenc.List(a.Gaps), jsonenc.Null(a.Reason)})
}

// MarshalJSON writes the answer's fields, then the action's (without it,
// the embedded Answer's method would leave the action out).
func (a ActionAnswer) MarshalJSON() ([]byte, error) {
	answer, err := a.Answer.MarshalJSON()
	if err != nil {
		return nil, err
	}
	action, err := jsonenc.Marshal(struct {
		Action   string `json:"action"`
		Access   string `json:"access_level"`
		Resource string `json:"resource"`
		Scope    string `json:"scope"`
	}{a.Action, a.Access, a.Resource, a.Scope})
	if err != nil {
		return nil, err
	}
	return jsonenc.Merge(answer, action)
}

// MarshalJSON writes every field of the condition, its values as [] when
// it has none.
func (c Condition) MarshalJSON() ([]byte, error) {
	type plain Condition // without this method
	p := plain(c)
	p.Values = jsonenc.List(p.Values)
	return jsonenc.Marshal(p)
}

// MarshalJSON writes every field of the permissions, no counts as {}.
func (s ServicePermissions) MarshalJSON() ([]byte, error) {
	type plain ServicePermissions
	p := plain(s)
	if p.Counts == nil {
		p.Counts = map[string]int{}
	}
	p.Actions = jsonenc.List(p.Actions)
	return jsonenc.Marshal(p)
}

// MarshalJSON writes every field of the result, no services as [].
func (r CanResult) MarshalJSON() ([]byte, error) {
	type plain CanResult
	p := plain(r)
	p.Services = jsonenc.List(p.Services)
	return jsonenc.Marshal(p)
}
