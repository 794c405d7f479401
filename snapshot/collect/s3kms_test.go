package collect

import (
	"testing"

	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/snapshot"
)

// checkS3KMSSettings checks what collection recorded besides policies: the
// accounts' Block Public Access and canonical IDs (s3control
// GetPublicAccessBlock, ListBuckets), bucket Object Ownership and ACLs, the
// access point, the KMS key's grants, and that decisions use them.
func checkS3KMSSettings(t *testing.T, env *snapshot.Environment) {
	t.Helper()
	a := env.S3Accounts["111122223333"]
	if a == nil || a.BlockPublicAccess == nil || !a.BlockPublicAccess.RestrictPublicBuckets || !a.BlockPublicAccess.IgnorePublicAcls ||
		a.CanonicalID != "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a" {
		t.Errorf("account 111122223333 S3 settings: %+v", a)
	}
	// No account-level configuration (NoSuchPublicAccessBlockConfiguration)
	// is recorded as all settings off, not as unknown.
	if b := env.S3Accounts["444455556666"]; b == nil || b.BlockPublicAccess == nil || *b.BlockPublicAccess != (snapshot.BlockPublicAccess{}) {
		t.Errorf("account 444455556666 S3 settings: %+v", b)
	}
	cfg, logs := env.Resources["arn:aws:s3:::cfg-bucket"], env.Resources["arn:aws:s3:::logs-bucket"]
	if cfg == nil || cfg.ObjectOwnership != eval.BucketOwnerEnforced || cfg.ACL == nil || len(cfg.ACL.Grants) != 1 {
		t.Errorf("cfg-bucket: %+v", cfg)
	}
	// No ownership controls: the ObjectWriter behaviour.
	if logs == nil || logs.ObjectOwnership != eval.ObjectWriter || logs.ACL == nil || len(logs.ACL.Grants) != 2 {
		t.Errorf("logs-bucket: %+v", logs)
	}
	ap := env.Resources["arn:aws:s3:eu-west-1:111122223333:accesspoint/cfg-readers"]
	if ap == nil || ap.Bucket != "cfg-bucket" || ap.NetworkOrigin != "VPC" || ap.VpcID != "vpc-1a2b3c4d" || ap.Policy == nil ||
		ap.BlockPublicAccess == nil || !ap.BlockPublicAccess.RestrictPublicBuckets {
		t.Errorf("access point: %+v", ap)
	}
	key := env.Resources["arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
	if key == nil || len(key.Grants) != 1 || key.Grants[0].GranteePrincipal != "arn:aws:iam::111122223333:role/cfg-reader" ||
		key.Grants[0].Constraints == nil || key.Grants[0].Constraints.EncryptionContextSubset["app"] != "config" {
		t.Errorf("key grants: %+v", key)
	}

	for _, tc := range []struct {
		rule, principal, action, resource string
		ctx                               map[string]string
		want                              eval.Outcome
	}{
		// The account's IgnorePublicAcls makes S3 ignore logs-bucket's
		// AllUsers READ grant.
		{"account IgnorePublicAcls", "anonymous", "s3:ListBucket", "arn:aws:s3:::logs-bucket", nil, eval.ImplicitDeny},
		// The grant lets cfg-reader decrypt with its encryption context.
		{"KMS grant", "arn:aws:sts::111122223333:assumed-role/cfg-reader/s", "kms:Decrypt", key.ARN, map[string]string{"kms:EncryptionContext:app": "config"}, eval.Allow},
		// A VPC access point refuses requests from outside its VPC.
		{"access point network origin", "arn:aws:sts::111122223333:assumed-role/cfg-reader/s", "s3:GetObject", ap.ARN + "/object/a.json", nil, eval.ImplicitDeny},
	} {
		req := &eval.Request{Principal: tc.principal, Action: tc.action, Resource: tc.resource, Context: &eval.Context{}}
		for k, v := range tc.ctx {
			req.Context.Set(k, v)
		}
		l, err := env.Layers(req)
		if err != nil {
			t.Errorf("%s: %v", tc.rule, err)
			continue
		}
		if d := eval.Decide(req, l); d.Outcome != tc.want {
			t.Errorf("%s: %s (%s), want %s", tc.rule, d.Outcome, d.Reason, tc.want)
		}
	}
}
