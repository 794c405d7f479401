package replay

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/inputfile"
)

const kmsMessage = "User: arn:aws:sts::111122223333:assumed-role/config-reader/config-loader is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab because no resource-based policy allows the kms:Decrypt action"

// A message names caller, action and resource; what it does not name
// comes from the explicit parts, and a message never carries context.
func TestFromTextMessage(t *testing.T) {
	r, err := FromText("argument", kmsMessage, Given{}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	q := r.Request
	if q.Principal != "arn:aws:sts::111122223333:assumed-role/config-reader/config-loader" || q.Action != "kms:Decrypt" || !strings.HasPrefix(q.Resource, "arn:aws:kms:") {
		t.Fatalf("%+v", q)
	}
	if r.Source.Kind != "message" || r.Source.PolicyType != "resource" || r.Source.Deny != "implicit" {
		t.Fatalf("source %+v", r.Source)
	}
	if len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "carries no region") {
		t.Fatalf("notes %q", r.Notes)
	}
}

func TestFromTextMessageGaps(t *testing.T) {
	const noResource = "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:ListAllMyBuckets"
	r, err := FromText("argument", noResource, Given{}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if r.Request.Resource != "*" || !strings.Contains(r.Notes[0], `replayed on "*"`) {
		t.Fatalf("%+v %q", r.Request, r.Notes)
	}
	r, err = FromText("argument", noResource, Given{Resource: "arn:aws:s3:::b"}, DefaultOptions())
	if err != nil || r.Request.Resource != "arn:aws:s3:::b" {
		t.Fatalf("given resource: %+v %v", r, err)
	}
	const noCaller = "An error occurred (AccessDenied) when calling the GetObject operation: Access Denied"
	if _, err := FromText("argument", noCaller, Given{}, DefaultOptions()); err == nil || !strings.Contains(err.Error(), "--principal") {
		t.Fatalf("a message without a caller: %v", err)
	}
	r, err = FromText("argument", noCaller, Given{Principal: "arn:aws:iam::111122223333:user/alice", Action: "s3:GetObject"}, DefaultOptions())
	if err != nil || r.Request.Principal != "arn:aws:iam::111122223333:user/alice" {
		t.Fatalf("given caller: %+v %v", r, err)
	}
}

func TestFromTextNotAccessDenied(t *testing.T) {
	_, err := FromText("argument", "An error occurred (ThrottlingException): Rate exceeded", Given{}, DefaultOptions())
	if !errors.Is(err, ErrNotAccessDenied) {
		t.Fatalf("err %v, want ErrNotAccessDenied", err)
	}
}

// A pasted CloudTrail record is read as a record, with its context.
func TestFromTextRecord(t *testing.T) {
	data, err := os.ReadFile("testdata/region-denied-event.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := FromText("stdin", string(data), Given{}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if r.Source.Kind != "event" || r.Source.EventID == "" {
		t.Fatalf("source %+v", r.Source)
	}
	if v, ok := r.Request.Context.Get("aws:RequestedRegion"); !ok || v[0] != "ap-southeast-2" {
		t.Fatalf("context %v", r.Request.Context.Keys())
	}
	if len(r.Unknown) == 0 {
		t.Fatal("a record cannot carry tags: Unknown must say so")
	}
}

// The explicit parts replace a record's.
func TestFromEventFile(t *testing.T) {
	g := Given{Principal: "arn:aws:iam::111122223333:user/bob", ResourceAccount: "444455556666"}
	r, err := FromEventFile(context.Background(), "testdata/region-denied-event.json", g, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if r.Request.Principal != g.Principal || r.Request.ResourceAccount != g.ResourceAccount {
		t.Fatalf("%+v", r.Request)
	}
	dir := t.TempDir()
	if _, err := FromEventFile(context.Background(), dir, Given{}, DefaultOptions()); !errors.Is(err, inputfile.ErrNotRegular) {
		t.Fatalf("a directory: %v", err)
	}
	junk := filepath.Join(dir, "junk.json")
	os.WriteFile(junk, []byte("not json"), 0o600)
	if _, err := FromEventFile(context.Background(), junk, Given{}, DefaultOptions()); err == nil || errors.Is(err, ErrNotAccessDenied) {
		t.Fatalf("unreadable records must be an error, not 'not denied': %v", err)
	}
	ok := filepath.Join(dir, "ok.json")
	os.WriteFile(ok, []byte(`{"eventVersion":"1.09","eventTime":"2024-03-01T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"eu-west-1","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/a","accountId":"111122223333"},"eventID":"e1"}`), 0o600)
	if _, err := FromEventFile(context.Background(), ok, Given{}, DefaultOptions()); !errors.Is(err, ErrNotAccessDenied) {
		t.Fatalf("a file of allowed calls: %v, want ErrNotAccessDenied", err)
	}
}

func TestFromGiven(t *testing.T) {
	r := FromGiven(Given{Principal: "arn:aws:iam::111122223333:user/a", Action: "s3:ListAllMyBuckets"})
	if r.Request.Resource != "*" || r.Source.Kind != "request" || r.Request.Context == nil {
		t.Fatalf("%+v", r)
	}
}
