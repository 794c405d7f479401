package snapshot

import (
	"strings"
	"testing"
)

const exampleEnv = "../examples/env"

func loadExample(t testing.TB) *Environment {
	t.Helper()
	env, err := LoadFile(exampleEnv, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func TestExampleEnvironmentLoads(t *testing.T) {
	env := loadExample(t)
	s := env.Stats
	if s.Users != 1 || s.Groups != 1 || s.Roles != 5 || s.ManagedPolicies != 5 || s.Resources != 3 {
		t.Errorf("stats = %+v", s)
	}
	if s.DuplicateAWSManaged != 0 || s.NonDefaultVersions != 1 || s.AuthorizationFiles != 2 {
		t.Errorf("stats = %+v", s)
	}
	if len(env.Missing) != 0 {
		t.Errorf("missing = %v", env.Missing)
	}
	if len(env.Warnings) != 0 {
		t.Errorf("warnings = %v", env.Warnings)
	}
	if got := strings.Join(env.AccountIDs(), ","); got != "111122223333,210987654321,444455556666" {
		t.Errorf("accounts = %s", got)
	}
}
