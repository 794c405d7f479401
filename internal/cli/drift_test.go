package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestDriftCommand(t *testing.T) {
	const ex = "../../examples/drift/"
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"staging against production", []string{"drift", ex + "staging", ex + "prod", "--map", ex + "map.yaml"}, 1, "Drift: 6 access and 4 structure differences"},
		{"the attribution of a guardrail", []string{"drift", ex + "staging", ex + "prod", "--map", ex + "map.yaml"}, 1, "layer scp: p-region-guard statement DenyOutsideRegions"},
		{"csv", []string{"drift", ex + "staging", ex + "prod", "--map", ex + "map.yaml", "-o", "csv"}, 1, "kind,what,principal_a"},
		{"no drift", []string{"drift", ex + "staging", ex + "staging"}, 0, "No drift"},
		{"an unreadable map", []string{"drift", ex + "staging", ex + "prod", "--map", "no-such-map.yaml"}, 2, ""},
		{"one environment", []string{"drift", ex + "staging"}, 2, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := Main(tc.args, Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
			if code != tc.code || !strings.Contains(out.String(), tc.want) {
				t.Errorf("exit %d (want %d), output %q, stderr %q", code, tc.code, out.String(), errb.String())
			}
		})
	}
	var out, errb bytes.Buffer
	code := Main([]string{"drift", ex + "staging", ex + "prod", "--map", ex + "map.yaml", "-o", "json"}, Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
	var r struct {
		FormatVersion int `json:"format_version"`
		Pairs         struct {
			Principals int      `json:"principals"`
			Resources  int      `json:"resources"`
			OnlyInA    []string `json:"only_in_a"`
			OnlyInB    []string `json:"only_in_b"`
		} `json:"pairs"`
		Differences []map[string]any `json:"differences"`
		NoOwner     []string         `json:"no_owner"`
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil || code != 1 || r.FormatVersion != 1 || r.Pairs.OnlyInB == nil || len(r.Differences) != 10 {
		t.Fatalf("exit %d, %v, %+v: %s", code, err, r, errb.String())
	}
	for _, d := range r.Differences {
		for _, k := range []string{"kind", "what", "principal_a", "principal_b", "action", "resource_a", "resource_b", "allowed_in",
			"decision_a", "decision_b", "layer", "policy", "statement", "location", "condition", "only_in", "owner_a", "owner_b"} {
			if _, ok := d[k]; !ok {
				t.Errorf("difference without %q: %v", k, d)
			}
		}
	}
}
