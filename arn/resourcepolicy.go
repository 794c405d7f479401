package arn

import "strings"

// S3Bucket returns the bucket name of an S3 bucket ARN
// (arn:PARTITION:s3:::BUCKET) or object ARN (arn:PARTITION:s3:::BUCKET/KEY),
// in any partition, and whether the ARN names an object. ok is false for
// anything else, including S3 access points (which have a region and an
// account).
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-arn-format.html
func S3Bucket(s string) (bucket string, object, ok bool) {
	a, ok := Parse(s)
	if !ok || a.Service != "s3" || a.Region != "" || a.Account != "" || a.Resource == "" {
		return "", false, false
	}
	if i := strings.IndexByte(a.Resource, '/'); i >= 0 {
		return a.Resource[:i], true, true
	}
	return a.Resource, false, true
}

// PolicyResource returns the ARN of the resource whose resource-based policy
// governs a request on s: for an S3 object, its bucket (a bucket policy
// covers the bucket and every object in it), in any partition; for anything
// else, s itself (key, queue, topic, secret and role trust policies govern
// only their own resource). It returns a substring of s and does not
// allocate.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html
func PolicyResource(s string) string {
	a, _ := Split(s)
	bucket, object, ok := S3Bucket(s)
	if !ok || !object {
		return s
	}
	return s[:len("arn:")+len(a.Partition)+len(":s3:::")+len(bucket)]
}

// SamePolicy reports whether one resource-based policy governs requests on
// both a and b: the same resource, or a bucket and its objects.
func SamePolicy(a, b string) bool {
	return a == b || PolicyResource(a) == PolicyResource(b)
}
