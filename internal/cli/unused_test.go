package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestUnusedCommand(t *testing.T) {
	env, trailFile := "../../analyze/unused/testdata/env", "../../analyze/generate/testdata/trail.json"
	stdout, stderr, code := runCLI(t, "unused", "--env", env, trailFile)
	if code != 0 || !strings.Contains(stdout, "owner payments-team") || !strings.Contains(stdout, "verified: true") {
		t.Fatalf("exit %d: %s\n%s", code, stdout, stderr)
	}
	stdout, _, code = runCLI(t, "unused", "--env", env, "-o", "json", "--principal", "arn:aws:iam::111122223333:role/app",
		"--last-accessed", "arn:aws:iam::111122223333:role/app=../../analyze/unused/testdata/last-accessed-idle.json", trailFile)
	var res struct {
		FormatVersion int `json:"format_version"`
		Principals    []struct {
			Principal string
			Owner     *string
			Actions   []map[string]any
			Removal   map[string]any
		}
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &res) != nil || len(res.Principals) != 1 || res.FormatVersion != 1 {
		t.Fatalf("exit %d: %s", code, stdout)
	}
	for _, k := range []string{"action", "status", "last_used", "granted_by", "reason"} {
		if _, ok := res.Principals[0].Actions[0][k]; !ok {
			t.Errorf("action lacks %s", k)
		}
	}
	stdout, _, code = runCLI(t, "unused", "-o", "json", trailFile)
	if code != 2 || !strings.Contains(stdout, `"error"`) {
		t.Errorf("without --env: exit %d %s", code, stdout)
	}
}

// TestUnusedNoInput: a trail none of whose inputs could be read is exit
// status 2 (every status would be unknown for want of logs never read),
// unless --last-accessed gives the report another source.
func TestUnusedNoInput(t *testing.T) {
	env, empty := "../../analyze/unused/testdata/env", t.TempDir()
	_, stderr, code := runCLI(t, "unused", "--env", env, empty)
	if code != 2 || !strings.Contains(stderr, "no input could be read") {
		t.Errorf("empty directory: exit %d, %s", code, stderr)
	}
	// role/idle's report says it used logs:PutLogEvents: the action is
	// used on its word alone.
	stdout, stderr, code := runCLI(t, "unused", "--env", env, "-o", "json", "--principal", "arn:aws:iam::111122223333:role/idle",
		"--last-accessed", "../../analyze/unused/testdata/last-accessed-idle.json", empty)
	var res struct {
		Principals []struct {
			Actions []struct{ Action, Status, Source string }
		}
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &res) != nil || len(res.Principals) != 1 {
		t.Fatalf("empty directory with --last-accessed: exit %d, %s\n%s", code, stdout, stderr)
	}
	used := false
	for _, a := range res.Principals[0].Actions {
		used = used || a.Action == "logs:PutLogEvents" && a.Status == "used" && a.Source == "last_accessed"
	}
	if !used {
		t.Errorf("logs:PutLogEvents is not used by the last-accessed report: %s", stdout)
	}
}
