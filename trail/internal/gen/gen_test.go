package gen

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/iamwhy/iamwhy/snapshot"
)

// TestGenerate checks the layout, that every record is valid JSON with the
// fields a CloudTrail record has, the denied share, and determinism.
func TestGenerate(t *testing.T) {
	run := func(dir string) Result {
		res, err := Generate(Options{Dir: dir, Bytes: 600 << 10, RecordsPerFile: 200, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	a, b := t.TempDir(), t.TempDir()
	ra, rb := run(a), run(b)
	if ra != rb {
		t.Errorf("not deterministic: %+v vs %+v", ra, rb)
	}
	files, _ := filepath.Glob(filepath.Join(a, "AWSLogs", "*", "CloudTrail", "*", "2025", "03", "01", "*_CloudTrail_*.json.gz"))
	if int64(len(files)) != ra.Files || ra.Files < 2 {
		t.Fatalf("%d files in the S3 layout, result says %d", len(files), ra.Files)
	}
	var records, denied int64
	for _, f := range files {
		zb, _ := os.ReadFile(f)
		other, _ := os.ReadFile(filepath.Join(b, f[len(a):]))
		if !bytes.Equal(zb, other) {
			t.Errorf("%s differs between runs", f)
		}
		zr, err := gzip.NewReader(bytes.NewReader(zb))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(zr)
		var doc struct {
			Records []struct {
				EventID, EventTime, EventSource, EventName, ErrorCode string
				UserIdentity                                          struct{ Type string }
			}
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, r := range doc.Records {
			records++
			if r.EventID == "" || r.EventTime == "" || r.EventSource == "" || r.EventName == "" || r.UserIdentity.Type == "" {
				t.Fatalf("incomplete record %+v", r)
			}
			switch r.ErrorCode {
			case "AccessDenied", "AccessDeniedException", "Client.UnauthorizedOperation", "AuthorizationError":
				denied++
			}
		}
	}
	if records != ra.Records || denied != ra.Denied {
		t.Errorf("read %d records, %d denied; result says %d, %d", records, denied, ra.Records, ra.Denied)
	}
	if share := float64(denied) / float64(records); share < 0.01 || share > 0.03 {
		t.Errorf("denied share %.3f, want about 0.02", share)
	}
}

// TestRolesMatchEnv checks that with Options.Roles every role session of
// the trail belongs to a role of the environment WriteEnv writes for the
// same count, that most of those roles make calls, and that the
// environment is written identically twice.
func TestRolesMatchEnv(t *testing.T) {
	const roles = 30
	dir, envA, envB := t.TempDir(), t.TempDir(), t.TempDir()
	if _, err := Generate(Options{Dir: dir, Bytes: 1 << 20, RecordsPerFile: 200, Seed: 5, Roles: roles}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{envA, envB} {
		if err := WriteEnv(d, roles); err != nil {
			t.Fatal(err)
		}
	}
	env, err := snapshot.LoadFile(envA, snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, acct := range accounts {
		a, _ := os.ReadFile(filepath.Join(envA, "accounts", acct, "authorization-details.json"))
		b, _ := os.ReadFile(filepath.Join(envB, "accounts", acct, "authorization-details.json"))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("account %s: environment missing or not deterministic", acct)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "AWSLogs", "*", "CloudTrail", "*", "*", "*", "*", "*.json.gz"))
	seen := map[string]bool{}
	for _, f := range files {
		zb, _ := os.ReadFile(f)
		zr, err := gzip.NewReader(bytes.NewReader(zb))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(zr)
		var doc struct {
			Records []struct {
				UserIdentity struct {
					Type           string
					SessionContext struct{ SessionIssuer struct{ Arn string } }
				}
			}
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		for _, r := range doc.Records {
			if r.UserIdentity.Type != "AssumedRole" {
				continue
			}
			issuer := r.UserIdentity.SessionContext.SessionIssuer.Arn
			if _, ok := env.Role(issuer); !ok {
				t.Fatalf("session of %s, which the environment lacks", issuer)
			}
			seen[issuer] = true
		}
	}
	if len(seen) < roles*9/10 {
		t.Errorf("%d of %d roles made calls", len(seen), roles)
	}
	if _, err := Generate(Options{Dir: t.TempDir(), Bytes: 1 << 10, Roles: 2}); err == nil {
		t.Error("fewer roles than accounts accepted")
	}
}
