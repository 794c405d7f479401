package check_test

import (
	"fmt"

	"github.com/iamwhy/iamwhy/check"
)

// A check file asserts decisions; Runner evaluates each case.
func ExampleRunner() {
	f, err := check.Parse("inline.yaml", []byte(`
version: 1
policies:
  read-cfg:
    Version: "2012-10-17"
    Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "arn:aws:s3:::cfg/*"}]
cases:
  - name: reads config
    principal: arn:aws:sts::111122223333:assumed-role/app/fn
    action: [s3:GetObject, s3:PutObject]
    resource: arn:aws:s3:::cfg/settings.json
    layers: {identity: [read-cfg]}
    expect: allow
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	rep := &check.Report{}
	(&check.Runner{}).Run(f, rep)
	for _, r := range rep.Results {
		fmt.Println(r.Name, r.Decision, r.Pass)
	}
	// Output:
	// reads config [s3:GetObject arn:aws:s3:::cfg/settings.json] allow true
	// reads config [s3:PutObject arn:aws:s3:::cfg/settings.json] implicit-deny false
}
