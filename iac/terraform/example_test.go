package terraform_test

import (
	"fmt"

	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/iac/terraform"
)

// A plan standing alone: the role a child module creates, decided in the
// state after apply.
func ExampleLoadFiles() {
	env, results, err := terraform.LoadFiles(nil, []string{"../../examples/iac/plan.json"}, terraform.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	req := &eval.Request{Principal: "arn:aws:iam::111122223333:role/exports/exporter", Action: "s3:PutObject", Resource: "arn:aws:s3:::example-exports/q3.csv"}
	layers, err := env.Layers(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	d := eval.Decide(req, layers)
	fmt.Println(results[0].Account, d.Outcome)
	fmt.Println(d.Reason)
	// Output:
	// 111122223333 undetermined
	// aws_iam_role_policy.exporter_export.policy is known only after apply: it could deny the request or fail to allow it, and nothing else denies it
}
