package snapshot

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/iamwhy/iamwhy/eval"
)

// The fuzzers check that no input makes a loader panic or hang, and that
// every error names a position in the input.

func FuzzAuthorizationDetails(f *testing.F) {
	for _, s := range []string{pageUsers, pageRest, pageUsers + pageRest, `{"RoleDetailList":[{"Arn":"arn:aws:iam::123456789012:role/r","RoleName":"r","AssumeRolePolicyDocument":"%7B%7D"}]}`} {
		f.Add([]byte(s))
	}
	if data, err := os.ReadFile(filepath.Join(exampleEnv, "accounts", "111122223333", "authorization-details.json")); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		env := New(Options{ManagedPolicyResolver: func(string) ([]byte, bool) { return []byte(`{}`), true }})
		err := env.AddAuthorizationDetails(bytes.NewReader(data), "f.json")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.json") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		if err := env.Finish(); err != nil {
			t.Fatal(err)
		}
		for _, a := range env.Accounts {
			for _, r := range a.Roles {
				if _, err := env.Principal(r.ARN); err != nil {
					t.Fatalf("a loaded role is not found: %v", err)
				}
			}
		}
	})
}

func FuzzOrganization(f *testing.F) {
	if data, err := os.ReadFile(filepath.Join(exampleEnv, "organization.yaml")); err == nil {
		f.Add(data)
	}
	f.Add([]byte("root: {id: r-ab12, scp: [p], accounts: [{id: \"111122223333\"}]}\npolicies: {p: {Statement: []}}\n"))
	f.Add([]byte(`{"id": "o-abcdefghij", "root": {"id": "r-ab12", "ous": [{"id": "ou-ab12-x", "ous": [{"id": "ou-ab12-y"}]}]}}`))
	f.Add([]byte("root: &a {id: r-ab12, ous: [*a]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := parseYAML(data, "org.yaml")
		if err != nil {
			return
		}
		env := New(Options{})
		if err := env.SetOrganizationNode(n, "org.yaml"); err != nil {
			if !strings.HasPrefix(err.Error(), "org.yaml") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		for _, id := range env.Organization.Accounts() {
			if _, ok := env.SCPLevels(id); !ok {
				t.Fatalf("account %s in the tree is not governed", id)
			}
		}
	})
}

func FuzzResourceRecords(f *testing.F) {
	f.Add([]byte(`{"arn": "arn:aws:s3:::b", "account": "111122223333", "policy": {"Statement": []}}`))
	f.Add([]byte(`[{"arn": "arn:aws:sqs:eu-west-1:111122223333:q", "policy": "{\"Statement\":[]}"}]`))
	f.Add([]byte(`{"arn": "arn:aws:s3:::b", "account": "111122223333", "block_public_access": {"RestrictPublicBuckets": true}}`))
	f.Add([]byte(`[{"account": "111122223333", "block_public_access": {"IgnorePublicAcls": true}, "canonical_id": "abc"},
		{"arn": "arn:aws:s3:::b", "account": "111122223333", "object_ownership": "ObjectWriter",
		 "acl": {"Owner": {"ID": "abc"}, "Grants": [{"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": "READ"}]}},
		{"arn": "arn:aws:s3:::b/k", "account": "111122223333", "acl": {"Owner": {"Account": "444455556666"}, "Grants": []}},
		{"arn": "arn:aws:s3:eu-west-1:111122223333:accesspoint/ap", "bucket": "b", "network_origin": "VPC", "vpc_id": "vpc-1"},
		{"arn": "arn:aws:kms:eu-west-1:111122223333:key/k", "grants": [{"GrantId": "g", "GranteePrincipal": "arn:aws:iam::111122223333:role/r", "Operations": ["Decrypt"], "Constraints": {"EncryptionContextEquals": {"a": "b"}}}]}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		env := New(Options{})
		if err := env.AddResourceRecords(data, "r.json"); err != nil {
			if !strings.HasPrefix(err.Error(), "r.json") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		for arn := range env.Resources {
			// A record is found as the policy of its own ARN; an S3
			// object's record (its ACL) is not its policy, which is the
			// bucket's: Known says whether the bucket's was loaded.
			l, err := env.Resource(arn)
			if err != nil {
				t.Fatalf("a loaded record's ARN %q is refused: %v", arn, err)
			}
			if want := env.Resources[l.PolicyARN] != nil; l.Known != want {
				t.Fatalf("a loaded record is found as %+v; its policy's record loaded: %v", l, want)
			}
			// The S3 and KMS settings resolve and decide without panicking.
			for _, action := range []string{"s3:GetObject", "s3:ListBucket", "kms:Decrypt"} {
				req := &eval.Request{Principal: "anonymous", Action: action, Resource: arn + "/object/k"}
				if l, err := env.Layers(req); err == nil {
					eval.Decide(req, l)
				}
				req = &eval.Request{Principal: "anonymous", Action: action, Resource: arn}
				if l, err := env.Layers(req); err == nil {
					eval.Decide(req, l)
				}
			}
		}
	})
}

func FuzzEnvironmentSpec(f *testing.F) {
	f.Add([]byte("version: 1\nauthorization_details: [a.json]\norganization: o.yaml\nresource_policies: [r/]\n"))
	f.Add([]byte("environment.yaml"))
	f.Add([]byte("{authorization_details: a.json, organization: {root: {id: r-ab12}}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var n yaml.Node
		if yaml.Unmarshal(data, &n) != nil || len(n.Content) == 0 {
			return
		}
		if _, err := DecodeSpec(&n, "env.yaml"); err != nil && !strings.HasPrefix(err.Error(), "env.yaml") {
			t.Fatalf("error without the file name: %v", err)
		}
	})
}
