package cli

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
)

// keyPaths lists every object key of a JSON value by its path, and every
// path that holds an object (under "@" + path); list elements share the
// path "[]", so a field present in one element and absent in another
// shows.
func keyPaths(v any, path string, out map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		out["@"+path] = true
		for k, e := range x {
			p := path + "." + k
			out[p] = true
			// Maps keyed by data (request context, assumed values) are
			// not shapes.
			if k == "context" || k == "assumed_context" || k == "document" || k == "current_document" || k == "parameters" {
				continue
			}
			keyPaths(e, p, out)
		}
	case []any:
		for _, e := range x {
			keyPaths(e, path+"[]", out)
		}
	}
}

func documentKeys(t *testing.T, args []string) map[string]bool {
	t.Helper()
	out, errOut, _ := runCLI(t, args...)
	var v any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v: %v\n%s%s", args, err, out, errOut)
	}
	keys := map[string]bool{}
	keyPaths(v, "", keys)
	return keys
}

// TestJSONFieldsNeverSometimesAbsent: a rich and a minimal case of each
// command have the same keys, recursively, wherever both have the object:
// a field without a value is null or [], never left out.
func TestJSONFieldsNeverSometimesAbsent(t *testing.T) {
	t.Setenv("IAMWHY_CACHE_DIR", "off")
	const env = "../../examples/env"
	two := "User: arn:aws:sts::111122223333:assumed-role/developer/alice is not authorized to perform: lambda:CreateFunction on resource: arn:aws:lambda:ap-southeast-2:111122223333:function:dev-fn with an explicit deny in a service control policy\n" +
		"User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::example-data-config/app/settings.json\""
	for _, c := range []struct {
		name          string
		rich, minimal []string
	}{
		{"explain", []string{"explain", "-o", "json", "--env", env, two}, []string{"explain", "-o", "json", "ThrottlingException: Rate exceeded"}},
		{"diagnose", []string{"diagnose", "-o", "json", "--env", env, "--event", "../../examples/trail/cloudtrail.json"},
			[]string{"diagnose", "-o", "json", "--env", env, "--principal", "arn:aws:iam::111122223333:user/alice", "--action", "s3:GetObject"}},
		{"diagnose message", []string{"diagnose", "-o", "json", "--env", env, two},
			[]string{"diagnose", "-o", "json", "--env", env, "--event", "testdata/diagnose/allowed-event.json"}},
		{"reproduce", []string{"reproduce", "-o", "json", "--event", "../../examples/trail/cloudtrail.json", "--env", env},
			[]string{"reproduce", "-o", "json", "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:ListAllMyBuckets"}},
		{"trail diagnose", []string{"trail", "diagnose", "-o", "json", "--env", env, "../../examples/trail"},
			[]string{"trail", "diagnose", "-o", "json", "--env", env, "testdata/diagnose/allowed-event.json"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rich, minimal := documentKeys(t, c.rich), documentKeys(t, c.minimal)
			var diff []string
			for _, pair := range []struct {
				a, b  map[string]bool
				where string
			}{{rich, minimal, "only in the rich case"}, {minimal, rich, "only in the minimal case"}} {
				for k := range pair.a {
					// A key under an object the other case does not have
					// (null there, or an empty list) is not a missing field.
					if strings.HasPrefix(k, "@") || pair.b[k] || !pair.b["@"+k[:strings.LastIndex(k, ".")]] {
						continue
					}
					diff = append(diff, fmt.Sprintf("%s (%s)", k, pair.where))
				}
			}
			sort.Strings(diff)
			if len(diff) > 0 {
				t.Errorf("fields sometimes absent:\n  %s", strings.Join(diff, "\n  "))
			}
		})
	}
}
