package denial_test

import (
	"fmt"
	"strings"

	"github.com/iamwhy/iamwhy/denial"
)

func ExampleParse() {
	msg := `An error occurred (AccessDenied) when calling the GetObject operation: User:
arn:aws:sts::123456789012:assumed-role/my-lambda-role/my-function is not authorized to perform:
s3:getobject on resource: "arn:aws:s3:::my-prod-bucket/config/settings.json"
with an explicit deny in a service control policy, with policy ARN:
arn:aws:organizations::999999999999:policy/o-exampleorgid/service_control_policy/p-examplepolicyid`

	// The catalog package provides the real canonicaliser; a map stands in.
	canonical := map[string]string{"s3:getobject": "s3:GetObject"}
	d, err := denial.Parse(msg, denial.Options{
		ActionCanonicalizer: func(a string) (string, bool) {
			c, ok := canonical[strings.ToLower(a)]
			return c, ok
		},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(d.Recognized, *d.ErrorCode, *d.Operation)
	fmt.Println(*d.Principal, d.PrincipalType, *d.Account)
	fmt.Println(*d.Action, *d.Resource)
	fmt.Println(d.Deny, d.PolicyType, *d.PolicyARN)
	fmt.Println(d.CrossAccount == nil) // an S3 ARN has no account: unknown
	// Output:
	// true AccessDenied GetObject
	// arn:aws:sts::123456789012:assumed-role/my-lambda-role/my-function assumed-role 123456789012
	// s3:GetObject arn:aws:s3:::my-prod-bucket/config/settings.json
	// explicit scp arn:aws:organizations::999999999999:policy/o-exampleorgid/service_control_policy/p-examplepolicyid
	// true
}
