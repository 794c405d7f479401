package denial

import (
	"net/url"
	"strings"

	"github.com/iamwhy/iamwhy/arn"
)

// arnParts splits an ARN into partition, service, region, account and
// resource; ok is false when s is not arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE
// with a resource (a message that cuts an ARN short does not name one).
func arnParts(s string) (partition, service, region, account, resource string, ok bool) {
	a, ok := arn.Parse(s)
	if !ok || a.Resource == "" {
		return "", "", "", "", "", false
	}
	return a.Partition, a.Service, a.Region, a.Account, a.Resource, true
}

// isAccountID reports whether s is a 12-digit AWS account ID.
func isAccountID(s string) bool { return arn.IsAccountID(s) }

// validPrincipalARN reports whether s is a whole ARN (messages sometimes
// carry redacted or cut ones such as "arn:aws:sts::123456789012:...").
func validPrincipalARN(s string) bool {
	_, _, _, _, res, ok := arnParts(s)
	return ok && !strings.Contains(res, "...") && !strings.Contains(s, "***")
}

// principalTypeOf classifies a principal ARN by its form; an identity
// provider's ARN, which never makes a request itself, is unknown.
func principalTypeOf(s string) PrincipalType {
	if _, _, _, _, _, ok := arnParts(s); !ok {
		return PrincipalUnknown
	}
	if k := arn.PrincipalKindOf(s); k != arn.PrincipalFederatedProvider {
		return k
	}
	return PrincipalUnknown
}

// accountOf returns the account field of an ARN when it is an account ID.
func accountOf(s string) *string {
	if _, _, _, _, _, ok := arnParts(s); !ok {
		return nil
	}
	if acct, ok := arn.AccountID(s); ok {
		return strp(acct)
	}
	return nil
}

// roleOfSession returns the role name of an assumed-role session ARN
// (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION). The session ARN does
// not carry the role's path.
func roleOfSession(s string) (name string, ok bool) {
	role, _, ok := arn.SessionRole(s)
	return role, ok
}

// nameAfter returns the last path element of an IAM user or role ARN.
func nameAfter(s string) string {
	_, _, _, _, res, ok := arnParts(s)
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
