package sarif

import (
	"bytes"
	"testing"

	"github.com/iamwhy/iamwhy/internal/golden"
	"github.com/iamwhy/iamwhy/policy"
)

// TestWrite checks the log against a golden file: a result refers to its
// rule by index (and to none when its rule is not listed), a security rule
// carries security-severity, a location without a line names the file
// alone, standard input is "stdin" and paths use forward slashes.
func TestWrite(t *testing.T) {
	rules := []Rule{
		{ID: "R1", Description: "first", HelpURI: "https://example.com/r1", Level: LevelError},
		{ID: "R2", Description: "second", Level: LevelWarning, Security: true},
	}
	results := []Result{
		{RuleID: "R2", Level: LevelWarning, Message: "at a column", Where: policy.At("dir/a.json", 3, 7)},
		{RuleID: "R1", Level: LevelError, Message: "a line only", Where: policy.At("a.yaml", 12, 0)},
		{RuleID: "R1", Level: LevelError, Message: "no line", Where: policy.Pos{File: "b.json"}},
		{RuleID: "R9", Level: LevelNote, Message: "unlisted rule from stdin", Where: policy.At("-", 1, 1)},
	}
	var buf bytes.Buffer
	if err := Write(&buf, Tool{Name: "iamwhy", InformationURI: "https://github.com/iamwhy/iamwhy", Version: "1.2.3"}, rules, results); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/log.sarif", buf.Bytes())
}

// TestWriteEmpty checks that a run without results has an empty list of
// results, not null (code scanning refuses null).
func TestWriteEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, Tool{Name: "iamwhy"}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(buf.Bytes(), []byte(`"results": []`)) || !bytes.Contains(buf.Bytes(), []byte(`"rules": []`)) {
		t.Errorf("empty log:\n%s", buf.Bytes())
	}
}
