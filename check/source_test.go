package check

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/internal/casegen"
)

func runSource(t *testing.T, path string) ([]Result, error) {
	t.Helper()
	src, err := Open(path)
	if err != nil {
		return nil, err
	}
	var out []Result
	err = (&Runner{}).RunSource(src, func(r *Result) error { out = append(out, *r); return nil })
	return out, err
}

// A streamed file (read in batches) gives the results, in the same order,
// that the file read whole gives, in both formats, and its JSON and YAML
// forms agree with each other.
func TestStreamedSameResults(t *testing.T) {
	dir := t.TempDir()
	if err := casegen.WriteAll(dir, 9000); err != nil {
		t.Fatal(err)
	}
	var byFormat [][]Result
	for _, name := range []string{"cases.json", "cases.yaml"} {
		path := filepath.Join(dir, name)
		whole, err := runSource(t, path)
		if err != nil {
			t.Fatal(err)
		}
		old := StreamMin
		StreamMin = 1
		streamed, err := runSource(t, path)
		StreamMin = old
		if err != nil {
			t.Fatal(err)
		}
		if len(whole) != 9000 || !reflect.DeepEqual(whole, streamed) {
			t.Fatalf("%s: %d results whole, %d streamed, equal=%v", name, len(whole), len(streamed), reflect.DeepEqual(whole, streamed))
		}
		// Positions differ between the forms; the decisions may not.
		for i := range whole {
			r := whole[i]
			whole[i] = Result{Name: r.Name, Decision: r.Decision, DecidedBy: r.DecidedBy, Pass: r.Pass, Policy: r.Policy, Statement: r.Statement}
		}
		byFormat = append(byFormat, whole)
	}
	if !reflect.DeepEqual(byFormat[0], byFormat[1]) {
		t.Fatal("the JSON and YAML forms of the cases decide differently")
	}
}

// Problems of a streamed file are found as in a file read whole: a later
// case missing a key, a duplicate case name, no cases at all.
func TestStreamedErrors(t *testing.T) {
	old := StreamMin
	StreamMin = 1
	defer func() { StreamMin = old }()
	dir := t.TempDir()
	head := "version: 1\npolicies:\n  p: {Version: \"2012-10-17\", Statement: [{Effect: Allow, Action: \"*\", Resource: \"*\"}]}\ncases:\n"
	item := func(name string) string {
		return "  - name: " + name + "\n    principal: arn:aws:iam::111122223333:user/u\n    action: s3:GetObject\n    resource: \"*\"\n    layers: {identity: [p]}\n    expect: allow\n"
	}
	for _, tc := range []struct{ name, text, want string }{
		{"missing.yaml", head + item("a") + "  - name: b\n    principal: p\n", `case "b": missing required key action`},
		{"dup.yaml", head + item("a") + item("a"), `duplicate case name (first at 5:5)`},
		{"none.yaml", head, "no cases"},
		{"dupkey.yaml", head + item("a") + "  - name: c\n    name: d\n", `key "name" given twice`},
		{"dup.json", `{"version": 1, "policies": {}, "cases": [{"name": "a", "principal": "p", "action": "s3:GetObject", "resource": "*", "layers": {"identity": []}, "expect": "allow"}, {"name": "a", "principal": "p", "action": "s3:GetObject", "resource": "*", "layers": {"identity": []}, "expect": "allow"}]}`, "duplicate case name"},
		{"trailing.json", `{"version": 1, "cases": [], "tests": 1}`, `unknown top-level key "tests"`},
	} {
		path := filepath.Join(dir, tc.name)
		os.WriteFile(path, []byte(tc.text), 0o644)
		_, err := runSource(t, path)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
}
