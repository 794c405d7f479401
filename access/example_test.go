package access_test

import (
	"fmt"

	"github.com/iamwhy/iamwhy/access"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/snapshot"
)

// Who may read the configuration object of the example environment, in
// eu-west-1?
func ExampleWhoCan() {
	env, err := snapshot.LoadFile("../examples/env", snapshot.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := &eval.Context{}
	ctx.Set("aws:RequestedRegion", "eu-west-1")
	r, err := access.WhoCan(env, access.Query{Action: "kms:Decrypt",
		Resource: "arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab", Context: ctx})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, a := range r.Answers {
		if a.Status != access.Denied {
			fmt.Printf("%s: %s\n", a.Principal, a.Summary())
		}
	}
	// Output:
	// arn:aws:iam::111122223333:role/service-role/config-reader: allowed if: StringEquals kms:ViaService [s3.eu-west-1.amazonaws.com]
	// arn:aws:iam::444455556666:role/OrganizationAccountAccessRole: allowed
	// arn:aws:iam::444455556666:root: allowed
}
