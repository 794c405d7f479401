package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"github.com/iamwhy/iamwhy/snapshot"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/iamwhy/iamwhy/trail/sqltable"
)

// The reliability suite: inputs a hostile or careless user gives, each
// with the rule it checks. A green result must be true, nothing is lost
// without a count, and resources stay bounded.

// TestMain lets a test run this package's Main as a separate process (the
// signal tests need one): IAMWHY_TEST_MAIN=1 makes the test binary iamwhy.
func TestMain(m *testing.M) {
	if os.Getenv("IAMWHY_TEST_MAIN") == "1" {
		os.Exit(Main(os.Args[1:], StdStreams()))
	}
	// Tests must not fill the user's environment cache.
	if _, set := os.LookupEnv(snapshot.CacheEnv); !set {
		dir, err := os.MkdirTemp("", "iamwhy-cache-")
		if err == nil {
			os.Setenv(snapshot.CacheEnv, dir)
			code := m.Run()
			os.RemoveAll(dir)
			os.Exit(code)
		}
	}
	os.Exit(m.Run())
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const reliabilityCase = `  - name: %s
    principal: arn:aws:iam::111122223333:user/a
    action: s3:GetObject
    resource: arn:aws:s3:::b/k
    layers: {identity: [p]}
    expect: allow
`

const reliabilityHead = `version: 1
policies:
  p: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "*"}]}
cases:
`

// Rule: a key given twice anywhere in a check file is an error with exit
// status 2 and file:line:col, whichever parser reads the file (large files
// go through the fast parser).
func TestReliabilityCheckDuplicateKeys(t *testing.T) {
	dir := t.TempDir()
	many := &strings.Builder{}
	many.WriteString(reliabilityHead)
	for i := 0; i < 12000; i++ {
		fmt.Fprintf(many, reliabilityCase, fmt.Sprintf("c%d", i))
	}
	bigLines := strings.Count(many.String(), "\n")
	many.WriteString(strings.Replace(fmt.Sprintf(reliabilityCase, "last"), "    expect: allow\n", "    expect: allow\n    expect: deny\n", 1))
	for _, tc := range []struct{ name, content, want string }{
		{"expect twice", reliabilityHead + strings.Replace(fmt.Sprintf(reliabilityCase, "a"), "    expect: allow\n", "    expect: allow\n    expect: deny\n", 1),
			`f.yaml:11:5: key "expect" given twice (first at 10:5)`},
		{"a second cases:", reliabilityHead + fmt.Sprintf(reliabilityCase, "a") + "cases:\n" + fmt.Sprintf(reliabilityCase, "b"),
			`f.yaml:11:1: key "cases" given twice (first at 4:1)`},
		{"a policy name twice", strings.Replace(reliabilityHead, "cases:\n", "  p: {Statement: []}\ncases:\n", 1) + fmt.Sprintf(reliabilityCase, "a"),
			`f.yaml:4:3: key "p" given twice (first at 3:3)`},
		{"a key twice inside an inline policy", strings.Replace(reliabilityHead, `Effect: Allow, Action`, `Effect: Allow, Effect: Deny, Action`, 1) + fmt.Sprintf(reliabilityCase, "a"),
			`key "Effect" given twice`},
		{"a context key twice, in another case", reliabilityHead + strings.Replace(fmt.Sprintf(reliabilityCase, "a"), "    expect", "    context: {aws:SourceIp: 1.2.3.4, aws:sourceip: 5.6.7.8}\n    expect", 1),
			`context key "aws:sourceip" given twice`},
		{"expect twice in a JSON check file", `{"version": 1, "cases": [{"name": "a", "principal": "anonymous", "action": "s3:GetObject", "resource": "*", "layers": {}, "expect": "deny", "expect": "allow"}]}`,
			`f.yaml:1:141: key "expect" given twice (first at 1:123)`},
		{"expect twice in a large file (fast parser)", many.String(), fmt.Sprintf(`f.yaml:%d:5: key "expect" given twice`, bigLines+7)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := write(t, dir, "f.yaml", tc.content)
			_, stderr, code := runCLI(t, "check", p)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, stderr, tc.want)
			}
		})
	}
}

