package diagnose

import (
	"testing"

	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/policy"
)

func inline(t *testing.T, name string, typ policy.Type, doc string) *eval.Policy {
	t.Helper()
	p, err := eval.ParseAndCompile(name, []byte(doc), typ)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The guides' pitfalls that the scenario test does not cover: conditions on
// the network path, and role trust. Each asserts the root cause, the
// finding, and that the fix is proven and grants nothing else.
func TestDiagnosePitfalls(t *testing.T) {
	bucketVPCE := `{"Version":"2012-10-17","Statement":[
	  {"Sid":"AppRole","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"},
	  {"Sid":"OnlyThroughVPCE","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::data","arn:aws:s3:::data/*"],
	   "Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1a2b3c"}}}]}`
	appRead := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}`
	officeOnly := `{"Version":"2012-10-17","Statement":[{"Sid":"FromOffice","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*",
	   "Condition":{"IpAddress":{"aws:SourceIp":"198.51.100.0/24"}}}]}`
	trustOther := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/ci"},"Action":"sts:AssumeRole"}]}`
	assumeAny := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`

	for _, tc := range []struct {
		rule     string
		req      *eval.Request
		layers   *eval.Layers
		layer    string
		finding  string
		decision string
		fix      bool
		beyond   bool // an exception to a Deny also lifts it beyond the request
	}{
		{
			rule: "a bucket policy that requires a VPC endpoint denies a request from outside it",
			req: func() *eval.Request {
				r := req("arn:aws:sts::111122223333:assumed-role/app/task", "s3:GetObject", "arn:aws:s3:::data/k", "aws:SourceIp", "203.0.113.5")
				r.ResourceAccount = "111122223333"
				return r
			}(),
			layers: &eval.Layers{Identity: []*eval.Policy{inline(t, "app", policy.TypeIdentity, appRead)}, Resource: inline(t, "arn:aws:s3:::data", policy.TypeResource, bucketVPCE)},
			layer:  "resource", finding: "vpc-condition", decision: "explicit-deny", fix: true, beyond: true,
		},
		{
			rule:   "an identity policy limited to the office network denies a call from elsewhere (or through a VPC endpoint, which carries no aws:SourceIp)",
			req:    req("arn:aws:iam::111122223333:user/dev", "s3:GetObject", "arn:aws:s3:::data/k", "aws:SourceVpce", "vpce-1a2b3c"),
			layers: &eval.Layers{Identity: []*eval.Policy{inline(t, "office", policy.TypeIdentity, officeOnly)}},
			layer:  "identity", finding: "source-ip-condition", decision: "implicit-deny", fix: true,
		},
		{
			rule:   "a role's trust policy that does not name the caller",
			req:    req("arn:aws:sts::111122223333:assumed-role/deployer/run", "sts:AssumeRole", "arn:aws:iam::111122223333:role/target"),
			layers: &eval.Layers{Identity: []*eval.Policy{inline(t, "assume", policy.TypeIdentity, assumeAny)}, Resource: inline(t, "arn:aws:iam::111122223333:role/target", policy.TypeTrust, trustOther)},
			layer:  "resource", finding: "role-trust", decision: "implicit-deny", fix: true,
		},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			rep := Diagnose(tc.req, tc.layers, Options{Actions: testActions})
			if rep.Decision != tc.decision || rep.RootCause == nil || rep.RootCause.Layer != tc.layer {
				t.Fatalf("decision %s root cause %+v", rep.Decision, rep.RootCause)
			}
			if tc.decision == "explicit-deny" && !hasFinding(rep, "guardrail") {
				t.Fatalf("a Deny on the network path is a guardrail: %+v", rep.Findings)
			}
			if !hasFinding(rep, tc.finding) {
				t.Fatalf("finding %s missing: %+v", tc.finding, rep.Findings)
			}
			if tc.fix {
				if len(rep.Fixes) == 0 {
					t.Fatalf("no fix")
				}
				for _, f := range rep.Fixes {
					if !f.Verified || f.GrantsBeyondRequest != tc.beyond {
						t.Fatalf("fix %+v (also grants %v)", f, f.AlsoGrants)
					}
				}
			}
		})
	}
}
