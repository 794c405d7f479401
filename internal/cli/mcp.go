package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/iamwhy/iamwhy/mcp"
)

// mcpOptions are the typed flags of `iamwhy mcp`.
type mcpOptions struct {
	envFlags
	drift    driftFlags
	Trails   []string
	AllowAWS bool
}

func newMCPCmd(s Streams) *cobra.Command {
	o := &mcpOptions{}
	cmd := &cobra.Command{
		Use:   "mcp [--env DIR] [--plan FILE] [--trail PATH]... [--allow-aws]",
		Short: "Serve iamwhy's tools to agents over the Model Context Protocol (stdio)",
		Long: `mcp runs a Model Context Protocol server on standard input and output (JSON-RPC 2.0,
one message per line) for agents and editors. Its tools are explain, diagnose, simulate,
who_can, can, lint, trail_denied, generate, access_diff, trust, unused and drift; each
returns the JSON the matching iamwhy command prints with --output json. Every tool is
read-only, and none calls AWS unless --allow-aws is given. See docs/mcp.md for registering
it with MCP clients.`,
		Example: `  iamwhy mcp --env examples/env --trail examples/trail
  # an MCP client's configuration: {"command": "iamwhy", "args": ["mcp", "--env", "/path/env"]}`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runMCP(cmd.Context(), s, o)
		},
	}
	f := cmd.Flags()
	o.envFlags.register(cmd)
	o.drift.register(cmd)
	f.StringArrayVar(&o.Trails, "trail", nil, "CloudTrail input for trail_denied and generate (repeatable)")
	f.BoolVar(&o.AllowAWS, "allow-aws", false, "let tools call AWS (an s3:// trail); off by default")
	return cmd
}

func runMCP(ctx context.Context, s Streams, o *mcpOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	cfg := mcp.Config{Trails: o.Trails, AllowAWS: o.AllowAWS, Run: inProcess, Version: moduleVersion()}
	// Load once now, so that a bad environment stops the server at start
	// instead of failing every call.
	if _, err := o.envFlags.load(); err != nil {
		return err
	}
	cfg.EnvArgs = o.envFlags.args()
	var err error
	if cfg.Drift, err = o.drift.config(o.Env); err != nil {
		return err
	}
	return mcp.Serve(ctx, cfg, io.NopCloser(s.In), writeCloser{s.Out})
}

// inProcess runs one iamwhy command line in this process, on buffers: the
// MCP server's tools answer with exactly what the command prints.
func inProcess(ctx context.Context, args []string, stdin []byte) (stdout, stderr []byte, code int) {
	var out, errb bytes.Buffer
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(&errb, "iamwhy: internal error: %v\n%s", r, debug.Stack())
			stdout, stderr, code = nil, errb.Bytes(), 2
		}
	}()
	code = MainContext(ctx, args, Streams{In: bytes.NewReader(stdin), Out: &out, Err: &errb})
	return out.Bytes(), errb.Bytes(), code
}

// writeCloser lets the transport close its writer without closing the
// process's standard output.
type writeCloser struct{ io.Writer }

func (writeCloser) Close() error { return nil }