// Rule: a check file that checks nothing does not pass.
func TestReliabilityCheckNoCases(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"empty.yaml":      "",
		"comment.yaml":    "# nothing\n",
		"no-cases.yaml":   "version: 1\ncases: []\n",
		"null-cases.yaml": "version: 1\ncases:\n",
	} {
		_, stderr, code := runCLI(t, "check", write(t, dir, name, content))
		if code != 2 {
			t.Errorf("%s: exit %d (%s), want 2", name, code, stderr)
		}
	}
}

// Rule: YAML aliases cannot blow a small check file up (a "billion laughs"
// of 800 bytes expanded to gigabytes before).
func TestReliabilityCheckAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\npolicies:\n  a0: &a0 [s3:GetObject, s3:GetObject, s3:GetObject, s3:GetObject, s3:GetObject, s3:GetObject, s3:GetObject, s3:GetObject, s3:GetObject]\n")
	for i := 1; i < 9; i++ {
		fmt.Fprintf(&b, "  a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	b.WriteString(`  p: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: *a8, Resource: "*"}]}` + "\ncases:\n")
	fmt.Fprintf(&b, reliabilityCase, "a")
	_, stderr, code := runCLI(t, "check", write(t, t.TempDir(), "bomb.yaml", b.String()))
	if code != 2 || !strings.Contains(stderr, "aliases") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

// Rule: only regular files are read, and at most --max-file-size of them:
// /dev/zero as a policy path, a check file or an event fails at once.
func TestReliabilityBoundedTypedReads(t *testing.T) {
	dir := t.TempDir()
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero.json")); err != nil {
		t.Fatal(err)
	}
	withZero := write(t, dir, "z.yaml", "version: 1\ncases:\n"+strings.Replace(fmt.Sprintf(reliabilityCase, "a"), "[p]", "[zero.json]", 1))
	fifo := filepath.Join(dir, "event.json")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	big := write(t, dir, "big.json", `{"Version":"2012-10-17","Statement":[]}`+strings.Repeat(" ", 2048))
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"check", withZero}, 1, "not a regular file (a character device)"},
		{[]string{"check", "/dev/zero"}, 2, "not a regular file"},
		{[]string{"lint", "/dev/zero"}, 2, "not a regular file"},
		{[]string{"diagnose", "--env", "../../examples/env", "--event", fifo}, 2, "not a regular file (a named pipe)"},
		{[]string{"explain", "--file", "/dev/zero"}, 2, "not a regular file"},
		{[]string{"lint", "--max-file-size", "1KiB", big}, 2, "larger than the 1 KiB limit"},
		{[]string{"lint", "--max-file-size", "1MiB", big}, -1, ""}, // read: findings or none, not 2
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			stdout, stderr, code := runCLI(t, tc.args...)
			if (tc.code >= 0 && code != tc.code) || (tc.code < 0 && code == 2) || !strings.Contains(stdout+stderr, tc.want) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want %d and %q", code, stdout, stderr, tc.code, tc.want)
			}
		})
	}
}

