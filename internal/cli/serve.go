package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/iamwhy/iamwhy/internal/invoke"
	"github.com/iamwhy/iamwhy/web"
)

// serveOptions are the typed flags of `iamwhy serve`.
type serveOptions struct {
	envFlags
	drift    driftFlags
	Trails   []string
	Addr     string
	Open     bool
	AllowAWS bool
}

func newServeCmd(s Streams) *cobra.Command {
	o := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve [--env DIR] [--plan FILE] [--trail PATH]... [--addr 127.0.0.1:PORT] [--open]",
		Short: "A local web UI: explain, diagnose, simulate, who-can, can, the trail's denials, trust",
		Long: `serve runs iamwhy's web UI on the loopback address. It prints one line,
  iamwhy serving http://127.0.0.1:PORT/?token=TOKEN
and answers only requests that carry that token (the first one sets a cookie) and name
the loopback address in their Host header. Every asset is embedded and the pages fetch
nothing from elsewhere, so it works on an air-gapped laptop. /api/NAME answers a POST of
a tool's JSON arguments with the CLI's --output json (see docs/web.md).

Exit status: 2 when the address is not a loopback address or the inputs cannot be read.`,
		Example: `  iamwhy serve --env examples/env --trail examples/trail
  iamwhy serve --env examples/env --addr 127.0.0.1:8377 --open
  iamwhy serve --env staging/ --drift-env prod/ --drift-map map.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runServe(cmd.Context(), s, o)
		},
	}
	f := cmd.Flags()
	o.envFlags.register(cmd)
	o.drift.register(cmd)
	f.StringArrayVar(&o.Trails, "trail", nil, "CloudTrail input of the trail page (repeatable)")
	f.StringVar(&o.Addr, "addr", "127.0.0.1:0", "listen address: 127.0.0.1 or [::1] and a port (0 picks a free one)")
	f.BoolVar(&o.Open, "open", false, "open the page in the default browser")
	f.BoolVar(&o.AllowAWS, "allow-aws", false, "let the UI read an s3:// trail; off by default")
	return cmd
}

func runServe(ctx context.Context, s Streams, o *serveOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	// Stop cleanly on Ctrl-C: calls in progress finish and remove their
	// temporary files.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if !web.IsLoopback(o.Addr) {
		return fmt.Errorf("--addr %s: serve listens on the loopback address only (127.0.0.1:PORT or [::1]:PORT)", o.Addr)
	}
	ic := invoke.Config{Trails: o.Trails, AllowAWS: o.AllowAWS, Run: inProcess}
	if _, err := o.envFlags.load(); err != nil {
		return err
	}
	ic.EnvArgs = o.envFlags.args()
	var err error
	if ic.Drift, err = o.drift.config(o.Env); err != nil {
		return err
	}
	if err := ic.Check(); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	srv, err := web.New(web.Config{Invoke: ic, Port: port, Version: moduleVersion()})
	if err != nil {
		return err
	}
	host := "127.0.0.1"
	if ip := ln.Addr().(*net.TCPAddr).IP; ip.To4() == nil {
		host = "[::1]"
	}
	url := fmt.Sprintf("http://%s:%d/?token=%s", host, port, srv.Token())
	fmt.Fprintln(s.Out, "iamwhy serving", url)
	if o.Open {
		openBrowser(url)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return hs.Shutdown(shut)
	}
}

// openBrowser asks the desktop to open url; a failure only means the user
// opens it by hand from the line printed.
func openBrowser(url string) {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if cmd.Start() == nil {
		go cmd.Wait()
	}
}
