package snapshot

import "strings"

// ARN is an Amazon Resource Name split into its fields.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
type ARN struct {
	Partition string
	Service   string
	Region    string
	Account   string
	// Resource is everything after the fifth colon ("role/path/name",
	// "bucket/key", "function:name:alias").
	Resource string
}

// ParseARN splits s into its fields. ok is false when s is not an ARN (fewer
// than six colon-separated fields or not starting with "arn:").
func ParseARN(s string) (a ARN, ok bool) {
	if !strings.HasPrefix(s, "arn:") {
		return ARN{}, false
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[1] == "" || parts[2] == "" {
		return ARN{}, false
	}
	return ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}, true
}

func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// accountOfARN returns the account field of an ARN, "" when there is none
// (S3 buckets) or s is not an ARN.
func accountOfARN(s string) string {
	a, ok := ParseARN(s)
	if !ok {
		return ""
	}
	return a.Account
}

// isAccountID reports whether s is a 12-digit AWS account id.
func isAccountID(s string) bool {
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

// lastSegment returns the part of a resource path after its last '/'.
func lastSegment(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}
