package cloudformation

import (
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/eval"
)

const (
	exampleTemplate   = "../../examples/iac/cloudformation/template.yaml"
	exampleParameters = "../../examples/iac/cloudformation/parameters.json"
)

func TestTemplateStandingAlone(t *testing.T) {
	env, results, err := LoadFiles(nil, []Input{{Path: exampleTemplate, Parameters: exampleParameters, Account: "111122223333", Region: "eu-west-1"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range env.Warnings {
		t.Log(w)
	}
	const acct = "arn:aws:iam::111122223333:"
	tests := []struct {
		name, principal, action, resource string
		want                              eval.Outcome
		reason                            string
	}{
		{"SAM policy template with Ref of a table named by !Sub of a parameter", acct + "role/OrdersFunctionRole", "dynamodb:PutItem", "arn:aws:dynamodb:eu-west-1:111122223333:table/orders-prod", eval.Allow, ""},
		{"SAM policy template: other table denied", acct + "role/OrdersFunctionRole", "dynamodb:PutItem", "arn:aws:dynamodb:eu-west-1:111122223333:table/orders-dev", eval.ImplicitDeny, ""},
		{"S3ReadPolicy with a parameter from the parameters file", acct + "role/OrdersFunctionRole", "s3:GetObject", "arn:aws:s3:::example-orders-data/a.csv", eval.Allow, ""},
		{"bucket policy Deny with !Sub of GetAtt Arn", acct + "role/OrdersFunctionRole", "s3:DeleteObject", "arn:aws:s3:::example-orders-data/a.csv", eval.ExplicitDeny, ""},
		{"inline statement with GetAtt of a queue with a generated name", acct + "role/OrdersFunctionRole", "sqs:SendMessage", "arn:aws:sqs:eu-west-1:111122223333:JobsQueue", eval.Allow, ""},
		{"SAM's basic execution role", acct + "role/OrdersFunctionRole", "logs:PutLogEvents", "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/x:log-stream:y", eval.Allow, ""},
		{"SAM role trust", "lambda.amazonaws.com", "sts:AssumeRole", acct + "role/OrdersFunctionRole", eval.Allow, ""},
		{"Fn::If on a condition from a parameter: prod branch", acct + "role/reports-prod", "s3:PutObject", "arn:aws:s3:::example-orders-data/exports/prod/x", eval.Allow, ""},
		{"Fn::If: the other branch is not granted", acct + "role/reports-prod", "s3:PutObject", "arn:aws:s3:::example-orders-data/exports/dev/x", eval.ImplicitDeny, ""},
		{"managed policy by Ref (its ARN) attached", acct + "role/reports-prod", "s3:GetObject", "arn:aws:s3:::example-orders-data/reports/q.csv", eval.Allow, ""},
		{"Fn::ImportValue is unknown: undetermined, naming the line", acct + "role/KeyUserRole", "ssm:GetParameter", "arn:aws:ssm:eu-west-1:111122223333:parameter/db", eval.Undetermined, "template.yaml:"},
		{"lambda permission: S3 from the bucket may invoke", "s3.amazonaws.com", "lambda:InvokeFunction", "arn:aws:lambda:eu-west-1:111122223333:function:OrdersFunction", eval.Allow, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := &eval.Request{Principal: tt.principal, Action: tt.action, Resource: tt.resource}
			if tt.principal == "s3.amazonaws.com" {
				req.Context = &eval.Context{}
				req.Context.Set("aws:SourceArn", "arn:aws:s3:::example-orders-data")
				req.Context.Set("aws:SourceAccount", "111122223333")
			}
			l, err := env.Layers(req)
			if err != nil {
				t.Fatal(err)
			}
			d := eval.Decide(req, l)
			if d.Outcome != tt.want {
				t.Fatalf("got %v (%s), want %v", d.Outcome, d.Reason, tt.want)
			}
			if tt.reason != "" && !strings.Contains(d.Reason, tt.reason) {
				t.Errorf("reason %q does not name %s", d.Reason, tt.reason)
			}
		})
	}
	r := results[0]
	if len(r.Unknown) != 1 || !strings.Contains(r.Unknown[0], "Fn::ImportValue shared-parameter-arn") {
		t.Errorf("unknown = %q", r.Unknown)
	}
	if bpa := env.Resources["arn:aws:s3:::example-orders-data"].BlockPublicAccess; bpa == nil || !bpa.RestrictPublicBuckets {
		t.Errorf("bucket's PublicAccessBlockConfiguration not read: %+v", bpa)
	}
}
