package web

import (
	"encoding/json"
	"testing"
)

func TestPrettyKeepsIAMKeyOrder(t *testing.T) {
	var doc any
	if err := json.Unmarshal([]byte(`{"Statement":[{"Resource":"*","Action":"s3:GetObject","Effect":"Allow","Sid":"A","Condition":{"Bool":{"aws:SecureTransport":"true"}}}],"Version":"2012-10-17","x":[],"y":{}}`), &doc); err != nil {
		t.Fatal(err)
	}
	want := `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "A",
      "Effect": "Allow",
      "Action": "s3:GetObject",
      "Resource": "*",
      "Condition": {
        "Bool": {
          "aws:SecureTransport": "true"
        }
      }
    }
  ],
  "x": [],
  "y": {}
}`
	if got := pretty(doc); got != want {
		t.Errorf("pretty:\n%s\nwant\n%s", got, want)
	}
	// What it prints is the same document.
	var back any
	if err := json.Unmarshal([]byte(pretty(doc)), &back); err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(doc)
	b, _ := json.Marshal(back)
	if string(a) != string(b) {
		t.Errorf("round trip changed the document: %s vs %s", a, b)
	}
}
