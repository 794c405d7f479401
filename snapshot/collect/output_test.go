package collect

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/snapshot"
)

// TestCollectToAFile: Out naming a .yaml or .json file writes that
// environment file, in that format, with its parts in the directory of
// the same name beside it; --env then reads the file.
func TestCollectToAFile(t *testing.T) {
	for _, name := range []string{"prod.yaml", "prod.json"} {
		t.Run(name, func(t *testing.T) {
			cfg, _ := fakeConfig(t)
			dir := t.TempDir()
			out := filepath.Join(dir, "snapshots", name)
			sum, err := Collect(context.Background(), Options{Config: cfg, AssumeRoleName: "OrganizationAccountAccessRole", Out: out})
			if err != nil {
				t.Fatal(err)
			}
			if sum.EnvironmentFile != out {
				t.Errorf("environment file %s, want %s", sum.EnvironmentFile, out)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			isJSON := strings.HasPrefix(string(data), "{")
			if isJSON != strings.HasSuffix(name, ".json") || !strings.Contains(string(data), "prod/accounts/111122223333/authorization-details.json") {
				t.Errorf("%s:\n%s", name, data)
			}
			if _, err := os.Stat(filepath.Join(dir, "snapshots", "prod", "accounts", "111122223333", "authorization-details.json")); err != nil {
				t.Error(err)
			}
			if ents, _ := os.ReadDir(filepath.Join(dir, "snapshots")); len(ents) != 2 {
				t.Errorf("snapshots/ holds %d entries, want the file and its parts (no temporary left)", len(ents))
			}
			env, err := snapshot.LoadFile(out, snapshot.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{"111122223333", "444455556666"} {
				if a := env.Accounts[id]; a == nil || len(a.Roles) == 0 {
					t.Errorf("account %s has no roles after loading %s", id, out)
				}
			}
			// Its own output is replaced.
			if _, err := Collect(context.Background(), Options{Config: cfg, AssumeRoleName: "OrganizationAccountAccessRole", Out: out}); err != nil {
				t.Errorf("collecting again into its own file: %v", err)
			}
		})
	}
}

// TestCollectRefusesToOverwrite: a file or a parts directory that collect
// did not write is refused, and left as it was.
func TestCollectRefusesToOverwrite(t *testing.T) {
	cfg, _ := fakeConfig(t)
	for _, tc := range []struct {
		rule  string
		setup map[string]string // files to write first, relative to the test directory
		out   string
		want  string
	}{
		{"an environment file collect did not write", map[string]string{"env.yaml": "version: 1\nauthorization_details: []\n"}, "env.yaml", "was not written by iamwhy collect"},
		{"a JSON file collect did not write", map[string]string{"env.json": `{"version": 1}`}, "env.json", "was not written by iamwhy collect"},
		{"a parts directory in use", map[string]string{"env/notes.txt": "mine"}, "env.yaml", "is not empty"},
		{"a parts directory beside its file, holding something else", map[string]string{
			"env.yaml": envHeader + "\nversion: 1\n", "env/notes.txt": "mine"}, "env.yaml", "holds notes.txt"},
		{"a directory collect did not write", map[string]string{"out/notes.txt": "mine"}, "out", "holds no environment written by iamwhy collect"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			dir := t.TempDir()
			for p, content := range tc.setup {
				full := filepath.Join(dir, p)
				if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Collect(context.Background(), Options{Config: cfg, Out: filepath.Join(dir, tc.out)})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
			for p, content := range tc.setup {
				if got, err := os.ReadFile(filepath.Join(dir, p)); err != nil || string(got) != content {
					t.Errorf("%s was changed: %q %v", p, got, err)
				}
			}
		})
	}
}
