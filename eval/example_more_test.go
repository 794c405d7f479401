package eval_test

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/policy"
	"github.com/iamwhy/iamwhy/snapshot"
)

func mustCompile(name string, typ policy.Type, doc string) *eval.Policy {
	p, err := eval.ParseAndCompile(name, []byte(doc), typ)
	if err != nil {
		panic(err) // the documents of these examples are valid
	}
	return p
}

// SCPs are evaluated per organisation level, root first: every level must
// have an Allow, and a Deny at any level wins. Here the root allows
// everything, the OU allows only S3, and the account's level (FullAWSAccess)
// allows everything: EC2 is denied at level 1 whatever the identity policy
// says.
func ExampleDecide_scpLevels() {
	full := mustCompile("FullAWSAccess", policy.TypeSCP, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	s3Only := mustCompile("s3-only", policy.TypeSCP, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	admin := mustCompile("admin", policy.TypeIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	layers := &eval.Layers{
		Identity: []*eval.Policy{admin},
		SCP:      [][]*eval.Policy{{full}, {s3Only}, {full}},
	}
	for _, action := range []string{"s3:GetObject", "ec2:RunInstances"} {
		d := eval.Decide(&eval.Request{
			Principal: "arn:aws:sts::111122223333:assumed-role/admin/ops",
			Action:    action,
			Resource:  "*",
		}, layers)
		fmt.Println(action, d.Outcome, "by", d.Layer, "level", d.Level)
	}
	// Output:
	// s3:GetObject allow by identity level -1
	// ec2:RunInstances implicit-deny by scp level 1
}

// Across accounts both sides must allow: the bucket policy of the
// resource's account and the caller's identity policy. The bucket policy
// names the caller's role; without an identity-based allow in the caller's
// account the request is denied.
func ExampleDecide_crossAccount() {
	bucket := mustCompile("arn:aws:s3:::shared", policy.TypeResource, `{"Version":"2012-10-17","Statement":[{
		"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:role/reader"},
		"Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*"}]}`)
	reader := mustCompile("reader-policy", policy.TypeIdentity, `{"Version":"2012-10-17","Statement":[{
		"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*"}]}`)
	req := &eval.Request{
		Principal:       "arn:aws:sts::444455556666:assumed-role/reader/job",
		Action:          "s3:GetObject",
		Resource:        "arn:aws:s3:::shared/report.csv",
		ResourceAccount: "111122223333", // S3 ARNs carry no account
	}
	d := eval.Decide(req, &eval.Layers{Resource: bucket})
	fmt.Printf("%s by %s: %s\n", d.Outcome, d.Layer, d.Reason)
	d = eval.Decide(req, &eval.Layers{Resource: bucket, Identity: []*eval.Policy{reader}})
	fmt.Println(d.Outcome, "by", d.Layer)
	// Output:
	// implicit-deny by identity: no identity-based policy allows the action
	// allow by identity
}

// A layer that exists but whose policy is not known: an explicit deny
// elsewhere still decides; otherwise, if the missing policy could change
// the answer, the decision is undetermined with the reason.
func ExampleUnknownLayer() {
	all := mustCompile("all", policy.TypeIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	req := &eval.Request{
		Principal: "arn:aws:iam::444455556666:user/carol",
		Action:    "sqs:SendMessage",
		Resource:  "arn:aws:sqs:eu-west-1:111122223333:orders",
	}
	missing := []eval.UnknownLayer{{Layer: eval.LayerResource, Reason: "the queue policy was not collected"}}
	d := eval.Decide(req, &eval.Layers{Identity: []*eval.Policy{all}, Unknown: missing})
	fmt.Printf("%s: %s\n", d.Outcome, d.Reason)
	d = eval.Decide(req, &eval.Layers{Unknown: missing})
	fmt.Println(d.Outcome, "by", d.Layer)
	// Output:
	// undetermined: the queue policy was not collected: it could deny the request or fail to allow it, and nothing else denies it
	// implicit-deny by identity
}

// In environment mode package snapshot resolves every layer of a request
// from collected data (accounts, organisation, resource policies), and
// fills the context keys the environment knows (principal tags, org IDs).
func ExampleDecide_environment() {
	env, err := snapshot.LoadFile("../examples/env", snapshot.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := &eval.Context{}
	ctx.Set("aws:RequestedRegion", "eu-west-1")
	ctx.Set("aws:SecureTransport", "true")
	req := &eval.Request{
		Principal: "arn:aws:sts::111122223333:assumed-role/config-reader/config-loader",
		Action:    "s3:GetObject",
		Resource:  "arn:aws:s3:::example-data-config/app/settings.json",
		Context:   ctx,
	}
	layers, err := env.Layers(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	d := eval.Decide(req, layers)
	fmt.Println(d.Outcome, "by", d.Layer, "policy", d.Policy.Name, "statement", d.StatementSid())
	// Output:
	// allow by identity policy arn:aws:iam::111122223333:role/service-role/config-reader#read-config statement ReadConfigBucket
}

// The trace marshals to JSON with snake_case keys and enums as text.
func ExampleTrace_json() {
	id := mustCompile("app", policy.TypeIdentity, `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::cfg/*"}]}`)
	_, tr := eval.Explain(&eval.Request{
		Principal: "arn:aws:iam::111122223333:user/alice",
		Action:    "s3:GetObject",
		Resource:  "arn:aws:s3:::cfg/a.json",
	}, &eval.Layers{Identity: []*eval.Policy{id}})
	st := tr.Layers[0].Statements[0]
	out, _ := json.Marshal(map[string]any{"type": tr.Principal.Type, "allowed": tr.Layers[0].Allowed, "result": st.Result, "statement": st.Label(), "at": st.Location()})
	fmt.Println(string(out))
	// Output:
	// {"allowed":"yes","at":"app:1:38","result":"match","statement":"Read","type":"user"}
}

// The library snippet of the README, as it is there.
func Example_readme() {
	data, err := os.ReadFile("testdata/readme/app.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	principal := "arn:aws:sts::111122223333:assumed-role/app/fn"
	object := "arn:aws:s3:::cfg/settings.json"
	if err := readme(data, principal, object); err != nil {
		fmt.Println(err)
	}
	// Output:
	// allow identity app.json:4:5
}

func readme(data []byte, principal, object string) error {
	// README begin
	p, err := eval.ParseAndCompile("app.json", data, policy.TypeIdentity)
	if err != nil {
		return err // names app.json:line:col
	}
	d := eval.Decide(&eval.Request{Principal: principal, Action: "s3:GetObject", Resource: object},
		&eval.Layers{Identity: []*eval.Policy{p}})
	fmt.Println(d.Outcome, d.Layer, d.Location())
	// README end
	return nil
}
