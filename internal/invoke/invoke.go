// Package invoke answers a named question with JSON arguments (explain,
// diagnose, simulate, who_can, ...) by one run of the matching iamwhy
// command, and returns the JSON that command prints with --output json.
//
// The MCP server and the web UI's API both answer through it, so an agent,
// a browser and a person at a terminal never see two versions of an
// answer, and neither surface holds domain logic: a call's arguments become
// a command line, the command runs (through a [Runner]), and its output is
// the answer.
package invoke

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Runner runs one iamwhy command line (args without the program name, as
// typed after `iamwhy`) with the given standard input, and returns what it
// wrote on stdout and stderr and its exit status. The CLI gives one that
// runs its command tree in process.
type Runner func(ctx context.Context, args []string, stdin []byte) (stdout, stderr []byte, code int)

// Config is what every call shares: the loaded inputs and the runner.
type Config struct {
	// EnvArgs are the environment flags (--env DIR, ...) added to every
	// tool whose command takes an environment.
	EnvArgs []string
	// Trails are the CloudTrail paths the trail tools read.
	Trails []string
	// Drift is the pair of environments the drift tool compares; empty
	// when the server was not given one.
	Drift Drift
	// AllowAWS lets tools call AWS (an s3:// trail).
	AllowAWS bool
	// Run executes a command; required.
	Run Runner
	// TempDir is where documents given as arguments are written for the
	// command to read; default os.TempDir(). Each call gets a private
	// directory inside it, removed when the call ends.
	TempDir string
}

// Drift names two environments (paths as --env takes them) and the map
// that pairs their accounts and names (staging against production).
type Drift struct {
	A, B string
	// Map is the YAML file pairing them; optional.
	Map string
}

// Given reports whether a pair of environments was given.
func (d Drift) Given() bool { return d.A != "" && d.B != "" }

// Check reports a configuration that cannot serve: no runner, or an
// input that would reach AWS without AllowAWS.
func (c Config) Check() error {
	if c.Run == nil {
		return fmt.Errorf("invoke: Config.Run is required")
	}
	if !c.AllowAWS {
		for _, t := range c.Trails {
			if strings.HasPrefix(strings.ToLower(t), "s3://") {
				return fmt.Errorf("--trail %s reads from AWS: give --allow-aws to allow it", t)
			}
		}
	}
	return nil
}

// Tools returns every tool, in the order they are listed.
func Tools() []*Tool {
	prepareTools()
	return tools
}

// Lookup returns the tool of that name.
func Lookup(name string) (*Tool, bool) {
	prepareTools()
	for _, t := range tools {
		if t.Name == name {
			return t, true
		}
	}
	return nil, false
}

// Result is a command's answer.
type Result struct {
	// JSON is the command's output, decoded (numbers as json.Number).
	JSON any
	// Text is the output as the command printed it.
	Text []byte
	// Exit is the command's exit status: 0, or another status that is
	// still an answer (1 a lint finding or a failed check, 3 not an
	// access-denied error, 4 a replay that does not reproduce the denial).
	Exit int
}

// ArgumentError is a call whose arguments cannot be used: they do not fit
// the tool's schema, cannot be turned into a command line, or the command
// could not run on them (its exit status 2).
type ArgumentError struct {
	Message string
	// Exit is the command's exit status when it ran, else 0.
	Exit int
}

func (e *ArgumentError) Error() string { return e.Message }

// InternalError is a failure of iamwhy itself (a command whose output is
// not JSON).
type InternalError struct{ Message string }

func (e *InternalError) Error() string { return e.Message }

// Call answers the named tool with the given JSON arguments. Its error is
// an *ArgumentError or an *InternalError.
func (c Config) Call(ctx context.Context, name string, raw json.RawMessage) (*Result, error) {
	t, ok := Lookup(name)
	if !ok {
		return nil, &ArgumentError{Message: fmt.Sprintf("unknown tool %q", name)}
	}
	return c.CallTool(ctx, t, raw)
}

// CallTool is Call for a tool already looked up.
func (c Config) CallTool(ctx context.Context, t *Tool, raw json.RawMessage) (*Result, error) {
	if c.Run == nil {
		return nil, &InternalError{Message: "invoke: Config.Run is required"}
	}
	var instance any = map[string]any{}
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := json.Unmarshal(raw, &instance); err != nil {
			return nil, &ArgumentError{Message: t.Name + ": arguments: " + err.Error()}
		}
	}
	if err := t.resolved.Validate(instance); err != nil {
		return nil, &ArgumentError{Message: fmt.Sprintf("%s: arguments: %v", t.Name, err)}
	}
	cl := &call{cfg: c}
	defer cl.cleanup()
	if err := t.build(cl, raw); err != nil {
		return nil, &ArgumentError{Message: fmt.Sprintf("%s: %v", t.Name, err)}
	}
	return cl.run(ctx)
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
		d, err := os.MkdirTemp(base, "iamwhy-call-")
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

// exitCouldNotRun is the CLI's exit status for a command that could not
// run (bad input, unreadable file).
const exitCouldNotRun = 2

// run executes the command line and turns its outcome into a Result: the
// JSON it printed, whatever its exit status says about the answer, or an
// ArgumentError when the command could not run on these arguments.
func (c *call) run(ctx context.Context) (*Result, error) {
	stdout, stderr, code := c.cfg.Run(ctx, c.args, c.stdin)
	out := bytes.TrimSpace(stdout)
	if code == exitCouldNotRun || len(out) == 0 {
		return nil, &ArgumentError{Message: commandMessage(code, out, stderr), Exit: code}
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, &InternalError{Message: fmt.Sprintf("iamwhy %s printed output that is not JSON: %v", c.args[0], err)}
	}
	return &Result{JSON: v, Text: out, Exit: code}, nil
}

// commandMessage is what a command that could not run said: the message of
// its JSON error ({"error": {"message": ...}}) or, failing that, its
// standard error.
func commandMessage(code int, stdout, stderr []byte) string {
	var obj struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(stdout, &obj) == nil && len(obj.Error) > 0 {
		var inner struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(obj.Error, &inner) == nil && inner.Message != "" {
			return inner.Message
		}
		return string(obj.Error)
	}
	if msg := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(stderr)), "iamwhy:")); msg != "" {
		return msg
	}
	return fmt.Sprintf("the command printed nothing (exit status %d)", code)
}