// Rule: explain never silently truncates: input over the limit once
// decompressed is an error.
func TestReliabilityExplainDecompressedLimit(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(bytes.Repeat([]byte("AccessDenied "), 200_000)) // 2.6 MB
	zw.Close()
	p := write(t, t.TempDir(), "msg.gz", buf.String())
	_, stderr, code := runCLI(t, "explain", "--max-file-size", "1MiB", "--file", p)
	if code != 2 || !strings.Contains(stderr, "(decompressed): larger than the 1 MiB limit") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

// Rule: no input is not "no denials": trail commands exit 2 and say so
// when nothing could be read.
func TestReliabilityTrailNoInput(t *testing.T) {
	empty := t.TempDir()
	digestOnly := t.TempDir()
	write(t, digestOnly, "111122223333_CloudTrail-Digest_us-east-1_20240101T0000Z_x.json.gz", "x")
	for _, path := range []string{filepath.Join(empty, "missing"), empty, digestOnly} {
		for _, args := range [][]string{
			{"trail", "denied", path},
			{"trail", "denied", "-o", "json", path},
			{"trail", "query", "--sql", "SELECT count(*) FROM cloudtrail_logs", path},
			{"trail", "ingest", "--db", filepath.Join(t.TempDir(), "t.duckdb"), path},
			{"trail", "diagnose", "--env", "../../examples/env", path},
		} {
			stdout, stderr, code := runCLI(t, args...)
			if code != 2 || !strings.Contains(stderr, "no input could be read") || strings.Contains(stdout, "No access-denied errors") {
				t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
			}
		}
	}
}

// Rule: control characters and terminal escapes from logs are escaped in
// text and CSV output; JSON stays valid JSON of the same strings.
func TestReliabilityEscapes(t *testing.T) {
	rec := `{"eventID":"e1","eventTime":"2024-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","errorCode":"AccessDenied","errorMessage":"evil \u001b]0;pwned\u0007 \u001b[2J \u009b31m \u202e here"}`
	p := write(t, t.TempDir(), "esc.jsonl", rec+"\n")
	for _, out := range []string{"text", "csv", "json"} {
		stdout, stderr, code := runCLI(t, "trail", "denied", "-o", out, p)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", out, code, stderr)
		}
		for _, bad := range []string{"\x1b", "\a", "\u009b", "\u202e"} {
			if strings.Contains(stdout+stderr, bad) {
				t.Errorf("%s output holds %q raw:\n%s", out, bad, stdout)
			}
		}
		if !strings.Contains(stdout, `\u001b]0;pwned`) {
			t.Errorf("%s output lost the escaped text:\n%s", out, stdout)
		}
	}
	for in, want := range map[string]string{
		"plain text\n":     "plain text\n",
		"tab\tok":          "tab\tok",
		"\x1b[31mred":      `\u001b[31mred`,
		"cr\rover":         `cr\u000dover`,
		"bidi \u202eevil":  `bidi \u202eevil`,
		"c1 \u0085":        `c1 \u0085`,
		"bad utf8 \x9b[2J": `bad utf8 \x9b[2J`,
		"é and 日本 and ✓":   "é and 日本 and ✓",
		"del \x7f":         `del \u007f`,
	} {
		if got := escapeText(in); got != want {
			t.Errorf("escapeText(%q) = %q, want %q", in, got, want)
		}
	}
	// A UTF-8 sequence split across writes is kept whole.
	var b bytes.Buffer
	w := newEscapingWriter(&b)
	s := []byte("日本\x1b")
	for i := range s {
		w.Write(s[i : i+1])
	}
	w.Flush()
	if b.String() != `日本\u001b` {
		t.Errorf("split writes: %q", b.String())
	}
}

// Rule: trail diagnose prints the same output from run to run, whatever
// order the workers deliver records in.
func TestReliabilityTrailDiagnoseDeterministic(t *testing.T) {
	dir := t.TempDir()
	for f := 0; f < 6; f++ {
		var b strings.Builder
		for i := 0; i < 20; i++ {
			user := []string{"alice", "bob", "carol"}[(f+i)%3]
			fmt.Fprintf(&b, `{"eventVersion":"1.08","eventID":"e%d-%d","eventTime":"2024-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"eu-west-1","errorCode":"AccessDenied","errorMessage":"denied","requestParameters":{"bucketName":"b%d","key":"k"},"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/%s","accountId":"111122223333"}}`+"\n", f, i, i%4, user)
		}
		write(t, dir, fmt.Sprintf("f%d.jsonl", f), b.String())
	}
	var first string
	for run := 0; run < 4; run++ {
		workers := []string{"1", "2", "4", "8"}[run]
		stdout, stderr, code := runCLI(t, "trail", "diagnose", "--env", "../../examples/env", "-o", "json", "--workers", workers, dir)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if run == 0 {
			first = stdout
		} else if stdout != first {
			t.Fatalf("run with %s workers differs from the first", workers)
		}
	}
}

