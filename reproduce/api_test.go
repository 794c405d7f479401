package reproduce

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestAPIFromRecord: CloudTrail's requestParameters become the SDK input
// members the call needs, under the SDK's names and types.
func TestAPIFromRecord(t *testing.T) {
	for _, tc := range []struct {
		rule, service, operation, params string
		wantOp                           string
		want                             map[string]string // member -> its JSON
	}{
		{"S3 names its REST parameters differently; numbers are numbers", "s3", "ListObjects",
			`{"bucketName": "b", "prefix": "logs/", "max-keys": "100", "list-type": "2", "Host": "b.s3.amazonaws.com"}`,
			"ListObjectsV2", map[string]string{"Bucket": `"b"`, "Prefix": `"logs/"`, "MaxKeys": `100`}},
		{"EC2 id sets become the SDK's id lists, and the call a dry run", "ec2", "StartInstances",
			`{"instancesSet": {"items": [{"instanceId": "i-1"}]}}`,
			"StartInstances", map[string]string{"InstanceIds": `["i-1"]`, "DryRun": `true`}},
		{"other services keep CloudTrail's member names", "kms", "Decrypt",
			`{"keyId": "arn:aws:kms:eu-west-1:111122223333:key/k", "encryptionAlgorithm": "SYMMETRIC_DEFAULT"}`,
			"Decrypt", map[string]string{"keyId": `"arn:aws:kms:eu-west-1:111122223333:key/k"`, "encryptionAlgorithm": `"SYMMETRIC_DEFAULT"`}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			a := apiFromRecord(tc.service, tc.operation, json.RawMessage(tc.params))
			if a.Operation != tc.wantOp || len(a.Parameters) != len(tc.want) {
				t.Errorf("operation %s parameters %v, want %s %v", a.Operation, a.Parameters, tc.wantOp, tc.want)
			}
			for k, v := range tc.want {
				if string(a.Parameters[k]) != v {
					t.Errorf("%s = %s, want %s", k, a.Parameters[k], v)
				}
			}
		})
	}
}

// TestFill: members are set case-insensitively with the SDK's types; what
// has no member, or another type, is reported.
func TestFill(t *testing.T) {
	var in s3.ListObjectsV2Input
	notSent := fill(reflect.ValueOf(&in).Elem(), map[string]json.RawMessage{
		"bucket": json.RawMessage(`"b"`), "MaxKeys": json.RawMessage(`100`), "Prefix": json.RawMessage(`{"not": "a string"}`),
		"x-id": json.RawMessage(`"ListObjectsV2"`)})
	if in.Bucket == nil || *in.Bucket != "b" || in.MaxKeys == nil || *in.MaxKeys != 100 || in.Prefix != nil {
		t.Errorf("input %+v", in)
	}
	if len(notSent) != 2 || notSent[0] != "Prefix (not of the member's type)" || notSent[1] != "x-id (no such member of ListObjectsV2Input)" {
		t.Errorf("not sent %q", notSent)
	}
	var ec ec2.DescribeInstancesInput
	if ns := fill(reflect.ValueOf(&ec).Elem(), map[string]json.RawMessage{"InstanceIds": json.RawMessage(`["i-1","i-2"]`)}); len(ns) != 0 || len(ec.InstanceIds) != 2 {
		t.Errorf("ids %v, not sent %v", ec.InstanceIds, ns)
	}
}

// FuzzFromRecord: any requestParameters build a plan and fill the SDK's
// input without a panic.
func FuzzFromRecord(f *testing.F) {
	for _, seed := range []string{`{"bucketName": "b", "key": "k"}`, `{"instancesSet": {"items": [{"instanceId": "i-1"}]}}`, `[]`, `null`, `{"a": {"b": [1, "x"]}}`} {
		f.Add("s3", "GetObject", seed)
		f.Add("ec2", "DescribeInstances", seed)
	}
	f.Fuzz(func(t *testing.T, service, operation, params string) {
		if !json.Valid([]byte(params)) {
			return
		}
		a := apiFromRecord(service, operation, json.RawMessage(params))
		var in ec2.DescribeInstancesInput
		fill(reflect.ValueOf(&in).Elem(), a.Parameters)
		var s s3.GetObjectInput
		fill(reflect.ValueOf(&s).Elem(), a.Parameters)
	})
}
