package eval

import (
	"strings"
	"testing"
)

// TestLowerKnown checks every spelling lowerKnown knows against
// strings.ToLower, and that other keys are left to it.
func TestLowerKnown(t *testing.T) {
	known := []string{"aws:CurrentTime", "aws:EpochTime", "aws:RequestedRegion", "aws:UserAgent",
		"aws:SourceIp", "aws:SourceVpce", "aws:MultiFactorAuthPresent", "aws:TokenIssueTime",
		"aws:userid", "aws:PrincipalOrgID",
		"aws:SecureTransport", "aws:ViaAWSService", "iam:PassedToService"}
	for _, k := range append(known, derivedKeyDisplay[:]...) {
		got, ok := lowerKnown(k)
		if !ok || got != strings.ToLower(k) {
			t.Errorf("lowerKnown(%q) = %q, %v; want %q", k, got, ok, strings.ToLower(k))
		}
	}
	for _, k := range []string{"aws:sourceip", "AWS:SourceIp", "s3:prefix", ""} {
		if got, ok := lowerKnown(k); ok && got != strings.ToLower(k) {
			t.Errorf("lowerKnown(%q) = %q", k, got)
		}
	}
	var c Context
	c.Set("AWS:SOURCEIP", "10.0.0.1")
	if !c.Has("aws:SourceIp") {
		t.Error("a key set in another case is not found by its usual spelling")
	}
}
