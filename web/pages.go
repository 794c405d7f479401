package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/internal/invoke"
)

// pages renders the UI's pages from the commands' JSON.
type pages struct {
	cfg  Config
	tmpl map[string]*template.Template
}

// pageNames are the templates under assets/templates, each laid into
// layout.html.
var pageNames = []string{"explain", "simulate", "whocan", "can", "trail", "trust", "unused", "generate", "drift"}

func newPages(cfg Config) (*pages, error) {
	p := &pages{cfg: cfg, tmpl: map[string]*template.Template{}}
	tfs, err := fs.Sub(assets, "assets/templates")
	if err != nil {
		return nil, err
	}
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(tfs, "layout.html", "parts.html", name+".html")
		if err != nil {
			return nil, err
		}
		p.tmpl[name] = t
	}
	return p, nil
}

// view is what a page template is given.
type view struct {
	Page     string
	Form     url.Values
	HasEnv   bool
	HasTrail bool
	// HasDrift is a second environment for the drift page.
	HasDrift bool
	Version  string
	// Answers are the commands' outputs by tool name; Errors their
	// failures.
	Answers map[string]any
	Errors  map[string]string
	// Exit is each command's exit status.
	Exit map[string]int
}

func (p *pages) newView(r *http.Request, page string) *view {
	return &view{
		Page: page, Form: r.URL.Query(), HasEnv: len(p.cfg.Invoke.EnvArgs) > 0, HasTrail: len(p.cfg.Invoke.Trails) > 0,
		HasDrift: p.cfg.Invoke.Drift.Given(),
		Version:  p.cfg.Version, Answers: map[string]any{}, Errors: map[string]string{}, Exit: map[string]int{},
	}
}

// ask runs one tool for the page and keeps its answer or its error.
func (p *pages) ask(ctx context.Context, v *view, key, tool string, args map[string]any) bool {
	raw, _ := json.Marshal(args)
	res, err := p.cfg.Invoke.Call(ctx, tool, raw)
	if err != nil {
		var argErr *invoke.ArgumentError
		if errors.As(err, &argErr) {
			v.Errors[key] = argErr.Message
		} else {
			v.Errors[key] = err.Error()
		}
		return false
	}
	v.Answers[key] = res.JSON
	v.Exit[key] = res.Exit
	return true
}

