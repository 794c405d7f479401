package eval

import (
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/policy"
)

// Decide derives the keys that follow from the principal: a request built
// without FillPrincipalContext is decided as AWS decides the signed
// request, the same as with it.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
func TestDecideDerivesPrincipalContext(t *testing.T) {
	id := mustPolicy(t, "id", policy.TypeIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:PrincipalAccount}/*",
		"Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/app"},"StringEquals":{"aws:PrincipalType":"AssumedRole"},"Bool":{"aws:PrincipalIsAWSService":"false"}}}]}`)
	user := mustPolicy(t, "user", policy.TypeIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/home/${aws:username}/*"}]}`)
	for _, tt := range []struct {
		rule      string
		principal string
		resource  string
		pol       *Policy
	}{
		{"a session's aws:PrincipalArn is its role; aws:PrincipalAccount, aws:PrincipalType and aws:PrincipalIsAWSService are set",
			"arn:aws:sts::111122223333:assumed-role/app/s1", "arn:aws:s3:::b/111122223333/k", id},
		{"an IAM user's aws:username is set", "arn:aws:iam::111122223333:user/alice", "arn:aws:s3:::b/home/alice/k", user},
	} {
		t.Run(tt.rule, func(t *testing.T) {
			l := &Layers{Identity: []*Policy{tt.pol}}
			bare := &Request{Principal: tt.principal, Action: "s3:GetObject", Resource: tt.resource}
			filled := &Request{Principal: tt.principal, Action: "s3:GetObject", Resource: tt.resource}
			filled.FillPrincipalContext("")
			d1, d2 := Decide(bare, l), Decide(filled, l)
			if d1.Outcome != Allow || d2.Outcome != Allow {
				t.Fatalf("bare request %v (%s), filled %v (%s); want allow for both", d1.Outcome, d1.Reason, d2.Outcome, d2.Reason)
			}
			if bare.Context != nil {
				t.Errorf("Decide changed the request's context")
			}
		})
	}
	// A key the caller gives wins over the derived one.
	req := &Request{Principal: "arn:aws:sts::111122223333:assumed-role/app/s1", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/111122223333/k", Context: &Context{}}
	req.Context.Set("aws:PrincipalArn", "arn:aws:iam::111122223333:role/other")
	if d := Decide(req, &Layers{Identity: []*Policy{id}}); d.Outcome != ImplicitDeny {
		t.Errorf("given aws:PrincipalArn ignored: %v", d.Outcome)
	}
}

// Deriving the keys costs no allocation, except building a session's role
// ARN when a policy reads aws:PrincipalArn and the caller gave none.
func TestDecideDerivedContextDoesNotAllocate(t *testing.T) {
	user := mustPolicy(t, "user", policy.TypeIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/home/${aws:username}/*","Condition":{"StringEquals":{"aws:PrincipalType":"User"}}}]}`)
	req := &Request{Principal: "arn:aws:iam::111122223333:user/alice", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/home/alice/k"}
	l := &Layers{Identity: []*Policy{user}}
	if d := Decide(req, l); d.Outcome != Allow {
		t.Fatalf("got %v: %s", d.Outcome, d.Reason)
	}
	if n := testing.AllocsPerRun(100, func() { Decide(req, l) }); n != 0 {
		t.Errorf("Decide allocates %.0f times; want 0", n)
	}
}

// A legacy Allow with NotPrincipal decides with a warning on the decision
// and in the trace.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
func TestAllowNotPrincipalWarns(t *testing.T) {
	bucket := mustPolicy(t, "bucket", policy.TypeResource, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/bob"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`)
	req := &Request{Principal: "arn:aws:iam::111122223333:user/alice", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}
	d, tr := Explain(req, &Layers{Resource: bucket})
	if d.Outcome != Allow || d.Warning == "" {
		t.Fatalf("got %v, warning %q", d.Outcome, d.Warning)
	}
	if len(tr.Warnings) != 1 || tr.Warnings[0] != d.Warning {
		t.Errorf("trace warnings %q", tr.Warnings)
	}
	if d := Decide(req, &Layers{Resource: bucket}); d.Warning == "" {
		t.Errorf("Decide lost the warning")
	}
	// Across accounts the identity policy decides, but the bucket's
	// side still came from the legacy statement.
	id := mustPolicy(t, "id", policy.TypeIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
	cross := &Request{Principal: "arn:aws:iam::444455556666:user/carol", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", ResourceAccount: "111122223333"}
	if d := Decide(cross, &Layers{Resource: bucket, Identity: []*Policy{id}}); d.Outcome != Allow || d.Warning == "" {
		t.Errorf("cross-account: %v, warning %q", d.Outcome, d.Warning)
	}
}

// An undetermined decision always carries its reason: a Numeric policy
// value out of range (1e400) cannot be compared, and says so.
func TestUndeterminedAlwaysHasAReason(t *testing.T) {
	for _, cond := range []string{
		`{"NumericLessThan":{"s3:max-keys":"1e400"}}`,
		`{"ForAnyValue:NumericLessThan":{"s3:max-keys":"1e400"}}`,
		`{"ForAllValues:DateLessThan":{"aws:CurrentTime":"not a date"}}`,
		`{"BinaryEquals":{"s3:ExistingObjectTag/b":"aGk="}}`,
	} {
		id := mustPolicy(t, "id", policy.TypeIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":`+cond+`}]}`)
		ctx := &Context{}
		ctx.Set("s3:max-keys", "10")
		ctx.Set("aws:CurrentTime", "2026-01-01T00:00:00Z")
		ctx.Set("s3:ExistingObjectTag/b", "not base64!")
		d := Decide(&Request{Principal: "arn:aws:iam::111122223333:user/alice", Action: "s3:ListBucket", Resource: "arn:aws:s3:::b", Context: ctx},
			&Layers{Identity: []*Policy{id}})
		if d.Outcome != Undetermined || d.Reason == "" || strings.HasSuffix(d.Reason, ": ") {
			t.Errorf("%s: %v with reason %q", cond, d.Outcome, d.Reason)
		}
	}
}
