package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGenerateCommand(t *testing.T) {
	trailFile := "../../analyze/generate/testdata/trail.json"
	stdout, stderr, code := runCLI(t, "generate", "--principal", "arn:aws:iam::111122223333:role/app", trailFile)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var doc struct {
		Version   string
		Statement []map[string]any
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil || doc.Version != "2012-10-17" || len(doc.Statement) == 0 {
		t.Fatalf("default output is not a policy document: %v\n%s", err, stdout)
	}
	if !strings.Contains(stderr, "verified") {
		t.Errorf("stderr does not say the policy was verified: %s", stderr)
	}

	stdout, _, code = runCLI(t, "generate", "--principal", "arn:aws:iam::111122223333:role/app", "-o", "json", trailFile)
	var res map[string]any
	if code != 0 || json.Unmarshal([]byte(stdout), &res) != nil {
		t.Fatalf("exit %d: %s", code, stdout)
	}
	for _, k := range []string{"format_version", "principal", "window", "events", "policy", "not_covered", "notes"} {
		if _, ok := res[k]; !ok {
			t.Errorf("json output lacks %s", k)
		}
	}

	stdout, _, code = runCLI(t, "generate", "--principal", "not-an-arn", "-o", "json", trailFile)
	if code != 2 || !strings.Contains(stdout, `"error"`) {
		t.Errorf("bad principal: exit %d, %s", code, stdout)
	}
	_, _, code = runCLI(t, "generate", "--principal", "arn:aws:iam::111122223333:role/app", "testdata/does-not-exist.json")
	if code == 0 {
		t.Errorf("unreadable input: exit 0")
	}
}

// --env checks the principal against the environment and says on standard
// error which calls the environment's other layers still refuse.
func TestGenerateCommandEnv(t *testing.T) {
	stdout, stderr, code := runCLI(t, "generate", "--env", "../../examples/env", "--principal", "developer", "--include-denied", "-o", "json", "../../examples/trail/cloudtrail.json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		Principal    string
		Verification struct {
			Environment *struct {
				Requests, Denied int
			}
		}
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || res.Verification.Environment == nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	if res.Principal != "arn:aws:iam::111122223333:role/developer" || res.Verification.Environment.Denied != 2 {
		t.Errorf("%+v", res)
	}
	if !strings.Contains(stderr, "still refused") || !strings.Contains(stderr, "(boundary)") {
		t.Errorf("stderr: %s", stderr)
	}
	_, _, code = runCLI(t, "generate", "--env", "../../examples/env", "--principal", "arn:aws:iam::111122223333:role/nobody", "../../examples/trail/cloudtrail.json")
	if code != 2 {
		t.Errorf("principal not in the environment: exit %d", code)
	}
}

// A policy that fails verification is printed with the reasons on
// standard error and exit status 3; a policy beyond --max-policy-size is
// printed as an array of documents, and standard error says it is split.
func TestGenerateCommandVerificationAndSplit(t *testing.T) {
	dir := t.TempDir()
	throttled := filepath.Join(dir, "throttled.json")
	rec := `{"Records":[{"eventVersion":"1.09","eventID":"e1","eventTime":"2026-01-01T00:00:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole",` +
		`"awsRegion":"us-east-1","recipientAccountId":"111122223333","errorCode":"ThrottlingException","requestParameters":null,"userIdentity":{"type":"AssumedRole",` +
		`"arn":"arn:aws:sts::111122223333:assumed-role/app/s","accountId":"111122223333","sessionContext":{"sessionIssuer":{"type":"Role",` +
		`"arn":"arn:aws:iam::111122223333:role/app","accountId":"111122223333","userName":"app"}}}}]}`
	if err := os.WriteFile(throttled, []byte(rec), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runCLI(t, "generate", "--principal", "arn:aws:iam::111122223333:role/app", throttled)
	if code != 3 || !strings.Contains(stderr, "failed verification") || !strings.Contains(stderr, "SECURITY_WARNING") || !strings.Contains(stdout, `"sts:AssumeRole"`) {
		t.Errorf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}

	stdout, stderr, code = runCLI(t, "generate", "--principal", "arn:aws:iam::111122223333:role/app", "--max-policy-size", "600", "../../analyze/generate/testdata/trail.json")
	var docs []struct{ Version string }
	if code != 0 || json.Unmarshal([]byte(stdout), &docs) != nil || len(docs) < 2 || !strings.Contains(stderr, "split into") {
		t.Errorf("exit %d, %d documents\nstdout %s\nstderr %s", code, len(docs), stdout, stderr)
	}
}

// TestGenerateNothingToGenerateFrom: no readable input, or no counted
// call of the principal, is exit status 2 and no policy: an empty policy
// with exit 0 would say the principal needs nothing.
func TestGenerateNothingToGenerateFrom(t *testing.T) {
	trailFile := "../../analyze/generate/testdata/trail.json"
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"empty directory", []string{"--principal", "arn:aws:iam::111122223333:role/app", t.TempDir()}, "no input could be read"},
		{"another principal", []string{"--principal", "arn:aws:iam::111122223333:role/nobody", trailFile}, "0 of them by the principal"},
		{"outside the window", []string{"--principal", "arn:aws:iam::111122223333:role/app", "--since", "2001-01-01T00:00:00Z", "--until", "2001-01-02T00:00:00Z", trailFile}, "none counted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := runCLI(t, append([]string{"generate"}, tc.args...)...)
			if code != 2 || stdout != "" || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2, no policy, %q", code, stdout, stderr, tc.want)
			}
			stdout, _, code = runCLI(t, append([]string{"generate", "-o", "json"}, tc.args...)...)
			if code != 2 || !strings.Contains(stdout, `"error"`) || strings.Contains(stdout, `"Statement"`) {
				t.Errorf("json: exit %d, %s", code, stdout)
			}
		})
	}
}
