package snapshot

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCollectOrganizationScript runs scripts/collect-organization.sh against
// a stand-in for the AWS CLI and loads what it writes.
func TestCollectOrganizationScript(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	out := t.TempDir()
	fake, err := filepath.Abs("testdata/fakeaws/aws")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "../scripts/collect-organization.sh", out)
	cmd.Env = append(os.Environ(), "AWS="+fake)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, msg)
	}
	env := New(Options{})
	if err := env.LoadOrganizationFile(filepath.Join(out, "organization.yaml")); err != nil {
		data, _ := os.ReadFile(filepath.Join(out, "organization.yaml"))
		t.Fatalf("%v\n%s", err, data)
	}
	if len(env.Warnings) != 0 {
		t.Errorf("warnings = %v", env.Warnings)
	}
	o := env.Organization
	if o.ID != "o-abc1234567" || o.ManagementAccount != "210987654321" || len(o.Policies) != 4 {
		t.Errorf("organisation = %+v", o)
	}
	levels, ok := env.SCPLevels("444455556666")
	if !ok || len(levels) != 3 || levels[1].Node.Name != "prod" || len(levels[1].Policies) != 2 {
		t.Fatalf("levels = %+v", levels)
	}
	if !strings.Contains(string(levels[1].Policies[1].Document.JSON), "aws:RequestedRegion") {
		t.Errorf("p-region12 = %s", levels[1].Policies[1].Document.JSON)
	}
	n, _ := o.AccountNode("210987654321")
	if n.Name != `management "main"` {
		t.Errorf("account name = %q", n.Name)
	}
	rl, _ := env.RCPLevels("111122223333")
	if len(rl[1].Policies) != 2 || rl[1].Policies[1].ID != "p-orgonly1" {
		t.Errorf("RCP levels = %+v", rl)
	}
}
