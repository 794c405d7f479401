package policy

import (
	"errors"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func yamlNode(t *testing.T, text string) *yaml.Node {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(text), &n); err != nil {
		t.Fatal(err)
	}
	return &n
}

// TestParseYAMLPositions checks that a document written in YAML keeps the
// line and column of every element in the YAML file.
func TestParseYAMLPositions(t *testing.T) {
	text := `policies:
  read:
    Version: 2012-10-17
    Id: doc
    Statement:
      - Sid: Read
        Effect: Allow
        Principal: {AWS: 111122223333}
        Action: [s3:GetObject, s3:ListBucket]
        Resource: "*"
        Condition:
          Bool: {aws:SecureTransport: true}
          NumericLessThan: {s3:max-keys: 10}
`
	root := yamlNode(t, text)
	doc := root.Content[0].Content[1].Content[1] // policies.read
	p, err := ParseYAML(doc, Options{Source: "org.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	s := p.Statements[0]
	checks := []struct {
		what string
		pos  Pos
		want string
	}{
		{"document", p.Pos, "org.yaml:3:5"},
		{"Version", p.VersionPos, "org.yaml:3:5"},
		{"Id", p.IDPos, "org.yaml:4:5"},
		{"statement", s.Pos, "org.yaml:6:9"},
		{"Sid", s.SidPos, "org.yaml:6:9"},
		{"Effect", s.EffectPos, "org.yaml:7:9"},
		{"Principal entry", s.Principal.Entries[0].Pos, "org.yaml:8:26"},
		{"Action[1]", s.Action.Values[1].Pos, "org.yaml:9:32"},
		{"Resource", s.Resource.Pos, "org.yaml:10:9"},
		{"condition key", s.Conditions[0].KeyPos, "org.yaml:12:18"},
		{"condition value", s.Conditions[1].Values[0].Pos, "org.yaml:13:42"},
	}
	for _, c := range checks {
		if got := c.pos.String(); got != c.want {
			t.Errorf("%s at %s, want %s", c.what, got, c.want)
		}
	}
	// Unquoted scalars are the text IAM expects: the account ID and the
	// date are strings, the number is its text.
	if p.Version != Version2012 || s.Principal.Entries[0].Value != "111122223333" || s.Conditions[1].Values[0].Text != "10" {
		t.Errorf("version %q principal %q value %q", p.Version, s.Principal.Entries[0].Value, s.Conditions[1].Values[0].Text)
	}
}

// TestParseYAMLErrors checks that errors in a YAML document name the YAML
// file's line and column.
func TestParseYAMLErrors(t *testing.T) {
	tests := []struct {
		rule, text, want string
	}{
		{"a grammar error names the element's YAML position",
			"Version: \"2012-10-17\"\nStatement:\n  - Effect: Alow\n    Action: \"*\"\n    Resource: \"*\"\n",
			`scp.yaml:3:5: Effect must be "Allow" or "Deny"`},
		{"a type rule names the element's YAML position",
			"Version: \"2012-10-17\"\nStatement:\n  - Effect: Allow\n    Principal: \"*\"\n    Action: \"*\"\n    Resource: \"*\"\n",
			`scp.yaml:4:5: Principal is not allowed`},
		{"a document that is not a mapping is refused with its position",
			"- Effect: Allow\n",
			"scp.yaml:1:1: a policy document must be a mapping, found a list"},
		{"alias expansion is bounded",
			"a: &a [" + strings.Repeat("x,", 2000) + "x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n",
			"once YAML aliases are expanded"},
	}
	for _, tc := range tests {
		t.Run(tc.rule, func(t *testing.T) {
			_, err := ParseYAML(yamlNode(t, tc.text), Options{Type: TypeIdentity, Source: "scp.yaml"})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// FuzzParseYAML feeds arbitrary YAML to the YAML path. No input may panic or
// expand without bound; every error position must lie inside the input.
func FuzzParseYAML(f *testing.F) {
	f.Add("Version: 2012-10-17\nStatement:\n  - Effect: Allow\n    Action: s3:GetObject\n    Resource: \"*\"\n")
	f.Add("Statement: {Effect: Deny, NotAction: [iam:*], Resource: '*', Condition: {Bool: {aws:MultiFactorAuthPresent: false}}}\n")
	f.Add("a: &a [x, x]\nStatement: [*a, *a]\n")
	f.Add("- 1\n")
	f.Fuzz(func(t *testing.T, text string) {
		var n yaml.Node
		if yaml.Unmarshal([]byte(text), &n) != nil {
			return
		}
		// YAML also ends lines at CR, and yaml.v3 places an empty document after "---" on the line after the input.
		lines := strings.Count(text, "\n") + strings.Count(text, "\r") + 2
		_, err := ParseYAML(&n, Options{Type: TypeIdentity, Source: "fuzz.yaml"})
		var list ErrorList
		if errors.As(err, &list) {
			for _, e := range list {
				if e.Pos.Line > lines {
					t.Fatalf("error position %s outside the input (%d lines): %v", e.Pos, lines, e)
				}
			}
		}
	})
}
