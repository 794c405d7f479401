package eval

import (
	"fmt"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/policy"
)

// realisticLayers builds the realistic decision the benchmarks measure: a role
// session with 10 managed policies of 10 statements each (wildcards and
// conditions), a permissions boundary, three SCP levels and a bucket
// policy. The statement that allows is the last one of the last policy, so
// every identity statement is tried.
//
// With sameService every statement is about S3 (differing in resources),
// so no statement can be skipped by its service prefix: the harder case.
func realisticLayers(tb testing.TB, sameService bool) (*Request, *Layers) {
	tb.Helper()
	services := []string{"ec2", "dynamodb", "sqs", "sns", "lambda", "logs", "kms", "ssm", "secretsmanager", "cloudwatch"}
	if sameService {
		services = []string{"s3"}
	}
	var identity []*Policy
	for p := 0; p < 10; p++ {
		var stmts []string
		for s := 0; s < 10; s++ {
			svc := services[(p+s)%len(services)]
			action := fmt.Sprintf(`["%s:Get*", "%s:Describe*", "%s:List?*"]`, svc, svc, svc)
			resource := fmt.Sprintf(`"arn:aws:%s:*:111122223333:*/team-%d-*"`, svc, s)
			if sameService {
				resource = fmt.Sprintf(`["arn:aws:s3:::team-%d-*/*", "arn:aws:s3:::amzn-s3-demo-bucket/team-%d/*"]`, p*10+s, p*10+s)
			}
			cond := fmt.Sprintf(`{"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}, "StringLike": {"aws:PrincipalTag/team": "team-%d*"}}`, s)
			if p == 9 && s == 9 {
				action = `["s3:Get*", "s3:List*"]`
				resource = `["arn:aws:s3:::amzn-s3-demo-bucket/data/*", "arn:aws:s3:::amzn-s3-demo-bucket"]`
				cond = `{"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}, "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "203.0.113.0/24"]}, "Bool": {"aws:SecureTransport": "true"}}`
			}
			stmts = append(stmts, fmt.Sprintf(`{"Sid": "S%d", "Effect": "Allow", "Action": %s, "Resource": %s, "Condition": %s}`, s, action, resource, cond))
		}
		doc := `{"Version": "2012-10-17", "Statement": [` + strings.Join(stmts, ",") + `]}`
		identity = append(identity, mustPolicy(tb, fmt.Sprintf("arn:aws:iam::111122223333:policy/managed-%d", p), policy.TypeIdentity, doc))
	}
	boundary := mustPolicy(tb, "boundary", policy.TypeBoundary, `{"Version": "2012-10-17", "Statement": [
		{"Effect": "Allow", "Action": ["s3:*", "ec2:Describe*", "logs:*"], "Resource": "*"},
		{"Effect": "Deny", "Action": "iam:*", "Resource": "*"},
		{"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::secret-*"}]}`)
	fullAccess := mustPolicy(tb, "FullAWSAccess", policy.TypeSCP, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`)
	region := mustPolicy(tb, "region-guardrail", policy.TypeSCP, `{"Version": "2012-10-17", "Statement": [
		{"Sid": "DenyOutsideEU", "Effect": "Deny", "NotAction": ["iam:*", "organizations:*", "sts:*", "support:*"], "Resource": "*",
		 "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}, "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/OrgAdmin"}}}]}`)
	noLeave := mustPolicy(tb, "no-leave", policy.TypeSCP, `{"Version": "2012-10-17", "Statement": [
		{"Effect": "Deny", "Action": ["organizations:LeaveOrganization", "account:*", "cloudtrail:StopLogging", "cloudtrail:DeleteTrail"], "Resource": "*"}]}`)
	bucket := mustPolicy(tb, "bucket", policy.TypeResource, `{"Version": "2012-10-17", "Statement": [
		{"Sid": "DenyInsecure", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::amzn-s3-demo-bucket", "arn:aws:s3:::amzn-s3-demo-bucket/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
		{"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:role/reader"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/shared/*"},
		{"Sid": "OrgOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*", "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-exampleorg"}}}]}`)

	ctx := &Context{}
	ctx.Set("aws:RequestedRegion", "eu-west-1")
	ctx.Set("aws:SourceIp", "203.0.113.42")
	ctx.Set("aws:SecureTransport", "true")
	ctx.Set("aws:PrincipalOrgID", "o-exampleorg")
	ctx.Set("aws:PrincipalTag/team", "payments")
	ctx.SetMulti("aws:CalledVia")
	req := &Request{
		Principal: "arn:aws:sts::111122223333:assumed-role/app/session-1",
		Action:    "s3:GetObject",
		Resource:  "arn:aws:s3:::amzn-s3-demo-bucket/data/2024/report.csv",
		Context:   ctx,
	}
	req.FillPrincipalContext("arn:aws:iam::111122223333:role/service/app")
	l := &Layers{
		Identity: identity,
		Boundary: boundary,
		SCP:      [][]*Policy{{fullAccess}, {fullAccess, region}, {fullAccess, noLeave}},
		Resource: bucket,
	}
	return req, l
}

func TestRealisticDecisionAllows(t *testing.T) {
	for _, same := range []bool{false, true} {
		req, l := realisticLayers(t, same)
		d := Decide(req, l)
		if d.Outcome != Allow || d.Layer != LayerIdentity || d.StatementSid() != "S9" || d.Policy != l.Identity[9] {
			t.Fatalf("sameService=%v: got %v by %v statement %q: %s", same, d.Outcome, d.Layer, d.StatementSid(), d.Reason)
		}
		if n := testing.AllocsPerRun(100, func() { Decide(req, l) }); n != 0 {
			t.Errorf("sameService=%v: Decide allocates %.0f times per realistic decision; want 0", same, n)
		}
	}
}

// BenchmarkDecideRealistic measures one realistic decision (issue 2: under
// 2 µs with no allocations).
func BenchmarkDecideRealistic(b *testing.B) {
	req, l := realisticLayers(b, false)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if Decide(req, l).Outcome != Allow {
			b.Fatal("not allowed")
		}
	}
}

// BenchmarkDecideRealisticSameService is the same decision when all 100
// identity statements are about S3.
func BenchmarkDecideRealisticSameService(b *testing.B) {
	req, l := realisticLayers(b, true)
	b.ReportAllocs()
	for b.Loop() {
		if Decide(req, l).Outcome != Allow {
			b.Fatal("not allowed")
		}
	}
}

// BenchmarkExplainRealistic is the same decision with a full trace, for
// comparison: traces allocate by design.
func BenchmarkExplainRealistic(b *testing.B) {
	req, l := realisticLayers(b, false)
	b.ReportAllocs()
	for b.Loop() {
		Explain(req, l)
	}
}

// Policy variables are substituted into a scratch buffer; matching the
// result must not allocate either, however long the substituted value.
func TestDecideWithVariablesDoesNotAllocate(t *testing.T) {
	id := mustPolicy(t, "id", policy.TypeIdentity, `{"Version": "2012-10-17", "Statement": [{
		"Effect": "Allow", "Action": "s3:*",
		"Resource": "arn:aws:s3:::amzn-s3-demo-bucket-with-a-long-name/home/${aws:username}/*",
		"Condition": {
			"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"},
			"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/division_abc/subdivision_xyz/${aws:username}"}}}]}`)
	ctx := &Context{}
	ctx.Set("aws:PrincipalTag/team", "payments-and-settlements-platform")
	ctx.Set("aws:ResourceTag/team", "payments-and-settlements-platform")
	req := &Request{
		Principal: "arn:aws:iam::111122223333:user/division_abc/subdivision_xyz/alice-with-a-long-user-name",
		Action:    "s3:GetObject",
		Resource:  "arn:aws:s3:::amzn-s3-demo-bucket-with-a-long-name/home/alice-with-a-long-user-name/f",
		Context:   ctx,
	}
	req.FillPrincipalContext("")
	l := &Layers{Identity: []*Policy{id}}
	if d := Decide(req, l); d.Outcome != Allow {
		t.Fatalf("got %v: %s", d.Outcome, d.Reason)
	}
	if n := testing.AllocsPerRun(100, func() { Decide(req, l) }); n != 0 {
		t.Errorf("Decide with policy variables allocates %.0f times; want 0", n)
	}
}

// BenchmarkDecideRealisticDerivedKeys is the realistic decision for a
// request built without FillPrincipalContext: Decide derives the
// principal's keys itself (building the session's role ARN, one
// allocation, only when a policy reads aws:PrincipalArn).
func BenchmarkDecideRealisticDerivedKeys(b *testing.B) {
	req, l := realisticLayers(b, false)
	bare := &Request{Principal: req.Principal, Action: req.Action, Resource: req.Resource, Context: &Context{}}
	for _, k := range req.Context.Keys() {
		if strings.HasPrefix(strings.ToLower(k), "aws:principal") && k != "aws:PrincipalTag/team" && k != "aws:PrincipalOrgID" {
			continue
		}
		v, _ := req.Context.Get(k)
		bare.Context.Set(k, v...)
	}
	b.ReportAllocs()
	for b.Loop() {
		if Decide(bare, l).Outcome != Allow {
			b.Fatal("not allowed")
		}
	}
}
