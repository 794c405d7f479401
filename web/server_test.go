package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/internal/cli"
	"github.com/iamwhy/iamwhy/internal/invoke"
	"github.com/iamwhy/iamwhy/web"
)

// runCLI runs an iamwhy command line in process: the UI over the real
// commands.
func runCLI(ctx context.Context, args []string, stdin []byte) ([]byte, []byte, int) {
	var out, errb bytes.Buffer
	code := cli.MainContext(ctx, args, cli.Streams{In: bytes.NewReader(stdin), Out: &out, Err: &errb})
	return out.Bytes(), errb.Bytes(), code
}

func itoa(i int) string { return strconv.Itoa(i) }

// hasCommand reports whether the CLI has a command of that name.
func hasCommand(name string) bool {
	root := cli.NewRoot(cli.Streams{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard})
	c, _, err := root.Find([]string{name})
	return err == nil && c != root
}

const testPort = 8377

func newServer(t *testing.T) *web.Server {
	t.Helper()
	s, err := web.New(web.Config{Invoke: invoke.Config{Run: runCLI, EnvArgs: []string{"--env", "../examples/env"}, Trails: []string{"testdata/trail.json"}},
		Token: "secret-token", Port: testPort, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func do(t *testing.T, s http.Handler, method, target, host string, body string, cookie bool) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Host = host
	if cookie {
		r.AddCookie(&http.Cookie{Name: "iamwhy_token", Value: "secret-token"})
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w
}

func TestHostAndTokenAreChecked(t *testing.T) {
	s := newServer(t)
	good := "127.0.0.1:8377"
	for _, tc := range []struct {
		name, method, target, host string
		cookie                     bool
		want                       int
	}{
		{"no token", "GET", "/", good, false, 403},
		{"wrong token", "GET", "/?token=nope", good, false, 403},
		{"token once", "GET", "/?token=secret-token", good, false, 303},
		{"cookie", "GET", "/", good, true, 200},
		{"localhost", "GET", "/", "localhost:8377", true, 200},
		{"ipv6 loopback", "GET", "/", "[::1]:8377", true, 200},
		{"other host (DNS rebinding)", "GET", "/", "evil.example:8377", true, 403},
		{"other port", "GET", "/", "127.0.0.1:9999", true, 403},
		{"no port", "GET", "/", "127.0.0.1", true, 403},
		{"api without token", "POST", "/api/explain", good, false, 403},
		{"static needs the token too", "GET", "/static/style.css", good, false, 403},
		{"static", "GET", "/static/style.css", good, true, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := do(t, s, tc.method, tc.target, tc.host, `{"message":"Access Denied"}`, tc.cookie)
			if w.Code != tc.want {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.want, w.Body.String())
			}
			if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "connect-src 'self'") {
				t.Errorf("Content-Security-Policy %q", csp)
			}
		})
	}
	// The first request moves the token into a cookie and out of the URL.
	w := do(t, s, "GET", "/trail?token=secret-token", good, "", false)
	if loc := w.Header().Get("Location"); loc != "/trail" {
		t.Errorf("redirect to %q, want /trail", loc)
	}
	var set *http.Cookie
	for _, c := range w.Result().Cookies() {
		if c.Name == "iamwhy_token" {
			set = c
		}
	}
	if set == nil || !set.HttpOnly || set.SameSite != http.SameSiteStrictMode {
		t.Errorf("token cookie %+v", set)
	}
}

func TestPagesEmbedEverything(t *testing.T) {
	s := newServer(t)
	for _, p := range []string{"/", "/simulate", "/who-can", "/can", "/trail", "/trust"} {
		w := do(t, s, "GET", p, "127.0.0.1:8377", "", true)
		if w.Code != 200 {
			t.Fatalf("%s: %d", p, w.Code)
		}
		body := w.Body.String()
		for _, bad := range []string{"http://", "https://", "//cdn", "<script>", " on"} {
			// No address elsewhere, and no inline script or handler the
			// Content-Security-Policy would block anyway.
			if bad == " on" {
				if strings.Contains(body, " onclick=") || strings.Contains(body, " onload=") {
					t.Errorf("%s: an inline event handler", p)
				}
				continue
			}
			if strings.Contains(body, bad) {
				t.Errorf("%s: the page holds %q", p, bad)
			}
		}
	}
}

