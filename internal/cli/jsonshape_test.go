package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// dataMaps are the JSON objects keyed by data rather than by field name
// (a request context, a policy document, counts by severity, removal
// proposals by policy): their keys vary with the input by design.
var dataMaps = map[string]bool{
	"context": true, "assumed_context": true, "document": true, "current_document": true, "parameters": true,
	"witness": true, "counts": true, "policy": true, "policies": true, "by_layer": true, "new_document": true,
	"old_document": true, "missing_context_values": true, "tags": true, "values": true, "principal_tags": true,
	"request_parameters": true, "by_status": true, "conditions_by_key": true, "removed_actions": true, "replaces": true,
	"lint": true, "skipped": true,
	// A location path element is {"value": key} or {"index": n}, as in
	// Access Analyzer's findings (the lint contract).
	"path": true,
}

// objectShapes records, for each path of a JSON value, the key sets of
// the objects found there (list elements share the path "[]").
func objectShapes(v any, path string, out map[string]map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if out[path] == nil {
			out[path] = map[string]bool{}
		}
		out[path][strings.Join(keys, ",")] = true
		for k, e := range x {
			if dataMaps[k] {
				continue
			}
			objectShapes(e, path+"."+k, out)
		}
	case []any:
		for _, e := range x {
			objectShapes(e, path+"[]", out)
		}
	}
}

// unstableShapes lists the paths whose objects do not all have the same
// keys, over every document given.
func unstableShapes(docs ...any) []string {
	shapes := map[string]map[string]bool{}
	for _, d := range docs {
		objectShapes(d, "", shapes)
	}
	var bad []string
	for path, set := range shapes {
		if len(set) < 2 {
			continue
		}
		var all []string
		for s := range set {
			all = append(all, "{"+s+"}")
		}
		sort.Strings(all)
		bad = append(bad, fmt.Sprintf("%s: %s", path, strings.Join(all, " vs ")))
	}
	sort.Strings(bad)
	return bad
}

func jsonDocument(t *testing.T, args []string) any {
	t.Helper()
	out, errOut, _ := runCLI(t, args...)
	var v any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v: %v\n%s%s", args, err, out, errOut)
	}
	return v
}

func TestUnstableShapesFindsAnAbsentField(t *testing.T) {
	var rich, minimal any
	_ = json.Unmarshal([]byte(`{"a":[{"x":1,"y":{"z":1}},{"x":2,"y":null}],"context":{"k":1}}`), &rich)
	_ = json.Unmarshal([]byte(`{"a":[{"x":1,"y":{"z":1}}],"context":{}}`), &minimal)
	if bad := unstableShapes(rich, minimal); len(bad) != 0 {
		t.Errorf("stable shapes reported: %v", bad)
	}
	_ = json.Unmarshal([]byte(`{"a":[{"x":1},{"y":{}}],"context":{}}`), &minimal)
	if bad := unstableShapes(rich, minimal); len(bad) != 2 {
		t.Errorf("got %v, want a[] and a[].y", bad)
	}
}

// TestEveryCommandJSONKeysStable: for every command with JSON output, a
// rich and a minimal case (and every element of every list in them) have
// objects with the same keys at the same path: a field without a value is
// null or [], never left out.
func TestEveryCommandJSONKeysStable(t *testing.T) {
	t.Setenv("IAMWHY_CACHE_DIR", "off")
	const env = "../../examples/env"
	dir := t.TempDir()
	clean := filepath.Join(dir, "clean.json")
	if err := os.WriteFile(clean, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	brokenTrail := filepath.Join(dir, "broken.jsonl")
	rec := `{"eventID":"e1","eventTime":"2024-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","errorCode":"AccessDenied","errorMessage":"Access Denied","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333"}}`
	if err := os.WriteFile(brokenTrail, []byte(rec+"\n{\"eventID\": 3,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	emptyCheck := filepath.Join(dir, "one.yaml")
	if err := os.WriteFile(emptyCheck, []byte("cases:\n  - name: nothing allows\n    principal: arn:aws:iam::111122223333:user/a\n    action: s3:GetObject\n    resource: \"*\"\n    expect: allow\n    layers:\n      identity: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	genTrail := "../../analyze/generate/testdata/trail.json"
	for _, c := range []struct {
		name  string
		cases [][]string
	}{
		{"check", [][]string{{"check", "../../examples/checks/guides.yaml"}, {"check", "testdata/check/mixed.yaml"}, {"check", emptyCheck}}},
		{"who-can", [][]string{{"who-can", "s3:GetObject", exampleObject, "--env", env}, {"who-can", "iam:CreateUser", "*", "--env", env}}},
		{"can", [][]string{{"can", "arn:aws:iam::111122223333:user/alice", "--env", env, "--service", "s3"},
			{"can", "arn:aws:iam::111122223333:user/alice", "--env", env, "--service", "iam"}}},
		{"actions", [][]string{{"actions", "s3:GetObject", "--details"}, {"actions", "s3:Get*"}, {"actions", "nosuchservice:Get*"},
			{"actions", "--resource", exampleObject, "s3:GetObject*"}}},
		{"simulate", [][]string{
			{"simulate", "--principal", "arn:aws:iam::111122223333:user/a", "--action", "s3:GetObject", "--policy",
				`{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`},
			{"simulate", "--principal", "arn:aws:iam::111122223333:user/a", "--action", "s3:GetObject"},
			{"simulate", "--env", env, "--principal", "arn:aws:iam::111122223333:role/service-role/config-reader", "--action", "s3:GetObject", "--resource", exampleObject}}},
		{"trust", [][]string{{"trust", "--env", env}, {"trust", "--env", env, "--external-only"}, {"trust", "--env", "../../examples/drift/staging"}}},
		{"access-diff", [][]string{{"access-diff", "../../examples/access-diff/old.json", "../../examples/access-diff/new.json"},
			{"access-diff", clean, clean}}},
		{"drift", [][]string{{"drift", "../../examples/drift/staging", "../../examples/drift/prod", "--map", "../../examples/drift/map.yaml"},
			{"drift", "../../examples/drift/staging", "../../examples/drift/staging"}}},
		{"lint", [][]string{{"lint", "testdata/lint/mixed.json"}, {"lint", clean}, {"lint", "testdata/lint/public.json", "testdata/lint/broken.json"}}},
		{"generate", [][]string{{"generate", "--principal", "arn:aws:iam::111122223333:role/app", genTrail},
			{"generate", "--env", env, "--principal", "developer", "--include-denied", "../../examples/trail/cloudtrail.json"}}},
		{"unused", [][]string{{"unused", "--env", "../../analyze/unused/testdata/env", genTrail},
			{"unused", "--env", env, "../../examples/trail"}}},
		{"trail denied", [][]string{{"trail", "denied", "../../examples/trail"}, {"trail", "denied", brokenTrail}}},
		{"trail diagnose", [][]string{{"trail", "diagnose", "--env", env, "../../examples/trail"}, {"trail", "diagnose", "--env", env, brokenTrail}}},
		{"explain", [][]string{{"explain", "--env", env, "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:GetObject on resource: \"" + exampleObject + "\""},
			{"explain", "ThrottlingException: Rate exceeded"}}},
		{"version", [][]string{{"version"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var docs []any
			for _, args := range c.cases {
				docs = append(docs, jsonDocument(t, append(args, "-o", "json")))
			}
			if bad := unstableShapes(docs...); len(bad) > 0 {
				t.Errorf("fields sometimes absent:\n  %s", strings.Join(bad, "\n  "))
			}
		})
	}
}
