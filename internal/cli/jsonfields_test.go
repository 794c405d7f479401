package cli

import (
	"encoding/json"
	"testing"
)

// The convention (docs/cli-conventions.md): a JSON field without a value
// is present as null or [], never left out, so a program can read every
// document the same way.
func TestSimulateJSONFieldsAlwaysPresent(t *testing.T) {
	out, errs, code := runCLI(t, "simulate", "-o", "json", "--principal", "arn:aws:iam::111122223333:user/a", "--action", "s3:GetObject",
		"--policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Results []map[string]json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Results) != 1 {
		t.Fatalf("%v: %s", err, out)
	}
	r := doc.Results[0]
	for key, want := range map[string]string{
		"policy": "null", "statement": "null", "location": "null", "reason": `"no identity-based policy allows the action"`,
		"gaps": "[]", "decision_without_gaps": "null", "aws": "null", "decision": `"implicit-deny"`,
	} {
		got, ok := r[key]
		if !ok {
			t.Errorf("%s: absent, want %s", key, want)
			continue
		}
		if string(got) != want {
			t.Errorf("%s = %s, want %s", key, got, want)
		}
	}
}

// Every JSON document names its shape's version first (explain's fixed
// contract order, which starts with "recognized", aside).
func TestJSONDocumentsHaveFormatVersion(t *testing.T) {
	t.Setenv("IAMWHY_CACHE_DIR", "off")
	for _, args := range [][]string{
		{"check", "../../examples/checks/guides.yaml"},
		{"check", "testdata/no-such-check.yaml"},
		{"diagnose", "--env", exampleEnvDir, "--event", "../../examples/trail/cloudtrail.json"},
		{"simulate", "--principal", "arn:aws:iam::111122223333:user/a", "--action", "s3:GetObject"},
		{"who-can", "s3:GetObject", exampleObject, "--env", exampleEnvDir},
		{"can", "arn:aws:iam::111122223333:user/alice", "--env", exampleEnvDir, "--service", "iam"},
		{"actions", "s3:GetObject"},
		{"trail", "denied", "../../examples/trail"},
		{"trail", "diagnose", "../../examples/trail", "--env", exampleEnvDir},
		{"lint", "../../examples/checks/policies/developer-admin.json"},
		{"version"},
		{"trust", "--env", exampleEnvDir},
		{"access-diff", "../../examples/access-diff/old.json", "../../examples/access-diff/new.json"},
	} {
		out, _, _ := runCLI(t, append(args, "-o", "json")...)
		var doc map[string]json.RawMessage
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Errorf("%v: not one JSON object: %v\n%s", args, err, out)
			continue
		}
		if string(doc["format_version"]) != "1" {
			t.Errorf("%v: format_version = %s, want 1", args, doc["format_version"])
		}
	}
}

// trail diagnose writes the read statistics in snake_case, as trail
// denied does, with problems as a list.
func TestTrailDiagnoseStatsSnakeCase(t *testing.T) {
	out, _, _ := runCLI(t, "trail", "diagnose", "../../examples/trail", "--env", exampleEnvDir, "-o", "json")
	var doc struct {
		Stats map[string]json.RawMessage `json:"stats"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"files", "files_skipped", "records", "records_failed", "duplicates", "bytes", "problems", "problems_omitted"} {
		if _, ok := doc.Stats[k]; !ok {
			t.Errorf("stats.%s absent: %v", k, doc.Stats)
		}
	}
	if string(doc.Stats["problems"]) != "[]" {
		t.Errorf("stats.problems = %s, want []", doc.Stats["problems"])
	}
}
