package terraform

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/snapshot"
)

const examplePlan = "../../examples/iac/plan.json"

func decide(t *testing.T, env *snapshot.Environment, principal, action, resource string) eval.Decision {
	t.Helper()
	req := &eval.Request{Principal: principal, Action: action, Resource: resource}
	l, err := env.Layers(req)
	if err != nil {
		t.Fatalf("%s %s %s: %v", principal, action, resource, err)
	}
	return eval.Decide(req, l)
}

func TestPlanStandingAlone(t *testing.T) {
	env, results, err := LoadFiles(nil, []string{examplePlan}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := results[0].Account; got != "111122223333" {
		t.Errorf("account from data.aws_caller_identity = %q", got)
	}
	tests := []struct {
		name, principal, action, resource string
		want                              eval.Outcome
		reason                            string // for Undetermined: must name the unknown address
	}{
		{"inline policy of a role a child module creates", "arn:aws:iam::111122223333:role/app", "s3:GetObject", "arn:aws:s3:::example-data/a", eval.Allow, ""},
		{"bucket policy's Deny stands over the role's Allow", "arn:aws:iam::111122223333:role/app", "s3:DeleteObject", "arn:aws:s3:::example-data/a", eval.ExplicitDeny, ""},
		{"policy_arn computed at apply follows from its reference; the policy from a rendered policy document", "arn:aws:iam::111122223333:role/app", "sqs:SendMessage", "arn:aws:sqs:eu-west-1:111122223333:jobs", eval.Allow, ""},
		{"update in place: the action removed is denied", "arn:aws:iam::111122223333:role/reporting", "s3:PutObject", "arn:aws:s3:::example-reports/q", eval.ImplicitDeny, ""},
		{"update in place: the action kept is allowed", "arn:aws:iam::111122223333:role/reporting", "s3:GetObject", "arn:aws:s3:::example-reports/q", eval.Allow, ""},
		{"a policy known only after apply is undetermined, not absent", "arn:aws:iam::111122223333:role/exports/exporter", "s3:PutObject", "arn:aws:s3:::example-exports/q", eval.Undetermined, "aws_iam_role_policy.exporter_export.policy"},
		{"trust policy of the created role", "lambda.amazonaws.com", "sts:AssumeRole", "arn:aws:iam::111122223333:role/app", eval.Allow, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := decide(t, env, tt.principal, tt.action, tt.resource)
			if d.Outcome != tt.want {
				t.Fatalf("got %v (%s), want %v", d.Outcome, d.Reason, tt.want)
			}
			if tt.reason != "" && !strings.Contains(d.Reason, tt.reason) {
				t.Errorf("reason %q does not name %s", d.Reason, tt.reason)
			}
		})
	}
	if _, err := env.Principal("arn:aws:iam::111122223333:role/legacy"); !errors.Is(err, snapshot.ErrNotFound) {
		t.Errorf("a role the plan destroys: %v, want not found", err)
	}
	if len(results[0].Unknown) == 0 || results[0].Removed != 1 {
		t.Errorf("result = %+v", results[0])
	}
}

