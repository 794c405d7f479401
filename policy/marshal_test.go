package policy

import (
	"encoding/json"
	"reflect"
	"testing"
)

// Marshalling and parsing again gives the same document (positions aside).
func TestMarshalRoundTrip(t *testing.T) {
	src := `{"Version":"2012-10-17","Id":"x","Statement":[
	 {"Sid":"A","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root","444455556666"],"Service":"s3.amazonaws.com"},
	  "Action":["s3:GetObject","s3:ListBucket"],"Resource":"arn:aws:s3:::b/*",
	  "Condition":{"StringEquals":{"aws:SourceAccount":"111122223333","s3:prefix":["a","b"]},"Bool":{"aws:SecureTransport":true},"NumericLessThan":{"s3:max-keys":10}}},
	 {"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"NotAction":"s3:*","NotResource":"arn:aws:s3:::b"}]}`
	p, err := ParseString(src, Options{Type: TypeResource})
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	q, err := Parse(out, Options{Type: TypeResource})
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !reflect.DeepEqual(stripPos(p), stripPos(q)) {
		t.Fatalf("round trip differs:\n%s", out)
	}
}
