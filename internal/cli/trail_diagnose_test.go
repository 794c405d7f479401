package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// Every denied event goes through diagnose; events group by root cause.
func TestTrailDiagnoseGroups(t *testing.T) {
	stdout, stderr, code := runCLI(t, "trail", "diagnose", "--env", "../../examples/env", "-o", "json", "testdata/trail_diagnose")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var out struct {
		Events int `json:"events"`
		Groups []struct {
			Decision  string `json:"decision"`
			Count     int    `json:"count"`
			RootCause *struct {
				Layer  string `json:"layer"`
				Policy string `json:"policy"`
			} `json:"root_cause"`
			Candidates []string `json:"candidates"`
		} `json:"groups"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	if out.Events != 2 || len(out.Groups) != 2 {
		t.Fatalf("%+v", out)
	}
	byDecision := map[string]int{}
	for _, g := range out.Groups {
		byDecision[g.Decision] = g.Count
		if g.Decision == "explicit-deny" && (g.RootCause == nil || g.RootCause.Layer != "scp" || g.RootCause.Policy != "p-region-guard") {
			t.Fatalf("root cause %+v", g.RootCause)
		}
		if g.Decision == "allow" && len(g.Candidates) == 0 {
			t.Fatalf("a replay that allows must list candidates")
		}
	}
	if byDecision["explicit-deny"] != 1 || byDecision["allow"] != 1 {
		t.Fatalf("%v", byDecision)
	}
}

// Events whose callers the environment does not hold are grouped as not
// replayed, with the reason, never as denies.
func TestTrailDiagnoseUnknownPrincipals(t *testing.T) {
	stdout, _, code := runCLI(t, "trail", "diagnose", "--env", "../../examples/env", "-o", "json", "../../testdata/cloudtrail/stratus-red-team")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var out struct {
		Events int `json:"events"`
		Groups []struct {
			Decision string `json:"decision"`
			Reason   string `json:"reason"`
			Count    int    `json:"count"`
		} `json:"groups"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, g := range out.Groups {
		if g.Decision != "not-replayed" || !strings.Contains(g.Reason, "not found") && !strings.Contains(g.Reason, "no IAM principal") && !strings.Contains(g.Reason, "not an IAM principal") {
			t.Fatalf("group %+v", g)
		}
		total += g.Count
	}
	if out.Events != 51 || total != 51 {
		t.Fatalf("events %d, grouped %d; want 51", out.Events, total)
	}
}
