package generate_test

import (
	"context"
	"fmt"

	"github.com/iamwhy/iamwhy/analyze/generate"
	"github.com/iamwhy/iamwhy/trail"
)

// Generate the policy for a role from a trail, verified before use.
func ExampleFromTrail() {
	res, _, err := generate.FromTrail(context.Background(), []string{"testdata/trail.json"}, trail.Options{},
		generate.Options{Principal: "arn:aws:sts::111122223333:assumed-role/app/i-2"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range res.Policy.Statement {
		fmt.Println(s.Action, s.Resource)
	}
	fmt.Println("verified:", res.Verification.Verified)
	// Output:
	// [sqs:SendMessage] [arn:aws:sqs:eu-west-1:111122223333:jobs]
	// verified: true
}
