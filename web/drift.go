package web

import (
	"net/http"
	"strings"
)

// drift compares the server's two environments (staging against
// production): the pairing, what only one side has, and every paired
// request one allows and the other does not, filterable by kind and by a
// principal's or resource's name.
func (p *pages) drift(w http.ResponseWriter, r *http.Request) {
	v := p.newView(r, "drift")
	if v.HasDrift {
		p.ask(r.Context(), v, "drift", "drift", map[string]any{})
	}
	p.render(w, "drift", v)
}

// driftRows keeps the differences of that kind (empty keeps both) whose
// principals or resources contain the text.
func driftRows(diffs any, kind, text string) []any {
	text = strings.ToLower(strings.TrimSpace(text))
	var out []any
	for _, d := range asList(diffs) {
		if kind != "" && str(lookup(d, "kind")) != kind {
			continue
		}
		if text != "" {
			hay := strings.ToLower(strings.Join([]string{str(lookup(d, "principal_a")), str(lookup(d, "principal_b")),
				str(lookup(d, "resource_a")), str(lookup(d, "resource_b")), str(lookup(d, "action")), str(lookup(d, "policy"))}, " "))
			if !strings.Contains(hay, text) {
				continue
			}
		}
		out = append(out, d)
	}
	return out
}
