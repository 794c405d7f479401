package mcp

import (
	"bufio"
	"context"
	"encoding/json"
	"github.com/iamwhy/iamwhy/internal/invoke"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// recorder is a Runner that records the command lines it is given and
// answers with fixed JSON.
type recorder struct {
	mu    sync.Mutex
	calls [][]string
	stdin []string
	files map[string]string // path -> content, read while the call runs
	code  int
	out   string
}

func (r *recorder) run(_ context.Context, args []string, stdin []byte) ([]byte, []byte, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, args)
	r.stdin = append(r.stdin, string(stdin))
	for _, a := range args {
		for _, p := range strings.Split(strings.TrimPrefix(a, "file://"), ",") {
			p = strings.TrimPrefix(p, "file://")
			if filepath.IsAbs(p) {
				if b, err := os.ReadFile(p); err == nil {
					if r.files == nil {
						r.files = map[string]string{}
					}
					r.files[filepath.Base(p)] = string(b)
				}
			}
		}
	}
	out := r.out
	if out == "" {
		out = `{"ok": true}`
	}
	return []byte(out), nil, r.code
}

// session serves cfg on pipes and returns a function that sends a list of
// JSON-RPC lines, closes the input, and returns every line written back.
func exchange(t *testing.T, cfg Config, msgs ...string) []map[string]any {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Serve(context.Background(), cfg, inR, outW)
		outW.Close()
	}()
	go func() {
		init := `{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}`
		io.WriteString(inW, init+"\n"+`{"jsonrpc":"2.0","method":"notifications/initialized"}`+"\n")
		for _, m := range msgs {
			io.WriteString(inW, m+"\n")
		}
		// Close at once: every request must still be answered.
		inW.Close()
	}()
	var replies []map[string]any
	sc := bufio.NewScanner(outR)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not JSON: %q", sc.Text())
		}
		if m["id"] != nil && m["id"] != float64(0) {
			replies = append(replies, m)
		}
	}
	if err := <-done; err != nil && err != io.EOF {
		t.Logf("serve: %v", err)
	}
	return replies
}

func callLine(id int, tool string, args any) string {
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "method": "tools/call",
		"params": map[string]any{"name": tool, "arguments": args}})
	return string(b)
}

func TestEveryRequestIsAnsweredWhenInputClosesAtOnce(t *testing.T) {
	rec := &recorder{}
	cfg := Config{Run: rec.run}
	var msgs []string
	for i := 1; i <= 20; i++ {
		msgs = append(msgs, callLine(i, "explain", map[string]any{"message": "AccessDenied"}))
	}
	replies := exchange(t, cfg, msgs...)
	if len(replies) != 20 {
		t.Fatalf("%d replies, want 20", len(replies))
	}
}

