package trail

import "strings"

// deniedCodes are the errorCode values AWS services write when
// authorization fails, collected from the services' API references and
// the IAM troubleshooting guide
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html):
//   - AccessDenied: S3, STS, IAM, SQS, CloudFront and most query-protocol services;
//   - AccessDeniedException: JSON-protocol services (KMS, Lambda, DynamoDB,
//     Secrets Manager, Organizations, ...);
//   - UnauthorizedOperation: EC2, written "Client.UnauthorizedOperation" in CloudTrail
//     (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html);
//   - AuthorizationError (and the older AuthorizationErrorException): SNS;
//   - AccessDeniedFault: DMS;
//   - AccessDeniedForDependencyException: Organizations, when the caller
//     lacks a permission the operation needs in another service;
//   - UnauthorizedAccess, Unauthorized, UnauthorizedException, Forbidden,
//     ForbiddenException: API Gateway, AppSync, IoT and other REST services.
//
// Authentication failures (InvalidClientTokenId, SignatureDoesNotMatch,
// ExpiredToken, AuthFailure, Cognito's NotAuthorizedException) are not
// authorization decisions and are not included.
var deniedCodes = map[string]bool{
	"AccessDenied":                       true,
	"AccessDeniedException":              true,
	"UnauthorizedOperation":              true,
	"AuthorizationError":                 true,
	"AuthorizationErrorException":        true,
	"AccessDeniedFault":                  true,
	"AccessDeniedForDependencyException": true,
	"UnauthorizedAccess":                 true,
	"Unauthorized":                       true,
	"UnauthorizedException":              true,
	"Forbidden":                          true,
	"ForbiddenException":                 true,
}

// IsAccessDenied reports whether a CloudTrail errorCode is an
// access-denied-class error: one of the codes above, optionally prefixed
// "Client." or "Server." as EC2 writes them, or a service-specific code
// ending in AccessDeniedException (Lambda's KMSAccessDeniedException and
// EC2AccessDeniedException, CloudHSM's CloudHsmAccessDeniedException).
func IsAccessDenied(code string) bool {
	if code == "" {
		return false
	}
	if c, ok := strings.CutPrefix(code, "Client."); ok {
		code = c
	} else if c, ok := strings.CutPrefix(code, "Server."); ok {
		code = c
	}
	return deniedCodes[code] || strings.HasSuffix(code, "AccessDeniedException")
}
