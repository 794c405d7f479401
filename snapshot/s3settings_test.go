package snapshot

import (
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/check"
	"github.com/iamwhy/iamwhy/eval"
	"gopkg.in/yaml.v3"
)

const s3kmsEnv = "../examples/s3kms-env"

// Environment mode with S3 and KMS settings: every case of
// examples/s3kms-env/s3-kms-checks.yaml (Block Public Access, Object
// Ownership and ACLs, access points, KMS grants) must pass.
func TestS3KMSEnvironmentChecks(t *testing.T) {
	f, err := check.LoadFile(s3kmsEnv + "/s3-kms-checks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r := &check.Runner{LoadEnvironment: func(*yaml.Node, string) (check.Environment, error) {
		return LoadFile(s3kmsEnv, Options{})
	}}
	rep := &check.Report{}
	r.Run(f, rep)
	if len(rep.Results) < 18 {
		t.Fatalf("%d results", len(rep.Results))
	}
	for _, res := range rep.Results {
		if !res.Pass {
			t.Errorf("%s: decision %s, want %s: %s", res.Name, res.Decision, res.Expected, res.Explanation)
		}
	}
}

// Decisions the environment cannot make on its own: the policy a
// PutBucketPolicy puts is not in it, nor the ACL of an object it did not
// collect in a bucket with ACLs enabled.
func TestS3KMSEnvironmentUndetermined(t *testing.T) {
	env, err := LoadFile(s3kmsEnv, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ rule, principal, action, resource, reason string }{
		{"BlockPublicPolicy on the account: the policy being put is unknown", "arn:aws:iam::111122223333:user/alice", "s3:PutBucketPolicy", "arn:aws:s3:::example-open-site", "BlockPublicPolicy"},
		{"an ObjectWriter bucket's object without a collected ACL", "arn:aws:iam::111122223333:user/alice", "s3:GetObject", "arn:aws:s3:::example-legacy-uploads/other/file.csv", "object's ACL was not collected"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			req := &eval.Request{Principal: tc.principal, Action: tc.action, Resource: tc.resource}
			l, err := env.Layers(req)
			if err != nil {
				t.Fatal(err)
			}
			d := eval.Decide(req, l)
			if d.Outcome != eval.Undetermined || !strings.Contains(d.Reason, tc.reason) {
				t.Errorf("got %s (%s), want undetermined (%s)", d.Outcome, d.Reason, tc.reason)
			}
		})
	}
}

func TestS3KMSRecordErrors(t *testing.T) {
	for _, tc := range []struct{ rule, record, want string }{
		{"object_ownership on a queue", `{"arn": "arn:aws:sqs:eu-west-1:111122223333:q", "object_ownership": "ObjectWriter"}`, "applies to S3 buckets only"},
		{"an unknown Object Ownership", `{"arn": "arn:aws:s3:::b", "account": "111122223333", "object_ownership": "Owner"}`, "want BucketOwnerEnforced"},
		{"grants on a bucket", `{"arn": "arn:aws:s3:::b", "account": "111122223333", "grants": []}`, "KMS keys"},
		{"an access point without its bucket", `{"arn": "arn:aws:s3:eu-west-1:111122223333:accesspoint/ap"}`, "needs bucket"},
		{"a bad network origin", `{"arn": "arn:aws:s3:eu-west-1:111122223333:accesspoint/ap", "bucket": "b", "network_origin": "LAN"}`, "want Internet or VPC"},
		{"an account record with a policy", `{"account": "111122223333", "policy": {"Version": "2012-10-17", "Statement": []}}`, "account's S3 settings"},
		{"an ACL with an unknown field", `{"arn": "arn:aws:s3:::b", "account": "111122223333", "acl": {"Grants": [], "Owners": {}}}`, "Owners"},
		{"a grant without operations", `{"arn": "arn:aws:kms:eu-west-1:111122223333:key/k", "grants": [{"GrantId": "g", "GranteePrincipal": "arn:aws:iam::111122223333:role/r"}]}`, "Operations"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			e := New(Options{})
			err := e.AddResourceRecords([]byte(tc.record), "r.json")
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "r.json:1:") {
				t.Errorf("error %v, want one at r.json:1 containing %q", err, tc.want)
			}
		})
	}
}
