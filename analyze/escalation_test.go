package analyze

import (
	"fmt"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/policy"
)

// TestPassRoleAndSLRConditions: a condition on iam:PassedToService or
// iam:AWSServiceName silences the PassRole / service-linked-role warnings
// and the PassRole escalation paths only when it must hold and names
// fixed services. Each case is a pass/fail pair around one property.
func TestPassRoleAndSLRConditions(t *testing.T) {
	const passRole = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"%s}]}`
	const slr = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateServiceLinkedRole","Resource":"*"%s}]}`
	const ec2Path = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:PassRole","ec2:RunInstances"],"Resource":"*"%s}]}`
	cond := func(op, key, vals string) string {
		return fmt.Sprintf(`,"Condition":{%q:{%q:%s}}`, op, key, vals)
	}
	for _, tc := range []struct {
		name, doc, code string
		want            bool
	}{
		{"no condition", fmt.Sprintf(passRole, ""), "PASS_ROLE_WITH_STAR_IN_RESOURCE", true},
		{"StringEquals fixed service", fmt.Sprintf(passRole, cond("StringEquals", "iam:PassedToService", `"ec2.amazonaws.com"`)), "PASS_ROLE_WITH_STAR_IN_RESOURCE", false},
		{"StringEqualsIfExists", fmt.Sprintf(passRole, cond("StringEqualsIfExists", "iam:PassedToService", `"ec2.amazonaws.com"`)), "PASS_ROLE_WITH_STAR_IN_RESOURCE", true},
		{"StringNotEquals", fmt.Sprintf(passRole, cond("StringNotEquals", "iam:PassedToService", `"ec2.amazonaws.com"`)), "PASS_ROLE_WITH_STAR_IN_RESOURCE", true},
		{"ForAllValues", fmt.Sprintf(passRole, cond("ForAllValues:StringEquals", "iam:PassedToService", `"ec2.amazonaws.com"`)), "PASS_ROLE_WITH_STAR_IN_RESOURCE", true},
		{"ForAnyValue", fmt.Sprintf(passRole, cond("ForAnyValue:StringEquals", "iam:PassedToService", `"ec2.amazonaws.com"`)), "PASS_ROLE_WITH_STAR_IN_RESOURCE", true},
		{"Null false", fmt.Sprintf(passRole, cond("Null", "iam:PassedToService", `"false"`)), "PASS_ROLE_WITH_STAR_IN_RESOURCE", true},
		{"StringLike star", fmt.Sprintf(passRole, cond("StringLike", "iam:PassedToService", `"*"`)), "PASS_ROLE_WITH_STAR_IN_RESOURCE", true},
		{"StringLike ec2.*", fmt.Sprintf(passRole, cond("StringLike", "iam:PassedToService", `"ec2.*"`)), "PASS_ROLE_WITH_STAR_IN_RESOURCE", true},
		{"StringLike fixed", fmt.Sprintf(passRole, cond("StringLike", "iam:PassedToService", `"ec2.amazonaws.com"`)), "PASS_ROLE_WITH_STAR_IN_RESOURCE", false},
		{"one wildcard among fixed", fmt.Sprintf(passRole, cond("StringLike", "iam:PassedToService", `["ec2.amazonaws.com","lambda.*"]`)), "PASS_ROLE_WITH_STAR_IN_RESOURCE", true},
		{"policy variable", fmt.Sprintf(passRole, cond("StringEquals", "iam:PassedToService", `"${aws:PrincipalTag/svc}"`)), "PASS_ROLE_WITH_STAR_IN_RESOURCE", true},
		{"other key", fmt.Sprintf(passRole, cond("StringEquals", "aws:RequestedRegion", `"eu-west-1"`)), "PASS_ROLE_WITH_STAR_IN_RESOURCE", true},
		{"key case-insensitive", fmt.Sprintf(passRole, cond("StringEquals", "IAM:passedtoservice", `"ec2.amazonaws.com"`)), "PASS_ROLE_WITH_STAR_IN_RESOURCE", false},

		{"SLR no condition", fmt.Sprintf(slr, ""), "CREATE_SLR_WITH_STAR_IN_RESOURCE", true},
		{"SLR fixed service", fmt.Sprintf(slr, cond("StringEquals", "iam:AWSServiceName", `"elasticbeanstalk.amazonaws.com"`)), "CREATE_SLR_WITH_STAR_IN_RESOURCE", false},
		{"SLR IfExists", fmt.Sprintf(slr, cond("StringEqualsIfExists", "iam:AWSServiceName", `"elasticbeanstalk.amazonaws.com"`)), "CREATE_SLR_WITH_STAR_IN_RESOURCE", true},
		{"SLR StringLike wildcard", fmt.Sprintf(slr, cond("StringLike", "iam:AWSServiceName", `"*.amazonaws.com"`)), "CREATE_SLR_WITH_STAR_IN_RESOURCE", true},
		{"SLR StringNotLike", fmt.Sprintf(slr, cond("StringNotLike", "iam:AWSServiceName", `"elasticbeanstalk.amazonaws.com"`)), "CREATE_SLR_WITH_STAR_IN_RESOURCE", true},

		{"EC2 path no condition", fmt.Sprintf(ec2Path, ""), "PRIVILEGE_ESCALATION", true},
		{"EC2 path, PassRole only to lambda", fmt.Sprintf(ec2Path, cond("StringEquals", "iam:PassedToService", `"lambda.amazonaws.com"`)), "PRIVILEGE_ESCALATION", false},
		{"EC2 path, PassRole to ec2", fmt.Sprintf(ec2Path, cond("StringEquals", "iam:PassedToService", `"ec2.amazonaws.com"`)), "PRIVILEGE_ESCALATION", true},
		{"EC2 path, PassRole to ec2 in China", fmt.Sprintf(ec2Path, cond("StringEquals", "iam:PassedToService", `"ec2.amazonaws.com.cn"`)), "PRIVILEGE_ESCALATION", true},
		{"EC2 path, lambda IfExists", fmt.Sprintf(ec2Path, cond("StringEqualsIfExists", "iam:PassedToService", `"lambda.amazonaws.com"`)), "PRIVILEGE_ESCALATION", true},
		{"EC2 path, lambda negated", fmt.Sprintf(ec2Path, cond("StringNotEquals", "iam:PassedToService", `"lambda.amazonaws.com"`)), "PRIVILEGE_ESCALATION", true},
		{"EC2 path, StringLike lambda.*", fmt.Sprintf(ec2Path, cond("StringLike", "iam:PassedToService", `"lambda.*"`)), "PRIVILEGE_ESCALATION", true},
		{"EC2 path, ForAnyValue lambda", fmt.Sprintf(ec2Path, cond("ForAnyValue:StringEquals", "iam:PassedToService", `"lambda.amazonaws.com"`)), "PRIVILEGE_ESCALATION", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if found, codes := hasFinding(t, tc.doc, policy.TypeIdentity, tc.code); found != tc.want {
				t.Errorf("%s finding = %v, want %v; findings %s\n%s", tc.code, found, tc.want, strings.Join(codes, " "), tc.doc)
			}
		})
	}
}
