package unused_test

import (
	"context"
	"fmt"

	"github.com/iamwhy/iamwhy/analyze/unused"
	"github.com/iamwhy/iamwhy/snapshot"
	"github.com/iamwhy/iamwhy/trail"
)

// Report one role's unused permissions and the verified proposal.
func ExampleFromTrail() {
	env, err := snapshot.LoadFile("testdata/env", snapshot.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, _, err := unused.FromTrail(context.Background(), env, []string{"../generate/testdata/trail.json"}, trail.Options{},
		unused.Options{Principals: []string{"arn:aws:iam::111122223333:user/alice"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	p := res.Principals[0]
	for _, a := range p.Actions {
		fmt.Println(a.Action, a.Status)
	}
	fmt.Println("removal verified:", p.Removal.Verified)
	// Output:
	// iam:CreateAccessKey unused
	// iam:ListAccessKeys unused
	// iam:ListMFADevices used
	// removal verified: true
}
