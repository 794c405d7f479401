package collect

import (
	"os"
	"testing"

	"github.com/iamwhy/iamwhy/policy"
)

// docs/collect-policy.json is the minimal policy collection needs; it must at
// least be a valid identity policy.
func TestCollectPolicyParses(t *testing.T) {
	data, err := os.ReadFile("../../docs/collect-policy.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Parse(data, policy.Options{Type: policy.TypeIdentity, Source: "docs/collect-policy.json"})
	if err != nil {
		t.Fatal(err)
	}
	// Every operation collect calls is covered by an action in it.
	want := []string{
		"iam:GetAccountAuthorizationDetails", "organizations:DescribeOrganization", "organizations:ListRoots",
		"organizations:ListOrganizationalUnitsForParent", "organizations:ListAccountsForParent",
		"organizations:ListPoliciesForTarget", "organizations:DescribePolicy", "s3:ListAllMyBuckets",
		"s3:GetBucketLocation", "s3:GetBucketPolicy", "s3:GetBucketPublicAccessBlock", "kms:ListKeys", "kms:GetKeyPolicy",
		"sqs:ListQueues", "sqs:GetQueueAttributes", "sns:ListTopics", "sns:GetTopicAttributes", "lambda:ListFunctions",
		"lambda:GetPolicy", "secretsmanager:ListSecrets", "secretsmanager:GetResourcePolicy", "ecr:DescribeRepositories",
		"ecr:GetRepositoryPolicy", "ec2:DescribeVpcEndpoints", "sts:AssumeRole",
		"s3:GetAccountPublicAccessBlock", "s3:GetBucketOwnershipControls", "s3:GetBucketAcl", "s3:ListAccessPoints",
		"s3:GetAccessPoint", "s3:GetAccessPointPolicy", "kms:ListGrants",
	}
	have := map[string]bool{}
	for _, s := range p.Statements {
		for _, v := range s.Action.Values {
			have[v.Text] = true
		}
	}
	for _, a := range want {
		if !have[a] {
			t.Errorf("%s is not in docs/collect-policy.json", a)
		}
	}
	if len(have) != len(want) {
		t.Errorf("docs/collect-policy.json has %d actions, collect needs %d: keep it minimal", len(have), len(want))
	}
}
