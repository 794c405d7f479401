package check

import (
	"strings"
	"testing"
)

// The S3 and KMS layer keys, run on examples/checks/s3-kms.yaml: every
// case there names its AWS page and must pass.
func TestS3KMSLayerExamples(t *testing.T) {
	f, err := LoadFile("../examples/checks/s3-kms.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rep := &Report{}
	(&Runner{}).Run(f, rep)
	if len(rep.Results) < 17 {
		t.Fatalf("%d results, want every case", len(rep.Results))
	}
	for _, r := range rep.Results {
		if !r.Pass {
			t.Errorf("%s: decision %s, want %s: %s", r.Name, r.Decision, r.Expected, r.Explanation)
		}
	}
}

func TestS3KMSLayerErrors(t *testing.T) {
	cases := []struct {
		rule, layers, want string
	}{
		{"an unknown Block Public Access field", `{block_public_access: {RestrictPublicBucket: true}}`, "unknown field"},
		{"an unknown Object Ownership", `{object_ownership: BucketOwner}`, "want BucketOwnerEnforced"},
		{"ACLs without Object Ownership", `{bucket_acl: {Grants: []}}`, "give object_ownership"},
		{"an ACL permission AWS does not have", `{object_ownership: ObjectWriter, bucket_acl: {Grants: [{Grantee: {Type: Group, URI: x}, Permission: ALL}]}}`, "Permission"},
		{"an access point without its bucket", `{access_point: {arn: "arn:aws:s3:us-west-2:111122223333:accesspoint/ap"}}`, "bucket"},
		{"an access point ARN that is not one", `{access_point: {arn: "arn:aws:s3:::b", bucket: b}}`, "not an access point ARN"},
		{"a VPC access point without its VPC", `{access_point: {arn: "arn:aws:s3:us-west-2:111122223333:accesspoint/ap", bucket: b, network_origin: VPC}}`, "vpc_id"},
		{"a truncated list-grants output", `{kms_grants: {Grants: [], Truncated: true}}`, "truncated"},
		{"a grant without a grantee", `{kms_grants: [{GrantId: g, Operations: [Decrypt]}]}`, "GranteePrincipal"},
	}
	for _, tc := range cases {
		t.Run(tc.rule, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte("version: 1\ncases:\n  - name: c\n    principal: anonymous\n    action: s3:GetObject\n    resource: arn:aws:s3:::b/k\n    layers: "+tc.layers+"\n    expect: deny\n"))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "t.yaml:7") {
				t.Errorf("error %v, want one at t.yaml:7 containing %q", err, tc.want)
			}
		})
	}
}

// FuzzS3KMSLayers: no S3 or KMS layer value makes parsing or running a case
// panic, and every parse error names the file.
func FuzzS3KMSLayers(f *testing.F) {
	f.Add(`{block_public_access: {RestrictPublicBuckets: true}, resource: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: "*", Action: "s3:*", Resource: "*"}]}}`)
	f.Add(`{object_ownership: ObjectWriter, bucket_acl: {Owner: {ID: x}, Grants: [{Grantee: {Type: CanonicalUser, ID: x}, Permission: READ}]}, canonical_ids: {x: "111122223333"}}`)
	f.Add(`{access_point: {arn: "arn:aws:s3:us-west-2:111122223333:accesspoint/ap", bucket: b, network_origin: VPC, vpc_id: v, policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: "*", Action: "*", Resource: "*"}]}}}`)
	f.Add(`{kms_grants: {Grants: [{GrantId: g, GranteePrincipal: anonymous, Operations: [Decrypt], Constraints: {EncryptionContextEquals: {a: b}}}]}}`)
	f.Add(`{request_policy: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: "*", Action: "*", Resource: "*"}]}, account_block_public_access: {BlockPublicPolicy: true}}`)
	f.Fuzz(func(t *testing.T, layers string) {
		if strings.ContainsAny(layers, "\n\r") {
			return
		}
		src := "version: 1\ncases:\n  - name: c\n    principal: anonymous\n    action: [s3:GetObject, s3:PutBucketPolicy, kms:Decrypt]\n" +
			"    resource: [\"arn:aws:s3:::b/k\", \"arn:aws:s3:us-west-2:111122223333:accesspoint/ap/object/k\"]\n    layers: " + layers + "\n    expect: deny\n"
		file, err := Parse("t.yaml", []byte(src))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "t.yaml") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		(&Runner{}).Run(file, &Report{})
	})
}