func (p *pages) render(w http.ResponseWriter, name string, v *view) {
	var buf bytes.Buffer
	if err := p.tmpl[name].Execute(&buf, v); err != nil {
		http.Error(w, "rendering the page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}

// formContext reads a textarea of context entries, one KEY=VALUE a line
// (a key repeated, or VALUE written [V1,V2], makes a multivalued key).
func formContext(text string) map[string]any {
	var lines []string
	for _, line := range strings.Split(text, "\n") {
		k, val, ok := strings.Cut(strings.TrimSpace(line), "=")
		if ok && strings.TrimSpace(k) != "" {
			lines = append(lines, k+"="+strings.TrimSpace(val))
		}
	}
	entries, _ := eval.ParseContextEntries(lines) // every line has a name and '='
	ctx := map[string]any{}
	for _, e := range entries {
		if e.Multi {
			ctx[e.Key] = e.Values
		} else {
			ctx[e.Key] = e.Values[0]
		}
	}
	return ctx
}

// setIf adds a non-empty form value to args.
func setIf(args map[string]any, key, val string) {
	if val = strings.TrimSpace(val); val != "" {
		args[key] = val
	}
}

// explain is the home page: paste an error or a CloudTrail record; with an
// environment, the root cause, the trace of the replayed request, and the
// proven fixes.
func (p *pages) explain(w http.ResponseWriter, r *http.Request) {
	v := p.newView(r, "explain")
	q := r.URL.Query()
	msg := strings.TrimSpace(q.Get("message"))
	explicit := strings.TrimSpace(q.Get("principal")) != "" && strings.TrimSpace(q.Get("action")) != ""
	if msg != "" {
		// explain reads a pasted CloudTrail record as well as an error.
		p.ask(r.Context(), v, "explain", "explain", map[string]any{"message": msg})
	}
	if v.HasEnv && (msg != "" || explicit) {
		args := map[string]any{}
		switch {
		case msg != "" && looksLikeRecord(msg):
			args["event"] = msg
		case msg != "":
			args["message"] = msg
		default:
			setIf(args, "principal", q.Get("principal"))
			setIf(args, "action", q.Get("action"))
			setIf(args, "resource", q.Get("resource"))
		}
		if c := formContext(q.Get("context")); len(c) > 0 {
			args["context"] = c
		}
		if p.ask(r.Context(), v, "diagnose", "diagnose", args) {
			// The trace of the replayed request: which statement decided,
			// and the near misses.
			if req, ok := lookup(v.Answers["diagnose"], "request").(map[string]any); ok {
				sim := map[string]any{}
				for _, k := range []string{"principal", "action", "resource"} {
					if s, ok := lookup(req, k).(string); ok && s != "" {
						sim[k] = s
					}
				}
				if c, ok := lookup(req, "context").(map[string]any); ok && len(c) > 0 {
					sim["context"] = c
				}
				if sim["principal"] != nil && sim["action"] != nil {
					p.ask(r.Context(), v, "simulate", "simulate", sim)
				}
			}
		}
	}
	p.render(w, "explain", v)
}

// looksLikeRecord tells a pasted CloudTrail record from a pasted error.
func looksLikeRecord(s string) bool {
	return strings.HasPrefix(s, "{") && strings.Contains(s, `"eventName"`) && strings.Contains(s, `"userIdentity"`)
}

// simulate decides one request from pasted policies or the environment.
func (p *pages) simulate(w http.ResponseWriter, r *http.Request) {
	v := p.newView(r, "simulate")
	q := r.URL.Query()
	if strings.TrimSpace(q.Get("principal")) != "" && strings.TrimSpace(q.Get("action")) != "" {
		args := map[string]any{}
		setIf(args, "principal", q.Get("principal"))
		setIf(args, "action", q.Get("action"))
		setIf(args, "resource", q.Get("resource"))
		if c := formContext(q.Get("context")); len(c) > 0 {
			args["context"] = c
		}
		pol, err := formPolicies(q)
		if err != nil {
			v.Errors["simulate"] = err.Error()
		} else {
			if len(pol) > 0 {
				args["policies"] = pol
			}
			p.ask(r.Context(), v, "simulate", "simulate", args)
		}
	}
	p.render(w, "simulate", v)
}

// formPolicies reads the simulate page's policy boxes: identity and
// session policies as one document or a JSON list of them, SCPs and RCPs
// as a list of levels (each a list of documents, root first) or a single
// document.
func formPolicies(q url.Values) (map[string]any, error) {
	out := map[string]any{}
	for _, f := range []struct {
		field, key string
		depth      int // 0 one document, 1 a list, 2 a list of lists
	}{{"identity", "identity", 1}, {"resource_policy", "resource", 0}, {"boundary", "boundary", 0}, {"session", "session", 1},
		{"scp", "scp", 2}, {"rcp", "rcp", 2}, {"vpc_endpoint", "vpc_endpoint", 0}} {
		text := strings.TrimSpace(q.Get(f.field))
		if text == "" {
			continue
		}
		var val any
		if err := json.Unmarshal([]byte(text), &val); err != nil {
			return nil, errors.New(f.field + ": not JSON: " + err.Error())
		}
		list, isList := val.([]any)
		switch {
		case f.depth >= 1 && !isList:
			val = []any{val}
			if f.depth == 2 {
				val = []any{val}
			}
		case f.depth == 2 && len(list) > 0:
			// A list of documents is one level; a list of lists, levels.
			if _, inner := list[0].([]any); !inner {
				val = []any{list}
			}
		}
		out[f.key] = val
	}
	if s := strings.TrimSpace(q.Get("management_account")); s != "" {
		out["management_account"] = s
	}
	return out, nil
}

// whoCan lists the principals allowed an action on a resource.
func (p *pages) whoCan(w http.ResponseWriter, r *http.Request) {
	v := p.newView(r, "whocan")
	q := r.URL.Query()
	if v.HasEnv && strings.TrimSpace(q.Get("action")) != "" && strings.TrimSpace(q.Get("resource")) != "" {
		args := map[string]any{}
		setIf(args, "action", q.Get("action"))
		setIf(args, "resource", q.Get("resource"))
		if c := formContext(q.Get("context")); len(c) > 0 {
			args["context"] = c
		}
		p.ask(r.Context(), v, "who_can", "who_can", args)
	}
	p.render(w, "whocan", v)
}

// can shows a principal's effective permissions.
func (p *pages) can(w http.ResponseWriter, r *http.Request) {
	v := p.newView(r, "can")
	q := r.URL.Query()
	if v.HasEnv && strings.TrimSpace(q.Get("principal")) != "" {
		args := map[string]any{"principal": strings.TrimSpace(q.Get("principal"))}
		if s := strings.TrimSpace(q.Get("service")); s != "" {
			args["services"] = strings.Fields(strings.ReplaceAll(s, ",", " "))
		}
		setIf(args, "resource", q.Get("resource"))
		p.ask(r.Context(), v, "can", "can", args)
	}
	p.render(w, "can", v)
}

// trail shows the loaded trail's denials: a time histogram and the
// groups, each linking to its diagnosis.
func (p *pages) trail(w http.ResponseWriter, r *http.Request) {
	v := p.newView(r, "trail")
	if v.HasTrail {
		p.ask(r.Context(), v, "trail_denied", "trail_denied", map[string]any{})
	}
	p.render(w, "trail", v)
}

// trust draws the environment's cross-account trust graph.
func (p *pages) trust(w http.ResponseWriter, r *http.Request) {
	v := p.newView(r, "trust")
	q := r.URL.Query()
	if v.HasEnv {
		args := map[string]any{}
		setIf(args, "account", q.Get("account"))
		setIf(args, "principal", q.Get("principal"))
		if q.Get("external_only") != "" {
			args["external_only"] = true
		}
		p.ask(r.Context(), v, "trust", "trust", args)
	}
	p.render(w, "trust", v)
}
