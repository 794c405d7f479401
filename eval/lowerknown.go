package eval

import "strings"

// lowerKnown returns the lower-cased form of the global condition keys
// that rebuilt requests set on every context (trail.ToReplay,
// FillPrincipalContext) without allocating it: a fresh Context lower-cases
// each key it is given, and for the requests `unused` and `generate`
// rebuild from a trail that was a string per key per request. Other keys
// take strings.ToLower as before.
func lowerKnown(key string) (string, bool) {
	switch key {
	case "aws:CurrentTime":
		return "aws:currenttime", true
	case "aws:EpochTime":
		return "aws:epochtime", true
	case "aws:RequestedRegion":
		return "aws:requestedregion", true
	case "aws:UserAgent":
		return "aws:useragent", true
	case "aws:SourceIp":
		return "aws:sourceip", true
	case "aws:SourceVpce":
		return "aws:sourcevpce", true
	case "aws:MultiFactorAuthPresent":
		return "aws:multifactorauthpresent", true
	case "aws:TokenIssueTime":
		return "aws:tokenissuetime", true
	case "aws:userid":
		return key, true
	// The derived keys' lower-cased names belong to derivedKeyNames.
	case "aws:PrincipalArn":
		return derivedKeyNames[keyPrincipalArn], true
	case "aws:PrincipalAccount":
		return derivedKeyNames[keyPrincipalAccount], true
	case "aws:PrincipalType":
		return derivedKeyNames[keyPrincipalType], true
	case "aws:username":
		return derivedKeyNames[keyUsername], true
	case "aws:PrincipalIsAWSService":
		return derivedKeyNames[keyPrincipalIsAWSService], true
	case "aws:PrincipalServiceName":
		return derivedKeyNames[keyPrincipalServiceName], true
	case "aws:PrincipalOrgID":
		return "aws:principalorgid", true
	case "aws:SecureTransport":
		return "aws:securetransport", true
	case "aws:ViaAWSService":
		return "aws:viaawsservice", true
	case "iam:PassedToService":
		return "iam:passedtoservice", true
	}
	return "", false
}

// lowerKey is strings.ToLower(key) without allocating for the keys
// lowerKnown knows; unlike Context.lower it touches no state, so readers
// (Has, Get) stay safe to call from several goroutines.
func lowerKey(key string) string {
	if lk, ok := lowerKnown(key); ok {
		return lk
	}
	return strings.ToLower(key)
}
