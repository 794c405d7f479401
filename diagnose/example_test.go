package diagnose_test

import (
	"fmt"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/diagnose"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/policy"
	"github.com/iamwhy/iamwhy/snapshot"
)

// A Lambda role in one account reads an object in another account's bucket
// whose policy does not name it: the diagnosis names the bucket policy and
// proposes a statement for it, proven by re-simulation.
func ExampleDiagnose() {
	identity, _ := eval.ParseAndCompile("lambda-role", []byte(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::shared-cfg/*"}]}`), policy.TypeIdentity)
	bucket, _ := eval.ParseAndCompile("arn:aws:s3:::shared-cfg", []byte(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/reporting"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::shared-cfg/*"}]}`), policy.TypeResource)
	req := &eval.Request{
		Principal:       "arn:aws:sts::111122223333:assumed-role/config-reader/fn",
		Action:          "s3:GetObject",
		Resource:        "arn:aws:s3:::shared-cfg/app.json",
		ResourceAccount: "444455556666",
	}
	req.FillPrincipalContext("")
	rep := diagnose.Diagnose(req, &eval.Layers{Identity: []*eval.Policy{identity}, Resource: bucket}, diagnose.Options{})
	fmt.Println(rep.Decision, rep.RootCause.Layer, rep.RootCause.Policy)
	fmt.Println(rep.Fixes[0].Target, rep.Fixes[0].Verified)
	// Output:
	// implicit-deny resource arn:aws:s3:::shared-cfg
	// arn:aws:s3:::shared-cfg true
}

// Replay a denied request against an environment (a directory of AWS CLI
// outputs, see docs/) and name the layer that denies it.
func ExampleReplay() {
	env, err := snapshot.LoadFile("../examples/env", snapshot.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	req := &eval.Request{
		Principal: "arn:aws:sts::111122223333:assumed-role/developer/alice",
		Action:    "iam:CreateRole",
		Resource:  "arn:aws:iam::111122223333:role/app/new-role",
		Context:   &eval.Context{},
	}
	req.Context.Set("aws:RequestedRegion", "us-east-1")
	out, err := diagnose.Replay(env, req, diagnose.ReplayOptions{Reference: catalog.Default()})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.Report.Decision, out.Report.RootCause.Layer, out.Report.RootCause.Policy)
	// Output: implicit-deny boundary arn:aws:iam::111122223333:policy/DeveloperBoundary
}
