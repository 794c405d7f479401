package snapshot

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyFile copies src to dst, creating dst's directory.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestAuthorizationDetailsTree: authorization_details names a directory
// tree such as the one iamwhy collect writes, and every .json file under
// it is read, at any depth, as when each file is named.
func TestAuthorizationDetailsTree(t *testing.T) {
	dir := t.TempDir()
	for _, acct := range []string{"111122223333", "444455556666"} {
		copyFile(t, filepath.Join("..", "examples", "env", "accounts", acct, "authorization-details.json"),
			filepath.Join(dir, "accounts", acct, "authorization-details.json"))
	}
	// Not authorization details: left out.
	if err := os.WriteFile(filepath.Join(dir, "accounts", "README.md"), []byte("# accounts\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := filepath.Join(dir, "environment.yaml")
	if err := os.WriteFile(env, []byte("version: 1\nauthorization_details: [accounts/]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tree, err := LoadFile(env, Options{})
	if err != nil {
		t.Fatal(err)
	}
	named, err := Load(Spec{AuthorizationDetails: []PathRef{
		{Path: filepath.Join(dir, "accounts", "111122223333", "authorization-details.json")},
		{Path: filepath.Join(dir, "accounts", "444455556666", "authorization-details.json")},
	}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(tree.AccountIDs(), ","), strings.Join(named.AccountIDs(), ","); got != want || got != "111122223333,444455556666" {
		t.Errorf("accounts %s, want %s", got, want)
	}
	for _, id := range named.AccountIDs() {
		a, b := tree.Accounts[id], named.Accounts[id]
		if len(a.Roles) != len(b.Roles) || len(a.Users) != len(b.Users) || len(a.Roles) == 0 {
			t.Errorf("account %s: %d roles %d users from the tree, %d %d named", id, len(a.Roles), len(a.Users), len(b.Roles), len(b.Users))
		}
	}
	if role, ok := tree.RoleARN("arn:aws:sts::111122223333:assumed-role/config-reader/s"); !ok || role != "arn:aws:iam::111122223333:role/service-role/config-reader" {
		t.Errorf("RoleARN %q %v: want the role with its path", role, ok)
	}
}

// TestAuthorizationDetailsTreeRefusals: a tree without authorization
// details, and a .json file in it that is not authorization details, are
// errors that name the path.
func TestAuthorizationDetailsTreeRefusals(t *testing.T) {
	empty := t.TempDir()
	if err := os.MkdirAll(filepath.Join(empty, "accounts", "111122223333"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Load(Spec{AuthorizationDetails: []PathRef{{Path: empty, Where: "env.yaml:2:24"}}}, Options{})
	if err == nil || !strings.Contains(err.Error(), "env.yaml:2:24") || !strings.Contains(err.Error(), "no .json files in the directory or below it") {
		t.Errorf("empty tree: %v", err)
	}
	// A .json file under the tree that is not authorization details (a
	// resource record, when the whole environment directory is named).
	mixed := t.TempDir()
	copyFile(t, filepath.Join("..", "examples", "env", "accounts", "111122223333", "authorization-details.json"),
		filepath.Join(mixed, "accounts", "111122223333", "authorization-details.json"))
	copyFile(t, filepath.Join("..", "examples", "env", "resources", "444455556666", "s3", "example-data-config.json"), filepath.Join(mixed, "resources", "bucket.json"))
	if _, err := Load(Spec{AuthorizationDetails: []PathRef{{Path: mixed}}}, Options{}); err == nil || !strings.Contains(err.Error(), filepath.Join("resources", "bucket.json")) {
		t.Errorf("a resource record in the tree: %v, want an error naming it", err)
	}
}
