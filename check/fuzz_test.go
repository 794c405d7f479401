package check

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse: any bytes give a File or a *FileError naming the file (exit
// status 2), never a panic; a file that loads runs to one result per
// action x resource pair, and no key of a loaded file was given twice.
func FuzzParse(f *testing.F) {
	if files, _ := filepath.Glob("testdata/*.yaml"); len(files) > 0 {
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte("version: 1\npolicies:\n  p: {Statement: [{Effect: Allow, Action: \"*\", Resource: \"*\"}]}\ncases:\n  - name: a\n    principal: arn:aws:iam::111122223333:user/a\n    action: [s3:GetObject, s3:PutObject]\n    resource: arn:aws:s3:::b/k\n    layers: {identity: [p], scp: [[p]]}\n    expect: allow\n"))
	f.Add([]byte("version: 1\ncases:\n  - name: a\n    expect: allow\n    expect: deny\n"))
	f.Add([]byte("a: &a [x, x]\nb: &b [*a, *a]\ncases: [*b]\n"))
	f.Add([]byte(`{"version": 1, "cases": [{"name": "a", "principal": "anonymous", "action": "s3:GetObject", "resource": "*", "layers": {}, "expect": "deny"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("f.yaml", data)
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || !strings.HasPrefix(err.Error(), "f.yaml") {
				t.Fatalf("error is not a FileError naming the file: %v", err)
			}
			return
		}
		if len(file.Cases) == 0 {
			t.Fatal("a file without cases loaded")
		}
		want := 0
		for _, c := range file.Cases {
			if c.Layers == nil {
				return // environment mode needs an environment
			}
			want += len(c.Actions) * len(c.Resources)
		}
		if want > 1000 {
			return
		}
		var rep Report
		(&Runner{}).Run(file, &rep)
		if len(rep.Results) != want || rep.Summary.Passed+rep.Summary.Failed != want {
			t.Fatalf("%d results, summary %+v, want %d", len(rep.Results), rep.Summary, want)
		}
		for _, r := range rep.Results {
			if r.Decision == "undetermined" && (r.Error == nil || *r.Error == "") && r.Pass {
				t.Fatalf("an undetermined case passed without a reason: %+v", r)
			}
		}
	})
}
