package cli

import (
	"strings"
	"testing"
)

// runTerminal runs the CLI as if standard output and standard error were
// terminals.
func runTerminal(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb strings.Builder
	code = Main(args, Streams{In: strings.NewReader(""), Out: &out, Err: &errb, IsTerminal: true, OutIsTerminal: true})
	return out.String(), errb.String(), code
}

// The rules of colour: a terminal gets it, nothing else does, NO_COLOR
// (any non-empty value) and --no-color turn it off, machine formats never
// have it, and input never brings its own.
func TestColor(t *testing.T) {
	allow := []string{"simulate", "--principal", "arn:aws:iam::111122223333:user/a", "--action", "s3:GetObject",
		"--policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`}
	const green = "\x1b[32mALLOW\x1b[0m"
	for _, tc := range []struct {
		rule     string
		args     []string
		terminal bool
		noColor  string
		colored  string // "" = no escape sequence at all
	}{
		{"a terminal gets colour", allow, true, "", green},
		{"a pipe gets none", allow, false, "", ""},
		{"NO_COLOR turns it off", allow, true, "1", ""},
		{"--no-color turns it off", append(append([]string{}, allow...), "--no-color"), true, "", ""},
		{"JSON is never coloured", append(append([]string{}, allow...), "-o", "json"), true, "", ""},
		{"check: PASS in green", []string{"check", "../../examples/checks/guides.yaml"}, true, "", "\x1b[32mPASS\x1b[0m"},
		{"who-can: allowed in green", []string{"who-can", "s3:GetObject", exampleObject, "--env", exampleEnvDir,
			"--context", "aws:RequestedRegion=eu-west-1", "--context", "aws:SecureTransport=true"}, true, "", "\x1b[32mallowed"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			t.Setenv("NO_COLOR", tc.noColor)
			var out, errb strings.Builder
			code := Main(tc.args, Streams{In: strings.NewReader(""), Out: &out, Err: &errb, IsTerminal: tc.terminal, OutIsTerminal: tc.terminal})
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			got := out.String()
			if tc.colored == "" {
				if strings.Contains(got, "\x1b") {
					t.Errorf("escape sequence in output:\n%q", got)
				}
				return
			}
			if !strings.Contains(got, tc.colored) {
				t.Errorf("output lacks %q:\n%q", tc.colored, got)
			}
		})
	}
}

// An escape sequence in the input is escaped even when iamwhy colours
// its own words.
func TestColorKeepsInputEscaped(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	out, _, code := runTerminal(t, "simulate", "--principal", "arn:aws:iam::111122223333:user/a\x1b[2J", "--action", "s3:GetObject",
		"--policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if strings.Contains(out, "\x1b[2J") || !strings.Contains(out, `\u001b[2J`) {
		t.Errorf("the input's escape sequence reached the terminal:\n%q", out)
	}
	if !strings.Contains(out, "\x1b[32mALLOW\x1b[0m") {
		t.Errorf("no colour:\n%q", out)
	}
}

// Progress is drawn on a terminal's standard error only, never for JSON
// output and never without a terminal.
func TestProgressOnlyOnTerminal(t *testing.T) {
	db := t.TempDir() + "/t.duckdb"
	for _, tc := range []struct {
		rule     string
		args     []string
		terminal bool
		bar      bool
	}{
		{"trail query on a terminal", []string{"trail", "query", "--sql", "SELECT count(*) AS n FROM cloudtrail_logs", "../../examples/trail"}, true, true},
		{"trail query, JSON output", []string{"trail", "query", "-o", "json", "--sql", "SELECT count(*) AS n FROM cloudtrail_logs", "../../examples/trail"}, true, false},
		{"trail query, not a terminal", []string{"trail", "query", "--sql", "SELECT count(*) AS n FROM cloudtrail_logs", "../../examples/trail"}, false, false},
		{"trail query --no-progress", []string{"trail", "query", "--no-progress", "--sql", "SELECT count(*) AS n FROM cloudtrail_logs", "../../examples/trail"}, true, false},
		{"trail ingest on a terminal", []string{"trail", "ingest", "--db", db, "../../examples/trail"}, true, true},
		{"trail ingest, not a terminal", []string{"trail", "ingest", "--db", db + "2", "../../examples/trail"}, false, false},
		{"trail denied, JSON output", []string{"trail", "denied", "-o", "json", "../../examples/trail"}, true, false},
		{"trail denied on a terminal", []string{"trail", "denied", "../../examples/trail"}, true, true},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			var out, errb, term strings.Builder
			code := Main(tc.args, Streams{In: strings.NewReader(""), Out: &out, Err: &errb, Term: &term, IsTerminal: tc.terminal})
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			drawn := strings.Contains(term.String(), " read") || strings.Contains(term.String(), "%")
			if drawn != tc.bar {
				t.Errorf("progress drawn = %v, want %v: %q", drawn, tc.bar, term.String())
			}
			if strings.Contains(out.String(), "\r") {
				t.Errorf("progress on standard output: %q", out.String())
			}
		})
	}
}
