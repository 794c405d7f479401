package snapshot_test

import (
	"errors"
	"fmt"

	"github.com/iamwhy/iamwhy/snapshot"
)

func ExampleLoadFile() {
	env, err := snapshot.LoadFile("../examples/env", snapshot.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(env.Stats.Roles, "roles,", env.Stats.Resources, "resource policies, organisation", env.OrgID())
	// Output: 5 roles, 3 resource policies, organisation o-exmpl12345
}

func ExampleEnvironment_Principal() {
	env, _ := snapshot.LoadFile("../examples/env", snapshot.Options{})
	p, err := env.Principal("arn:aws:sts::111122223333:assumed-role/developer/alice")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.PrincipalARN(), p.PrincipalType())
	for _, ip := range p.Policies {
		fmt.Println("identity:", ip.Name, ip.ARN)
	}
	fmt.Println("boundary:", p.Boundary.ARN)
	for _, l := range must(env.SCPLevels(p.Account)) {
		fmt.Print(l.Node.ID, ":")
		for _, pol := range l.Policies {
			fmt.Print(" ", pol.ID)
		}
		fmt.Println()
	}
	_, err = env.Principal("arn:aws:iam::111122223333:user/nobody")
	fmt.Println(errors.Is(err, snapshot.ErrNotFound))
	// Output:
	// arn:aws:iam::111122223333:role/developer AssumedRole
	// identity: DeveloperAccess arn:aws:iam::111122223333:policy/DeveloperAccess
	// boundary: arn:aws:iam::111122223333:policy/DeveloperBoundary
	// r-ex12: p-FullAWSAccess p-deny-leave-org
	// ou-ex12-wrkld001: p-FullAWSAccess p-region-guard
	// 111122223333: p-FullAWSAccess
	// true
}

func must(levels []snapshot.PolicyLevel, _ bool) []snapshot.PolicyLevel { return levels }

func ExampleEnvironment_Resource() {
	env, _ := snapshot.LoadFile("../examples/env", snapshot.Options{})
	for _, arn := range []string{
		"arn:aws:s3:::example-data-config/app/settings.json", // an object: its bucket's policy
		"arn:aws:iam::111122223333:role/developer",           // a role: its trust policy
		"arn:aws:s3:::not-collected/x",                       // no record: a gap
	} {
		l, _ := env.Resource(arn)
		fmt.Printf("%s known=%v account=%q policy=%v\n", l.PolicyARN, l.Known, l.Account, l.Policy != nil)
	}
	// Output:
	// arn:aws:s3:::example-data-config known=true account="444455556666" policy=true
	// arn:aws:iam::111122223333:role/developer known=true account="111122223333" policy=true
	// arn:aws:s3:::not-collected known=false account="" policy=false
}
