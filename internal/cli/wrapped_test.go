package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestWrappedPolicyDocuments checks that the commands taking policy files
// read a document inside an AWS CLI or API output the same way
// (policy.Unwrap): simulate decides with it, access-diff compares it with
// the plain document, and a URL-encoded document is decoded.
func TestWrappedPolicyDocuments(t *testing.T) {
	for _, file := range []string{"testdata/lint/get-policy-version.json", "testdata/lint/get-role-policy-encoded.json"} {
		stdout, stderr, code := runCLI(t, "simulate", "--principal", "arn:aws:iam::111122223333:role/app", "--action", "s3:GetObject",
			"--resource", "arn:aws:s3:::my-bucket/k", "--policy", "file://"+file, "-o", "json")
		if code != 0 {
			t.Fatalf("simulate %s: exit %d: %s", file, code, stderr)
		}
		var out struct {
			Results []SimulationResult `json:"results"`
		}
		if err := json.Unmarshal([]byte(stdout), &out); err != nil {
			t.Fatal(err)
		}
		if len(out.Results) != 1 || out.Results[0].Decision != "allow" {
			t.Errorf("simulate %s: %+v", file, out.Results)
		}
	}
	stdout, stderr, code := runCLI(t, "access-diff", "testdata/lint/get-policy-version.json", "testdata/lint/get-role-policy-encoded.json")
	if code != 0 || !strings.Contains(stdout, "No new access") {
		t.Errorf("access-diff of one document in two wrappings: exit %d, %s %s", code, stdout, stderr)
	}
}
