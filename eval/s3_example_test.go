package eval_test

import (
	"fmt"

	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/policy"
)

// A bucket policy granting to everyone is public unless a condition pins
// it to fixed values of a key S3 lists ("The meaning of public").
func ExampleIsPublicPolicy() {
	doc, _ := policy.ParseString(`{"Version": "2012-10-17", "Statement": [
		{"Sid": "FromMyVPC", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
		 "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1a2b3c4d"}}},
		{"Sid": "Website", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/site/*"}]}`,
		policy.Options{Type: policy.TypeResource})
	fmt.Println(eval.IsPublicPolicy(doc))
	for _, s := range eval.PublicPolicyStatements(doc) {
		fmt.Println(s.Sid)
	}
	// Output:
	// true
	// Website
}

// RestrictPublicBuckets: a public bucket policy grants nothing to callers
// outside the bucket owner's account.
func ExampleS3() {
	bucket, _ := eval.ParseAndCompile("bucket", []byte(`{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}`), policy.TypeResource)
	req := &eval.Request{Principal: "anonymous", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/index.html", ResourceAccount: "111122223333"}
	open := eval.Decide(req, &eval.Layers{Resource: bucket})
	blocked := eval.Decide(req, &eval.Layers{Resource: bucket, S3: &eval.S3{
		BucketBlockPublicAccess: &eval.BlockPublicAccess{RestrictPublicBuckets: true}}})
	fmt.Println(open.Outcome, blocked.Outcome)
	// Output: allow implicit-deny
}
