package snapshot

import (
	"errors"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/check"
	"github.com/iamwhy/iamwhy/eval"
)

// An environment is what `iamwhy check` needs for environment mode.
var _ check.Environment = (*Environment)(nil)

// The decisions examples/env/README.md promises, decided by the engine on
// the layers the environment resolves.
func TestExampleDecisions(t *testing.T) {
	env := loadExample(t)
	const (
		reader = "arn:aws:sts::111122223333:assumed-role/config-reader/config-loader"
		dev    = "arn:aws:sts::111122223333:assumed-role/developer/alice"
		alice  = "arn:aws:iam::111122223333:user/alice"
		admin  = "arn:aws:iam::444455556666:role/data-admin"
		oaar   = "arn:aws:iam::111122223333:role/OrganizationAccountAccessRole"
		object = "arn:aws:s3:::example-data-config/app/settings.json"
		key    = "arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"
		queue  = "arn:aws:sqs:eu-west-1:111122223333:config-events"
	)
	euTLS := map[string]string{"aws:RequestedRegion": "eu-west-1", "aws:SecureTransport": "true"}
	tests := []struct {
		n         int
		principal string
		action    string
		resource  string
		ctx       map[string]string
		want      string
		layer     eval.Layer
	}{
		{1, reader, "s3:GetObject", object, euTLS, "allow", ""},
		{2, reader, "s3:GetObject", object, map[string]string{"aws:RequestedRegion": "eu-west-1", "aws:SecureTransport": "false"}, "explicit-deny", eval.LayerResource},
		{3, reader, "s3:PutObject", object, euTLS, "implicit-deny", ""},
		{4, reader, "s3:GetObject", object, map[string]string{"aws:RequestedRegion": "ap-southeast-2", "aws:SecureTransport": "true"}, "explicit-deny", eval.LayerSCP},
		{5, reader, "kms:Decrypt", key, map[string]string{"aws:RequestedRegion": "eu-west-1", "kms:ViaService": "s3.eu-west-1.amazonaws.com"}, "allow", ""},
		{6, reader, "kms:Decrypt", key, map[string]string{"aws:RequestedRegion": "eu-west-1"}, "implicit-deny", eval.LayerResource},
		{7, reader, "sqs:SendMessage", queue, map[string]string{"aws:RequestedRegion": "eu-west-1"}, "allow", ""},
		{8, reader, "logs:PutLogEvents", "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/config-loader:log-stream:x", map[string]string{"aws:RequestedRegion": "eu-west-1"}, "allow", ""},
		{9, dev, "lambda:CreateFunction", "arn:aws:lambda:eu-west-1:111122223333:function:dev-fn", map[string]string{"aws:RequestedRegion": "eu-west-1"}, "allow", ""},
		{10, dev, "lambda:CreateFunction", "arn:aws:lambda:ap-southeast-2:111122223333:function:dev-fn", map[string]string{"aws:RequestedRegion": "ap-southeast-2"}, "explicit-deny", eval.LayerSCP},
		{11, dev, "iam:CreateRole", "arn:aws:iam::111122223333:role/app/new-role", map[string]string{"aws:RequestedRegion": "us-east-1"}, "implicit-deny", eval.LayerBoundary},
		{12, alice, "sts:AssumeRole", "arn:aws:iam::111122223333:role/developer", map[string]string{"aws:MultiFactorAuthPresent": "true"}, "allow", ""},
		{13, alice, "sts:AssumeRole", "arn:aws:iam::111122223333:role/developer", nil, "implicit-deny", eval.LayerResource},
		{14, alice, "iam:ChangePassword", "arn:aws:iam::111122223333:user/alice", nil, "allow", ""},
		{15, alice, "iam:ChangePassword", "arn:aws:iam::111122223333:user/bob", nil, "implicit-deny", eval.LayerIdentity},
		{16, admin, "s3:PutObject", object, euTLS, "allow", ""},
		{17, admin, "s3:PutObject", object, map[string]string{"aws:RequestedRegion": "eu-west-1", "aws:SecureTransport": "false"}, "explicit-deny", eval.LayerResource},
		{18, oaar, "ec2:RunInstances", "arn:aws:ec2:ap-southeast-2:111122223333:instance/*", map[string]string{"aws:RequestedRegion": "ap-southeast-2"}, "allow", ""},
		{19, oaar, "organizations:LeaveOrganization", "*", map[string]string{"aws:RequestedRegion": "us-east-1"}, "explicit-deny", eval.LayerSCP},
		{20, "s3.amazonaws.com", "sqs:SendMessage", queue, map[string]string{"aws:SourceArn": "arn:aws:s3:::example-data-config", "aws:SourceAccount": "444455556666"}, "allow", ""},
	}
	for _, tc := range tests {
		req := &eval.Request{Principal: tc.principal, Action: tc.action, Resource: tc.resource, Context: &eval.Context{}}
		for k, v := range tc.ctx {
			req.Context.Set(k, v)
		}
		l, err := env.Layers(req)
		if err != nil {
			t.Errorf("#%d: %v", tc.n, err)
			continue
		}
		d := eval.Decide(req, l)
		if d.Outcome.String() != tc.want || (tc.layer != "" && d.Layer != tc.layer) {
			_, tr := eval.Explain(req, l)
			t.Errorf("#%d %s %s %s: %s by %s (%s), want %s by %s\n%v", tc.n, tc.principal, tc.action, tc.resource,
				d.Outcome, d.Layer, d.Reason, tc.want, tc.layer, tr)
		}
	}
}

