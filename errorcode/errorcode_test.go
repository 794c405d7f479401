package errorcode

import "testing"

func TestIsAccessDenied(t *testing.T) {
	for code, want := range map[string]bool{
		"AccessDenied": true, "AccessDeniedException": true, "accessdenied": true,
		"Client.UnauthorizedOperation": true, "UnauthorizedOperation": true, "Server.AccessDenied": true,
		"AuthorizationError": true, "VpceAccessDenied": true, "AccessDeniedFault": true,
		"AccessDeniedForDependencyException": true,
		// App Mesh: "You don't have permissions to perform this action".
		"ForbiddenException": true, "Forbidden": true, "UnauthorizedException": true,
		"KMSAccessDeniedException": true, "EC2AccessDeniedException": true, "KMS.AccessDeniedException": true,
		"CloudHsmAccessDeniedException": true,
		// Authentication failures and other errors are not authorization
		// decisions.
		"InvalidClientTokenId": false, "SignatureDoesNotMatch": false, "ExpiredToken": false,
		"AuthFailure": false, "NotAuthorizedException": false, "ThrottlingException": false,
		"NoSuchKey": false, "": false, "Client.": false,
		"AVeryLongServiceSpecificErrorCodeThatIsLongerThanSixtyFourBytesAccessDeniedException": true,
		"AVeryLongServiceSpecificErrorCodeThatIsLongerThanSixtyFourBytesAndIsSomethingElse":    false,
	} {
		if got := IsAccessDenied(code); got != want {
			t.Errorf("IsAccessDenied(%q) = %v, want %v", code, got, want)
		}
	}
}

func TestIsAccessDeniedDoesNotAllocate(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _ = IsAccessDenied("Client.UnauthorizedOperation") }); n != 0 {
		t.Errorf("allocates %v times", n)
	}
}