// The plan laid over an environment replaces what it changes, adds what it
// creates and removes what it destroys; the rest stays.
func TestPlanOverEnvironment(t *testing.T) {
	base, err := snapshot.LoadFile("../../examples/env", snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	roles := len(base.Accounts["111122223333"].Roles)
	env, _, err := LoadFiles(base, []string{examplePlan}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Principal("arn:aws:iam::111122223333:role/developer"); err != nil {
		t.Errorf("a role the plan does not touch: %v", err)
	}
	if _, err := env.Principal("arn:aws:iam::111122223333:role/app"); err != nil {
		t.Errorf("a role the plan creates: %v", err)
	}
	if got := len(env.Accounts["111122223333"].Roles); got != roles+3 {
		t.Errorf("roles = %d, want %d + app, reporting, exporter", got, roles)
	}
}

func TestPlanAccount(t *testing.T) {
	plan := `{"format_version":"1.2","resource_changes":[{"address":"aws_iam_role.r","mode":"managed","type":"aws_iam_role","name":"r",
	  "change":{"actions":["create"],"before":null,"after":{"name":"r","assume_role_policy":"{}"},"after_unknown":{"arn":true}}}]}`
	p, err := Decode([]byte(plan), "p.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(snapshot.New(snapshot.Options{}), p, "p.json", Options{}); err == nil || !strings.Contains(err.Error(), "--account") {
		t.Errorf("no account anywhere: err = %v, want a request for --account", err)
	}
	env := snapshot.New(snapshot.Options{})
	r, err := Apply(env, p, "p.json", Options{Account: "444455556666"})
	if err != nil || r.Account != "444455556666" {
		t.Fatalf("account given: %v %+v", err, r)
	}
	if _, ok := env.Role("arn:aws:iam::444455556666:role/r"); !ok {
		t.Error("role not in the given account")
	}
}

func TestDecodeErrors(t *testing.T) {
	for name, in := range map[string]string{
		"syntax error names line and column": "{\n  \"format_version\": \"1.2\",\n  x\n}",
		"not a plan":                         `{"format_version": "9.0"}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Decode([]byte(in), "bad.json")
			if err == nil || !strings.HasPrefix(err.Error(), "bad.json") {
				t.Fatalf("err = %v", err)
			}
			if strings.Contains(name, "line") && !strings.HasPrefix(err.Error(), "bad.json:3:") {
				t.Errorf("err = %v, want bad.json:3:COL", err)
			}
		})
	}
	dir := t.TempDir()
	if _, err := ReadFile(dir); err == nil {
		t.Error("a directory was read as a plan")
	}
}

func FuzzDecodeApply(f *testing.F) {
	data, err := os.ReadFile(examplePlan)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(`{"format_version":"1.2"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Decode(data, "fuzz.json")
		if err != nil {
			return
		}
		env := snapshot.New(snapshot.Options{})
		if _, err := Apply(env, p, "fuzz.json", Options{Account: "111122223333"}); err == nil {
			_ = env.Finish()
		}
	})
}

// Resources that change another resource's policy or settings: Lambda
// permissions, ECR repository policies, S3 Block Public Access (bucket and
// account) and organisation SCPs with their attachments.
func TestPlanSettingResources(t *testing.T) {
	base, err := snapshot.LoadFile("../../examples/env", snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	env, results, err := LoadFiles(base, []string{"testdata/settings-plan.json"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := results[0]
	for _, s := range r.Skipped {
		t.Errorf("skipped: %s", s)
	}
	fn := "arn:aws:lambda:eu-west-1:111122223333:function:worker"
	ctx := func(kv ...string) *eval.Context {
		c := &eval.Context{}
		for i := 0; i+1 < len(kv); i += 2 {
			c.Set(kv[i], kv[i+1])
		}
		return c
	}
	tests := []struct {
		name, principal, action, resource string
		ctx                               *eval.Context
		want                              eval.Outcome
		reason                            string
	}{
		{"lambda permission: SNS from its topic may invoke (function named by reference, region from the provider)", "sns.amazonaws.com", "lambda:InvokeFunction", fn,
			ctx("aws:SourceArn", "arn:aws:sns:eu-west-1:111122223333:events"), eval.Undetermined, "aws_lambda_permission.from_bucket.source_arn"},
		{"a known permission: the rule may invoke the alias", "events.amazonaws.com", "lambda:InvokeFunction", "arn:aws:lambda:eu-west-1:111122223333:function:reader:live",
			ctx("aws:SourceArn", "arn:aws:events:eu-west-1:111122223333:rule/nightly"), eval.Allow, ""},
		{"a known permission: another rule may not", "events.amazonaws.com", "lambda:InvokeFunction", "arn:aws:lambda:eu-west-1:111122223333:function:reader:live",
			ctx("aws:SourceArn", "arn:aws:events:eu-west-1:111122223333:rule/other"), eval.ImplicitDeny, ""},
		{"ECR repository policy (statements without Resource) lets the other account pull", "arn:aws:iam::444455556666:root", "ecr:BatchGetImage", "arn:aws:ecr:eu-west-1:111122223333:repository/images",
			ctx("aws:RequestedRegion", "eu-west-1"), eval.Allow, ""},
		{"the SCP attached by reference to a policy the plan creates denies", "arn:aws:iam::111122223333:role/developer", "s3:DeleteBucket", "arn:aws:s3:::example-data-config",
			ctx("aws:RequestedRegion", "eu-west-1"), eval.ExplicitDeny, "aws_organizations_policy.no_bucket_delete"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := &eval.Request{Principal: tt.principal, Action: tt.action, Resource: tt.resource, Context: tt.ctx}
			l, err := env.Layers(req)
			if err != nil {
				t.Fatal(err)
			}
			d := eval.Decide(req, l)
			if d.Outcome != tt.want {
				t.Fatalf("got %v (%s), want %v", d.Outcome, d.Reason, tt.want)
			}
			why := d.Reason
			if d.Policy != nil {
				why += " " + d.Policy.Name
			}
			if tt.reason != "" && !strings.Contains(why, tt.reason) {
				t.Errorf("decision %q does not name %s", why, tt.reason)
			}
		})
	}
	if b := env.Resources["arn:aws:s3:::example-data-config"]; b == nil || b.BlockPublicAccess == nil || !b.BlockPublicAccess.RestrictPublicBuckets || b.Policy == nil {
		t.Errorf("bucket public access block not applied (or the bucket's policy lost): %+v", b)
	}
	if a := env.S3Accounts["111122223333"]; a == nil || a.BlockPublicAccess == nil || !a.BlockPublicAccess.BlockPublicPolicy || a.BlockPublicAccess.RestrictPublicBuckets {
		t.Errorf("account public access block: %+v", a)
	}
	if n, _ := env.Organization.AccountNode("111122223333"); n == nil || !strings.Contains(strings.Join(n.Parent.SCPs, ","), "aws_organizations_policy.no_bucket_delete") {
		t.Errorf("SCP not attached to the workloads OU")
	}
}
