package junit

import (
	"bytes"
	"testing"

	"github.com/iamwhy/iamwhy/internal/golden"
)

// TestAddAndWrite checks that suites keep the order of their first case,
// that failures and errors are counted apart at both levels, and the XML
// against a golden file.
func TestAddAndWrite(t *testing.T) {
	var s Suites
	s.Add("a.yaml", Case{Name: "passes", Classname: "a", SystemOut: "allowed"})
	s.Add("b.yaml", Case{Name: "wrong", Classname: "b", Failure: &Problem{Message: "expected allow, got deny", Type: "decision", Text: "why"}})
	s.Add("a.yaml", Case{Name: "broken", Classname: "a", Error: &Problem{Message: "invalid policy", Type: "error"}})
	if s.Tests != 3 || s.Failures != 1 || s.Errors != 1 || len(s.Suites) != 2 || s.Suites[0].Name != "a.yaml" ||
		s.Suites[0].Tests != 2 || s.Suites[0].Errors != 1 || s.Suites[0].Failures != 0 || s.Suites[1].Failures != 1 {
		t.Fatalf("counts %+v", s)
	}
	var buf bytes.Buffer
	if err := Write(&buf, &s); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/report.xml", buf.Bytes())
}
