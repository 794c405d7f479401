package eval

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestTraceJSONListsNeverNull(t *testing.T) {
	tr := Trace{Layers: []LayerTrace{{Layer: LayerIdentity, Statements: []StatementTrace{{Failed: []Mismatch{{Element: ElementCondition}}}}}}}
	b, err := json.Marshal(tr)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{`"notes":[]`, `"warnings":[]`, `"expected":[]`, `"actual":[]`} {
		if !strings.Contains(s, want) {
			t.Errorf("lacks %s: %s", want, s)
		}
	}
	if strings.Contains(s, "null") {
		t.Errorf("a list is null: %s", s)
	}
	b, _ = json.Marshal(Trace{Layers: []LayerTrace{{Layer: LayerIdentity, Statements: []StatementTrace{{}}}}})
	if !strings.Contains(string(b), `"failed":[]`) || !strings.Contains(string(b), `"layer":"identity"`) {
		t.Errorf("statement: %s", b)
	}
	b, _ = json.Marshal(Trace{Layers: []LayerTrace{{}}})
	if !strings.Contains(string(b), `"statements":[]`) {
		t.Errorf("layer: %s", b)
	}
}
