package snapshot

import (
	"strings"
	"testing"
)

// Rule: a malformed ARN in authorization details is an error when the file
// is loaded, at its place, not an entity or policy that no request can
// find later.
func TestAuthorizationDetailsMalformedARNs(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"a role ARN of another type",
			`{"RoleDetailList":[{"Arn":"arn:aws:iam::123456789012:user/r","RoleName":"r","AssumeRolePolicyDocument":"%7B%7D"}]}`,
			`f.json:1:20: role r with malformed Arn "arn:aws:iam::123456789012:user/r"`},
		{"a role ARN without a name",
			`{"RoleDetailList":[{"Arn":"arn:aws:iam::123456789012:role/","RoleName":"r","AssumeRolePolicyDocument":"%7B%7D"}]}`,
			`f.json:1:20: role r with malformed Arn`},
		{"an attached policy ARN that is not one",
			`{"UserDetailList":[{"Arn":"arn:aws:iam::123456789012:user/u","UserName":"u","AttachedManagedPolicies":[{"PolicyName":"p","PolicyArn":"p"}]}]}`,
			`f.json:1:20: attached policy p of user u: malformed managed policy ARN "p"`},
		{"a boundary ARN of a role",
			`{"RoleDetailList":[{"Arn":"arn:aws:iam::123456789012:role/r","RoleName":"r","AssumeRolePolicyDocument":"%7B%7D","PermissionsBoundary":{"PermissionsBoundaryArn":"arn:aws:iam::123456789012:role/x"}}]}`,
			`f.json:1:20: permissions boundary of role r: malformed managed policy ARN`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := New(Options{ManagedPolicyResolver: func(string) ([]byte, bool) { return []byte(`{}`), true }})
			err := env.AddAuthorizationDetails(strings.NewReader(tc.doc), "f.json")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
