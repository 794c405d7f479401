package eval

import (
	"testing"

	"github.com/iamwhy/iamwhy/policy"
)

// The examples of "The meaning of public" (S3 User Guide, Blocking public
// access to your Amazon S3 storage) and of the policies it links.
func TestIsPublicPolicy(t *testing.T) {
	const page = "access-control-block-public-access.html#access-control-block-public-access-policy-status"
	stmt := func(principal, cond string) string {
		s := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": ` + principal + `, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*"`
		if cond != "" {
			s += `, "Condition": ` + cond
		}
		return s + `}]}`
	}
	cases := []struct {
		rule   string
		doc    string
		public bool
	}{
		{"a wildcard principal without conditions is public", stmt(`"*"`, ""), true},
		{`{"AWS": "*"} is the same wildcard`, stmt(`{"AWS": "*"}`, ""), true},
		{"a fixed account principal is not public", stmt(`{"AWS": "111122223333"}`, ""), false},
		{"a fixed role principal is not public", stmt(`{"AWS": "arn:aws:iam::111122223333:role/reader"}`, ""), false},
		{"a fixed service principal is not public", stmt(`{"Service": "cloudfront.amazonaws.com"}`, ""), false},
		{"fixed aws:SourceArn makes a wildcard grant non-public", stmt(`"*"`, `{"ArnEquals": {"aws:SourceArn": "arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE"}}`), false},
		{"aws:SourceArn with a wildcard is not fixed", stmt(`"*"`, `{"ArnLike": {"aws:SourceArn": "arn:aws:cloudfront::111122223333:distribution/*"}}`), true},
		{"fixed aws:SourceVpc", stmt(`"*"`, `{"StringEquals": {"aws:SourceVpc": "vpc-111bbb22"}}`), false},
		{"fixed aws:SourceVpce", stmt(`"*"`, `{"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}`), false},
		{"fixed aws:SourceAccount", stmt(`"*"`, `{"StringEquals": {"aws:SourceAccount": "111122223333"}}`), false},
		{"fixed aws:SourceOwner", stmt(`"*"`, `{"StringEquals": {"aws:SourceOwner": "111122223333"}}`), false},
		{"fixed aws:PrincipalOrgID", stmt(`"*"`, `{"StringEquals": {"aws:PrincipalOrgID": "o-exampleorgid"}}`), false},
		{"a negated operator does not pin", stmt(`"*"`, `{"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}`), true},
		{"IfExists lets requests without the key through", stmt(`"*"`, `{"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1a2b3c4d"}}`), true},
		{"a policy variable is not a fixed value", stmt(`"*"`, `{"StringEquals": {"aws:SourceAccount": "${aws:PrincipalAccount}"}}`), true},
		{"a key AWS does not list does not pin", stmt(`"*"`, `{"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}`), true},
		{"aws:SourceIp /8 is narrow enough", stmt(`"*"`, `{"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}`), false},
		{"aws:SourceIp wider than /8 is public", stmt(`"*"`, `{"IpAddress": {"aws:SourceIp": "0.0.0.0/1"}}`), true},
		{"aws:SourceIp one of several too wide is public", stmt(`"*"`, `{"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "0.0.0.0/0"]}}`), true},
		{"aws:SourceIp IPv6 /32 is narrow enough", stmt(`"*"`, `{"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}`), false},
		{"aws:SourceIp IPv6 wider than /32 is public", stmt(`"*"`, `{"IpAddress": {"aws:SourceIp": "2001::/16"}}`), true},
		{"NotIpAddress does not pin", stmt(`"*"`, `{"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}`), true},
		{"fixed aws:userid", stmt(`"*"`, `{"StringEquals": {"aws:userid": "AIDACKCEVSQ6C2EXAMPLE"}}`), false},
		{"aws:userid of every session of a role (AROLEID:*) is public", stmt(`"*"`, `{"StringLike": {"aws:userid": "AROAEXAMPLEID:*"}}`), true},
		{"access point delegation by s3:DataAccessPointAccount is not public", stmt(`{"AWS": "*"}`, `{"StringEquals": {"s3:DataAccessPointAccount": "111122223333"}}`), false},
		{"fixed KMS key id of server-side encryption", stmt(`"*"`, `{"StringEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}}`), false},
		{"a Deny with a wildcard principal is not public", `{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}`, false},
		{"one public statement among fixed ones makes the policy public", `{"Version": "2012-10-17", "Statement": [
			{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"},
			{"Sid": "Public", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}`, true},
	}
	for _, tc := range cases {
		t.Run(tc.rule, func(t *testing.T) {
			doc, err := policy.Parse([]byte(tc.doc), policy.Options{Type: policy.TypeResource})
			if err != nil {
				t.Fatal(err)
			}
			if got := IsPublicPolicy(doc); got != tc.public {
				t.Errorf("%s: IsPublicPolicy = %v, want %v", page, got, tc.public)
			}
			if got := len(PublicPolicyStatements(doc)) > 0; got != tc.public {
				t.Errorf("PublicPolicyStatements disagrees with IsPublicPolicy")
			}
		})
	}
}

func TestIsPublicPolicyDoesNotAllocate(t *testing.T) {
	doc, err := policy.Parse([]byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*", "Condition": {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}}]}`), policy.Options{Type: policy.TypeResource})
	if err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { IsPublicPolicy(doc) }); n != 0 {
		t.Errorf("IsPublicPolicy allocates %v times", n)
	}
}
