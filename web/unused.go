package web

import (
	"net/http"
	"sort"
	"strings"
)

// unused shows each principal's granted-but-unused permissions: a table of
// principals with their counts, and for the one chosen (?principal=) its
// actions by service, filterable by status and service, and the removal
// proposal of each policy with its verification.
func (p *pages) unused(w http.ResponseWriter, r *http.Request) {
	v := p.newView(r, "unused")
	q := r.URL.Query()
	if v.HasEnv && v.HasTrail {
		args := map[string]any{}
		setIf(args, "since", q.Get("since"))
		setIf(args, "until", q.Get("until"))
		if p.ask(r.Context(), v, "unused", "unused", args) {
			if want := strings.TrimSpace(q.Get("principal")); want != "" {
				for _, pr := range asList(lookup(v.Answers["unused"], "principals")) {
					if str(lookup(pr, "principal")) == want {
						v.Answers["selected"] = pr
					}
				}
				if v.Answers["selected"] == nil {
					v.Errors["principal"] = want + " is not a user or role of the environment"
				}
			}
		}
	}
	p.render(w, "unused", v)
}

// serviceCount is one service's line in a principal's summary.
type serviceCount struct {
	Service               string
	Used, Unused, Unknown int
}

// serviceCounts sums a principal's actions by service, the services with
// used actions first, then by name: with AdministratorAccess a principal
// has tens of thousands of actions, which no one reads one by one.
func serviceCounts(actions any) []serviceCount {
	by := map[string]*serviceCount{}
	for _, a := range asList(actions) {
		svc := str(lookup(a, "service"))
		c := by[svc]
		if c == nil {
			c = &serviceCount{Service: svc}
			by[svc] = c
		}
		switch str(lookup(a, "status")) {
		case "used":
			c.Used++
		case "unused":
			c.Unused++
		default:
			c.Unknown++
		}
	}
	out := make([]serviceCount, 0, len(by))
	for _, c := range by {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Used > 0) != (out[j].Used > 0) {
			return out[i].Used > 0
		}
		return out[i].Service < out[j].Service
	})
	return out
}

// actionPage is the part of a principal's actions a page shows.
type actionPage struct {
	Rows []any
	// Matched counts the actions the filters keep; Rows holds at most
	// maxActionRows of them, and the page says how many it left out.
	Matched, Hidden int
}

// maxActionRows bounds the actions one page lists.
const maxActionRows = 500

// filterActions keeps the actions of that status and service (empty keeps
// all).
func filterActions(actions any, status, service string) actionPage {
	var pg actionPage
	for _, a := range asList(actions) {
		if status != "" && str(lookup(a, "status")) != status {
			continue
		}
		if service != "" && str(lookup(a, "service")) != service {
			continue
		}
		pg.Matched++
		if len(pg.Rows) < maxActionRows {
			pg.Rows = append(pg.Rows, a)
		}
	}
	pg.Hidden = pg.Matched - len(pg.Rows)
	return pg
}

// keys lists an object's keys in order.
func keys(v any) []string {
	m, _ := v.(map[string]any)
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
