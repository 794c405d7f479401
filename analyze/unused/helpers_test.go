package unused

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeJSON(t *testing.T, dir, name string, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func keys[V any](m map[string]V) []string { return sortedKeys(m) }

func FuzzParseLastAccessed(f *testing.F) {
	for _, p := range []string{"testdata/last-accessed-idle.json", "testdata/last-accessed-bad.json"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"JobStatus":"COMPLETED","ServicesLastAccessed":[{"ServiceNamespace":"s3"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		la, err := ParseLastAccessed("f", "arn:aws:iam::111122223333:role/x", data)
		if err == nil && la.Principal == "" {
			t.Fatal("no principal")
		}
	})
}
