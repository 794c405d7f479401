package cli

import (
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/internal/golden"
)

// compareGolden compares got with testdata/DIR/NAME (go test -update
// rewrites it).
func compareGolden(t *testing.T, dir, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", dir, name), got)
}

func TestActionsCommand(t *testing.T) {
	tests := []struct {
		rule   string
		args   []string
		golden string
		code   int
	}{
		{"pattern with wildcard", []string{"actions", "s3:GetObjectVersion*"}, "pattern.txt", 0},
		{"several patterns merge in catalog order", []string{"actions", "sts:AssumeRole*", "iam:PassRole"}, "patterns.txt", 0},
		{"access level filter", []string{"actions", "iam:*Policy", "--access-level", "Permissions-management"}, "access-level.txt", 0},
		{"details", []string{"actions", "s3:GetObject", "--details"}, "details.txt", 0},
		{"details json", []string{"actions", "ec2:RunInstances", "--details", "--output", "json"}, "details.json", 0},
		{"actions for a resource", []string{"actions", "--resource", "arn:aws:sqs:us-east-1:123456789012:queue1", "--access-level", "Read"}, "resource.txt", 0},
		{"resource and pattern intersect", []string{"actions", "sts:*", "--resource", "arn:aws:iam::123456789012:role/R", "-o", "json"}, "resource-pattern.json", 0},
		{"nothing matches exits 1", []string{"actions", "nosuch:*"}, "none.txt", 1},
		{"pattern without prefix gets a hint", []string{"actions", "s3"}, "no-prefix.txt", 1},
		{"ARN that fits no type exits 1", []string{"actions", "--resource", "arn:aws:nosuch:us-east-1:123456789012:x/y"}, "resource-none.txt", 1},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			out, errOut, code := runCLI(t, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, tt.code, errOut)
			}
			compareGolden(t, "actions", tt.golden, []byte(out))
		})
	}
}

func TestActionsCommandErrors(t *testing.T) {
	tests := []struct {
		rule    string
		args    []string
		wantErr string
	}{
		{"no pattern nor resource", []string{"actions"}, "give an action pattern"},
		{"bad access level", []string{"actions", "s3:*", "--access-level", "Admin"}, `--access-level "Admin"`},
		{"bad output", []string{"actions", "s3:*", "-o", "yaml"}, `--output "yaml"`},
		{"malformed ARN", []string{"actions", "--resource", "my-bucket"}, "is not an ARN"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			_, errOut, code := runCLI(t, tt.args...)
			if code != 2 || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("exit %d stderr %q; want 2 and %q", code, errOut, tt.wantErr)
			}
		})
	}
}

func TestActionsAllCountsEveryAction(t *testing.T) {
	out, _, code := runCLI(t, "actions", "*")
	want := catalog.Default().Info().Actions
	if code != 0 || strings.Count(out, "\n") != want+1 {
		t.Errorf("exit %d, %d lines for %d actions", code, strings.Count(out, "\n"), want)
	}
}

// BenchmarkActionsAll is `iamwhy actions '*'`: match every action and
// render the text table (budget 200 ms).
func BenchmarkActionsAll(b *testing.B) {
	opts := &actionsOptions{Catalog: catalog.Default(), Patterns: []string{"*"}, Output: "text"}
	for b.Loop() {
		if err := runActions(io.Discard, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkActionsAllJSON(b *testing.B) {
	opts := &actionsOptions{Catalog: catalog.Default(), Patterns: []string{"*"}, Output: "json"}
	for b.Loop() {
		if err := runActions(io.Discard, opts); err != nil {
			b.Fatal(err)
		}
	}
}
