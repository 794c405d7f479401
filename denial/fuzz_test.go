package denial

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that no input makes Parse panic and that every result
// keeps the contract's invariants: a recognised denial has next steps, an
// unrecognised one has none, an action is service:Name, and the result
// encodes as JSON.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/corpus/*.txt")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, err := Parse(in, Options{ActionCanonicalizer: fakeCanonicalizer})
		if err != nil {
			if d != nil {
				t.Fatalf("non-nil denial with error %v", err)
			}
			return
		}
		if d.Recognized != (len(d.NextSteps) > 0) {
			t.Fatalf("recognized=%v with %d next steps", d.Recognized, len(d.NextSteps))
		}
		if d.Action != nil && !isActionToken(*d.Action) {
			t.Fatalf("action %q is not service:Name", *d.Action)
		}
		switch d.Deny {
		case DenyExplicit, DenyImplicit, DenyUnknown:
		default:
			t.Fatalf("deny %q", d.Deny)
		}
		if _, err := json.Marshal(d); err != nil {
			t.Fatal(err)
		}
	})
}
