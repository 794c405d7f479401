package denial

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/internal/golden"
)

// fakeCatalog stands in for the catalog package's canonicaliser: the
// canonical spelling of the actions the corpus names in another case.
var fakeCatalog = map[string]string{
	"sqs:sendmessage": "sqs:SendMessage",
	"sns:publish":     "sns:Publish",
	"s3:getobject":    "s3:GetObject",
}

func fakeCanonicalizer(a string) (string, bool) {
	c, ok := fakeCatalog[strings.ToLower(a)]
	return c, ok
}

// catalogOptions are the hooks the CLI passes: the IAM service reference's
// canonical spelling and its operation -> action map.
func catalogOptions() Options {
	c := catalog.Default()
	return Options{
		ActionCanonicalizer: func(a string) (string, bool) {
			if x, ok := c.Action(a); ok {
				return x.FullName, true
			}
			return "", false
		},
		OperationAction: c.OperationAction,
	}
}

// expectedJSON is what a corpus entry's .json file holds: the contract
// fields except next_steps (whose wording may improve), the extensions,
// and the kind of input read, with keys sorted.
func expectedJSON(d *Denial) ([]byte, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	delete(m, "next_steps")
	if others, ok := m["others"].([]any); ok {
		for _, o := range others {
			if om, ok := o.(map[string]any); ok {
				delete(om, "next_steps")
			}
		}
	}
	m["format"] = d.Format
	if d.Via != PolicyUnknown {
		m["via"] = d.Via
	}
	out, err := json.MarshalIndent(m, "", "  ")
	return append(out, '\n'), err
}

// TestCorpus parses every message in testdata/corpus (real messages and
// messages in the documented formats, wrapped as each SDK and the CLI print
// them) and compares the parse with the expected file beside it.
// Entries named notdenied-* must not be recognised.
func TestCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/corpus/*.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 40 {
		t.Fatalf("corpus has %d messages, want at least 40", len(files))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			d, err := Parse(string(in), catalogOptions())
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if strings.HasPrefix(name, "notdenied-") == d.Recognized {
				t.Errorf("recognized = %v for %s", d.Recognized, name)
			}
			if d.Recognized && len(d.NextSteps) == 0 {
				t.Errorf("recognized denial without next steps")
			}
			if !d.Recognized && len(d.NextSteps) != 0 {
				t.Errorf("next steps for an input that is not a denial: %q", d.NextSteps)
			}
			got, err := expectedJSON(d)
			if err != nil {
				t.Fatal(err)
			}
			want := strings.TrimSuffix(f, ".txt") + ".json"
			golden.Check(t, want, got)
		})
	}
}
