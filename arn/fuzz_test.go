package arn

import (
	"strings"
	"testing"
)

// FuzzParse checks the invariants every caller relies on: Split never
// panics, a split ARN joins back to its text, Parse is Split plus a
// partition and a service, PolicyResource is a prefix of its input, and the
// principal helpers agree with each other.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"arn:aws:iam::111122223333:role/app", "arn:aws:s3:::b/k", "arn:aws-cn:s3:::b",
		"arn:aws:sts::111122223333:assumed-role/r/s", "arn:::::", "arn:aws:s3::", "*", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, ok := Split(s)
		if ok && a.String() != s {
			t.Fatalf("Split(%q) does not rejoin: %q", s, a.String())
		}
		p, pok := Parse(s)
		if pok != (ok && a.Partition != "" && a.Service != "") || (pok && p != a) {
			t.Fatalf("Parse(%q) = %+v %v disagrees with Split %+v %v", s, p, pok, a, ok)
		}
		if pr := PolicyResource(s); !strings.HasPrefix(s, pr) {
			t.Fatalf("PolicyResource(%q) = %q is not a prefix", s, pr)
		}
		if !SamePolicy(s, s) {
			t.Fatalf("SamePolicy(%q, itself) is false", s)
		}
		_, _, sok := SessionRole(s)
		if sok != (PrincipalKindOf(s) == PrincipalAssumedRole) {
			t.Fatalf("SessionRole and PrincipalKindOf disagree on %q", s)
		}
		if IsAccountID(s) && len(s) != 12 {
			t.Fatalf("IsAccountID(%q)", s)
		}
	})
}
