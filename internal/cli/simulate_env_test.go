package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

const (
	exampleEnvDir = "../../examples/env"
	exampleObject = "arn:aws:s3:::example-data-config/app/settings.json"
)

// TestSimulateEnv runs simulate --env on the decisions of
// examples/env/README.md, and the cases where the environment lacks
// something.
func TestSimulateEnv(t *testing.T) {
	tests := []struct {
		rule      string
		args      []string
		code      int
		decision  string
		decidedBy string
		stderr    string
		gap       string
	}{
		{rule: "row 1: cross-account read, identity and bucket policy allow; a session resolves to its role",
			args: []string{"--principal", "arn:aws:sts::111122223333:assumed-role/config-reader/config-loader", "--action", "s3:GetObject",
				"--resource", exampleObject, "--context", "aws:RequestedRegion=eu-west-1", "--context", "aws:SecureTransport=true"},
			decision: "allow", decidedBy: "identity"},
		{rule: "row 2: the bucket policy denies insecure transport",
			args: []string{"--principal", "arn:aws:sts::111122223333:assumed-role/config-reader/config-loader", "--action", "s3:GetObject",
				"--resource", exampleObject, "--context", "aws:RequestedRegion=eu-west-1", "--context", "aws:SecureTransport=false"},
			decision: "explicit-deny", decidedBy: "resource"},
		{rule: "row 11: the boundary does not allow iam:CreateRole",
			args: []string{"--principal", "arn:aws:sts::111122223333:assumed-role/developer/alice", "--action", "iam:CreateRole",
				"--resource", "arn:aws:iam::111122223333:role/app/new-role", "--context", "aws:RequestedRegion=us-east-1"},
			decision: "implicit-deny", decidedBy: "boundary"},
		{rule: "row 12: the trust policy allows alice with MFA",
			args:     []string{"--principal", "arn:aws:iam::111122223333:user/alice", "--action", "sts:AssumeRole", "--resource", "arn:aws:iam::111122223333:role/developer", "--context", "aws:MultiFactorAuthPresent=true"},
			decision: "allow", decidedBy: "identity"},
		{rule: "a session policy passed on top must allow too",
			args: []string{"--principal", "arn:aws:sts::111122223333:assumed-role/developer/alice", "--action", "lambda:CreateFunction",
				"--resource", "arn:aws:lambda:eu-west-1:111122223333:function:dev-fn", "--context", "aws:RequestedRegion=eu-west-1",
				"--session-policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`},
			decision: "implicit-deny", decidedBy: "session"},
		{rule: "a principal the environment does not hold is an error, exit 2",
			args: []string{"--principal", "arn:aws:iam::111122223333:user/nobody", "--action", "s3:GetObject", "--resource", exampleObject},
			code: 2, stderr: "no such user: not found in the environment"},
		{rule: "a bucket whose policy was not collected is a gap: undetermined, not a deny",
			args: []string{"--principal", "arn:aws:iam::444455556666:role/data-admin", "--action", "s3:GetObject",
				"--resource", "arn:aws:s3:::not-collected/x", "--context", "aws:RequestedRegion=eu-west-1"},
			decision: "undetermined", gap: "arn:aws:s3:::not-collected were not collected"},
		{rule: "a gap cannot lift an explicit deny: the SCP's region guard stands",
			args: []string{"--principal", "arn:aws:iam::444455556666:role/data-admin", "--action", "s3:GetObject",
				"--resource", "arn:aws:s3:::not-collected/x", "--context", "aws:RequestedRegion=ap-southeast-2"},
			decision: "explicit-deny", decidedBy: "scp", gap: "not-collected"},
		{rule: "custom-mode layer flags are refused with --env",
			args: []string{"--principal", "arn:aws:iam::111122223333:user/alice", "--action", "s3:GetObject", "--boundary", "x.json"},
			code: 2, stderr: "--boundary (--permissions-boundary-policy-input-list) cannot be used with --env"},
		{rule: "--policy adds an identity policy to the principal's own (simulate-principal-policy's PolicyInputList)",
			args: []string{"--principal", "arn:aws:sts::111122223333:assumed-role/config-reader/config-loader", "--action", "s3:GetObject",
				"--resource", exampleObject, "--context", "aws:RequestedRegion=eu-west-1", "--context", "aws:SecureTransport=true",
				"--policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}`},
			decision: "explicit-deny", decidedBy: "identity"},
		{rule: "--policy-source-arn names the caller whose policies are simulated",
			args: []string{"--policy-source-arn", "arn:aws:iam::111122223333:user/alice", "--action-names", "sts:AssumeRole",
				"--resource-arns", "arn:aws:iam::111122223333:role/developer", "--context-entries",
				"ContextKeyName=aws:MultiFactorAuthPresent,ContextKeyValues=true,ContextKeyType=boolean"},
			decision: "allow", decidedBy: "identity"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			args := append([]string{"simulate", "--env", exampleEnvDir, "--output", "json"}, tt.args...)
			out, errs, code := runCLI(t, args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, tt.code, errs)
			}
			if tt.stderr != "" && !strings.Contains(errs, tt.stderr) {
				t.Errorf("stderr %q lacks %q", errs, tt.stderr)
			}
			if tt.code != 0 {
				return
			}
			var got struct{ Results []SimulationResult }
			if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.Results) != 1 {
				t.Fatalf("%v: %s", err, out)
			}
			r := got.Results[0]
			if r.Decision != tt.decision || (tt.decidedBy != "" && r.DecidedBy != tt.decidedBy) {
				t.Errorf("decision %s by %s, want %s by %s (%s)", r.Decision, r.DecidedBy, tt.decision, tt.decidedBy, r.Explanation)
			}
			if tt.gap != "" && !strings.Contains(strings.Join(r.Gaps, "\n"), tt.gap) {
				t.Errorf("gaps %q lack %q", r.Gaps, tt.gap)
			}
			if tt.gap == "" && len(r.Gaps) > 0 {
				t.Errorf("unexpected gaps %q", r.Gaps)
			}
		})
	}
}

