package check

import (
	"encoding/json"

	"github.com/iamwhy/iamwhy/internal/jsonenc"
)

// MarshalJSON writes every field of the result: no deciding policy,
// statement or location (an implicit deny names none) as null, no
// warnings as [], no live outcome (without --live) as null. A program
// reads every result the same way.
func (r Result) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		File        string      `json:"file"`
		Name        string      `json:"name"`
		Principal   string      `json:"principal"`
		Action      string      `json:"action"`
		Resource    string      `json:"resource"`
		Decision    string      `json:"decision"`
		Expected    string      `json:"expected"`
		Pass        bool        `json:"pass"`
		DecidedBy   string      `json:"decided_by"`
		Error       *string     `json:"error"`
		Explanation string      `json:"explanation"`
		Policy      *string     `json:"policy"`
		Statement   *string     `json:"statement"`
		Location    *string     `json:"location"`
		Line        int         `json:"line"`
		Warnings    []string    `json:"warnings"`
		Live        *LiveResult `json:"live"`
	}{r.File, r.Name, r.Principal, r.Action, r.Resource, r.Decision, r.Expected, r.Pass, r.DecidedBy, r.Error, r.Explanation,
		jsonenc.Null(r.Policy), jsonenc.Null(r.Statement), jsonenc.Null(r.Location), r.Line, jsonenc.List(r.Warnings), r.Live})
}
