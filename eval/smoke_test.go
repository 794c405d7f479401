package eval

import (
	"testing"

	"github.com/iamwhy/iamwhy/policy"
)

func mustPolicy(t testing.TB, name string, typ policy.Type, doc string) *Policy {
	t.Helper()
	p, err := ParseAndCompile(name, []byte(doc), typ)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return p
}

func TestSmokeSameAccountIdentity(t *testing.T) {
	id := mustPolicy(t, "id", policy.TypeIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::cfg/*","Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}}]}`)
	ctx := &Context{}
	ctx.Set("aws:RequestedRegion", "us-east-1")
	req := &Request{Principal: "arn:aws:sts::111122223333:assumed-role/app/fn", Action: "s3:GetObject", Resource: "arn:aws:s3:::cfg/a.json", Context: ctx}
	d := Decide(req, &Layers{Identity: []*Policy{id}})
	if d.Outcome != Allow || d.Layer != LayerIdentity {
		t.Fatalf("got %v %v %s", d.Outcome, d.Layer, d.Reason)
	}
	ctx.Set("aws:RequestedRegion", "eu-west-1")
	d, tr := Explain(req, &Layers{Identity: []*Policy{id}})
	if d.Outcome != ImplicitDeny || d.Layer != LayerIdentity {
		t.Fatalf("got %v %v", d.Outcome, d.Layer)
	}
	if len(tr.Layers) != 1 || len(tr.Layers[0].Statements) != 1 || tr.Layers[0].Statements[0].Failed[0].Key != "aws:RequestedRegion" {
		t.Fatalf("trace: %+v", tr.Layers)
	}
}
