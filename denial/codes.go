package denial

import (
	"strings"

	"github.com/iamwhy/iamwhy/errorcode"
)

// isAccessDeniedCode reports whether an error code means access denied;
// package errorcode owns the list, which package trail uses too.
func isAccessDeniedCode(code string) bool { return errorcode.IsAccessDenied(code) }

// notDeniedHints say what an error that is not an authorization failure
// is, for the errors people most often take for one (keys lower-cased).
// Authentication errors come first: AWS rejected the credentials before
// any policy was evaluated
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot.html).
var notDeniedHints = map[string]string{
	"expiredtoken":                     "the temporary credentials (session token) have expired: no policy was evaluated. Get new credentials (aws sso login, assume the role again, refresh the profile) and retry",
	"expiredtokenexception":            "the temporary credentials (session token) have expired: no policy was evaluated. Get new credentials (aws sso login, assume the role again, refresh the profile) and retry",
	"requestexpired":                   "the request's signature time is too old or in the future: check the clock of the machine that signed it",
	"requesttimetooskewed":             "the clock of the machine that signed the request differs too much from AWS's: synchronise it (NTP)",
	"invalidclienttokenid":             "AWS does not know the access key ID (deleted, mistyped, or a key of another partition or an opt-in Region): an authentication failure, not a policy decision",
	"unrecognizedclientexception":      "AWS does not know the access key ID or session token: an authentication failure, not a policy decision",
	"invalidaccesskeyid":               "S3 does not know the access key ID: an authentication failure, not a policy decision",
	"signaturedoesnotmatch":            "the request signature is wrong (wrong secret key, a proxy changing the request, or a clock problem): an authentication failure, not a policy decision",
	"invalidsignatureexception":        "the request signature is wrong (wrong secret key or a clock problem): an authentication failure, not a policy decision",
	"incompletesignature":              "the request is not fully signed: an authentication failure, not a policy decision",
	"missingauthenticationtoken":       "the request carried no credentials (or went to a wrong URL, for API Gateway): not a policy decision",
	"authfailure":                      "EC2 could not validate the credentials: an authentication failure, not a policy decision",
	"invalididentitytoken":             "STS rejected the web identity token (issuer, audience or signature): an authentication failure, not a policy decision",
	"invalididentitytokenexception":    "STS rejected the web identity token (issuer, audience or signature): an authentication failure, not a policy decision",
	"notauthorizedexception":           "Cognito rejected the user's credentials or token: an authentication failure, not an IAM policy decision",
	"optinrequired":                    "the account is not subscribed to the service or has not opted in to the Region",
	"throttling":                       "the request was throttled (rate limit): retry with backoff",
	"throttlingexception":              "the request was throttled (rate limit): retry with backoff",
	"toomanyrequestsexception":         "the request was throttled (rate limit): retry with backoff",
	"requestlimitexceeded":             "the request was throttled (rate limit): retry with backoff",
	"slowdown":                         "S3 asks to reduce the request rate: retry with backoff",
	"nosuchbucket":                     "the bucket does not exist (or its name is mistyped): not an authorization failure",
	"nosuchkey":                        "the object does not exist: not an authorization failure",
	"nosuchbucketpolicy":               "the bucket has no bucket policy: not an authorization failure",
	"nosuchentity":                     "the IAM entity does not exist: not an authorization failure",
	"resourcenotfoundexception":        "the resource does not exist (check its name and Region): not an authorization failure",
	"validationexception":              "the request's parameters are invalid: not an authorization failure",
	"validationerror":                  "the request's parameters are invalid: not an authorization failure",
	"malformedpolicydocument":          "the policy document is not valid: not an authorization failure",
	"malformedpolicydocumentexception": "the policy document is not valid: not an authorization failure",
}

// notDeniedReason says why an input is not an access-denied error.
func notDeniedReason(d *Denial) *string {
	if d.Reason != nil && d.Note == "" && d.ErrorCode == nil {
		return d.Reason
	}
	if d.ErrorCode != nil {
		code := *d.ErrorCode
		if h, ok := notDeniedHints[strings.ToLower(code)]; ok {
			return strp(code + " is not an access denial: " + h + ".")
		}
		return strp("error code " + code + " is not an access-denied code")
	}
	lower := strings.ToLower(d.Message)
	for _, p := range notDeniedPhrases {
		if strings.Contains(lower, p.phrase) {
			return strp("not an access denial (" + p.code + "): " + notDeniedHints[strings.ToLower(p.code)] + ".")
		}
	}
	if d.Note != "" {
		return strp(d.Note)
	}
	return strp("no access-denied error code or message was found")
}

// notDeniedPhrases recognise the authentication errors by their message
// when the code was not printed (the Java SDK v2 omits it for S3).
var notDeniedPhrases = []struct{ phrase, code string }{
	{"security token included in the request is expired", "ExpiredToken"},
	{"security token included in the request is invalid", "InvalidClientTokenId"},
	{"access key id you provided does not exist", "InvalidAccessKeyId"},
	{"signature we calculated does not match", "SignatureDoesNotMatch"},
	{"request has expired", "RequestExpired"},
	{"difference between the request time and the current time is too large", "RequestTimeTooSkewed"},
}
