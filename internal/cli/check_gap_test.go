package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// A policy that matters and was not collected never gives a green check:
// an SQS queue of another account whose policy is not in the environment,
// asked by a role whose identity policy allows, is undetermined. expect:
// deny fails with the reason (it passed before, with exit 0), and only
// expect: undetermined passes.
func TestCheckUncollectedPolicyIsNotAPass(t *testing.T) {
	env, err := filepath.Abs(filepath.Join(exampleEnvDir, "environment.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	const caseTmpl = `
  - name: %s
    principal: arn:aws:iam::444455556666:role/OrganizationAccountAccessRole
    action: sqs:SendMessage
    resource: arn:aws:sqs:eu-west-1:111122223333:orders
    context:
      aws:RequestedRegion: "eu-west-1"
    expect: %s
`
	for _, tt := range []struct {
		expect string
		code   int
		pass   bool
	}{
		{"deny", 1, false},
		{"implicit-deny", 1, false},
		{"allow", 1, false},
		{"undetermined", 0, true},
	} {
		t.Run(tt.expect, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "gap.yaml")
			body := "version: 1\nenvironment: " + env + "\ncases:" + fmt.Sprintf(caseTmpl, "uncollected queue", tt.expect)
			if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			out, errs, code := runCLI(t, "check", file, "--output", "json")
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %s %s", code, tt.code, out, errs)
			}
			var rep struct {
				Results []struct {
					Decision string  `json:"decision"`
					Pass     bool    `json:"pass"`
					Error    *string `json:"error"`
				} `json:"results"`
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Results) != 1 {
				t.Fatalf("%v: %s", err, out)
			}
			r := rep.Results[0]
			if r.Decision != "undetermined" || r.Pass != tt.pass || r.Error == nil || *r.Error == "" {
				t.Errorf("decision %s pass %v error %v; want undetermined, pass %v, with the reason", r.Decision, r.Pass, r.Error, tt.pass)
			}
		})
	}
}