func TestLayersFillTheContextFromTheEnvironment(t *testing.T) {
	env := loadExample(t)
	req := &eval.Request{Principal: "arn:aws:sts::111122223333:assumed-role/config-reader/s", Action: "s3:GetObject",
		Resource: "arn:aws:s3:::example-data-config/x", Context: &eval.Context{}}
	req.Context.Set("aws:PrincipalTag/app", "given")
	if _, err := env.Layers(req); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"aws:PrincipalArn":     "arn:aws:iam::111122223333:role/service-role/config-reader",
		"aws:PrincipalOrgID":   "o-exmpl12345",
		"aws:ResourceOrgID":    "o-exmpl12345",
		"aws:ResourceAccount":  "444455556666",
		"aws:PrincipalAccount": "111122223333",
		"aws:PrincipalTag/app": "given", // a value the request gives wins
	}
	for k, v := range want {
		if got, _ := req.Context.Get(k); len(got) != 1 || got[0] != v {
			t.Errorf("%s = %v, want %s", k, got, v)
		}
	}
	if req.ResourceAccount != "444455556666" {
		t.Errorf("ResourceAccount = %q", req.ResourceAccount)
	}
}

func TestLayersRefuseUnknownPrincipalsAndReportGaps(t *testing.T) {
	env := loadExample(t)
	_, err := env.Layers(&eval.Request{Principal: "arn:aws:iam::111122223333:role/ghost", Action: "s3:GetObject", Resource: "*"})
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("err = %v", err)
	}
	tests := []struct {
		rule, principalAccount, action, resource, want string
	}{
		{"an uncollected KMS key is a gap", "111122223333", "kms:Decrypt", "arn:aws:kms:eu-west-1:444455556666:key/other", "key policy"},
		{"an uncollected bucket's owner is unknown", "111122223333", "s3:GetObject", "arn:aws:s3:::elsewhere/x", "whether the request is cross-account is unknown"},
		{"an uncollected cross-account queue is a gap", "111122223333", "sqs:SendMessage", "arn:aws:sqs:eu-west-1:444455556666:q", "cross-account"},
		{"an uncollected same-account queue is not", "111122223333", "sqs:SendMessage", "arn:aws:sqs:eu-west-1:111122223333:q", ""},
		{"a collected resource is not", "111122223333", "s3:GetObject", "arn:aws:s3:::example-data-config/x", ""},
		{"an unknown role is a gap for AssumeRole", "111122223333", "sts:AssumeRole", "arn:aws:iam::444455556666:role/ghost", "trust policy"},
	}
	for _, tc := range tests {
		t.Run(tc.rule, func(t *testing.T) {
			gaps := env.ResourceGaps(tc.principalAccount, tc.action, tc.resource)
			if got := strings.Join(gaps, "; "); (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Errorf("gaps = %q, want %q", got, tc.want)
			}
		})
	}
}

// The check runner calls Layers from several goroutines.
func TestLayersConcurrently(t *testing.T) {
	env := loadExample(t)
	done := make(chan error)
	for g := 0; g < 8; g++ {
		go func() {
			for _, p := range []string{"arn:aws:iam::111122223333:user/alice", "arn:aws:sts::111122223333:assumed-role/config-reader/s", "arn:aws:iam::444455556666:role/data-admin"} {
				req := &eval.Request{Principal: p, Action: "s3:GetObject", Resource: "arn:aws:s3:::example-data-config/x", Context: &eval.Context{}}
				if _, err := env.Layers(req); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for g := 0; g < 8; g++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
