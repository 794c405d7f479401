package eval

import (
	"strings"

	"github.com/iamwhy/iamwhy/policy"
	"reflect"
	"testing"
)

// A context read back from its binary form has the same keys, spellings,
// values and multivaluedness, and decides as the original does.
func TestContextBinaryRoundTrip(t *testing.T) {
	c := &Context{}
	c.Set("aws:SourceIp", "10.0.0.1")
	c.SetMulti("aws:TagKeys", "env")
	c.Set("aws:CalledVia", "a", "b")
	c.Set("s3:prefix", "")
	c.Set("aws:username", "Bob")
	for _, in := range []*Context{c, {}, nil} {
		b, err := in.AppendBinary([]byte("x"))
		if err != nil {
			t.Fatal(err)
		}
		var out Context
		if err := out.UnmarshalBinary(b[1:]); err != nil {
			t.Fatalf("%v: %v", in.Keys(), err)
		}
		if in == nil {
			in = &Context{}
		}
		if !reflect.DeepEqual(in.Keys(), out.Keys()) && !(len(in.Keys()) == 0 && len(out.Keys()) == 0) {
			t.Fatalf("keys %q, want %q", out.Keys(), in.Keys())
		}
		for _, k := range in.Keys() {
			want, _ := in.lookup(strings.ToLower(k))
			got, _ := out.lookup(strings.ToLower(k))
			if !reflect.DeepEqual(want, got) {
				t.Errorf("%s: %+v, want %+v", k, got, want)
			}
		}
	}
	// The multivalued single value matters to a single-valued operator.
	pol := mustPolicy(t, "p", policy.TypeIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*",
		"Condition":{"StringEquals":{"aws:TagKeys":"env"}}}]}`)
	b, _ := c.AppendBinary(nil)
	var back Context
	if err := back.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	req := func(ctx *Context) *Request {
		return &Request{Principal: "arn:aws:iam::111122223333:user/u", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: ctx}
	}
	l := &Layers{Identity: []*Policy{pol}}
	if a, b := Decide(req(c), l), Decide(req(&back), l); a.Outcome != b.Outcome {
		t.Errorf("decisions differ: %v, %v", a.Outcome, b.Outcome)
	}
	for cut := 0; cut < len(b); cut++ {
		var bad Context
		if err := bad.UnmarshalBinary(b[:cut]); err == nil {
			t.Errorf("a form cut at %d of %d bytes was read", cut, len(b))
		}
	}
}

// UnmarshalBinary refuses what AppendBinary did not write, without
// panicking or allocating beyond the input.
func FuzzContextBinary(f *testing.F) {
	c := &Context{}
	c.Set("aws:SourceIp", "10.0.0.1")
	c.SetMulti("aws:TagKeys", "env", "team")
	b, _ := c.AppendBinary(nil)
	f.Add(b)
	f.Add([]byte{0})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, data []byte) {
		var ctx Context
		if err := ctx.UnmarshalBinary(data); err != nil {
			return
		}
		again, _ := ctx.AppendBinary(nil)
		var back Context
		if err := back.UnmarshalBinary(again); err != nil || !reflect.DeepEqual(ctx.Map(), back.Map()) {
			t.Fatalf("round trip: %v", err)
		}
	})
}
