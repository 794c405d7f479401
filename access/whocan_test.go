package access

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/snapshot"
)

const exampleEnv = "../examples/env"

func loadExample(t testing.TB) *snapshot.Environment {
	t.Helper()
	env, err := snapshot.LoadFile(exampleEnv, snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func ctxOf(kv ...string) *eval.Context {
	c := &eval.Context{}
	for i := 0; i+1 < len(kv); i += 2 {
		c.Set(kv[i], kv[i+1])
	}
	return c
}

const (
	object       = "arn:aws:s3:::example-data-config/app/settings.json"
	queue        = "arn:aws:sqs:eu-west-1:111122223333:config-events"
	key          = "arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	developer    = "arn:aws:iam::111122223333:role/developer"
	configReader = "arn:aws:iam::111122223333:role/service-role/config-reader"
	dataAdmin    = "arn:aws:iam::444455556666:role/data-admin"
	oaarApp      = "arn:aws:iam::111122223333:role/OrganizationAccountAccessRole"
	oaarData     = "arn:aws:iam::444455556666:role/OrganizationAccountAccessRole"
	alice        = "arn:aws:iam::111122223333:user/alice"
)

// TestWhoCanExample checks who-can against the decisions documented in
// examples/env/README.md: each row names the rule that makes the principal
// allowed, allowed if a condition holds, or left out.
func TestWhoCanExample(t *testing.T) {
	env := loadExample(t)
	tests := []struct {
		rule      string
		action    string
		resource  string
		ctx       *eval.Context
		allowed   []string
		allowedIf map[string]string // principal -> Summary
	}{
		{
			rule:   "cross-account object read needs the bucket policy (README rows 1, 16): only config-reader and the bucket account's principals",
			action: "s3:GetObject", resource: object, ctx: ctxOf("aws:RequestedRegion", "eu-west-1", "aws:SecureTransport", "true"),
			allowed: []string{configReader, dataAdmin, oaarData, "arn:aws:iam::444455556666:root"},
		},
		{
			rule:   "an SCP Deny with StringNotEquals on an absent key matches: allowed if the region is one it exempts (README row 4)",
			action: "s3:GetObject", resource: object, ctx: nil,
			allowed: []string{oaarData}, // the region guard exempts OrganizationAccountAccessRole
			allowedIf: map[string]string{
				configReader:                     "allowed if: StringEquals aws:RequestedRegion [eu-west-1, us-east-1]",
				dataAdmin:                        "allowed if: StringEquals aws:RequestedRegion [eu-west-1, us-east-1]",
				"arn:aws:iam::444455556666:root": "allowed if: StringEquals aws:RequestedRegion [eu-west-1, us-east-1]",
			},
		},
		{
			rule:   "a trust policy's Bool condition on an absent key is a condition to hold, not a deny (README rows 12, 13)",
			action: "sts:AssumeRole", resource: developer, ctx: nil,
			allowedIf: map[string]string{
				alice:   "allowed if: Bool aws:MultiFactorAuthPresent [true]",
				oaarApp: "allowed if: Bool aws:MultiFactorAuthPresent [true]",
			},
		},
		{
			rule:   "a key policy condition on kms:ViaService (README rows 5, 6); the key account's root through the key policy",
			action: "kms:Decrypt", resource: key, ctx: ctxOf("aws:RequestedRegion", "eu-west-1"),
			allowed:   []string{oaarData, "arn:aws:iam::444455556666:root"},
			allowedIf: map[string]string{configReader: "allowed if: StringEquals kms:ViaService [s3.eu-west-1.amazonaws.com]"},
		},
		{
			rule:   "a service principal named in the queue policy is considered, with its conditions (README row 20)",
			action: "sqs:SendMessage", resource: queue, ctx: ctxOf("aws:RequestedRegion", "eu-west-1"),
			allowed: []string{configReader, developer, oaarApp, "arn:aws:iam::111122223333:root"},
			allowedIf: map[string]string{
				"s3.amazonaws.com": "allowed if: ArnLike aws:SourceArn [arn:aws:s3:::example-data-config] AND StringEquals aws:SourceAccount [444455556666]",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			r, err := WhoCan(env, Query{Action: tt.action, Resource: tt.resource, Context: tt.ctx})
			if err != nil {
				t.Fatal(err)
			}
			var allowed []string
			allowedIf := map[string]string{}
			for _, a := range r.Answers {
				switch a.Status {
				case Allowed:
					allowed = append(allowed, a.Principal)
				case AllowedIf:
					allowedIf[a.Principal] = a.Summary()
				case Unknown, Undetermined:
					t.Errorf("%s: %s", a.Principal, a.Summary())
				}
			}
			sort.Strings(allowed)
			want := slices.Clone(tt.allowed)
			sort.Strings(want)
			if !slices.Equal(allowed, want) {
				t.Errorf("allowed = %v\nwant %v", allowed, want)
			}
			if len(allowedIf) != len(tt.allowedIf) {
				t.Errorf("allowed if = %v\nwant %v", allowedIf, tt.allowedIf)
			}
			for p, s := range tt.allowedIf {
				if allowedIf[p] != s {
					t.Errorf("%s: %q, want %q", p, allowedIf[p], s)
				}
			}
		})
	}
}

// TestWhoCanUnless: a Deny on a key the request lacks is reported as the
// condition under which an allowed principal would be denied.
func TestWhoCanUnless(t *testing.T) {
	a := Ask(loadExample(t), "arn:aws:sts::111122223333:assumed-role/config-reader/s", "s3:GetObject", object, ctxOf("aws:RequestedRegion", "eu-west-1"))
	if a.Status != Allowed || len(a.Unless) != 1 || a.Unless[0].String() != "Bool aws:SecureTransport [false]" {
		t.Fatalf("got %s, unless %v", a.Summary(), a.Unless)
	}
}

// TestWhoCanGap: a principal whose resource policy was not collected is
// unknown, never denied.
func TestWhoCanGap(t *testing.T) {
	env := loadExample(t)
	r, err := WhoCan(env, Query{Action: "s3:GetObject", Resource: "arn:aws:s3:::not-collected/x", Context: ctxOf("aws:RequestedRegion", "eu-west-1")})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range r.Answers {
		if a.Principal == developer {
			found = true
			if a.Status != Unknown || len(a.Gaps) == 0 || !strings.Contains(a.Gaps[0], "not-collected") {
				t.Errorf("developer: %s", a.Summary())
			}
		}
	}
	if !found {
		t.Error("developer not considered")
	}
}

// TestWitnessValues: each operator's satisfying value (for an Allow's
// condition) and falsifying value (for a Deny's condition that held only
// because its key was absent), and the ones that cannot be written down
// from the condition alone.
func TestWitnessValues(t *testing.T) {
	tests := []struct {
		rule   string
		f      func(string, []string) (string, bool)
		op     string
		values []string
		want   string
		ok     bool
	}{
		{"equality takes the first value", satisfying, "StringEquals", []string{"a", "b"}, "a", true},
		{"Like fills wildcards", satisfying, "StringLike", []string{"arn:aws:s3:::b/*"}, "arn:aws:s3:::b/x", true},
		{"a CIDR block gives its first address", satisfying, "IpAddress", []string{"10.1.0.0/16"}, "10.1.0.0", true},
		{"LessThan steps below the bound", satisfying, "NumericLessThan", []string{"3600"}, "3599", true},
		{"GreaterThan steps above a date", satisfying, "DateGreaterThan", []string{"2026-01-01T00:00:00Z"}, "2026-01-01T00:00:01Z", true},
		{"Null false needs a present key", satisfying, "Null", []string{"false"}, "true", true},
		{"a negated operator takes an unlisted value", satisfying, "StringNotEquals", []string{"x"}, otherValue, true},
		{"policy variables cannot be satisfied alone", satisfying, "StringEquals", []string{"${aws:username}"}, "", false},
		{"Null true is not satisfied by a value", satisfying, "Null", []string{"true"}, "", false},
		{"a negated operator fails on a listed value", falsifying, "StringNotEquals", []string{"eu-west-1"}, "eu-west-1", true},
		{"IfExists fails on an unlisted value", falsifying, "StringEqualsIfExists", []string{"x"}, otherValue, true},
		{"Bool IfExists fails on the other value", falsifying, "BoolIfExists", []string{"false"}, "true", true},
		{"Null true fails when the key is present", falsifying, "Null", []string{"true"}, "true", true},
		{"ForAllValues with a negated operator is not attempted", falsifying, "ForAllValues:StringNotEquals", []string{"x"}, "", false},
		{"a plain positive operator on an absent key never held", falsifying, "StringEquals", []string{"x"}, "", false},
	}
	for _, tt := range tests {
		got, ok := tt.f(tt.op, tt.values)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: %s %v -> %q, %v; want %q, %v", tt.rule, tt.op, tt.values, got, ok, tt.want, tt.ok)
		}
	}
}

// TestWhoCanConditionKinds: a condition on a policy variable cannot be
// satisfied by a value of WhoCan's own (undetermined, not denied); an
// Allow's condition on an absent key is a condition to hold; a Deny with a
// negated IfExists operator matches when the key is absent, and is lifted
// by the listed value.
func TestWhoCanConditionKinds(t *testing.T) {
	env, err := snapshot.LoadFile("testdata/env", snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const bob = "arn:aws:iam::123456789012:user/bob"
	tests := []struct {
		rule, action, resource string
		status                 Status
		summary                string
	}{
		{"a policy variable in a condition value: undetermined", "s3:ListBucket", "arn:aws:s3:::home", Undetermined, "undetermined: allowed only if conditions hold that iamwhy cannot check with a value of its own: StringLike s3:prefix [${aws:username}/*]"},
		{"an Allow's condition on an absent key must hold", "s3:GetObject", "arn:aws:s3:::home/a", AllowedIf, "allowed if: StringEquals aws:SourceVpc [vpc-0123]"},
		{"StringNotEqualsIfExists on an absent key denies; the listed value lifts it", "s3:PutObject", "arn:aws:s3:::home/a", AllowedIf, "allowed if: StringEquals aws:SourceVpc [vpc-0123]"},
		{"no statement at all: denied", "s3:DeleteObject", "arn:aws:s3:::home/a", Denied, "denied"},
	}
	for _, tt := range tests {
		a := Ask(env, bob, tt.action, tt.resource, nil)
		if a.Status != tt.status || a.Summary() != tt.summary {
			t.Errorf("%s: %s %q, want %s %q", tt.rule, a.Status, a.Summary(), tt.status, tt.summary)
		}
	}
}

// TestWhoCanIfPresent: a ForAllValues condition holds when the key is
// absent; the answer is allowed, and says what a request carrying the key
// must meet.
func TestWhoCanIfPresent(t *testing.T) {
	env, err := snapshot.LoadFile("testdata/env", snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := Ask(env, "arn:aws:iam::123456789012:user/bob", "s3:PutObjectTagging", "arn:aws:s3:::home/a", nil)
	if a.Status != Allowed || len(a.IfPresent) != 1 || a.IfPresent[0].String() != "ForAllValues:StringEquals aws:TagKeys [team]" {
		t.Errorf("%s, if present %v", a.Summary(), a.IfPresent)
	}
}

// TestWhoCanImpossibleOrgCondition: "allowed if aws:PrincipalOrgID = o-..."
// is never offered for a principal whose account is not in the
// organisation (AWS sets the key only for member accounts), nor
// aws:ResourceOrgID for a resource outside it; simulate denies both.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid
func TestWhoCanImpossibleOrgCondition(t *testing.T) {
	env, err := snapshot.LoadFile("testdata/orgenv", snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		rule, principal, resource string
		want                      Status
	}{
		// Its identity policy asks for aws:ResourceOrgID, which the
		// environment sets for the member bucket.
		{"a member of the organisation is allowed by the org-wide grant", "arn:aws:iam::111122223333:user/inside", "arn:aws:s3:::shared/k", Allowed},
		{"an account outside the organisation cannot meet aws:PrincipalOrgID", "arn:aws:iam::999988887777:user/outside", "arn:aws:s3:::shared/k", Denied},
		{"a resource outside the organisation cannot meet aws:ResourceOrgID", "arn:aws:iam::111122223333:user/inside", "arn:aws:s3:::outside-bucket/k", Denied},
	} {
		t.Run(tt.rule, func(t *testing.T) {
			a := Ask(env, tt.principal, "s3:GetObject", tt.resource, nil)
			if a.Status != tt.want || len(a.Conditions) > 0 {
				t.Errorf("%s: got %s, want %s without conditions", tt.principal, a.Summary(), tt.want)
			}
		})
	}
}
