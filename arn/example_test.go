package arn_test

import (
	"fmt"

	"github.com/iamwhy/iamwhy/arn"
)

func ExampleParse() {
	a, ok := arn.Parse("arn:aws:lambda:us-east-1:111122223333:function:fn:live")
	fmt.Println(ok, a.Service, a.Region, a.Account, a.Resource)
	// Output: true lambda us-east-1 111122223333 function:fn:live
}

func ExamplePolicyResource() {
	// A bucket policy governs every object in its bucket, in any partition.
	fmt.Println(arn.PolicyResource("arn:aws-cn:s3:::data/reports/q1.csv"))
	fmt.Println(arn.SamePolicy("arn:aws:s3:::data/a", "arn:aws:s3:::data"))
	// Output:
	// arn:aws-cn:s3:::data
	// true
}

func ExampleSessionRole() {
	role, session, _ := arn.SessionRole("arn:aws:sts::111122223333:assumed-role/app/worker-1")
	fmt.Println(role, session, arn.PrincipalKindOf("arn:aws:sts::111122223333:assumed-role/app/worker-1"))
	// Output: app worker-1 assumed-role
}
