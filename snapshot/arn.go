package snapshot

import (
	"strings"

	"github.com/iamwhy/iamwhy/arn"
)

// ARN is an Amazon Resource Name split into its fields; package arn owns
// the format.
type ARN = arn.ARN

// ParseARN splits s into its fields. ok is false when s is not an ARN.
//
// Deprecated: use arn.Parse.
func ParseARN(s string) (a ARN, ok bool) { return arn.Parse(s) }

// accountOfARN returns the account field of an ARN, "" when there is none
// (S3 buckets) or s is not an ARN.
func accountOfARN(s string) string { return arn.Account(s) }

// isAccountID reports whether s is a 12-digit AWS account id.
func isAccountID(s string) bool { return arn.IsAccountID(s) }

// sessionRole is arn.SessionRole (this package's parameters are often
// named arn).
func sessionRole(s string) (role, session string, ok bool) { return arn.SessionRole(s) }

// policyResource is arn.PolicyResource: an S3 object's bucket, in any
// partition, else the resource itself.
func policyResource(s string) string { return arn.PolicyResource(s) }

// lastSegment returns the part of a resource path after its last '/'.
func lastSegment(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}
