package replay_test

import (
	"fmt"

	"github.com/iamwhy/iamwhy/replay"
)

func ExampleFromText() {
	r, err := replay.FromText("argument",
		"User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::reports/q1.csv because no identity-based policy allows the s3:GetObject action",
		replay.Given{}, replay.DefaultOptions())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Source.Kind, r.Request.Principal, r.Request.Action, r.Request.Resource)
	// Output: message arn:aws:iam::111122223333:user/alice s3:GetObject arn:aws:s3:::reports/q1.csv
}
