package reproduce

import "github.com/iamwhy/iamwhy/internal/jsonenc"

// The JSON forms below write every field: a value the input did not give
// (a message names no Region, the service reference no access level) as
// null, a list without entries as [].

// MarshalJSON writes the plan with an unknown Region as null.
func (p Plan) MarshalJSON() ([]byte, error) {
	return jsonenc.Marshal(struct {
		Principal string   `json:"principal"`
		Role      *string  `json:"role"`
		Region    *string  `json:"region"`
		Call      Call     `json:"call"`
		API       API      `json:"api"`
		Commands  []string `json:"commands"`
		Notes     []string `json:"notes"`
	}{p.Principal, p.Role, jsonenc.Null(p.Region), p.Call, p.API, jsonenc.List(p.Commands), jsonenc.List(p.Notes)})
}

// MarshalJSON writes the call with no arguments as [] and an unknown
// access level as null.
func (c Call) MarshalJSON() ([]byte, error) {
	return jsonenc.Marshal(struct {
		Service     string   `json:"service"`
		Operation   string   `json:"operation"`
		Args        []string `json:"args"`
		Action      string   `json:"action"`
		AccessLevel *string  `json:"access_level"`
		ReadOnly    bool     `json:"read_only"`
		DryRun      bool     `json:"dry_run"`
	}{c.Service, c.Operation, jsonenc.List(c.Args), c.Action, jsonenc.Null(c.AccessLevel), c.ReadOnly, c.DryRun})
}

// MarshalJSON writes the run with no parameters left out as [].
func (r Run) MarshalJSON() ([]byte, error) {
	type plain Run // without this method
	p := plain(r)
	p.NotSent = jsonenc.List(p.NotSent)
	return jsonenc.Marshal(p)
}

// Reproduction is a plan and, when it was performed, what AWS answered.
// Its JSON form is the document `iamwhy reproduce --output json` prints
// (after its format_version): the plan's fields, then run (null when not
// performed).
type Reproduction struct {
	Plan *Plan
	Run  *Run
}

// MarshalJSON writes the plan's fields, then run.
func (r Reproduction) MarshalJSON() ([]byte, error) {
	plan, err := jsonenc.Marshal(r.Plan)
	if err != nil {
		return nil, err
	}
	run, err := jsonenc.Marshal(struct {
		Run *Run `json:"run"`
	}{r.Run})
	if err != nil {
		return nil, err
	}
	return jsonenc.Merge(plan, run)
}
