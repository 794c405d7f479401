package check

import (
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/inputfile"
	"github.com/iamwhy/iamwhy/internal/casegen"
)

// LoadFile maps a large file and releases the mapping when Parse returns,
// so nothing the File holds may point into the text it was read from:
// after the text is overwritten, the File equals the File of a fresh copy.
// Large files in both formats (the parallel readers), the examples and
// files that take yaml.v3's paths are read.
func TestParseKeepsNoFileBytes(t *testing.T) {
	dir := t.TempDir()
	if err := casegen.WriteAll(dir, 3000); err != nil {
		t.Fatal(err)
	}
	paths := []string{filepath.Join(dir, "cases.json"), filepath.Join(dir, "cases.yaml")}
	examples, _ := filepath.Glob("../examples/checks/*.yaml")
	paths = append(paths, examples...)
	inputs := map[string][]byte{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		inputs[p] = data
	}
	// yaml.v3's whole-file path (a key after the cases), its chunked
	// path (an anchor the fast subset leaves), and JSON read as nodes.
	yamlText := string(inputs[paths[1]])
	inputs["late-key.yaml"] = []byte(yamlText + "environment: env.yaml\n")
	inputs["anchor.yaml"] = []byte(strings.Replace(yamlText, "  - name: case 7\n", "  - name: &n case 7\n", 1))
	inputs["nodes.json"] = []byte(strings.Replace(string(inputs[paths[0]]), `"name": "case 7"`, `"name": "case\u0020 7"`, 1))
	for name, data := range inputs {
		want, werr := Parse(name, append([]byte{}, data...))
		scratch := append([]byte{}, data...)
		got, gerr := Parse(name, scratch)
		for i := range scratch {
			scratch[i] = '#'
		}
		if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
			t.Fatalf("%s: errors %v and %v", name, werr, gerr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: the File changed when the text it was read from was overwritten", name)
		}
	}
}

// A large file truncated while it is mapped is an error of the file, from
// whichever reader meets the fault first (the parallel readers' goroutines
// give their part up), not a crash.
func TestParseTruncatedMapping(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("files are mapped on Linux only")
	}
	dir := t.TempDir()
	if err := casegen.WriteAll(dir, 3000); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"cases.json", "cases.yaml"} {
		path := filepath.Join(dir, name)
		m, err := inputfile.Map(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(path, 0); err != nil {
			t.Fatal(err)
		}
		var f *File
		if !inputfile.CatchFault(func() { f, err = Parse(path, m.Data) }) {
			t.Fatalf("%s: parsed a truncated mapping: %v, %v", name, f != nil, err)
		}
		m.Close()
	}
}
