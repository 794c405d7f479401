// Package web is iamwhy's local web UI: server-rendered pages for explain
// and diagnose, simulate, who-can and can, the trail's denials and the
// trust graph, and an /api that returns the CLI's JSON.
//
// It is built for a laptop that may be air-gapped and a browser that may
// hold other sessions: it answers only requests that carry the server's
// token and name the loopback address in their Host header (so a page on
// another site cannot reach it, even by DNS rebinding), every asset is
// embedded, and a Content-Security-Policy forbids the page to load or send
// anything elsewhere.
//
// Like the MCP server, it holds no domain logic: every answer is one run of
// the matching iamwhy command (package internal/invoke), rendered.
package web

import (
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"strings"

	"github.com/iamwhy/iamwhy/internal/invoke"
)

// Config is what the server serves.
type Config struct {
	// Invoke runs the commands behind every page and API call.
	Invoke invoke.Config
	// Token is the secret every request must carry (see New). Empty makes
	// New choose one.
	Token string
	// Port is the port the server listens on; the Host header must name it.
	Port int
	// Version is shown in the footer.
	Version string
}

//go:embed assets
var assets embed.FS

// Server is the UI's HTTP handler.
type Server struct {
	cfg   Config
	mux   *http.ServeMux
	pages *pages
}

// NewToken returns a fresh random token.
func NewToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// New returns the UI's handler.
func New(cfg Config) (*Server, error) {
	if err := cfg.Invoke.Check(); err != nil {
		return nil, err
	}
	if cfg.Token == "" {
		t, err := NewToken()
		if err != nil {
			return nil, err
		}
		cfg.Token = t
	}
	p, err := newPages(cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), pages: p}
	static, err := fs.Sub(assets, "assets/static")
	if err != nil {
		return nil, err
	}
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	s.mux.HandleFunc("GET /{$}", p.explain)
	s.mux.HandleFunc("GET /simulate", p.simulate)
	s.mux.HandleFunc("GET /who-can", p.whoCan)
	s.mux.HandleFunc("GET /can", p.can)
	s.mux.HandleFunc("GET /trail", p.trail)
	s.mux.HandleFunc("GET /trust", p.trust)
	s.mux.HandleFunc("GET /unused", p.unused)
	s.mux.HandleFunc("GET /generate", p.generate)
	s.mux.HandleFunc("GET /drift", p.drift)
	s.mux.HandleFunc("POST /api/{name...}", s.api)
	return s, nil
}

// Token is the token requests must carry.
func (s *Server) Token() string { return s.cfg.Token }

// cookieName holds the token once the first request has given it.
const cookieName = "iamwhy_token"

// contentSecurityPolicy lets the page load its own embedded script and
// style and nothing else, send forms and fetches only to itself, and never
// be framed.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// ServeHTTP checks the Host header and the token, then serves.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
	if !s.loopbackHost(r.Host) {
		http.Error(w, "403 forbidden: this server answers only requests addressed to the loopback address", http.StatusForbidden)
		return
	}
	if q := r.URL.Query().Get("token"); q != "" {
		if !s.tokenOK(q) {
			http.Error(w, "403 forbidden: wrong token", http.StatusForbidden)
			return
		}
		// The token moves to a cookie and out of the address bar, so that a
		// view's URL can be copied without it.
		http.SetCookie(w, &http.Cookie{Name: cookieName, Value: s.cfg.Token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
		if r.Method == http.MethodGet {
			u := *r.URL
			qs := u.Query()
			qs.Del("token")
			u.RawQuery = qs.Encode()
			http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
			return
		}
	} else if c, err := r.Cookie(cookieName); err != nil || !s.tokenOK(c.Value) {
		if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); !ok || !s.tokenOK(bearer) {
			http.Error(w, "403 forbidden: open the address iamwhy serve printed (it carries the token)", http.StatusForbidden)
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) tokenOK(t string) bool {
	return subtle.ConstantTimeCompare([]byte(t), []byte(s.cfg.Token)) == 1
}

// loopbackHost reports whether a Host header names this server on the
// loopback address: 127.0.0.1, [::1] or localhost, with the server's port.
func (s *Server) loopbackHost(host string) bool {
	h, port, err := net.SplitHostPort(host)
	if err != nil {
		return false
	}
	if s.cfg.Port != 0 && port != fmt.Sprint(s.cfg.Port) {
		return false
	}
	switch strings.ToLower(h) {
	case "127.0.0.1", "::1", "localhost":
		return true
	}
	return false
}

// IsLoopback reports whether addr (host:port) is on the loopback
// interface: an address in 127.0.0.0/8, ::1, or localhost.
func IsLoopback(addr string) bool {
	h, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
