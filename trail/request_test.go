package trail

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

func readOne(t *testing.T, raw string) *Record {
	t.Helper()
	var got *Record
	_, err := Read(context.Background(), []string{"-"}, Options{Stdin: strings.NewReader(raw), Serial: true}, func(r *Record) error {
		got = r.Clone()
		return nil
	})
	if err != nil || got == nil {
		t.Fatalf("read: %v", err)
	}
	return got
}

func ctxValue(t *testing.T, rp *Replay, key string) string {
	t.Helper()
	v, ok := rp.Requests[0].Context.Get(key)
	if !ok {
		return "<absent>"
	}
	return strings.Join(v, ",")
}

// Each rule of the record -> request mapping (CloudTrail record contents
// and userIdentity pages; global condition keys page).
func TestToReplay(t *testing.T) {
	s3ViaVPCE := `{"eventVersion":"1.09","eventTime":"2024-03-01T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject",
	 "awsRegion":"eu-west-1","sourceIPAddress":"10.0.1.5","userAgent":"aws-sdk-go-v2","errorCode":"AccessDenied",
	 "userIdentity":{"type":"AssumedRole","principalId":"AROAEXAMPLE:fn","arn":"arn:aws:sts::111122223333:assumed-role/config-reader/fn",
	   "accountId":"111122223333","accessKeyId":"ASIAEXAMPLE","sessionContext":{"attributes":{"mfaAuthenticated":"false","creationDate":"2024-03-01T09:00:00Z"},
	   "sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/service-role/config-reader","accountId":"111122223333","userName":"config-reader"}}},
	 "requestParameters":{"bucketName":"cfg","key":"app/settings.json"},"vpcEndpointId":"vpce-0123","tlsDetails":{"tlsVersion":"TLSv1.3"},
	 "eventID":"e1","recipientAccountId":"444455556666"}`
	rp := ToReplay(readOne(t, s3ViaVPCE), RequestOptions{Actions: func(src, name string) []string { return []string{"s3:GetObject"} }})
	if len(rp.Requests) != 1 {
		t.Fatalf("%+v", rp)
	}
	r := rp.Requests[0]
	if r.Principal != "arn:aws:sts::111122223333:assumed-role/config-reader/fn" || r.Action != "s3:GetObject" || r.Resource != "arn:aws:s3:::cfg/app/settings.json" {
		t.Fatalf("request %+v", r)
	}
	for key, want := range map[string]string{
		"aws:SourceVpce": "vpce-0123", "aws:SourceIp": "<absent>", "aws:RequestedRegion": "eu-west-1",
		"aws:CurrentTime": "2024-03-01T10:00:00Z", "aws:EpochTime": "1709287200", "aws:MultiFactorAuthPresent": "false",
		"aws:TokenIssueTime": "2024-03-01T09:00:00Z", "aws:PrincipalArn": "arn:aws:iam::111122223333:role/service-role/config-reader",
		"aws:PrincipalAccount": "111122223333", "aws:userid": "AROAEXAMPLE:fn", "aws:SecureTransport": "true", "aws:UserAgent": "aws-sdk-go-v2",
		"aws:username": "<absent>",
	} {
		if got := ctxValue(t, rp, key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	if !strings.Contains(strings.Join(rp.Unknown, " "), "aws:PrincipalTag/*") {
		t.Errorf("unknown keys %v", rp.Unknown)
	}

	userAssume := `{"eventTime":"2023-07-10T11:54:42Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","awsRegion":"us-east-1",
	 "sourceIPAddress":"203.0.113.9","errorCode":"AccessDenied","eventID":"e2",
	 "errorMessage":"User: arn:aws:iam::123837392027:user/bert-jan is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123837392027:role/r",
	 "userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::123837392027:user/bert-jan","accountId":"123837392027","accessKeyId":"AKIAEXAMPLE","userName":"bert-jan"},
	 "requestParameters":null}`
	rp = ToReplay(readOne(t, userAssume), RequestOptions{})
	r = rp.Requests[0]
	if r.Action != "sts:AssumeRole" || r.Resource != "arn:aws:iam::123837392027:role/r" {
		t.Fatalf("denied AssumeRole: resource from the message: %+v", r)
	}
	for key, want := range map[string]string{"aws:SourceIp": "203.0.113.9", "aws:username": "bert-jan",
		"aws:MultiFactorAuthPresent": "<absent>", "aws:SecureTransport": "<absent>"} {
		if got := ctxValue(t, rp, key); got != want {
			t.Errorf("%s = %q, want %q (long-term keys carry no MFA state)", key, got, want)
		}
	}

	service := `{"eventTime":"2024-01-01T00:00:00Z","eventSource":"sqs.amazonaws.com","eventName":"SendMessage","awsRegion":"eu-west-1",
	 "sourceIPAddress":"s3.amazonaws.com","eventID":"e3","errorCode":"AccessDenied",
	 "userIdentity":{"type":"AWSService","invokedBy":"s3.amazonaws.com"},
	 "requestParameters":{"queueUrl":"https://sqs.eu-west-1.amazonaws.com/111122223333/config-events"}}`
	rp = ToReplay(readOne(t, service), RequestOptions{})
	r = rp.Requests[0]
	if r.Principal != "s3.amazonaws.com" || r.Resource != "arn:aws:sqs:eu-west-1:111122223333:config-events" || ctxValue(t, rp, "aws:SourceIp") != "<absent>" {
		t.Fatalf("service principal: %+v %v", r, rp.Notes)
	}

	anon := `{"eventTime":"2024-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"ListObjects","awsRegion":"us-east-1","eventID":"e4",
	 "sourceIPAddress":"198.51.100.1","userIdentity":{"type":"AWSAccount","principalId":"","accountId":"anonymous"},
	 "requestParameters":{"bucketName":"public-b"},"errorCode":"AccessDenied"}`
	rp = ToReplay(readOne(t, anon), RequestOptions{})
	if rp.Requests[0].Principal != "anonymous" || rp.Requests[0].Resource != "arn:aws:s3:::public-b" {
		t.Fatalf("anonymous: %+v", rp.Requests[0])
	}
}

// Every denied record of the shared samples rebuilds into at least one
// request with a principal and an action.
func TestToReplaySharedSamples(t *testing.T) {
	n := 0
	_, err := Read(context.Background(), []string{filepath.Join("..", "testdata", "cloudtrail")}, Options{Filter: Filter{DeniedOnly: true}, Serial: true}, func(r *Record) error {
		rp := ToReplay(r, RequestOptions{})
		if len(rp.Requests) == 0 || rp.Requests[0].Action == "" || rp.Requests[0].Principal == "" {
			t.Errorf("%s#%d: %+v", r.Path, r.Index, rp)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 111 {
		t.Fatalf("%d denied records, want 111", n)
	}
}

// A record whose requests fall back to "*" says why.
func TestToReplayUnnamed(t *testing.T) {
	const head = `{"eventSource":"%s","eventName":"%s","awsRegion":"us-east-1","recipientAccountId":"111122223333","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333"},`
	tests := []struct {
		source, event, rest, want string
	}{
		{"sqs.amazonaws.com", "SendMessage", `"errorCode":"ThrottlingException","requestParameters":null}`, UnnamedNoParameters},
		{"ssm.amazonaws.com", "PutParameter", `"errorCode":"ThrottlingException","requestParameters":null}`, ""},
		{"ec2.amazonaws.com", "RunInstances", `"requestParameters":null}`, UnnamedNoParameters},
		{"ec2.amazonaws.com", "RunInstances", `"requestParameters":{"instanceType":"t3.micro"}}`, ""},
		{"ec2.amazonaws.com", "DisassociateRouteTable", `"requestParameters":{"associationId":"rtbassoc-1"}}`, UnnamedNoARN},
		{"ssm.amazonaws.com", "GetParameter", `"requestParameters":{"name":"/a"}}`, ""},
	}
	for _, tt := range tests {
		rp := ToReplay(readOne(t, fmt.Sprintf(head, tt.source, tt.event)+tt.rest), RequestOptions{})
		if rp.Unnamed != tt.want {
			t.Errorf("%s: Unnamed %q, want %q", tt.event, rp.Unnamed, tt.want)
		}
		// PutParameter without parameters is on its account's and
		// Region's parameters (IDUnknownResources), not on "*".
		if idUnknown := tt.event == "PutParameter"; rp.IDUnknown != idUnknown || idUnknown && rp.Requests[0].Resource != "arn:aws:ssm:us-east-1:111122223333:parameter/*" {
			t.Errorf("%s: IDUnknown %v, requests on %s", tt.event, rp.IDUnknown, rp.Requests[0].Resource)
		}
	}
}

// An ARN outside AWS's partitions, in resources[] or in the request
// parameters, is noted and never becomes a request's resource (found by
// FuzzRowRecord: "arn:0:0:::0" went into a generated policy).
func TestToReplayForeignPartition(t *testing.T) {
	const head = `{"eventSource":"sns.amazonaws.com","eventName":"Publish","awsRegion":"us-east-1","eventID":"p","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333"},`
	for name, rest := range map[string]string{
		"resources[]": `"resources":[{"ARN":"arn:0:0:::0"}],"requestParameters":null}`,
		"parameters":  `"requestParameters":{"topicArn":"arn:0:sns:us-east-1:111122223333:t"}}`,
	} {
		rp := ToReplay(readOne(t, head+rest), RequestOptions{})
		for _, r := range rp.Requests {
			if strings.HasPrefix(r.Resource, "arn:0:") {
				t.Errorf("%s: resource %q used", name, r.Resource)
			}
		}
		if !strings.Contains(strings.Join(rp.Notes, "\n"), "not an ARN of an AWS partition: not used") {
			t.Errorf("%s: no note in %q", name, rp.Notes)
		}
	}
	// A service prefix not in lowercase (FuzzRowRecord: "arn:aws:A:::" went
	// into a generated policy, which lint then refused) is noted too.
	r0 := readOne(t, head+`"requestParameters":null}`)
	r0.Resources = []Resource{{ARN: "arn:aws:A:::"}}
	if rp := ToReplay(r0, RequestOptions{}); len(rp.Requests) == 0 || rp.Requests[0].Resource != "*" || !strings.Contains(strings.Join(rp.Notes, "\n"), "its service is not in lowercase: not used") {
		t.Errorf("uppercase service: %+v %q", rp.Requests, rp.Notes)
	}
	// A resource that is not UTF-8 (an Athena row can hold any bytes; JSON
	// would write the policy's copy as U+FFFD, another resource) is noted.
	r := readOne(t, head+`"requestParameters":null}`)
	r.Resources = []Resource{{ARN: "arn:aws:sns:us-east-1:111122223333:t\xe7"}}
	rp := ToReplay(r, RequestOptions{})
	if len(rp.Requests) == 0 || rp.Requests[0].Resource != "*" || !strings.Contains(strings.Join(rp.Notes, "\n"), "is not UTF-8: not used") {
		t.Errorf("not UTF-8: %+v %q", rp.Requests, rp.Notes)
	}
	// The same record in a real partition keeps its resource.
	rp = ToReplay(readOne(t, head+`"requestParameters":{"topicArn":"arn:aws-cn:sns:cn-north-1:111122223333:t"}}`), RequestOptions{})
	if len(rp.Requests) == 0 || rp.Requests[0].Resource != "arn:aws-cn:sns:cn-north-1:111122223333:t" {
		t.Errorf("aws-cn topic: %+v %q", rp.Requests, rp.Notes)
	}
}
