package eval

import (
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/policy"
)

// fakeReference stands in for package catalog with a handful of entries.
type fakeReference struct{}

func (fakeReference) LookupAction(a string) (string, bool, bool) {
	known := map[string]string{"s3:getobject": "s3:GetObject", "kms:decrypt": "kms:Decrypt"}
	svc := strings.ToLower(strings.SplitN(a, ":", 2)[0])
	c, ok := known[strings.ToLower(a)]
	return c, svc == "s3" || svc == "kms", ok
}

func (fakeReference) KeyTypeName(k string) (string, bool) {
	t, ok := map[string]string{"aws:currenttime": "Date", "s3:max-keys": "Numeric", "aws:sourceip": "IPAddress", "aws:tagkeys": "ArrayOfString"}[strings.ToLower(k)]
	return t, ok
}

func (fakeReference) ActionAppliesTo(action, resource string) (bool, bool) {
	if strings.EqualFold(action, "s3:GetObject") {
		return strings.HasPrefix(resource, "arn:aws:s3:::") && strings.Contains(resource, "/"), true
	}
	return false, false
}

func TestExplainWithReferenceWarnings(t *testing.T) {
	pol := mustPolicy(t, "p", policy.TypeIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*",
		"Condition":{"StringLike":{"aws:CurrentTime":"2024-*"},"NumericLessThan":{"s3:max-keys":"10"}}}]}`)
	for _, tc := range []struct {
		rule   string
		req    Request
		expect string
	}{
		{"unknown action is reported", Request{Principal: "arn:aws:iam::111122223333:user/u", Action: "s3:GetObjekt", Resource: "arn:aws:s3:::b/k"}, `unknown action "s3:GetObjekt"`},
		{"unknown service is reported", Request{Principal: "arn:aws:iam::111122223333:user/u", Action: "s4:GetObject", Resource: "arn:aws:s3:::b/k"}, "unknown service"},
		{"resource type the action does not apply to", Request{Principal: "arn:aws:iam::111122223333:user/u", Action: "s3:getobject", Resource: "arn:aws:s3:::bucket-only"}, "does not apply to"},
		{"non-ARN resource", Request{Principal: "arn:aws:iam::111122223333:user/u", Action: "s3:GetObject", Resource: "my-secret"}, "is not an ARN"},
		{"operator on a key of another type", Request{Principal: "arn:aws:iam::111122223333:user/u", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, "aws:CurrentTime is a Date key"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			req := tc.req
			d1 := Decide(&req, &Layers{Identity: []*Policy{pol}})
			d2, tr := ExplainWith(&req, &Layers{Identity: []*Policy{pol}}, Options{Reference: fakeReference{}})
			if d1.Outcome != d2.Outcome {
				t.Fatalf("warnings must not change the decision: %v vs %v", d1.Outcome, d2.Outcome)
			}
			if !strings.Contains(strings.Join(tr.Warnings, "\n"), tc.expect) {
				t.Fatalf("warnings %q lack %q", tr.Warnings, tc.expect)
			}
		})
	}
	ctx := &Context{}
	ctx.Set("s3:max-keys", "ten")
	req := Request{Principal: "arn:aws:iam::111122223333:user/u", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: ctx}
	_, tr := ExplainWith(&req, &Layers{}, Options{Reference: fakeReference{}})
	if !strings.Contains(strings.Join(tr.Warnings, "\n"), `"ten" is not a valid Numeric value`) {
		t.Fatalf("context type: %q", tr.Warnings)
	}
}

// Context values written by hand are read in their key type's canonical
// form, so string operators meet them as they would meet AWS's.
func TestNormalizeContext(t *testing.T) {
	ctx := &Context{}
	ctx.Set("aws:MultiFactorAuthPresent", "True")
	ctx.Set("aws:CurrentTime", "2024-01-01T01:00:00+01:00")
	ctx.Set("aws:SourceIp", "2001:DB8:0:0:0:0:0:1")
	ctx.Set("s3:max-keys", "010")
	ctx.Set("aws:username", "Bob")
	ref := fakeReference2{}
	changes := NormalizeContext(ctx, ref)
	for k, want := range map[string]string{"aws:MultiFactorAuthPresent": "true", "aws:CurrentTime": "2024-01-01T00:00:00Z",
		"aws:SourceIp": "2001:db8::1", "s3:max-keys": "10", "aws:username": "Bob"} {
		if v, _ := ctx.Get(k); v[0] != want {
			t.Errorf("%s = %q, want %q", k, v[0], want)
		}
	}
	if len(changes) != 4 {
		t.Fatalf("changes %v", changes)
	}
	pol := mustPolicy(t, "p", policy.TypeIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*",
		"Condition":{"StringEquals":{"aws:MultiFactorAuthPresent":"true"}}}]}`)
	req := &Request{Principal: "arn:aws:iam::111122223333:user/u", Action: "s3:GetObject", Resource: "*", Context: ctx}
	if d := Decide(req, &Layers{Identity: []*Policy{pol}}); d.Outcome != Allow {
		t.Fatalf("StringEquals on the Bool key after normalising: %v", d.Outcome)
	}
}

