package policy

import (
	"os"
	"path/filepath"
	"testing"
)

// docCases are realistic documents from AWS's documentation, each with the
// policy type it is used as. Every one must parse both for its type and as
// TypeAny.
var docCases = []struct {
	file       string
	typ        Type
	statements int
	conditions int // total Condition entries (operator x key)
}{
	{"s3_bucket_policy.json", TypeResource, 5, 3},
	{"kms_key_policy.json", TypeResource, 4, 4},
	{"trust_ec2.json", TypeTrust, 1, 0},
	{"trust_oidc.json", TypeTrust, 2, 3},
	{"identity_home_folder.json", TypeIdentity, 4, 7},
	{"boundary.json", TypeBoundary, 2, 0},
	{"session.json", TypeSession, 1, 0},
	{"scp_region_guardrail.json", TypeSCP, 1, 2},
	{"scp_full_access.json", TypeSCP, 1, 0},
	{"rcp_full_access.json", TypeRCP, 1, 0},
	{"rcp_enforce_tls.json", TypeRCP, 2, 3},
	{"vpce_default.json", TypeVPCEndpoint, 1, 0},
	{"vpce_restricted.json", TypeVPCEndpoint, 2, 1},
}

func readDoc(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "docs", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestParseAWSDocumentExamples(t *testing.T) {
	for _, tc := range docCases {
		t.Run(tc.file, func(t *testing.T) {
			data := readDoc(t, tc.file)
			for _, typ := range []Type{tc.typ, TypeAny} {
				p, err := Parse(data, Options{Type: typ, Source: tc.file})
				if err != nil {
					t.Fatalf("as %s: %v", typ, err)
				}
				if len(p.Statements) != tc.statements {
					t.Errorf("as %s: %d statements, want %d", typ, len(p.Statements), tc.statements)
				}
				n := 0
				for _, s := range p.Statements {
					n += len(s.Conditions)
				}
				if n != tc.conditions {
					t.Errorf("as %s: %d conditions, want %d", typ, n, tc.conditions)
				}
				if errs := p.Validate(tc.typ); len(errs) != 0 {
					t.Errorf("Validate(%s): %v", tc.typ, errs)
				}
			}
		})
	}
}
