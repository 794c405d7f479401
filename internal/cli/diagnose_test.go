package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

type diagnoseJSON struct {
	Request struct {
		Principal, Action, Resource string
		ResourceAccount             string              `json:"resource_account"`
		Context                     map[string][]string `json:"context"`
	} `json:"request"`
	Decision  string `json:"decision"`
	RootCause *struct {
		Layer     string  `json:"layer"`
		Policy    string  `json:"policy"`
		Statement *string `json:"statement"`
		Condition *struct {
			Operator string   `json:"operator"`
			Key      string   `json:"key"`
			Expected []string `json:"expected"`
			Actual   []string `json:"actual"`
		} `json:"condition"`
		Summary string `json:"summary"`
	} `json:"root_cause"`
	Fixes []struct {
		Layer               string          `json:"layer"`
		Target              string          `json:"target"`
		Document            json.RawMessage `json:"document"`
		Verified            bool            `json:"verified"`
		GrantsBeyondRequest bool            `json:"grants_beyond_request"`
	} `json:"fixes"`
	Candidates  []string `json:"candidates"`
	MissingKeys []string `json:"missing_context_keys"`
	Findings    []struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"findings"`
}

func runDiagnoseJSON(t *testing.T, wantCode int, args ...string) diagnoseJSON {
	t.Helper()
	stdout, stderr, code := runCLI(t, append([]string{"diagnose", "--env", "../../examples/env", "-o", "json"}, args...)...)
	if code != wantCode {
		t.Fatalf("exit %d, want %d; stderr %s\nstdout %s", code, wantCode, stderr, stdout)
	}
	var out diagnoseJSON
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
	}
	return out
}

func (d diagnoseJSON) finding(code string) bool {
	for _, f := range d.Findings {
		if f.Code == code {
			return true
		}
	}
	return false
}

// The KMS pitfall from a message: the key policy (another account's key)
// does not grant the role; the fix goes into the key policy, and is proven.
func TestDiagnoseMessageKMSKeyPolicy(t *testing.T) {
	out := runDiagnoseJSON(t, 0, "--context", "aws:RequestedRegion=eu-west-1",
		"User: arn:aws:sts::111122223333:assumed-role/config-reader/config-loader is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab because no resource-based policy allows the kms:Decrypt action")
	if out.Decision != "implicit-deny" || out.RootCause == nil || out.RootCause.Layer != "resource" {
		t.Fatalf("%+v", out)
	}
	if out.RootCause.Policy != "arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab" || out.RootCause.Statement != nil {
		t.Fatalf("root cause policy %q statement %v", out.RootCause.Policy, out.RootCause.Statement)
	}
	if c := out.RootCause.Condition; c == nil || c.Key != "kms:ViaService" || len(c.Actual) != 0 {
		t.Fatalf("the near miss is the kms:ViaService condition, absent in the request: %+v", out.RootCause.Condition)
	}
	if !out.finding("kms-key-policy") || !out.finding("cross-account") {
		t.Fatalf("findings %+v", out.Findings)
	}
	if len(out.Fixes) == 0 || out.Fixes[0].Layer != "resource" || !out.Fixes[0].Verified || out.Fixes[0].GrantsBeyondRequest {
		t.Fatalf("fixes %+v", out.Fixes)
	}
	if !strings.Contains(strings.Join(out.MissingKeys, " "), "kms:ViaService") {
		t.Fatalf("missing keys %v", out.MissingKeys)
	}
}

// From a CloudTrail record: the context (region, TLS, time, MFA) is rebuilt
// and the SCP region guard is the root cause; no fix is offered for an SCP.
func TestDiagnoseEventSCPRegionGuard(t *testing.T) {
	out := runDiagnoseJSON(t, 0, "--event", "testdata/diagnose/region-denied-event.json")
	if out.Decision != "explicit-deny" || out.RootCause.Layer != "scp" || out.RootCause.Statement == nil {
		t.Fatalf("%+v", out.RootCause)
	}
	if got := out.Request.Context["aws:RequestedRegion"]; len(got) != 1 || got[0] != "ap-southeast-2" {
		t.Fatalf("context %v", out.Request.Context)
	}
	if out.Request.Context["aws:SecureTransport"][0] != "true" || out.Request.Context["aws:CurrentTime"][0] != "2024-03-01T10:00:00Z" {
		t.Fatalf("context %v", out.Request.Context)
	}
	if c := out.RootCause.Condition; c == nil || c.Key != "aws:RequestedRegion" {
		t.Fatalf("condition %+v", out.RootCause.Condition)
	}
	if len(out.Fixes) != 0 || !out.finding("org-policy-deny") || !out.finding("guardrail") || !out.finding("region-condition") {
		t.Fatalf("fixes %+v findings %+v", out.Fixes, out.Findings)
	}
}

// A replay that allows does not invent a cause: exit 4 with candidates.
func TestDiagnoseReplayAllows(t *testing.T) {
	out := runDiagnoseJSON(t, 4, "--event", "testdata/diagnose/allowed-event.json")
	if out.Decision != "allow" || out.RootCause != nil || len(out.Fixes) != 0 || len(out.Candidates) < 3 {
		t.Fatalf("%+v", out)
	}
}

// An explicit request: the permissions boundary; the fix goes into the
// boundary and is proven.
func TestDiagnoseExplicitRequestBoundary(t *testing.T) {
	out := runDiagnoseJSON(t, 0, "--principal", "arn:aws:sts::111122223333:assumed-role/developer/alice",
		"--action", "iam:CreateRole", "--resource", "arn:aws:iam::111122223333:role/app/new-role", "--context", "aws:RequestedRegion=us-east-1")
	if out.RootCause == nil || out.RootCause.Layer != "boundary" || out.RootCause.Policy != "arn:aws:iam::111122223333:policy/DeveloperBoundary" {
		t.Fatalf("%+v", out.RootCause)
	}
	if len(out.Fixes) != 1 || out.Fixes[0].Target != "arn:aws:iam::111122223333:policy/DeveloperBoundary" || !out.Fixes[0].Verified || out.Fixes[0].GrantsBeyondRequest {
		t.Fatalf("%+v", out.Fixes)
	}
	if !out.finding("permissions-boundary") {
		t.Fatalf("%+v", out.Findings)
	}
}

// Staging vs production: the same role in staging has no boundary, and
// swapping that layer in explains the denial.
func TestDiagnoseCompareEnvironments(t *testing.T) {
	out := runDiagnoseJSON(t, 0, "--principal", "arn:aws:sts::111122223333:assumed-role/developer/alice",
		"--action", "iam:CreateRole", "--resource", "arn:aws:iam::111122223333:role/app/new-role", "--context", "aws:RequestedRegion=us-east-1",
		"--compare-env", "testdata/diagnose/staging")
	found := false
	for _, f := range out.Findings {
		if f.Code == "environment-difference" && strings.Contains(f.Message, "boundary layer explains it") {
			found = true
		}
	}
	if !found {
		t.Fatalf("findings %+v", out.Findings)
	}
}

func TestDiagnoseNotAnAccessDenied(t *testing.T) {
	_, _, code := runCLI(t, "diagnose", "--env", "../../examples/env", "An error occurred (ThrottlingException): Rate exceeded")
	if code != 3 {
		t.Fatalf("exit %d, want 3", code)
	}
	_, stderr, code := runCLI(t, "diagnose", "--env", "no/such/env", "--principal", "arn:aws:iam::1:user/x", "--action", "s3:GetObject")
	if code != 2 || stderr == "" {
		t.Fatalf("exit %d (%s), want 2", code, stderr)
	}
}

// Eventual consistency: the role was created a minute before the denied
// call, and the replay allows it; that candidate comes first.
func TestDiagnoseEventualConsistency(t *testing.T) {
	out := runDiagnoseJSON(t, 4, "--event", "testdata/diagnose/just-created-event.json")
	if out.Decision != "allow" || len(out.Candidates) == 0 || !strings.Contains(out.Candidates[0], "eventual consistency") {
		t.Fatalf("%+v", out.Candidates)
	}
}

// explain --env goes on to replay the request (spec/explain.md); the
// contract's fields keep their order and "diagnosis" extends them.
func TestExplainWithEnvironment(t *testing.T) {
	stdout, stderr, code := runCLI(t, "explain", "--env", "../../examples/env", "-o", "json",
		"User: arn:aws:sts::111122223333:assumed-role/developer/alice is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::111122223333:role/app/new-role because no permissions boundary allows the iam:CreateRole action")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var out struct {
		PolicyType string       `json:"policy_type"`
		Diagnosis  diagnoseJSON `json:"diagnosis"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	if out.PolicyType != "boundary" || out.Diagnosis.RootCause == nil || out.Diagnosis.RootCause.Layer != "boundary" {
		t.Fatalf("%+v", out)
	}
	if !strings.HasPrefix(strings.TrimSpace(stdout), "{\n  \"recognized\"") {
		t.Fatalf("the contract's fields come first:\n%s", stdout[:80])
	}
}

// The environment can also be given as the three keys of a check file's
// environment block (spec/explain.md: "--env or the flags of iamwhy
// check's environment").
func TestDiagnoseEnvironmentFlags(t *testing.T) {
	stdout, stderr, code := runCLI(t, "diagnose", "-o", "json",
		"--authorization-details", "../../examples/env/accounts/111122223333/authorization-details.json",
		"--organization", "../../examples/env/organization.yaml",
		"--principal", "arn:aws:sts::111122223333:assumed-role/developer/alice", "--action", "iam:CreateRole",
		"--resource", "arn:aws:iam::111122223333:role/app/new-role", "--context", "aws:RequestedRegion=us-east-1")
	if code != 0 || !strings.Contains(stdout, `"layer": "boundary"`) {
		t.Fatalf("exit %d %s\n%s", code, stderr, stdout)
	}
	_, stderr, code = runCLI(t, "diagnose", "--env", "../../examples/env", "--organization", "x.yaml", "--principal", "arn:aws:iam::111122223333:user/alice", "--action", "s3:GetObject")
	if code != 2 || !strings.Contains(stderr, "not both") {
		t.Fatalf("exit %d %s", code, stderr)
	}
}
