package unused

import (
	"reflect"
	"testing"

	"github.com/iamwhy/iamwhy/eval"
)

// A kept request comes back with every field and context key it had.
func TestKeptRequestRoundTrip(t *testing.T) {
	req := &eval.Request{Principal: "arn:aws:sts::111122223333:assumed-role/app/s", Action: "s3:GetObject",
		Resource: "arn:aws:s3:::b/k", ResourceAccount: "444455556666", Context: &eval.Context{}}
	req.FillPrincipalContext("arn:aws:iam::111122223333:role/app")
	req.Context.SetMulti("aws:CalledVia", "athena.amazonaws.com")
	back, err := keep(req).request()
	if err != nil {
		t.Fatal(err)
	}
	if back.Principal != req.Principal || back.Action != req.Action || back.Resource != req.Resource || back.ResourceAccount != req.ResourceAccount {
		t.Fatalf("got %+v, want %+v", back, req)
	}
	if !reflect.DeepEqual(back.Context.Map(), req.Context.Map()) || len(req.Context.Keys()) < 3 {
		t.Fatalf("context %v, want %v", back.Context.Map(), req.Context.Map())
	}
	if _, err := (keptRequest{context: []byte{9}}).request(); err == nil {
		t.Fatal("a malformed context was read")
	}
}
