package accessdiff

import "github.com/iamwhy/iamwhy/internal/jsonenc"

// MarshalJSON writes every field of the access: no example, decision or
// reason as null and no conditions as [], never leaving one out.
func (a Access) MarshalJSON() ([]byte, error) {
	return jsonenc.Marshal(struct {
		Principal  string      `json:"principal"`
		Action     string      `json:"action"`
		Resource   string      `json:"resource"`
		Example    *string     `json:"example"`
		Conditions []Condition `json:"conditions"`
		GrantedBy  *Statement  `json:"granted_by"`
		Decision   *string     `json:"decision"`
		Reason     *string     `json:"reason"`
	}{a.Principal, a.Action, a.Resource, jsonenc.Null(a.Example), jsonenc.List(a.Conditions), a.GrantedBy,
		jsonenc.Null(a.Decision), jsonenc.Null(a.Reason)})
}

// MarshalJSON writes the condition's values as [] when it has none.
func (c Condition) MarshalJSON() ([]byte, error) {
	type plain Condition // without this method
	p := plain(c)
	p.Values = jsonenc.List(p.Values)
	return jsonenc.Marshal(p)
}
