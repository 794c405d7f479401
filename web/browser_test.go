package web_test

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/iamwhy/iamwhy/internal/invoke"
	"github.com/iamwhy/iamwhy/web"
)

// browser finds Debian's chromium. Without one the browser tests skip,
// unless IAMWHY_BROWSER_REQUIRED is set (as CI sets it): there a missing
// browser is a failure, not a pass.
func browser(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("IAMWHY_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	if os.Getenv("IAMWHY_BROWSER_REQUIRED") != "" {
		t.Fatal("no chromium found and IAMWHY_BROWSER_REQUIRED is set (apt-get install chromium)")
	}
	t.Skip("no chromium on this machine (apt-get install chromium); set IAMWHY_BROWSER_REQUIRED to make this a failure")
	return ""
}

// uiServer serves the UI over the real CLI on a loopback port.
func uiServer(t *testing.T, envDir string, trails ...string) (origin, token string) {
	t.Helper()
	ic := invoke.Config{Run: runCLI, Trails: trails}
	if envDir != "" {
		ic.EnvArgs = []string{"--env", envDir}
	}
	return uiServerWith(t, ic)
}

// uiServerWith serves the UI over these inputs on a free loopback port.
func uiServerWith(t *testing.T, ic invoke.Config) (origin, token string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	srv, err := web.New(web.Config{Invoke: ic, Port: port, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	return "http://127.0.0.1:" + itoa(port), srv.Token()
}

// chrome starts a headless chromium as the workplace runs it (no
// background networking, a fresh profile) and records every request the
// pages make.
func chrome(t *testing.T) (context.Context, *requestLog) {
	t.Helper()
	exe := browser(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		// Chromium leaves org.chromium.Chromium.* directories in TMPDIR
		// when it is stopped; they go with the test's own directory.
		chromedp.Env("TMPDIR="+t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancel3)
	log := &requestLog{}
	if err := chromedp.Do(ctx); err != nil { // starts the browser and its tab
		t.Fatal(err)
	}
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			log.add(e.Request.URL)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	return ctx, log
}

type requestLog struct {
	mu   sync.Mutex
	urls []string
}

func (l *requestLog) add(u string) { l.mu.Lock(); l.urls = append(l.urls, u); l.mu.Unlock() }

// onlyLoopback fails the test for any request that left the server's
// origin.
func (l *requestLog) onlyLoopback(t *testing.T, origin string) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.urls) == 0 {
		t.Fatal("no request was recorded: the request log does not work")
	}
	for _, u := range l.urls {
		if !strings.HasPrefix(u, origin+"/") && !strings.HasPrefix(u, "data:") && u != "about:blank" {
			t.Errorf("a page requested %s, outside %s", u, origin)
		}
	}
}

// shoot saves a screenshot of the page when IAMWHY_SCREENSHOTS names a
// directory (docs/screenshots is made that way).
func shoot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("IAMWHY_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

const boundaryDenial = `An error occurred (AccessDenied) when calling the CreateRole operation: User: arn:aws:sts::111122223333:assumed-role/developer/alice is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::111122223333:role/app/new-role because no permissions boundary allows the iam:CreateRole action`

func TestBrowserPasteAMessageSeeTheRootCause(t *testing.T) {
	ctx, reqs := chrome(t)
	origin, token := uiServer(t, "../examples/env", "testdata/trail.json")
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(origin+"/?token="+token),
		chromedp.WaitVisible(css(`[data-testid="error-input"]`)),
	))
	url := run(t, ctx, chromedp.Location())
	must(t, chromedp.Do(ctx,
		chromedp.SetValue(css(`[data-testid="error-input"]`), boundaryDenial),
		chromedp.Click(css(`[data-testid="submit"]`)),
		chromedp.WaitVisible(css(`[data-testid="root-cause"]`)),
	))
	rootCause := run(t, ctx, chromedp.Text(css(`[data-testid="root-cause"]`)))
	decision := run(t, ctx, chromedp.Text(css(`[data-testid="decision"]`)))
	nodes := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('.trace details.layer').length`))
	if strings.Contains(url, "token=") {
		t.Errorf("the token stayed in the address bar: %s", url)
	}
	if !strings.Contains(rootCause, "boundary") {
		t.Errorf("root cause %q does not name the permissions boundary", rootCause)
	}
	if decision != "IMPLICIT-DENY" {
		t.Errorf("decision %q, want IMPLICIT-DENY", decision)
	}
	if nodes == 0 {
		t.Errorf("no trace tree on the page")
	}
	// A layer of the trace opens and closes.
	before := run(t, ctx, chromedp.Evaluate[bool](`document.querySelector('.trace details.layer').open`))
	must(t, chromedp.Do(ctx, chromedp.Click(css(`.trace details.layer > summary`))))
	after := run(t, ctx, chromedp.Evaluate[bool](`document.querySelector('.trace details.layer').open`))
	if before == after {
		t.Errorf("clicking a layer did not toggle it (open %v -> %v)", before, after)
	}
	shoot(t, ctx, "explain")
	reqs.onlyLoopback(t, origin)
}

func TestBrowserTrailHistogramAndDiagnosisLinks(t *testing.T) {
	ctx, reqs := chrome(t)
	origin, token := uiServer(t, "../examples/env", "testdata/trail.json")
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(origin+"/trail?token="+token),
		chromedp.WaitVisible(css(`[data-testid="histogram"]`)),
	))
	tag := run(t, ctx, chromedp.Evaluate[string](`document.querySelector('[data-testid="histogram"]').tagName.toLowerCase()`))
	bars := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="histogram"] rect.bar').length`))
	if tag != "svg" || bars == 0 {
		t.Fatalf("histogram: <%s> with %d bars", tag, bars)
	}
	shoot(t, ctx, "trail")
	must(t, chromedp.Do(ctx,
		chromedp.Click(css(`a.diagnose-link`), chromedp.NodeVisible),
		chromedp.WaitVisible(css(`[data-testid="root-cause"]`)),
	))
	rootCause := run(t, ctx, chromedp.Text(css(`[data-testid="root-cause"]`)))
	if strings.TrimSpace(rootCause) == "" {
		t.Error("the group's diagnosis shows no root cause")
	}
	reqs.onlyLoopback(t, origin)
}

