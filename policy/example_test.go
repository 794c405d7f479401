package policy_test

import (
	"fmt"

	"github.com/iamwhy/iamwhy/policy"
)

func ExampleParse() {
	doc := `{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "ReadReports",
    "Effect": "Allow",
    "Action": ["s3:GetObject", "s3:ListBucket"],
    "Resource": "arn:aws:s3:::reports/*",
    "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}
  }]
}`
	p, err := policy.ParseString(doc, policy.Options{Type: policy.TypeIdentity, Source: "reports.json"})
	if err != nil {
		fmt.Println(err)
		return
	}
	s := p.Statements[0]
	fmt.Println(s.Label(), s.Effect, "at", s.Pos)
	for _, a := range s.Action.Values {
		fmt.Println(" action", a.Text, "at", a.Pos)
	}
	c := s.Conditions[0]
	fmt.Println(" condition", c.Operator, c.Key, c.Values[0].Text, "at", c.KeyPos)

	// The same statement with a Principal is not an identity-based policy.
	_, err = policy.ParseString(`{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}}`,
		policy.Options{Type: policy.TypeIdentity, Source: "bad.json"})
	fmt.Println(err)
	// Output:
	// ReadReports Allow at reports.json:3:17
	//  action s3:GetObject at reports.json:6:16
	//  action s3:ListBucket at reports.json:6:32
	//  condition StringEquals aws:RequestedRegion eu-west-1 at reports.json:8:36
	// bad.json:1:35: Principal is not allowed in an identity-based policy
}
