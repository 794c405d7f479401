package trail

import "github.com/iamwhy/iamwhy/errorcode"

// IsAccessDenied reports whether a CloudTrail errorCode is an
// access-denied-class error; package errorcode owns the list, which
// package denial uses too, so `trail denied` and `explain` agree.
func IsAccessDenied(code string) bool { return errorcode.IsAccessDenied(code) }