func TestBrowserEveryPageLoadsFromLoopbackOnly(t *testing.T) {
	ctx, reqs := chrome(t)
	origin, token := uiServer(t, "../examples/env", "testdata/trail.json")
	must(t, chromedp.Do(ctx, chromedp.Navigate(origin+"/?token="+token), chromedp.WaitVisible(css(`nav`))))
	pages := []struct{ path, name, wait string }{
		{"/simulate?principal=arn:aws:sts::111122223333:assumed-role/developer/alice&action=iam:CreateRole&resource=arn:aws:iam::111122223333:role/app/new-role&context=aws:RequestedRegion%3Dus-east-1", "simulate", `[data-testid="decision"]`},
		{"/who-can?action=s3:GetObject&resource=arn:aws:s3:::example-data-config/app/settings.json", "who-can", `table`},
		{"/can?principal=arn:aws:sts::111122223333:assumed-role/developer/alice&service=s3", "can", `.answer`},
		{"/trust", "trust", `nav`},
		{"/generate?principal=arn:aws:sts::111122223333:assumed-role/config-reader/config-loader&include_denied=1", "generate", `[data-testid="generated"]`},
		{"/unused?principal=arn:aws:iam::111122223333:role/service-role/config-reader", "unused", `[data-testid="unused-actions"]`},
	}
	for _, p := range pages {
		if err := chromedp.Do(ctx, chromedp.Navigate(origin+p.path), chromedp.WaitVisible(css(p.wait))); err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		nav := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('nav a').length`))
		if nav < 6 {
			t.Errorf("%s: %d navigation links, want every page", p.name, nav)
		}
		if p.name == "trust" && hasCommand("trust") {
			graphs := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('svg[data-testid="trust-graph"]').length`))
			if graphs != 1 {
				t.Errorf("trust: no graph drawn")
			}
		}
		shoot(t, ctx, p.name)
	}
	reqs.onlyLoopback(t, origin)
}

func TestBrowserDrift(t *testing.T) {
	ctx, reqs := chrome(t)
	ex := "../examples/drift/"
	origin, token := uiServerWith(t, invoke.Config{Run: runCLI, EnvArgs: []string{"--env", ex + "staging"},
		Drift: invoke.Drift{A: ex + "staging", B: ex + "prod", Map: ex + "map.yaml"}})
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(origin+"/drift?token="+token),
		chromedp.WaitVisible(css(`[data-testid="drift-differences"]`)),
	))
	rows := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="drift-differences"] tbody tr').length`))
	if rows == 0 {
		t.Fatal("no differences shown")
	}
	shoot(t, ctx, "drift")
	// Filtering to access differences keeps only those, in the URL.
	must(t, chromedp.Do(ctx,
		chromedp.SetValue(css(`select[name="kind"]`), "access"),
		chromedp.Click(css(`[data-testid="submit"]`), chromedp.NodeVisible),
	))
	// Wait for the new page: the old one's table is visible until it comes.
	url := waitForLocation(t, ctx, "kind=access")
	must(t, chromedp.Do(ctx, chromedp.WaitVisible(css(`[data-testid="drift-differences"]`))))
	structure := run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="drift-differences"] tbody tr.structure').length`))
	if !strings.Contains(url, "kind=access") || structure != 0 {
		t.Errorf("after filtering to access: url %q, %d structure rows", url, structure)
	}
	reqs.onlyLoopback(t, origin)
}

// waitForLocation waits until the page's address holds want and the page
// has loaded (after a form is submitted the old page stays until the new
// one comes; evaluating during the navigation fails, and is retried).
func waitForLocation(t *testing.T, ctx context.Context, want string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		loc, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState === "complete" ? location.href : ""`))
		if err == nil && strings.Contains(loc, want) {
			return loc
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the page did not reach an address with %q", want)
	return ""
}

// css is a CSS selector (a plain string would be a DOM text search).
func css(s string) chromedp.CSS { return chromedp.CSS(s) }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// run runs one action that returns a value.
func run[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
