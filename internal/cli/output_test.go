package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// Every command checks --output when its flags are parsed, the same way,
// and shows its usage with the error.
func TestOutputCheckedWhenParsed(t *testing.T) {
	for _, args := range [][]string{
		{"check", "-o", "xml", "testdata/check/json-form.json"},
		{"simulate", "-o", "yaml", "--action", "s3:GetObject"},
		{"explain", "--output", "html", "Access Denied"},
		{"trail", "query", "-o", "parquet", "select 1"},
		{"actions", "-o", "xml", "s3:Get*"},
		{"lint", "-o", "junit", "x.json"},
		{"version", "-o", "yaml"},
	} {
		t.Run(args[0], func(t *testing.T) {
			stdout, stderr, code := runCLI(t, args...)
			if code != 2 || stdout != "" {
				t.Fatalf("exit %d, stdout %q; want 2 and nothing", code, stdout)
			}
			if !strings.Contains(stderr, "unknown --output") || !strings.Contains(stderr, "Usage:") {
				t.Errorf("stderr lacks the error or the usage:\n%s", stderr)
			}
		})
	}
}

// Argument errors (a wrong number of arguments, an unknown flag) show the
// command's usage.
func TestUsageWithArgumentErrors(t *testing.T) {
	for _, args := range [][]string{
		{"access-diff", "only-one.json"},
		{"simulate", "--no-such-flag"},
	} {
		_, stderr, code := runCLI(t, args...)
		if code != 2 || !strings.Contains(stderr, "Usage:") {
			t.Errorf("%v: exit %d, stderr:\n%s", args, code, stderr)
		}
	}
}

// Under --output json, a command that fails before printing its document
// prints {"error": {"message": ...}} on stdout, with the exit status.
func TestJSONErrorOnStdout(t *testing.T) {
	for _, args := range [][]string{
		{"check", "-o", "json", "testdata/no-such-file.yaml"},
		{"simulate", "-o", "json", "--action", "s3:GetObject"},
		{"lint", "-o", "json", "testdata/no-such-policy.json"},
		{"who-can", "-o", "json", "--action", "s3:GetObject"},
	} {
		t.Run(args[0], func(t *testing.T) {
			stdout, _, code := runCLI(t, args...)
			if code == 0 {
				t.Fatalf("exit 0, want an error")
			}
			var doc struct {
				FormatVersion int `json:"format_version"`
				Error         *struct {
					Message    string `json:"message"`
					ExitStatus int    `json:"exit_status"`
				} `json:"error"`
			}
			if err := json.Unmarshal([]byte(stdout), &doc); err != nil || doc.Error == nil {
				t.Fatalf("stdout is not a JSON error (%v): %q", err, stdout)
			}
			if doc.Error.Message == "" || doc.Error.ExitStatus != code || doc.FormatVersion != 1 {
				t.Errorf("error document %+v, exit %d", doc, code)
			}
		})
	}
}

// Text output keeps errors on stderr only.
func TestTextErrorNotOnStdout(t *testing.T) {
	stdout, stderr, code := runCLI(t, "check", "testdata/no-such-file.yaml")
	if code != 2 || stdout != "" || !strings.Contains(stderr, "iamwhy:") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		stdout, _, code := runCLI(t, args...)
		if code != 0 || !strings.HasPrefix(stdout, "iamwhy ") || !strings.Contains(stdout, "go1.") {
			t.Errorf("%v: exit %d, %q", args, code, stdout)
		}
	}
	stdout, _, code := runCLI(t, "version", "-o", "json")
	var v struct {
		FormatVersion int     `json:"format_version"`
		Version       string  `json:"version"`
		Revision      *string `json:"revision"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &v) != nil || v.Version == "" || v.FormatVersion != 1 {
		t.Errorf("version -o json: exit %d, %q", code, stdout)
	}
}

// Shell completion offers action names from the catalog, policy types and
// output formats.
func TestCompletion(t *testing.T) {
	for _, tc := range []struct {
		rule string
		args []string
		want string
	}{
		{"action names", []string{"__complete", "simulate", "--action", "s3:GetObj"}, "s3:GetObject\n"},
		{"service prefixes", []string{"__complete", "simulate", "--action", "dynamo"}, "dynamodb:\n"},
		{"policy types", []string{"__complete", "lint", "--policy-type", ""}, "vpc_endpoint\n"},
		{"output formats", []string{"__complete", "check", "--output", ""}, "sarif\n"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			stdout, stderr, code := runCLI(t, tc.args...)
			if code != 0 || !strings.Contains(stdout, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
			}
		})
	}
}
