// Package arn owns Amazon Resource Names: splitting one into its fields
// without allocating, its account and partition, whether a string is an
// account ID, which resource's policy governs a request on an ARN, and which
// kind of principal an ARN (or other principal identifier) names.
//
// Every other package asks this one instead of splitting ARNs itself, so
// that a rule about ARNs (an S3 object is governed by its bucket's policy in
// every partition, a session ARN does not carry its role's path) is written
// once.
//
// The ARN format is described in the IAM User Guide, "IAM identifiers" and
// "Amazon Resource Names (ARNs)":
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
package arn
