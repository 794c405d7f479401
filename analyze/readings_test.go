package analyze

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/policy"
)

// TestDocumentedReadings pins the readings of AWS pages behind checks
// whose reference text is brief: the keys paired with aws:VpcSourceIp,
// the keys service principals do not carry, and the size quota of a
// resource policy linted without a resource type.
func TestDocumentedReadings(t *testing.T) {
	stmt := func(principal, cond string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + principal +
			`,"Action":"s3:GetObject","Resource":"arn:aws:s3:::amzn-s3-demo-bucket/*","Condition":` + cond + `}]}`
	}
	// big builds a resource policy of about n characters granting the actions.
	big := func(n int, actions ...string) string {
		var ids []string
		for i := 0; len(strings.Join(ids, ",")) < n; i++ {
			ids = append(ids, fmt.Sprintf("%q", fmt.Sprintf("arn:aws:iam::%012d:root", i)))
		}
		acts, _ := json.Marshal(actions)
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":[` + strings.Join(ids, ",") + `]},"Action":` + string(acts) + `,"Resource":"*"}]}`
	}
	for _, tc := range []struct {
		name, doc, code string
		want            bool
	}{
		// "Always use the aws:VpcSourceIp condition key with the
		// aws:SourceVpc, aws:SourceVpce, or aws:SourceVpcArn condition keys."
		{"VpcSourceIp alone", stmt(`{"AWS":"arn:aws:iam::111122223333:root"}`, `{"IpAddress":{"aws:VpcSourceIp":"10.0.0.0/16"}}`), "MISSING_PAIRED_CONDITION_KEYS", true},
		{"VpcSourceIp with SourceVpce", stmt(`{"AWS":"arn:aws:iam::111122223333:root"}`, `{"IpAddress":{"aws:VpcSourceIp":"10.0.0.0/16"},"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}`), "MISSING_PAIRED_CONDITION_KEYS", false},
		{"VpcSourceIp with SourceVpcArn", stmt(`{"AWS":"arn:aws:iam::111122223333:root"}`, `{"IpAddress":{"aws:VpcSourceIp":"10.0.0.0/16"},"ArnEquals":{"aws:SourceVpcArn":"arn:aws:ec2:us-east-1:111122223333:vpc/vpc-1a2b3c4d"}}`), "MISSING_PAIRED_CONDITION_KEYS", false},
		// aws:PrincipalOrgID: "only if the principal is a member of an
		// organization"; aws:PrincipalAccount: "for all requests".
		{"service principal with PrincipalOrgID", stmt(`{"Service":"cloudfront.amazonaws.com"}`, `{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}`), "UNSUPPORTED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL", true},
		{"service principal with PrincipalAccount", stmt(`{"Service":"cloudfront.amazonaws.com"}`, `{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}`), "UNSUPPORTED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL", false},
		// Without a resource type: the one service's quota (SQS 8,192
		// bytes, S3 20 KB), else only above every known quota (32 KB).
		{"sqs policy of 10 KB", big(10000, "sqs:SendMessage"), "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA", true},
		{"s3 policy of 10 KB", big(10000, "s3:GetObject"), "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA", false},
		{"s3 policy of 25 KB", big(25000, "s3:GetObject"), "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA", true},
		{"mixed policy of 25 KB", big(25000, "s3:GetObject", "sqs:SendMessage"), "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA", false},
		{"mixed policy of 40 KB", big(40000, "s3:GetObject", "sqs:SendMessage"), "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := Lint([]byte(tc.doc), LintOptions{Type: policy.TypeResource})
			got := false
			for _, f := range res.Findings {
				if f.IssueCode == tc.code {
					got = true
				}
			}
			if got != tc.want {
				t.Errorf("%s reported: %v, want %v (%d findings)", tc.code, got, tc.want, len(res.Findings))
			}
		})
	}
}
