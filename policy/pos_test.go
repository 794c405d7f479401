package policy

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestPosString checks the one text form of a location, FILE:LINE:COL, and
// how it shortens when parts are not known.
func TestPosString(t *testing.T) {
	tests := []struct {
		rule string
		pos  Pos
		want string
	}{
		{"file, line and column", Pos{File: "a.json", Line: 3, Col: 7, Offset: 40}, "a.json:3:7"},
		{"no file: line and column", Pos{Line: 3, Col: 7}, "3:7"},
		{"no column: file and line", At("a.yaml", 12, 0), "a.yaml:12"},
		{"no line: the file alone", Pos{File: "a.json"}, "a.json"},
		{"nothing known", Pos{}, "-"},
	}
	for _, tc := range tests {
		if got := tc.pos.String(); got != tc.want {
			t.Errorf("%s: %+v.String() = %q, want %q", tc.rule, tc.pos, got, tc.want)
		}
	}
	if got := At("a.json", 3, 7).LineCol(); got != "3:7" {
		t.Errorf("LineCol = %q", got)
	}
	if got := At("", 3, 7).In("b.json"); got.File != "b.json" {
		t.Errorf("In on a position without a file = %+v", got)
	}
	if got := At("a.json", 3, 7).In("b.json"); got.File != "a.json" {
		t.Errorf("In keeps the position's own file: %+v", got)
	}
}

// TestPosInside checks the mapping of a position inside an embedded
// document to its file: the first line is shifted by the start's column,
// the others by its line only; offsets add up when both are known.
func TestPosInside(t *testing.T) {
	start := Pos{File: "auth.json", Line: 10, Col: 31, Offset: 400}
	tests := []struct {
		inner, want Pos
	}{
		{Pos{Line: 1, Col: 1, Offset: 0}, Pos{File: "auth.json", Line: 10, Col: 31, Offset: 400}},
		{Pos{Line: 1, Col: 5, Offset: 4}, Pos{File: "auth.json", Line: 10, Col: 35, Offset: 404}},
		{Pos{Line: 3, Col: 5, Offset: 60}, Pos{File: "auth.json", Line: 12, Col: 5, Offset: 460}},
		{At("", 3, 5), Pos{File: "auth.json", Line: 12, Col: 5, Offset: -1}},
		{Pos{}, Pos{}},
	}
	for _, tc := range tests {
		if got := start.Inside(tc.inner); got != tc.want {
			t.Errorf("Inside(%+v) = %+v, want %+v", tc.inner, got, tc.want)
		}
	}
}

// TestParseStart checks that a document embedded in a larger file reports
// positions of that file, in the model and in errors.
func TestParseStart(t *testing.T) {
	doc := "{\"Statement\": [\n  {\"Effect\": \"Alow\", \"Action\": \"*\", \"Resource\": \"*\"}]}"
	_, err := ParseString(doc, Options{Source: "auth.json", Start: Pos{File: "auth.json", Line: 7, Col: 30, Offset: 200}})
	if err == nil || err.Error() != `auth.json:8:4: Effect must be "Allow" or "Deny" (case-sensitive), not "Alow"` {
		t.Fatalf("err = %v", err)
	}
	list := err.(ErrorList)
	if list[0].Pos.Offset != 200+19 {
		t.Errorf("offset %d, want %d", list[0].Pos.Offset, 200+19)
	}
	p, err := ParseString(doc[:16]+"  {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}]}", Options{Source: "auth.json", Start: At("auth.json", 7, 30)})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Pos.String(); got != "auth.json:7:30" {
		t.Errorf("document at %s", got)
	}
	if got := p.Statements[0].EffectPos.String(); got != "auth.json:8:4" {
		t.Errorf("Effect at %s", got)
	}
}

// TestLocationsUseOneFormat keeps Pos.String the one text form of a
// location: no Go file outside this package formats a line and a column
// itself (write policy.At(file, line, col) and print it).
func TestLocationsUseOneFormat(t *testing.T) {
	own := regexp.MustCompile(`"[^"\n]*%(s|d):%d(:%d)?[:" )]`)
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "testdata", "node_modules", ".git", "policy":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(data), "\n") {
			if own.MatchString(line) && !strings.Contains(line, "http://%s:%d") {
				t.Errorf("%s:%d formats a location itself (use policy.Pos): %s", path, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
