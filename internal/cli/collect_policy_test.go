package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// docs/collect-policy.json is the minimal policy `iamwhy collect` needs
// iamwhy lints it (no finding at all) and simulates it: every
// call collect makes is allowed, and writes are not.
func TestCollectPolicyLintsAndSimulates(t *testing.T) {
	stdout, stderr, code := runCLI(t, "lint", "--policy-type", "identity", "-o", "json", "../../docs/collect-policy.json")
	if code != 0 {
		t.Fatalf("lint exit %d: %s %s", code, stdout, stderr)
	}
	var lint struct {
		Findings []any `json:"findings"`
	}
	if err := json.Unmarshal([]byte(stdout), &lint); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	if len(lint.Findings) != 0 {
		t.Fatalf("lint findings: %s", stdout)
	}
	principal := "arn:aws:sts::111122223333:assumed-role/iamwhy-collector/run"
	reads := []string{"iam:GetAccountAuthorizationDetails", "organizations:DescribePolicy", "s3:GetBucketPolicy", "kms:GetKeyPolicy",
		"sqs:GetQueueAttributes", "sns:GetTopicAttributes", "lambda:GetPolicy", "secretsmanager:GetResourcePolicy",
		"ecr:GetRepositoryPolicy", "ec2:DescribeVpcEndpoints", "s3:GetAccountPublicAccessBlock", "s3:GetBucketOwnershipControls",
		"s3:GetBucketAcl", "s3:ListAccessPoints", "s3:GetAccessPoint", "s3:GetAccessPointPolicy", "kms:ListGrants"}
	writes := []string{"s3:PutBucketPolicy", "s3:PutBucketAcl", "s3:PutAccessPointPolicy", "kms:CreateGrant", "kms:Decrypt", "secretsmanager:GetSecretValue", "iam:PutRolePolicy", "sqs:SendMessage"}
	for _, tc := range []struct {
		actions []string
		want    string
	}{{reads, "allow"}, {writes, "implicit-deny"}} {
		args := []string{"simulate", "--principal", principal, "--policy", "file://../../docs/collect-policy.json", "-o", "json"}
		for _, a := range tc.actions {
			args = append(args, "--action", a)
		}
		stdout, stderr, code := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("simulate exit %d: %s", code, stderr)
		}
		var out struct {
			Results []struct {
				Action, Decision string
			} `json:"results"`
		}
		if err := json.Unmarshal([]byte(stdout), &out); err != nil {
			t.Fatal(err)
		}
		if len(out.Results) != len(tc.actions) {
			t.Fatalf("%d results", len(out.Results))
		}
		for _, r := range out.Results {
			if r.Decision != tc.want {
				t.Errorf("%s: %s, want %s (%s)", r.Action, r.Decision, tc.want, strings.Join(tc.actions, " "))
			}
		}
	}
}