func TestCommandLines(t *testing.T) {
	doc := map[string]any{"Version": "2012-10-17", "Statement": []any{}}
	for _, tc := range []struct {
		name  string
		cfg   Config
		tool  string
		args  any
		want  []string
		stdin string
		files []string
	}{
		{"explain reads stdin", Config{}, "explain", map[string]any{"message": "--not-a-flag"},
			[]string{"explain", "--output", "json", "-"}, "--not-a-flag", nil},
		{"who-can after --", Config{EnvArgs: []string{"--env", "E"}}, "who_can", map[string]any{"action": "s3:GetObject", "resource": "-x",
			"context": map[string]any{"aws:SourceIp": "10.0.0.1", "aws:PrincipalTag/team": []any{"a"}, "aws:TagKeys": []any{"a", "b"}}},
			[]string{"who-can", "--output", "json", "--env", "E", "--context", "aws:PrincipalTag/team=[a]", "--context", "aws:SourceIp=10.0.0.1",
				"--context", "aws:TagKeys=a", "--context", "aws:TagKeys=b", "--", "s3:GetObject", "-x"}, "", nil},
		{"lint on stdin", Config{}, "lint", map[string]any{"policy": doc, "policy_type": "scp"},
			[]string{"lint", "--output", "json", "--policy-type", "scp", "-"}, `{"Statement":[],"Version":"2012-10-17"}`, nil},
		{"trail paths", Config{Trails: []string{"a.json", "dir/"}}, "trail_denied", map[string]any{},
			[]string{"trail", "denied", "--output", "json", "--", "a.json", "dir/"}, "", nil},
		{"generate", Config{Trails: []string{"t/"}}, "generate", map[string]any{"principal": "arn:aws:iam::111122223333:role/app"},
			[]string{"generate", "--output", "json", "--principal", "arn:aws:iam::111122223333:role/app", "--", "t/"}, "", nil},
		{"generate options", Config{Trails: []string{"t/"}}, "generate", map[string]any{"principal": "arn:aws:iam::111122223333:role/app", "include_denied": true, "group_resources": true},
			[]string{"generate", "--output", "json", "--principal", "arn:aws:iam::111122223333:role/app", "--include-denied", "--group-resources", "--", "t/"}, "", nil},
		{"drift", Config{Drift: invoke.Drift{A: "s", B: "p", Map: "m.yaml"}}, "drift", map[string]any{"region": "eu-west-1"},
			[]string{"drift", "--output", "json", "--map", "m.yaml", "--region", "eu-west-1", "--", "s", "p"}, "", nil},
		{"unused", Config{EnvArgs: []string{"--env", "E"}, Trails: []string{"t/"}}, "unused", map[string]any{"principal": "arn:aws:iam::111122223333:role/app", "since": "90d"},
			[]string{"unused", "--output", "json", "--no-progress", "--env", "E", "--principal", "arn:aws:iam::111122223333:role/app", "--since", "90d", "--", "t/"}, "", nil},
		{"can services", Config{EnvArgs: []string{"--env", "E"}}, "can", map[string]any{"principal": "arn:aws:iam::111122223333:role/app", "services": []any{"s3", "kms"}},
			[]string{"can", "--output", "json", "--env", "E", "--service", "s3", "--service", "kms", "--", "arn:aws:iam::111122223333:role/app"}, "", nil},
		{"access-diff files", Config{}, "access_diff", map[string]any{"old": doc, "new": `{"Version":"2012-10-17","Statement":[]}`},
			nil, "", []string{"old.json", "new.json"}},
		{"simulate layers", Config{}, "simulate", map[string]any{"principal": "arn:aws:iam::111122223333:user/u", "action": "s3:GetObject",
			"policies": map[string]any{"identity": []any{doc}, "scp": []any{[]any{doc}, []any{doc, doc}}, "boundary": doc}},
			nil, "", []string{"policies.identity[0].json", "policies.boundary.json", "policies.scp[0][0].json", "policies.scp[1][0].json", "policies.scp[1][1].json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			tc.cfg.Run = rec.run
			replies := exchange(t, tc.cfg, callLine(1, tc.tool, tc.args))
			if len(replies) != 1 || replies[0]["error"] != nil {
				t.Fatalf("replies %v", replies)
			}
			if len(rec.calls) != 1 {
				t.Fatalf("%d runs", len(rec.calls))
			}
			if tc.want != nil && !reflect.DeepEqual(rec.calls[0], tc.want) {
				t.Errorf("command line\n got %q\nwant %q", rec.calls[0], tc.want)
			}
			if rec.stdin[0] != tc.stdin {
				t.Errorf("stdin %q, want %q", rec.stdin[0], tc.stdin)
			}
			for _, f := range tc.files {
				if _, ok := rec.files[f]; !ok {
					t.Errorf("no file %s given to the command (got %v in %q)", f, keys(rec.files), rec.calls[0])
				}
			}
			// The call's documents are gone once it has been answered.
			for _, a := range rec.calls[0] {
				p := strings.Split(strings.TrimPrefix(a, "file://"), ",")[0]
				if filepath.IsAbs(p) {
					if _, err := os.Stat(filepath.Dir(p)); err == nil {
						t.Errorf("%s still exists after the call", filepath.Dir(p))
					}
				}
			}
		})
	}
}

func keys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func TestExitStatusTwoIsAnInvalidParamsError(t *testing.T) {
	rec := &recorder{code: 2, out: `{"error": {"message": "policy.json:3:5: unexpected token"}}`}
	replies := exchange(t, Config{Run: rec.run}, callLine(1, "lint", map[string]any{"policy": map[string]any{}}))
	e, _ := replies[0]["error"].(map[string]any)
	if e == nil || e["code"] != float64(-32602) || !strings.Contains(e["message"].(string), "3:5") {
		t.Fatalf("reply %v", replies[0])
	}
}

func TestFindingsAreAResultNotAnError(t *testing.T) {
	// lint exits 1 when it finds something: that is its answer.
	rec := &recorder{code: 1, out: `{"format_version": 1, "results": []}`}
	replies := exchange(t, Config{Run: rec.run}, callLine(1, "lint", map[string]any{"policy": map[string]any{}}))
	res, _ := replies[0]["result"].(map[string]any)
	if res == nil || res["isError"] == true {
		t.Fatalf("reply %v", replies[0])
	}
	sc, _ := res["structuredContent"].(map[string]any)
	if sc["format_version"] != float64(1) {
		t.Fatalf("structuredContent %v", sc)
	}
}

func TestNonJSONOutputIsAnInternalError(t *testing.T) {
	rec := &recorder{out: "not json"}
	replies := exchange(t, Config{Run: rec.run}, callLine(1, "explain", map[string]any{"message": "x"}))
	e, _ := replies[0]["error"].(map[string]any)
	if e == nil || e["code"] != float64(-32603) {
		t.Fatalf("reply %v", replies[0])
	}
}

func TestS3TrailNeedsAllowAWS(t *testing.T) {
	if _, err := NewServer(Config{Run: (&recorder{}).run, Trails: []string{"S3://b/p"}}); err == nil {
		t.Fatal("an s3:// trail was accepted without AllowAWS")
	}
	if _, err := NewServer(Config{Run: (&recorder{}).run, Trails: []string{"s3://b/p"}, AllowAWS: true}); err != nil {
		t.Fatal(err)
	}
}
