package catalog

import "testing"

// TestOperationAction checks the operation -> action rule: the exception
// table first (HeadObject is authorised by s3:GetObject), one service
// when none is named, and no answer when several services share the name.
func TestOperationAction(t *testing.T) {
	c := Default()
	cases := []struct {
		rule, service, op, want string
		ok                      bool
	}{
		{"a HEAD request is authorised by the GET action", "", "HeadObject", "s3:GetObject", true},
		{"HeadBucket needs s3:ListBucket", "s3", "HeadBucket", "s3:ListBucket", true},
		{"an operation of one service is found without the service", "", "GetSecretValue", "secretsmanager:GetSecretValue", true},
		{"a shared operation name is ambiguous without the service", "", "DescribeInstances", "", false},
		{"the service settles a shared name", "ec2", "DescribeInstances", "ec2:DescribeInstances", true},
		{"GetObject is shared with MediaStore and MediaPackage: ambiguous without the service", "", "GetObject", "", false},
		{"an unknown operation gives nothing", "", "NoSuchOperationAnywhere", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.rule, func(t *testing.T) {
			got, ok := c.OperationAction(tc.service, tc.op)
			if got != tc.want || ok != tc.ok {
				t.Errorf("OperationAction(%q, %q) = %q, %v; want %q, %v", tc.service, tc.op, got, ok, tc.want, tc.ok)
			}
		})
	}
}
