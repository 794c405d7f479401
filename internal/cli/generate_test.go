package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestGenerateCommand(t *testing.T) {
	trailFile := "../../analyze/generate/testdata/trail.json"
	stdout, stderr, code := runCLI(t, "generate", "--principal", "arn:aws:iam::111122223333:role/app", trailFile)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Version   string
		Statement []map[string]any
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || doc.Version != "2012-10-17" || len(doc.Statement) == 0 {
		t.Fatalf("default output is not a policy document: %v\n%s", err, stdout)
	}
	if !strings.Contains(stderr, "verified") {
		t.Errorf("stderr does not say the policy was verified: %s", stderr)
	}

	stdout, _, code = runCLI(t, "generate", "--principal", "arn:aws:iam::111122223333:role/app", "-o", "json", trailFile)
	var res map[string]any
	if code != 0 || json.Unmarshal([]byte(stdout), &res) != nil {
		t.Fatalf("exit %d: %s", code, stdout)
	}
	for _, k := range []string{"format_version", "principal", "window", "events", "policy", "not_covered", "notes"} {
		if _, ok := res[k]; !ok {
			t.Errorf("json output lacks %s", k)
		}
	}

	stdout, _, code = runCLI(t, "generate", "--principal", "not-an-arn", "-o", "json", trailFile)
	if code != 2 || !strings.Contains(stdout, `"error"`) {
		t.Errorf("bad principal: exit %d, %s", code, stdout)
	}
	_, _, code = runCLI(t, "generate", "--principal", "arn:aws:iam::111122223333:role/app", "testdata/does-not-exist.json")
	if code == 0 {
		t.Errorf("unreadable input: exit 0")
	}
}
