package iaclint_test

import (
	"fmt"

	"github.com/iamwhy/iamwhy/analyze"
	"github.com/iamwhy/iamwhy/analyze/iaclint"
	"github.com/iamwhy/iamwhy/catalog"
)

// Lint every policy of a Terraform plan; a document apply has not made is
// reported, never passed over.
func ExamplePlan() {
	r, err := iaclint.Plan("../../examples/iac/plan.json", iaclint.Options{Lint: analyze.LintOptions{Catalog: catalog.Default()}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(r.Results), "linted")
	for _, n := range r.NotLinted {
		fmt.Println("not linted:", n.Source)
	}
	// Output:
	// 7 linted
	// not linted: aws_iam_role_policy.exporter_export.policy
}