// Rule: on SIGINT, trail ingest stops, removes its temporary files (which
// hold CloudTrail data), leaves the database consistent (nothing of the
// interrupted load in it) and says what was kept.
func TestReliabilitySignalStopsIngest(t *testing.T) {
	for _, format := range []string{"t.duckdb", "t.parquet"} {
		t.Run(format, func(t *testing.T) {
			tmp := t.TempDir()
			db := filepath.Join(t.TempDir(), format)
			cmd := exec.Command(os.Args[0], "trail", "ingest", "--db", db, "-")
			cmd.Env = append(os.Environ(), "IAMWHY_TEST_MAIN=1", "TMPDIR="+tmp)
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 200; i++ {
				fmt.Fprintf(stdin, `{"eventID":"e%d","eventTime":"2024-01-01T00:00:00Z","eventName":"GetObject"}`+"\n", i)
			}
			// The private temporary directory exists once the database is
			// open and reading has started; stdin stays open, so the
			// command waits for more input until the signal comes.
			if !waitFor(func() bool { m, _ := filepath.Glob(filepath.Join(tmp, "iamwhy-duckdb-*")); return len(m) > 0 }) {
				cmd.Process.Kill()
				t.Fatalf("the command did not start: %s", stderr.String())
			}
			cmd.Process.Signal(os.Interrupt)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(60 * time.Second):
				cmd.Process.Kill()
				t.Fatalf("did not stop on SIGINT: %s", stderr.String())
			}
			stdin.Close()
			if code := cmd.ProcessState.ExitCode(); code != 130 || !strings.Contains(stderr.String(), "was left as it was") && !strings.Contains(stderr.String(), "nothing was added") {
				t.Fatalf("exit %d, stderr %q", code, stderr.String())
			}
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Fatalf("temporary files left: %v", left)
			}
			if format == "t.parquet" {
				if _, err := os.Stat(db); !os.IsNotExist(err) {
					t.Fatalf("a Parquet file was written: %v", err)
				}
				return
			}
			d, err := sqltable.OpenSaved(context.Background(), db)
			if err != nil {
				t.Fatalf("database not consistent: %v", err)
			}
			defer d.Close()
			if n, err := d.Count(context.Background()); err != nil || n != 0 {
				t.Fatalf("rows %d (%v), want none from the interrupted load", n, err)
			}
		})
	}
}

// Rule: on SIGTERM, trail query stops and removes its temporary files.
func TestReliabilitySignalStopsQuery(t *testing.T) {
	tmp := t.TempDir()
	cmd := exec.Command(os.Args[0], "trail", "query", "--sql", "SELECT count(*) FROM cloudtrail_logs", "-")
	cmd.Env = append(os.Environ(), "IAMWHY_TEST_MAIN=1", "TMPDIR="+tmp)
	stdin, _ := cmd.StdinPipe()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	io.WriteString(stdin, `{"eventID":"e1","eventTime":"2024-01-01T00:00:00Z","eventName":"GetObject"}`+"\n")
	if !waitFor(func() bool { m, _ := filepath.Glob(filepath.Join(tmp, "iamwhy-duckdb-*")); return len(m) > 0 }) {
		cmd.Process.Kill()
		t.Fatalf("the command did not start: %s", stderr.String())
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("did not stop on SIGTERM: %s", stderr.String())
	}
	stdin.Close()
	if code := cmd.ProcessState.ExitCode(); code != 130 || stdout.Len() != 0 {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

// waitFor polls cond for up to a minute (the machine may be busy; this
// is a bound on waiting, not a timing assertion).
func waitFor(cond func() bool) bool {
	for i := 0; i < 600; i++ {
		if cond() {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// Rule: diagnose --event says which fields of the event it could not use
// (a wrong JSON type), as trail denied does.
func TestReliabilityDiagnoseEventWrongTypedFields(t *testing.T) {
	data, err := os.ReadFile("testdata/diagnose/region-denied-event.json")
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(data), `"sourceIPAddress": "203.0.113.7"`, `"sourceIPAddress": {"bad": 1}`, 1)
	if bad == string(data) {
		t.Fatal("fixture changed: no sourceIPAddress to break")
	}
	p := write(t, t.TempDir(), "event.json", bad)
	stdout, stderr, _ := runCLI(t, "diagnose", "--env", "../../examples/env", "-o", "json", "--event", p)
	if !strings.Contains(stdout, "not used from the event") || !strings.Contains(stdout, "field sourceIPAddress: expected a string, got object") {
		t.Fatalf("stdout %s\nstderr %s", stdout, stderr)
	}
}
