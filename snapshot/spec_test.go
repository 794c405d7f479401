package snapshot

import (
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"
)

// A check file's environment: block names the parts relative to the check
// file, or names an environment file.
func TestDecodeSpecFromACheckFile(t *testing.T) {
	abs, err := filepath.Abs(exampleEnv)
	if err != nil {
		t.Fatal(err)
	}
	check := filepath.Join(filepath.Dir(abs), "checks.yaml")
	tests := []struct {
		rule string
		yaml string
	}{
		{"the three keys, relative to the check file", `
environment:
  authorization_details: [env/accounts/111122223333/authorization-details.json, env/accounts/444455556666/authorization-details.json]
  organization: env/organization.yaml
  resource_policies: [env/resources/]
`},
		{"a path to an environment directory", "environment: env\n"},
		{"a path to an environment file", "environment: env/environment.yaml\n"},
	}
	for _, tc := range tests {
		t.Run(tc.rule, func(t *testing.T) {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(tc.yaml), &doc); err != nil {
				t.Fatal(err)
			}
			block := doc.Content[0].Content[1]
			spec, err := DecodeSpec(block, check)
			if err != nil {
				t.Fatal(err)
			}
			env, err := Load(spec, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if env.Stats.Roles != 5 || env.Stats.Resources != 3 || env.OrgID() != "o-exmpl12345" {
				t.Errorf("stats = %+v", env.Stats)
			}
		})
	}
}
