package eval

import (
	"os"
	"strings"
	"testing"
)

// The README's library snippet is the body of Example_readme's helper (so
// it compiles and runs): the two must not drift apart.
func TestReadmeSnippetIsTheExample(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Skip("README.md not beside the package:", err)
	}
	ex, err := os.ReadFile("example_more_test.go")
	if err != nil {
		t.Fatal(err)
	}
	sec := string(readme)
	i := strings.Index(sec, "## As a library\n```go\n")
	if i < 0 {
		t.Fatal("README has no \"## As a library\" Go snippet")
	}
	sec = sec[i+len("## As a library\n```go\n"):]
	snippet := sec[:strings.Index(sec, "```")]
	body := string(ex)
	b, e := strings.Index(body, "// README begin\n"), strings.Index(body, "\t// README end")
	if b < 0 || e < b {
		t.Fatal("example_more_test.go lacks the README markers")
	}
	var lines []string
	for _, l := range strings.Split(body[b+len("// README begin\n"):e], "\n") {
		lines = append(lines, strings.TrimPrefix(l, "\t"))
	}
	if got, want := strings.TrimSpace(snippet), strings.TrimSpace(strings.Join(lines, "\n")); got != want {
		t.Errorf("README snippet:\n%s\n\nExample_readme:\n%s", got, want)
	}
}
