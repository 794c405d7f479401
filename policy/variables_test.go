package policy

import "testing"

func TestVariableOutsideResourcePart(t *testing.T) {
	for _, tt := range []struct {
		arn, field string
		outside    bool
	}{
		{"arn:aws:s3:::bucket/${aws:username}/*", "", false},
		{"arn:aws:dynamodb:us-east-1:${aws:PrincipalAccount}:table/t", "account", true},
		{"arn:aws:sqs:${aws:RequestedRegion}:111122223333:q", "region", true},
		{"arn:${aws:partition}:s3:::b", "partition", true},
		{"${aws:PrincipalArn}", "arn", true},
		{"arn:aws:s3:::b/${*}/x", "", false},
		{"arn:aws:s3::${*}:b", "", false},
		{"arn:aws:iam::111122223333:user/${aws:username}", "", false},
		{"arn:aws:s3::${unterminated", "", false},
	} {
		field, outside := VariableOutsideResourcePart(tt.arn)
		if field != tt.field || outside != tt.outside {
			t.Errorf("%s: got %q %v, want %q %v", tt.arn, field, outside, tt.field, tt.outside)
		}
	}
}
