// Package mcp serves iamwhy's analyses to agents over the Model Context
// Protocol (JSON-RPC 2.0 on stdio), through the official Go SDK
// (github.com/modelcontextprotocol/go-sdk).
//
// Every tool answers with exactly the JSON the CLI prints for the same
// question under --output json: a tool call becomes one run of the CLI's
// own command (through a [Runner]), so an agent and a person at a terminal
// never see two versions of an answer. The server holds no domain logic: it
// turns a tool's arguments into a command line, runs it, and returns what
// it printed, as structuredContent and as text.
//
// Every tool is read-only. None of them calls AWS unless the server was
// started with AllowAWS: without it, arguments that would reach AWS (an
// s3:// trail, decoding through STS) are refused.
package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// Runner runs one iamwhy command line (args without the program name, as
// typed after `iamwhy`) with the given standard input, and returns what it
// wrote on stdout and stderr and its exit status. The CLI gives one that
// runs its command tree in process.
type Runner func(ctx context.Context, args []string, stdin []byte) (stdout, stderr []byte, code int)

// Config is what the server knows from its own command line.
type Config struct {
	// EnvArgs are the environment flags (--env DIR, --plan FILE, ...)
	// added to every tool whose command takes an environment.
	EnvArgs []string
	// Trails are the CloudTrail paths the trail tools read.
	Trails []string
	// AllowAWS lets tools call AWS (an s3:// trail).
	AllowAWS bool
	// Run executes a command; required.
	Run Runner
	// Version is reported to the client at initialisation.
	Version string
	// TempDir is where documents given as arguments are written for the
	// command to read; default os.TempDir(). Each call gets a private
	// directory inside it, removed when the call ends.
	TempDir string
}

// NewServer returns an MCP server with every iamwhy tool registered.
func NewServer(c Config) (*sdk.Server, error) {
	if c.Run == nil {
		return nil, fmt.Errorf("mcp: Config.Run is required")
	}
	if !c.AllowAWS {
		for _, t := range c.Trails {
			if strings.HasPrefix(strings.ToLower(t), "s3://") {
				return nil, fmt.Errorf("--trail %s reads from AWS: start the server with --allow-aws to allow it", t)
			}
		}
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
	for _, t := range tools {
		if err := register(s, c, t); err != nil {
			return nil, err
		}
	}
	return s, nil
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

// call is one tool call in progress: the command line being built and the
// private directory holding the documents it reads.
type call struct {
	cfg   Config
	args  []string
	stdin []byte
	dir   string
}

// file writes data to a new file of the call's private directory and
// returns its path. The name is the argument's path (policies.scp[1][0]),
// so that output naming the policy says which argument it was.
func (c *call) file(name string, data []byte) (string, error) {
	if c.dir == "" {
		base := c.cfg.TempDir
		if base == "" {
			base = os.TempDir()
		}
		d, err := os.MkdirTemp(base, "iamwhy-mcp-")
		if err != nil {
			return "", err
		}
		c.dir = d
	}
	p := filepath.Join(c.dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		return "", err
	}
	return p, nil
}

func (c *call) cleanup() {
	if c.dir != "" {
		os.RemoveAll(c.dir)
	}
}

// run executes the command line and turns its outcome into a tool result:
// the JSON it printed, whatever its exit status says about the answer (a
// denial, a failing lint, a request the replay does not reproduce), or a
// JSON-RPC error when the command could not run on these arguments.
func (c *call) run(ctx context.Context) (*sdk.CallToolResult, error) {
	stdout, stderr, code := c.cfg.Run(ctx, c.args, c.stdin)
	out := bytes.TrimSpace(stdout)
	if code == exitCouldNotRun || len(out) == 0 {
		return nil, commandError(code, out, stderr)
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, internalError(fmt.Errorf("iamwhy %s printed output that is not JSON: %v", c.args[0], err))
	}
	if m, ok := v.(map[string]any); ok {
		if e, isErr := m["error"]; isErr && len(m) <= 2 {
			return nil, invalidParams(fmt.Sprint(errorMessage(e)), map[string]any{"exit_status": code})
		}
	}
	return &sdk.CallToolResult{
		Content:           []sdk.Content{&sdk.TextContent{Text: string(out)}},
		StructuredContent: v,
		Meta:              sdk.Meta{"exit_status": code},
	}, nil
}

// exitCouldNotRun is the CLI's exit status for a command that could not
// run (bad input, unreadable file).
const exitCouldNotRun = 2

// errorMessage takes the message out of the CLI's JSON error object
// ({"error": {"message": ...}}).
func errorMessage(e any) any {
	if m, ok := e.(map[string]any); ok {
		if msg, ok := m["message"]; ok {
			return msg
		}
	}
	return e
}