type fakeReference2 struct{ fakeReference }

func (fakeReference2) KeyTypeName(k string) (string, bool) {
	t, ok := map[string]string{"aws:currenttime": "Date", "s3:max-keys": "Numeric", "aws:sourceip": "IPAddress",
		"aws:multifactorauthpresent": "Bool", "aws:username": "String"}[strings.ToLower(k)]
	return t, ok
}

// Which key types each operator family accepts without a warning.
func TestOperatorFits(t *testing.T) {
	for _, tc := range []struct {
		op   baseOp
		key  string
		fits bool
	}{
		{opStringEquals, "String", true}, {opStringLike, "ARN", true}, {opStringEquals, "Date", false},
		{opNumericLessThan, "Numeric", true}, {opNumericLessThan, "String", false},
		{opDateGreaterThan, "ArrayOfDate", true}, {opBool, "Bool", true}, {opBool, "String", false},
		{opNotIPAddress, "IPAddress", true}, {opIPAddress, "String", false},
		{opArnLike, "ARN", true}, {opArnNotLike, "String", true}, {opArnEquals, "Numeric", false},
		{opBinaryEquals, "Binary", true}, {opNull, "Date", true},
	} {
		if got := operatorFits(tc.op, tc.key); got != tc.fits {
			t.Errorf("operator %d on a %s key: fits %v, want %v", tc.op, tc.key, got, tc.fits)
		}
	}
}

// Warnings lists the decision's own caveat (a legacy NotPrincipal Allow)
// first, then the request's, then the conditions', as ExplainWith's trace
// does; without a reference only what needs none.
func TestWarnings(t *testing.T) {
	id := mustPolicy(t, "p", policy.TypeIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*",
		"Condition":{"StringLike":{"aws:CurrentTime":"2024-*"}}}]}`)
	bucket := mustPolicy(t, "bucket", policy.TypeResource, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/bob"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`)
	ctx := &Context{}
	ctx.Set("s3:max-keys", "ten")
	for i, tc := range []struct {
		req  Request
		l    Layers
		ref  Reference
		want []string
	}{
		{Request{Principal: "arn:aws:iam::111122223333:user/alice", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, Layers{Resource: bucket}, fakeReference{},
			[]string{"NotPrincipal"}},
		{Request{Principal: "arn:aws:iam::111122223333:user/alice", Action: "s3:GetObject", Resource: "b/k"}, Layers{Resource: bucket, Identity: []*Policy{id}}, fakeReference{},
			[]string{"is not an ARN", "does not apply to b/k", "aws:CurrentTime is a Date key"}},
		{Request{Principal: "arn:aws:iam::111122223333:user/u", Action: "s3:GetObjekt", Resource: "arn:aws:s3", Context: ctx}, Layers{Identity: []*Policy{id}}, fakeReference{},
			[]string{"malformed ARN", `unknown action "s3:GetObjekt"`, `"ten" is not a valid Numeric value`, "aws:CurrentTime is a Date key"}},
		{Request{Principal: "arn:aws:iam::111122223333:user/u", Action: "s3:GetObjekt", Resource: "arn:aws:s3", Context: ctx}, Layers{Identity: []*Policy{id}}, nil,
			[]string{"malformed ARN"}},
		{Request{Principal: "arn:aws:iam::111122223333:user/u", Action: "GetObject", Resource: "*"}, Layers{Identity: []*Policy{id}}, fakeReference{},
			[]string{"no service prefix"}},
	} {
		req := tc.req
		d := Decide(&req, &tc.l)
		got := Warnings(d, &req, &tc.l, Options{Reference: tc.ref})
		ok := len(got) == len(tc.want)
		for j := 0; ok && j < len(got); j++ {
			ok = strings.Contains(got[j], tc.want[j])
		}
		if !ok {
			t.Errorf("case %d (%v): warnings %q, want ones containing %q in order", i, d.Outcome, got, tc.want)
		}
	}
}
