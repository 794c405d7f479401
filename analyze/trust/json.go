package trust

import "github.com/iamwhy/iamwhy/internal/jsonenc"

// MarshalJSON writes every field of the edge: no reason (an allowed
// edge) as null and empty lists as [], never leaving one out.
func (e Edge) MarshalJSON() ([]byte, error) {
	return jsonenc.Marshal(struct {
		From                string   `json:"from"`
		To                  string   `json:"to"`
		Kind                string   `json:"kind"`
		Actions             []string `json:"actions"`
		Status              string   `json:"status"`
		Conditions          []string `json:"conditions"`
		OutsideOrganization bool     `json:"outside_organization"`
		ConfusedDeputyRisk  bool     `json:"confused_deputy_risk"`
		UnscopedFederation  bool     `json:"unscoped_federation"`
		Via                 Via      `json:"via"`
		Reason              *string  `json:"reason"`
	}{e.From, e.To, e.Kind, jsonenc.List(e.Actions), e.Status, jsonenc.List(e.Conditions), e.OutsideOrganization,
		e.ConfusedDeputyRisk, e.UnscopedFederation, e.Via, jsonenc.Null(e.Reason)})
}
