package eval_test

import (
	"fmt"

	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/policy"
)

// A role session reads an object. Its identity policy allows reads only in
// eu-west-1; the request went to us-east-1. Explain says which layer denied
// and which condition nearly matched.
func ExampleDecide() {
	id, err := eval.ParseAndCompile("app-read", []byte(`{
		"Version": "2012-10-17",
		"Statement": [{
			"Sid": "ReadConfig",
			"Effect": "Allow",
			"Action": "s3:GetObject",
			"Resource": "arn:aws:s3:::cfg/*",
			"Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}
		}]
	}`), policy.TypeIdentity)
	if err != nil {
		fmt.Println(err)
		return
	}
	layers := &eval.Layers{Identity: []*eval.Policy{id}}

	ctx := &eval.Context{}
	ctx.Set("aws:RequestedRegion", "eu-west-1")
	req := &eval.Request{
		Principal: "arn:aws:sts::111122223333:assumed-role/app/fn",
		Action:    "s3:GetObject",
		Resource:  "arn:aws:s3:::cfg/settings.json",
		Context:   ctx,
	}
	d := eval.Decide(req, layers)
	fmt.Println(d.Outcome, "by", d.Layer, "statement", d.StatementSid())

	ctx.Set("aws:RequestedRegion", "us-east-1")
	d, trace := eval.Explain(req, layers)
	fmt.Println(d.Outcome, "by", d.Layer)
	for _, st := range trace.Layers[0].Statements {
		for _, m := range st.Failed {
			fmt.Println("near miss:", st.Sid, m)
		}
	}
	// Output:
	// allow by identity statement ReadConfig
	// implicit-deny by identity
	// near miss: ReadConfig condition StringEquals aws:RequestedRegion expected [eu-west-1], got [us-east-1]
}
