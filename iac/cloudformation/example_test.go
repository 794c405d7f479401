package cloudformation_test

import (
	"fmt"

	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/iac/cloudformation"
)

// A SAM template standing alone, with its parameters file: the execution
// role SAM generates for a function, named by its logical id.
func ExampleLoadFiles() {
	env, _, err := cloudformation.LoadFiles(nil, []cloudformation.Input{{
		Path:       "../../examples/iac/cloudformation/template.yaml",
		Parameters: "../../examples/iac/cloudformation/parameters.json",
		Account:    "111122223333", Region: "eu-west-1",
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, resource := range []string{"table/orders-prod", "table/orders-dev"} {
		req := &eval.Request{Principal: "arn:aws:iam::111122223333:role/OrdersFunctionRole", Action: "dynamodb:PutItem",
			Resource: "arn:aws:dynamodb:eu-west-1:111122223333:" + resource}
		layers, err := env.Layers(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(resource, eval.Decide(req, layers).Outcome)
	}
	// Output:
	// table/orders-prod allow
	// table/orders-dev implicit-deny
}
