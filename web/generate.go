package web

import (
	"net/http"
	"strings"
)

// generate writes the least-privilege policy for a principal from the
// loaded trail, with its verification (every counted call replayed
// against it, and its lint) and what the trail held that maps to no
// action.
func (p *pages) generate(w http.ResponseWriter, r *http.Request) {
	v := p.newView(r, "generate")
	q := r.URL.Query()
	if v.HasTrail && strings.TrimSpace(q.Get("principal")) != "" {
		args := map[string]any{"principal": strings.TrimSpace(q.Get("principal"))}
		for _, k := range []string{"include_denied", "allow_wildcards", "group_resources"} {
			if q.Get(k) != "" {
				args[k] = true
			}
		}
		p.ask(r.Context(), v, "generate", "generate", args)
	}
	p.render(w, "generate", v)
}
