package cli

import (
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// checkJSONError asserts that stdout is the error document of --output
// json and only that: {"format_version": 1, "error": {"message",
// "exit_status"}}, with the exit status the command ended with.
func checkJSONError(t *testing.T, args []string, stdout string, code, wantCode int) {
	t.Helper()
	if code != wantCode {
		t.Errorf("%v: exit %d, want %d", args, code, wantCode)
	}
	var doc struct {
		FormatVersion *int `json:"format_version"`
		Error         *struct {
			Message    string `json:"message"`
			ExitStatus *int   `json:"exit_status"`
		} `json:"error"`
	}
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil || dec.More() {
		t.Errorf("%v: stdout is not one error document (%v): %q", args, err, stdout)
		return
	}
	if doc.FormatVersion == nil || *doc.FormatVersion != 1 || doc.Error == nil || doc.Error.Message == "" ||
		doc.Error.ExitStatus == nil || *doc.Error.ExitStatus != code {
		t.Errorf("%v: error document %q does not carry format_version 1, the message and exit status %d", args, stdout, code)
	}
}

// jsonCommands lists every command (by its path of names) that writes
// --output json.
func jsonCommands(c *cobra.Command, path []string, out *[][]string) {
	if f := c.Flags().Lookup("output"); f != nil && strings.Contains(strings.Join(f.Annotations[formatsAnnotation], ","), "json") {
		*out = append(*out, path)
	}
	for _, sub := range c.Commands() {
		jsonCommands(sub, append(append([]string{}, path...), sub.Name()), out)
	}
}

// TestJSONErrorsEveryCommand: under --output json, every command that
// fails prints {"error": {...}} on stdout with its exit status, also for
// a flag error that stops parsing before --output is read.
func TestJSONErrorsEveryCommand(t *testing.T) {
	t.Setenv("IAMWHY_CACHE_DIR", "off")
	var cmds [][]string
	jsonCommands(NewRoot(Streams{Out: io.Discard, Err: io.Discard}), nil, &cmds)
	if len(cmds) < 15 {
		t.Fatalf("only %d commands write JSON: %v", len(cmds), cmds)
	}
	for _, path := range cmds {
		for _, args := range [][]string{
			append(append([]string{}, path...), "--no-such-flag", "-o", "json"),
			append(append([]string{}, path...), "--output=json", "--no-such-flag"),
			append(append([]string{}, path...), "-ojson", "--no-such-flag"),
		} {
			stdout, stderr, code := runCLI(t, args...)
			checkJSONError(t, args, stdout, code, 2)
			if !strings.Contains(stderr, "no-such-flag") {
				t.Errorf("%v: stderr does not name the flag: %q", args, stderr)
			}
		}
	}
	// Errors found once the command runs.
	for _, args := range [][]string{
		{"check", "testdata/no-such-check.yaml"},
		{"check", "testdata/check/not-yaml.yaml"},
		{"who-can", "s3:GetObject"},
		{"who-can", "s3:GetObject", "*", "--env", "testdata/no-such-env"},
		{"can", "arn:aws:iam::111122223333:user/alice"},
		{"actions"},
		{"actions", "--resource", "not-an-arn"},
		{"simulate", "--action", "s3:GetObject"},
		{"simulate", "--principal", "arn:aws:iam::111122223333:user/a", "--action", "s3:GetObject", "--policy", "testdata/no-such-policy.json"},
		{"trust"},
		{"access-diff", "../../examples/access-diff/old.json"},
		{"access-diff", "testdata/lint/broken.json", "../../examples/access-diff/new.json"},
		{"drift", "testdata/no-such-a", "testdata/no-such-b"},
		{"lint", "testdata/no-such-policy.json"},
		{"trail", "denied", "testdata/no-such-trail"},
		{"trail", "diagnose", "../../examples/trail"},
		{"trail", "query", "../../examples/trail"},
		{"explain", "--file", "testdata/no-such-message"},
		{"diagnose", "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:GetObject"},
		{"reproduce", "--event", "testdata/no-such-event.json"},
		{"generate", "../../examples/trail"},
		{"unused", "../../examples/trail"},
		{"version", "extra"},
	} {
		args = append(args, "-o", "json")
		stdout, _, code := runCLI(t, args...)
		checkJSONError(t, args, stdout, code, 2)
	}
}
