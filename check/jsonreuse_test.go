package check

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// mixedCasesJSON is a JSON check file whose cases mix what the JSON reader
// shares or recycles between cases with what it must not: inline policies
// written in a case (kept as nodes until they are compiled, after every
// case has been read), names from the policies block (whose layers cases
// share), null layers, and contexts with several values and keys that
// differ only in case across cases. Each inline policy allows only its own
// case's object, so a recycled node would change a decision.
func mixedCasesJSON(n int) string {
	var b strings.Builder
	b.WriteString(`{"version": 1, "policies": {"read": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*", "Condition": {"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}}}]}, "full": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}},` + "\n" + `"cases": [` + "\n")
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",\n")
		}
		switch i % 4 {
		case 0: // inline identity policy for this case's object only
			fmt.Fprintf(&b, `{"name": "inline %d", "principal": "arn:aws:iam::111122223333:role/r%d", "action": "s3:GetObject", "resource": "arn:aws:s3:::own/%d", "layers": {"identity": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::own/%d"}]}], "scp": [["full"]]}, "expect": "allow"}`, i, i, i, i)
		case 1: // the previous case's object: its inline policy must not leak here
			fmt.Fprintf(&b, `{"name": "other %d", "principal": "arn:aws:iam::111122223333:role/r%d", "action": "s3:GetObject", "resource": "arn:aws:s3:::own/%d", "layers": {"identity": [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::own/%d"}]}]}, "expect": "implicit-deny"}`, i, i, i-1, i)
		case 2: // named policies, shared layers; the region decides
			region := []string{"eu-west-1", "ap-south-1"}[i/4%2]
			expect := []string{"allow", "implicit-deny"}[i/4%2]
			key := []string{"aws:RequestedRegion", "AWS:requestedregion"}[i/8%2]
			fmt.Fprintf(&b, `{"name": "named %d", "principal": "arn:aws:iam::111122223333:role/r", "action": ["s3:GetObject"], "resource": "arn:aws:s3:::shared/k%d", "context": {%q: %q, "aws:TagKeys": ["a", "b%d"]}, "layers": {"identity": ["read"], "scp": [["full"], ["full"]], "boundary": null}, "expect": %q}`, i, i, key, region, i, expect)
		case 3: // no identity policy at all
			fmt.Fprintf(&b, `{"name": "none %d", "principal": "arn:aws:iam::111122223333:role/r", "action": "s3:GetObject", "resource": "arn:aws:s3:::shared/k%d", "layers": {"identity": []}, "expect": "implicit-deny"}`, i, i)
		}
	}
	b.WriteString("\n]}\n")
	return b.String()
}

// The JSON reader recycles the nodes of a case once nothing points into
// them, carves cases out of chunks and shares layers between cases that
// name the same policies. None of that may change a case: the file read by
// the JSON reader (whole and streamed) decides every case as the same file
// read by yaml.v3 does, and every case passes.
func TestJSONReaderRecyclingKeepsCases(t *testing.T) {
	const n = 6000 // several node chunks and batches
	src := mixedCasesJSON(n)
	path := filepath.Join(t.TempDir(), "mixed.json")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	viaYAML, err := parse(path, []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	viaJSON, err := parseJSONCheck(path, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for i := range viaYAML.Cases {
		y, j := viaYAML.Cases[i], viaJSON.Cases[i]
		if y.Name != j.Name || y.Pos != j.Pos || y.Principal != j.Principal || !reflect.DeepEqual(y.Actions, j.Actions) ||
			!reflect.DeepEqual(y.Resources, j.Resources) || !reflect.DeepEqual(y.Context, j.Context) || y.Expect != j.Expect {
			t.Fatalf("case %d differs:\nyaml.v3 %+v\nJSON    %+v", i, y, j)
		}
	}
	run := func(f *File) []Result {
		rep := &Report{}
		(&Runner{}).Run(f, rep)
		return rep.Results
	}
	want := run(viaYAML)
	for i, r := range want {
		if !r.Pass {
			t.Fatalf("yaml.v3: case %d %s: %s", i, r.Name, r.Explanation)
		}
	}
	if got := run(viaJSON); !reflect.DeepEqual(got, want) {
		t.Fatal("the JSON reader's cases decide differently from yaml.v3's")
	}
	old := StreamMin
	StreamMin = 1
	defer func() { StreamMin = old }()
	streamed, err := runSource(t, path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(streamed, want) {
		t.Fatal("the streamed JSON file decides differently from yaml.v3's reading")
	}
}