func TestAPIAnswersAsTheCLI(t *testing.T) {
	s := newServer(t)
	const msg = `User: arn:aws:sts::111122223333:assumed-role/developer/alice is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::111122223333:role/app/new-role because no permissions boundary allows the iam:CreateRole action`
	for _, tc := range []struct {
		path, body string
		stdin      string
		cli        []string
	}{
		{"/api/explain", `{"message": ` + strconv.Quote(msg) + `}`, msg, []string{"explain", "--output", "json", "-"}},
		{"/api/diagnose", `{"message": ` + strconv.Quote(msg) + `}`, msg, []string{"diagnose", "--output", "json", "--env", "../examples/env", "-"}},
		{"/api/who-can", `{"action": "s3:GetObject", "resource": "arn:aws:s3:::example-data-config/app/settings.json"}`, "",
			[]string{"who-can", "--output", "json", "--env", "../examples/env", "s3:GetObject", "arn:aws:s3:::example-data-config/app/settings.json"}},
		{"/api/trail/denied", `{}`, "", []string{"trail", "denied", "--output", "json", "testdata/trail.json"}},
		{"/api/simulate", `{"principal": "arn:aws:sts::111122223333:assumed-role/developer/alice", "action": "iam:CreateRole", "resource": "arn:aws:iam::111122223333:role/app/new-role"}`, "",
			[]string{"simulate", "--output", "json", "--principal", "arn:aws:sts::111122223333:assumed-role/developer/alice", "--action", "iam:CreateRole",
				"--resource", "arn:aws:iam::111122223333:role/app/new-role", "--env", "../examples/env"}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			w := do(t, s, "POST", tc.path, "127.0.0.1:8377", tc.body, true)
			if w.Code != 200 {
				t.Fatalf("status %d: %s", w.Code, w.Body.String())
			}
			want, _, _ := runCLI(context.Background(), tc.cli, []byte(tc.stdin))
			if got := w.Body.Bytes(); !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
				t.Errorf("the API's JSON differs from the CLI's:\n api %s\n cli %s", got, want)
			}
			if w.Header().Get("Content-Type") != "application/json" {
				t.Errorf("Content-Type %q", w.Header().Get("Content-Type"))
			}
		})
	}
}

func TestAPIErrors(t *testing.T) {
	s := newServer(t)
	for _, tc := range []struct {
		path, body string
		want       int
	}{
		{"/api/explain", `{}`, 400},
		{"/api/explain", `not json`, 400},
		{"/api/explain", `{"message": "x", "extra": 1}`, 400},
		{"/api/no-such-thing", `{}`, 404},
		{"/api/lint", `{"policy": "/etc/passwd"}`, 400},
	} {
		w := do(t, s, "POST", tc.path, "127.0.0.1:8377", tc.body, true)
		if w.Code != tc.want {
			t.Errorf("%s %s: status %d, want %d", tc.path, tc.body, w.Code, tc.want)
			continue
		}
		var e struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error.Message == "" {
			t.Errorf("%s: not a JSON error with a message: %s", tc.path, w.Body.String())
		}
	}
}

