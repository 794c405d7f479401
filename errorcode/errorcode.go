// Package errorcode owns which AWS error codes mean "access denied": an
// authorization decision went against the caller. Package trail counts
// CloudTrail records with these codes as denials and package denial calls
// a pasted error with one an access-denied error, so both use this one
// list.
package errorcode

import "strings"

// accessDenied are the error codes, lower-cased, that AWS services return
// when authorization fails:
//   - AccessDenied: S3, STS, IAM, SQS, CloudFront and most query-protocol
//     services (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html);
//   - AccessDeniedException: the JSON-protocol services (KMS, Lambda,
//     DynamoDB, Secrets Manager, Organizations, ...);
//   - UnauthorizedOperation: EC2, written "Client.UnauthorizedOperation" in
//     CloudTrail (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html);
//   - AuthorizationError (and the older AuthorizationErrorException): SNS
//     (https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html);
//   - VpceAccessDenied: S3, when a VPC endpoint policy denies;
//   - AccessDeniedFault: DMS;
//   - AccessDeniedForDependencyException: Organizations, when the caller
//     lacks a permission the operation needs in another service
//     (https://docs.aws.amazon.com/organizations/latest/APIReference/CommonErrors.html);
//   - Forbidden, ForbiddenException, Unauthorized, UnauthorizedException,
//     UnauthorizedAccess, UnauthorizedAccessException: the REST services
//     (API Gateway, App Mesh, AppSync, IoT, ...). App Mesh documents its
//     ForbiddenException as "You don't have permissions to perform this
//     action" (https://docs.aws.amazon.com/app-mesh/latest/APIReference/CommonErrors.html);
//     Forbidden is also what the SDKs report for a 403 with no body (S3's
//     HEAD requests).
//
// Authentication failures (InvalidClientTokenId, SignatureDoesNotMatch,
// ExpiredToken, AuthFailure, Cognito's NotAuthorizedException) are not
// authorization decisions and are not included.
var accessDenied = map[string]bool{
	"accessdenied":                       true,
	"accessdeniedexception":              true,
	"unauthorizedoperation":              true,
	"authorizationerror":                 true,
	"authorizationerrorexception":        true,
	"vpceaccessdenied":                   true,
	"accessdeniedfault":                  true,
	"accessdeniedfordependencyexception": true,
	"forbidden":                          true,
	"forbiddenexception":                 true,
	"unauthorized":                       true,
	"unauthorizedexception":              true,
	"unauthorizedaccess":                 true,
	"unauthorizedaccessexception":        true,
}

// IsAccessDenied reports whether an error code means access denied: one of
// the codes above, case-insensitively, optionally prefixed "Client." or
// "Server." as EC2 writes them in CloudTrail, or a service's own code
// ending in AccessDeniedException (Lambda's KMSAccessDeniedException and
// EC2AccessDeniedException, "KMS.AccessDeniedException", CloudHSM's
// CloudHsmAccessDeniedException;
// https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors).
func IsAccessDenied(code string) bool {
	if code == "" {
		return false
	}
	if c, ok := strings.CutPrefix(code, "Client."); ok {
		code = c
	} else if c, ok := strings.CutPrefix(code, "Server."); ok {
		code = c
	}
	var buf [64]byte
	if len(code) > len(buf) {
		return strings.HasSuffix(strings.ToLower(code), "accessdeniedexception")
	}
	lc := buf[:len(code)]
	for i := 0; i < len(code); i++ {
		c := code[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lc[i] = c
	}
	return accessDenied[string(lc)] || strings.HasSuffix(string(lc), "accessdeniedexception")
}
