package denial

import (
	"net/url"
	"strings"
)

// arnParts splits an ARN into partition, service, region, account and
// resource; ok is false when s is not arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE.
// See https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html.
func arnParts(s string) (partition, service, region, account, resource string, ok bool) {
	if !strings.HasPrefix(s, "arn:") {
		return "", "", "", "", "", false
	}
	f := strings.SplitN(s, ":", 6)
	if len(f) != 6 || f[1] == "" || f[2] == "" || f[5] == "" {
		return "", "", "", "", "", false
	}
	return f[1], f[2], f[3], f[4], f[5], true
}

// isAccountID reports whether s is a 12-digit AWS account ID.
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

// validPrincipalARN reports whether s is a whole ARN (messages sometimes
// carry redacted or cut ones such as "arn:aws:sts::123456789012:...").
func validPrincipalARN(s string) bool {
	_, _, _, _, res, ok := arnParts(s)
	return ok && !strings.Contains(res, "...") && !strings.Contains(s, "***")
}

// principalTypeOf classifies a principal ARN
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns).
func principalTypeOf(arn string) PrincipalType {
	_, service, _, _, res, ok := arnParts(arn)
	if !ok {
		return PrincipalUnknown
	}
	switch {
	case service == "iam" && res == "root":
		return PrincipalRoot
	case service == "iam" && strings.HasPrefix(res, "user/"):
		return PrincipalUser
	case service == "iam" && strings.HasPrefix(res, "role/"):
		return PrincipalRole
	case service == "sts" && strings.HasPrefix(res, "assumed-role/"):
		return PrincipalAssumedRole
	case service == "sts" && strings.HasPrefix(res, "federated-user/"):
		return PrincipalFederatedUser
	}
	return PrincipalUnknown
}

// accountOf returns the account field of an ARN when it is an account ID.
func accountOf(arn string) *string {
	if _, _, _, acct, _, ok := arnParts(arn); ok && isAccountID(acct) {
		return strp(acct)
	}
	return nil
}

// roleOfSession returns the role name of an assumed-role session ARN
// (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION). The session ARN does
// not carry the role's path.
func roleOfSession(arn string) (name string, ok bool) {
	_, service, _, _, res, ok := arnParts(arn)
	if !ok || service != "sts" || !strings.HasPrefix(res, "assumed-role/") {
		return "", false
	}
	parts := strings.Split(res, "/")
	if len(parts) < 2 || parts[1] == "" {
		return "", false
	}
	return parts[1], true
}

// nameAfter returns the last path element of an IAM user or role ARN.
func nameAfter(arn string) string {
	_, _, _, _, res, ok := arnParts(arn)
	if !ok {
		return ""
	}
	return res[strings.LastIndexByte(res, '/')+1:]
}

// sqsURLToARN turns an SQS queue URL into its ARN: the URL names region,
// account and queue (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-queue-message-identifiers.html).
func sqsURLToARN(s string) (string, bool) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" {
		return "", false
	}
	host := u.Hostname()
	partition := ""
	switch {
	case strings.HasSuffix(host, ".amazonaws.com.cn"):
		partition, host = "aws-cn", strings.TrimSuffix(host, ".amazonaws.com.cn")
	case strings.HasSuffix(host, ".amazonaws.com"):
		partition, host = "aws", strings.TrimSuffix(host, ".amazonaws.com")
	default:
		return "", false
	}
	labels := strings.Split(host, ".")
	if len(labels) != 2 || labels[0] != "sqs" || labels[1] == "" {
		return "", false
	}
	region := labels[1]
	path := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(path) != 2 || !isAccountID(path[0]) || path[1] == "" {
		return "", false
	}
	if strings.HasPrefix(region, "us-gov-") {
		partition = "aws-us-gov"
	}
	return "arn:" + partition + ":sqs:" + region + ":" + path[0] + ":" + path[1], true
}