func TestLoopbackAddresses(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:0": true, "127.0.0.2:8080": true, "[::1]:0": true, "localhost:8377": true,
		"0.0.0.0:8377": false, ":8377": false, "192.168.1.5:80": false, "[::]:0": false, "example.com:80": false, "127.0.0.1": false,
	} {
		if got := web.IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

func TestUnusedPage(t *testing.T) {
	s := newServer(t)
	w := do(t, s, "GET", "/unused", "127.0.0.1:8377", "", true)
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	body := w.Body.String()
	for _, want := range []string{`data-testid="unused-principals"`, "role/service-role/config-reader", "user/alice"} {
		if !strings.Contains(body, want) {
			t.Errorf("the overview lacks %q", want)
		}
	}
	w = do(t, s, "GET", "/unused?principal=arn:aws:iam::111122223333:role/service-role/config-reader", "127.0.0.1:8377", "", true)
	body = w.Body.String()
	for _, want := range []string{`data-testid="unused-principal"`, `data-testid="unused-actions"`, "kms:Decrypt", "verified by re-simulation", "copy the proposed document"} {
		if !strings.Contains(body, want) {
			t.Errorf("the principal's view lacks %q", want)
		}
	}
	// Filters narrow the list: only the used actions of s3.
	w = do(t, s, "GET", "/unused?principal=arn:aws:iam::111122223333:role/service-role/config-reader&status=used&service=kms", "127.0.0.1:8377", "", true)
	if body = w.Body.String(); !strings.Contains(body, "0 actions match") {
		t.Errorf("kms has no used action for config-reader; the page says otherwise")
	}
	w = do(t, s, "GET", "/unused?principal=arn:aws:iam::999999999999:role/nobody", "127.0.0.1:8377", "", true)
	if body = w.Body.String(); !strings.Contains(body, "is not a user or role of the environment") {
		t.Errorf("an unknown principal is not reported")
	}
}

func TestGeneratePage(t *testing.T) {
	s := newServer(t)
	w := do(t, s, "GET", "/generate?principal=arn:aws:sts::111122223333:assumed-role/config-reader/config-loader&include_denied=1", "127.0.0.1:8377", "", true)
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	body := w.Body.String()
	for _, want := range []string{`data-testid="generated"`, `data-testid="verified"`, "s3:GetObject", "copy the policy"} {
		if !strings.Contains(body, want) {
			t.Errorf("the generate page lacks %q", want)
		}
	}
	// With the environment, the calls another layer still refuses are shown.
	w = do(t, s, "GET", "/generate?principal=arn:aws:sts::111122223333:assumed-role/developer/alice&include_denied=1", "127.0.0.1:8377", "", true)
	if body = w.Body.String(); !strings.Contains(body, `data-testid="refused-in-environment"`) || !strings.Contains(body, "boundary") {
		t.Errorf("the developer's CreateRole is refused by its boundary; the generate page does not say so")
	}
	// Without --include-denied the trail's only calls (all denied) are not
	// counted: the page must not show a policy as if it had been derived,
	// but say (as generate does, exit status 2) that there is nothing to
	// generate from, and how much was read.
	w = do(t, s, "GET", "/generate?principal=arn:aws:sts::111122223333:assumed-role/config-reader/config-loader", "127.0.0.1:8377", "", true)
	body = w.Body.String()
	if strings.Contains(body, "copy the policy") || strings.Contains(body, `data-testid="verified"`) ||
		!strings.Contains(body, `role="alert">generate: no call of`) || !strings.Contains(body, "3 of them by the principal, none counted") {
		t.Errorf("with no counted call the page must say there is nothing to generate, not offer a verified policy: %s", body)
	}
}

func TestDriftPage(t *testing.T) {
	ex := "../examples/drift/"
	s, err := web.New(web.Config{Invoke: invoke.Config{Run: runCLI, EnvArgs: []string{"--env", ex + "staging"},
		Drift: invoke.Drift{A: ex + "staging", B: ex + "prod", Map: ex + "map.yaml"}}, Token: "secret-token", Port: testPort})
	if err != nil {
		t.Fatal(err)
	}
	body := do(t, s, "GET", "/drift", "127.0.0.1:8377", "", true).Body.String()
	for _, want := range []string{`data-testid="drift-differences"`, "role/app-staging", "role/app-prod", "p-region-guard", "DenyOutsideRegions", "payments"} {
		if !strings.Contains(body, want) {
			t.Errorf("the drift page lacks %q", want)
		}
	}
	body = do(t, s, "GET", "/drift?kind=structure&q=debug", "127.0.0.1:8377", "", true).Body.String()
	if !strings.Contains(body, "role/debug-staging") || strings.Contains(body, `<tr class="access">`) {
		t.Errorf("filtering to structure differences naming debug shows other rows")
	}
	// Without a second environment the page says what to start.
	body = do(t, newServer(t), "GET", "/drift", "127.0.0.1:8377", "", true).Body.String()
	if !strings.Contains(body, "--drift-env") {
		t.Errorf("without two environments the page does not say how to give them")
	}
}
