// Package mcp serves iamwhy's analyses to agents over the Model Context
// Protocol (JSON-RPC 2.0 on stdio), through the official Go SDK
// (github.com/modelcontextprotocol/go-sdk).
//
// Every tool answers with exactly the JSON the CLI prints for the same
// question under --output json: a tool call becomes one run of the CLI's
// own command (package internal/invoke), so an agent and a person at a
// terminal never see two versions of an answer. The server holds no domain
// logic.
//
// Every tool is read-only. None of them calls AWS unless the server was
// started with AllowAWS: without it, arguments that would reach AWS (an
// s3:// trail) are refused.
package mcp

import (
	"context"
	"encoding/json"
	"errors"
	"io"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/iamwhy/iamwhy/internal/invoke"
)

// Runner runs one iamwhy command line; see [invoke.Runner].
type Runner = invoke.Runner

// Config is what the server knows from its own command line.
type Config struct {
	// EnvArgs are the environment flags (--env DIR, ...) added to every
	// tool whose command takes an environment.
	EnvArgs []string
	// Trails are the CloudTrail paths the trail tools read.
	Trails []string
	// Drift is the pair of environments the drift tool compares.
	Drift invoke.Drift
	// AllowAWS lets tools call AWS (an s3:// trail).
	AllowAWS bool
	// Run executes a command; required.
	Run Runner
	// Version is reported to the client at initialisation.
	Version string
	// TempDir is where documents given as arguments are written for the
	// one call that reads them; default os.TempDir().
	TempDir string
}

func (c Config) invoke() invoke.Config {
	return invoke.Config{EnvArgs: c.EnvArgs, Trails: c.Trails, Drift: c.Drift, AllowAWS: c.AllowAWS, Run: c.Run, TempDir: c.TempDir}
}

// NewServer returns an MCP server with every iamwhy tool registered.
func NewServer(c Config) (*sdk.Server, error) {
	ic := c.invoke()
	if err := ic.Check(); err != nil {
		return nil, err
	}
	v := c.Version
	if v == "" {
		v = "(devel)"
	}
	s := sdk.NewServer(&sdk.Implementation{Name: "iamwhy", Version: v}, &sdk.ServerOptions{
		Instructions: "iamwhy finds out why AWS answered AccessDenied. Start with `explain` on the error text; " +
			"with an environment loaded, `diagnose` names the root cause and a fix proven by re-simulation. " +
			"Every tool is read-only and returns the JSON of the matching iamwhy command.",
	})
	no := false
	for _, t := range invoke.Tools() {
		s.AddTool(&sdk.Tool{
			Name: t.Name, Title: t.Title, Description: t.Description, InputSchema: t.Schema,
			Annotations: &sdk.ToolAnnotations{ReadOnlyHint: true, IdempotentHint: true, OpenWorldHint: &no, Title: t.Title},
		}, handler(ic, t))
	}
	return s, nil
}

// handler answers one tool: the command's JSON as structuredContent and
// as text, or a JSON-RPC error saying what was wrong with the call.
func handler(ic invoke.Config, t *invoke.Tool) sdk.ToolHandler {
	return func(ctx context.Context, req *sdk.CallToolRequest) (*sdk.CallToolResult, error) {
		res, err := ic.CallTool(ctx, t, req.Params.Arguments)
		var argErr *invoke.ArgumentError
		switch {
		case errors.As(err, &argErr):
			e := &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: argErr.Message}
			if argErr.Exit != 0 {
				e.Data, _ = json.Marshal(map[string]any{"exit_status": argErr.Exit})
			}
			return nil, e
		case err != nil:
			return nil, &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: err.Error()}
		}
		return &sdk.CallToolResult{
			Content:           []sdk.Content{&sdk.TextContent{Text: string(res.Text)}},
			StructuredContent: res.JSON,
			Meta:              sdk.Meta{"exit_status": res.Exit},
		}, nil
	}
}

// Serve runs the server on r and w (newline-delimited JSON-RPC) until the
// client disconnects or ctx ends.
func Serve(ctx context.Context, c Config, r io.ReadCloser, w io.WriteCloser) error {
	s, err := NewServer(c)
	if err != nil {
		return err
	}
	r, w = draining(ctx, r, w)
	return s.Run(ctx, &sdk.IOTransport{Reader: r, Writer: w})
}
