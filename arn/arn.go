package arn

import "strings"

// ARN is an Amazon Resource Name split into its fields,
// arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE. The fields are substrings
// of the text that was split, so splitting does not allocate.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
type ARN struct {
	Partition string // "aws", "aws-cn", "aws-us-gov", ...
	Service   string // "s3", "iam", "sts", ...
	Region    string // "" for global services and S3 buckets
	Account   string // "" for S3 buckets, "aws" for AWS managed policies
	// Resource is everything after the fifth colon ("role/path/name",
	// "bucket/key", "function:name:alias"); it may contain colons.
	Resource string
}

// Split splits s at its first five colons the way policy matching sees an
// ARN: s must start with "arn:" and have five colons, and any field may be
// empty. ok is false otherwise. Use Parse to also require the partition and
// service that every real ARN has.
func Split(s string) (a ARN, ok bool) {
	f, ok := Fields(s)
	if !ok {
		return ARN{}, false
	}
	return ARN{Partition: f[0], Service: f[1], Region: f[2], Account: f[3], Resource: f[4]}, true
}

// Fields is Split as an array of the five fields (partition, service,
// region, account, resource), for matchers that index them.
func Fields(s string) (f [5]string, ok bool) {
	if !strings.HasPrefix(s, "arn:") {
		return f, false
	}
	rest := s[len("arn:"):]
	for i := 0; i < 4; i++ {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return [5]string{}, false
		}
		f[i], rest = rest[:j], rest[j+1:]
	}
	f[4] = rest
	return f, true
}

// Parse splits s into its fields like Split and also requires a partition
// and a service, which every ARN AWS issues has. ok is false when s is not
// an ARN.
func Parse(s string) (a ARN, ok bool) {
	a, ok = Split(s)
	if !ok || a.Partition == "" || a.Service == "" {
		return ARN{}, false
	}
	return a, true
}

// String joins the fields back into an ARN.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// Account returns the account field of an ARN: "" when it has none (S3
// buckets and objects) or s is not an ARN, "aws" for AWS managed policies.
// See AccountID for the field only when it is a 12-digit account ID.
func Account(s string) string {
	a, _ := Split(s)
	return a.Account
}

// AccountID returns the account field of an ARN when it is a 12-digit
// account ID; ok is false otherwise (no ARN, no account, "aws").
func AccountID(s string) (id string, ok bool) {
	a, ok := Parse(s)
	if !ok || !IsAccountID(a.Account) {
		return "", false
	}
	return a.Account, true
}

// Partition returns the partition field of an ARN, "" when s is not an ARN.
func Partition(s string) string {
	a, _ := Split(s)
	return a.Partition
}

// IsAccountID reports whether s is an AWS account ID: exactly 12 decimal
// digits.
// https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-identifiers.html
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Partitions are the names of AWS's partitions, the ARN's second field.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
// https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html
func Partitions() []string {
	return []string{"aws", "aws-cn", "aws-eusc", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-us-gov"}
}

// KnownPartition reports whether p is one of AWS's partitions. An ARN of
// another partition names no resource AWS has, so it is not one a record
// of a real call holds or a policy can usefully grant.
func KnownPartition(p string) bool {
	switch p {
	case "aws", "aws-cn", "aws-eusc", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-us-gov":
		return true
	}
	return false
}

// PartitionOfRegion returns the partition a region belongs to ("aws" for an
// unknown or empty region): China regions are in aws-cn, GovCloud regions
// in aws-us-gov, the isolated regions in their own partitions.
// https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html
func PartitionOfRegion(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "eu-isoe-"):
		return "aws-iso-e"
	case strings.HasPrefix(region, "us-isof-"):
		return "aws-iso-f"
	case strings.HasPrefix(region, "eusc-"):
		return "aws-eusc"
	}
	return "aws"
}