// TestWhoCanCommand: the allowed principals of the example (README rows
// 12 and 13), denied ones left out unless --all, and the exit status.
func TestWhoCanCommand(t *testing.T) {
	out, errs, code := runCLI(t, "who-can", "sts:AssumeRole", "arn:aws:iam::111122223333:role/developer", "--env", exampleEnvDir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"arn:aws:iam::111122223333:user/alice (user)\n  allowed if: Bool aws:MultiFactorAuthPresent [true]",
		"checked with aws:MultiFactorAuthPresent=[true]"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "role/data-admin") {
		t.Errorf("a denied principal is listed without --all:\n%s", out)
	}
	out, _, code = runCLI(t, "who-can", "sts:AssumeRole", "arn:aws:iam::111122223333:role/developer", "--env", exampleEnvDir,
		"--context", "aws:MultiFactorAuthPresent=true", "--all", "--output", "json")
	var got whoCanJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 0 {
		t.Fatalf("exit %d, %v: %s", code, err, out)
	}
	if got.Allowed != 2 || got.AllowedIf != 0 || len(got.Answers) != got.Principals {
		t.Errorf("allowed %d, allowed if %d, %d answers of %d", got.Allowed, got.AllowedIf, len(got.Answers), got.Principals)
	}
	// SCPs do not restrict the management account: its root user is the
	// only one p-deny-leave-org does not stop (README row 19).
	out, _, code = runCLI(t, "who-can", "organizations:LeaveOrganization", "*", "--env", exampleEnvDir, "--context", "aws:RequestedRegion=us-east-1", "--output", "json")
	got = whoCanJSON{}
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 0 {
		t.Fatalf("exit %d, %v: %s", code, err, out)
	}
	if len(got.Answers) != 1 || got.Answers[0].Principal != "arn:aws:iam::210987654321:root" {
		t.Errorf("answers %+v", got.Answers)
	}
	_, _, code = runCLI(t, "who-can", "s3:PutObject", exampleObject, "--env", exampleEnvDir, "--context", "aws:RequestedRegion=ap-southeast-2")
	if code != 0 {
		t.Errorf("OrganizationAccountAccessRole is exempt from the region guard: exit %d", code)
	}
	_, _, code = runCLI(t, "who-can", "s3:PutObject", "arn:aws:s3:::example-data-config/x", "--env", exampleEnvDir,
		"--context", "aws:RequestedRegion=ap-southeast-2", "--context", "aws:SecureTransport=false")
	if code != 1 {
		t.Errorf("the bucket policy denies insecure transport to everyone: exit %d, want 1", code)
	}
}

// TestCanCommand: effective permissions by service and access level.
func TestCanCommand(t *testing.T) {
	out, errs, code := runCLI(t, "can", "arn:aws:iam::111122223333:role/developer", "--env", exampleEnvDir, "--service", "sqs",
		"--context", "aws:RequestedRegion=eu-west-1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"on any resource of its type in account 111122223333", "sqs: Read ", "Write                    sqs:SendMessage  allowed  [on any queue (sqs) in account 111122223333]"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	_, errs, code = runCLI(t, "can", "arn:aws:iam::111122223333:user/nobody", "--env", exampleEnvDir)
	if code != 2 || !strings.Contains(errs, "not found") {
		t.Errorf("unknown principal: exit %d, %s", code, errs)
	}
}
