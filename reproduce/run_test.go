package reproduce

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// recordedAWS is the SDK's HTTP client in these tests: it answers each
// request with a recorded response from testdata/run, chosen by service
// (and operation for the query-protocol services), and keeps what was
// asked. Nothing reaches AWS.
type recordedAWS struct {
	t *testing.T
	// answers maps "service" or "service.Operation" to a file in
	// testdata/run; the status is the file name's number (200 without).
	answers map[string]string
	mu      sync.Mutex
	seen    []seenRequest
}

type seenRequest struct {
	service, operation string
	url                string
	accessKey          string
	form               url.Values
}

func (f *recordedAWS) Do(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
	}
	host := req.URL.Host
	service := ""
	for _, s := range Services() {
		if strings.HasPrefix(host, s+".") || strings.Contains(host, "."+s+".") {
			service = s
			break
		}
	}
	form, _ := url.ParseQuery(string(body))
	op := form.Get("Action")
	auth := req.Header.Get("Authorization")
	key := ""
	if i := strings.Index(auth, "Credential="); i >= 0 {
		key, _, _ = strings.Cut(auth[i+len("Credential="):], "/")
	}
	f.mu.Lock()
	f.seen = append(f.seen, seenRequest{service: service, operation: op, url: req.URL.String(), accessKey: key, form: form})
	f.mu.Unlock()
	file, ok := f.answers[service+"."+op]
	if !ok {
		file, ok = f.answers[service]
	}
	if !ok {
		f.t.Errorf("no recorded answer for %s %s (%s)", service, op, req.URL)
		return &http.Response{StatusCode: 500, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("")), Request: req}, nil
	}
	data, err := os.ReadFile(filepath.Join("testdata", "run", file))
	if err != nil {
		f.t.Fatal(err)
	}
	status := 200
	for _, s := range []int{403, 404, 412} {
		if strings.Contains(file, "."+itoa(s)+".") {
			status = s
		}
	}
	h := http.Header{}
	h.Set("X-Amzn-Requestid", "recorded-request")
	switch {
	case strings.HasSuffix(file, ".json"):
		h.Set("Content-Type", "application/json")
		if status == 403 {
			h.Set("X-Amzn-Errortype", "AccessDeniedException")
		}
	case strings.HasSuffix(file, ".xml"):
		h.Set("Content-Type", "text/xml")
	}
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(bytes.NewReader(data)), ContentLength: int64(len(data)), Request: req}, nil
}

func itoa(n int) string {
	return string([]byte{byte('0' + n/100), byte('0' + n/10%10), byte('0' + n%10)})
}

func runner(f *recordedAWS, allowWrites bool) *Runner {
	return &Runner{AllowWrites: allowWrites, Config: aws.Config{
		Credentials:      credentials.NewStaticCredentialsProvider("AKIACALLERCREDENTIAL", "secret", ""),
		HTTPClient:       f,
		RetryMaxAttempts: 1,
	}}
}

const (
	s3Denied = `{"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "eu-west-1", "errorCode": "AccessDenied", ` + session + `,
	 "requestParameters": {"bucketName": "cfg", "key": "app/settings.json", "Host": "cfg.s3.eu-west-1.amazonaws.com"}}`
	ec2Read = `{"eventSource": "ec2.amazonaws.com", "eventName": "GetPasswordData", "awsRegion": "us-east-1", "errorCode": "Client.UnauthorizedOperation", ` + session + `,
	 "requestParameters": {"instanceId": "i-0123456789abcdef0"}}`
	ec2Write = `{"eventSource": "ec2.amazonaws.com", "eventName": "StopInstances", "awsRegion": "us-east-1", "errorCode": "Client.UnauthorizedOperation", ` + session + `,
	 "requestParameters": {"instancesSet": {"items": [{"instanceId": "i-1"}, {"instanceId": "i-2"}]}, "force": false}}`
	iamWrite = `{"eventSource": "iam.amazonaws.com", "eventName": "CreateRole", "awsRegion": "us-east-1", "errorCode": "AccessDenied", ` + session + `,
	 "requestParameters": {"roleName": "new-role", "path": "/app/", "assumeRolePolicyDocument": "{}"}}`
	lambdaRead = `{"eventSource": "lambda.amazonaws.com", "eventName": "GetFunction20150331v2", "awsRegion": "eu-west-1", "errorCode": "AccessDeniedException", ` + session + `,
	 "requestParameters": {"functionName": "fn", "notAMember": 1}}`
	userRead = `{"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "eu-west-1", "errorCode": "AccessDenied",
	 "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/USER", "accountId": "111122223333", "userName": "USER"},
	 "requestParameters": {"bucketName": "cfg", "key": "app/settings.json"}}`
	rootRead = `{"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "eu-west-1", "errorCode": "AccessDenied",
	 "userIdentity": {"type": "Root", "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333"},
	 "requestParameters": {"bucketName": "cfg", "key": "app/settings.json"}}`
)

// TestRunAnswers: the rebuilt call goes through the SDK with the assumed
// role's credentials, and AWS's answer is read and compared with the
// record and with iamwhy's offline decision.
func TestRunAnswers(t *testing.T) {
	for _, tc := range []struct {
		rule        string
		record      string
		answers     map[string]string
		allowWrites bool
		offline     string
		answer      string
		code        string
		deny        string
		dryRun      bool
		agree       *bool
		stillDenied *bool
		form        map[string]string // members the call's form must carry (query protocol)
		url         string            // a substring of the call's URL
	}{
		{rule: "still denied, as iamwhy decides offline", record: s3Denied,
			answers: map[string]string{"sts": "sts.AssumeRole.xml", "s3": "s3.GetObject.403.xml"},
			offline: "implicit-deny", answer: AnswerDenied, code: "AccessDenied", deny: "implicit", agree: ptr(true), stillDenied: ptr(true),
			url: "cfg.s3.eu-west-1.amazonaws.com/app/settings.json"},
		{rule: "allowed now, while iamwhy's environment still denies: a disagreement", record: s3Denied,
			answers: map[string]string{"sts": "sts.AssumeRole.xml", "s3": "s3.GetObject.200.txt"},
			offline: "implicit-deny", answer: AnswerAllowed, agree: ptr(false), stillDenied: ptr(false)},
		{rule: "the kind of deny counts: AWS says explicit, iamwhy implicit", record: ec2Read,
			answers: map[string]string{"sts": "sts.AssumeRole.xml", "ec2": "ec2.403.xml"},
			offline: "implicit-deny", answer: AnswerDenied, code: "UnauthorizedOperation", deny: "explicit", dryRun: true, agree: ptr(false), stillDenied: ptr(true),
			form: map[string]string{"Action": "GetPasswordData", "InstanceId": "i-0123456789abcdef0", "DryRun": "true"}},
		{rule: "a service error that is not an authorization answer decides nothing", record: s3Denied,
			answers: map[string]string{"sts": "sts.AssumeRole.xml", "s3": "s3.GetObject.404.xml"},
			offline: "allow", answer: AnswerError, code: "NoSuchKey"},
		{rule: "a write with --allow-writes still runs EC2 as a dry run", record: ec2Write, allowWrites: true,
			answers: map[string]string{"sts": "sts.AssumeRole.xml", "ec2": "ec2.412.xml"},
			answer:  AnswerAllowed, code: "DryRunOperation", dryRun: true, stillDenied: ptr(false),
			form: map[string]string{"Action": "StopInstances", "InstanceId.1": "i-1", "InstanceId.2": "i-2", "Force": "false", "DryRun": "true"}},
		{rule: "a JSON-protocol service's access-denied type is read from its header", record: lambdaRead,
			answers: map[string]string{"sts": "sts.AssumeRole.xml", "lambda": "lambda.GetFunction.403.json"},
			offline: "undetermined", answer: AnswerDenied, code: "AccessDeniedException", deny: "implicit", stillDenied: ptr(true),
			url: "lambda.eu-west-1.amazonaws.com/2015-03-31/functions/fn"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			p, err := FromRecord(record(t, tc.record), nil)
			if err != nil {
				t.Fatal(err)
			}
			f := &recordedAWS{t: t, answers: tc.answers}
			got, err := runner(f, tc.allowWrites).Run(t.Context(), p)
			if err != nil {
				t.Fatal(err)
			}
			got.Compare(tc.offline)
			if got.Answer != tc.answer || deref(got.ErrorCode) != tc.code || deref(got.Deny) != tc.deny || got.DryRun != tc.dryRun {
				t.Errorf("answer %s code %q deny %q dry-run %v, want %s %q %q %v", got.Answer, deref(got.ErrorCode), deref(got.Deny), got.DryRun, tc.answer, tc.code, tc.deny, tc.dryRun)
			}
			if !sameBool(got.Comparison.Agree, tc.agree) || !sameBool(got.Comparison.StillDenied, tc.stillDenied) {
				t.Errorf("agree %v still denied %v, want %v %v (%s)", b(got.Comparison.Agree), b(got.Comparison.StillDenied), b(tc.agree), b(tc.stillDenied), got.Comparison.Summary)
			}
			if got.Identity != "arn:aws:sts::111122223333:assumed-role/app/iamwhy-reproduce" {
				t.Errorf("identity %s: want the new session", got.Identity)
			}
			if len(f.seen) != 2 {
				t.Fatalf("%d requests, want assume-role then the call: %+v", len(f.seen), f.seen)
			}
			assume, call := f.seen[0], f.seen[1]
			if assume.operation != "AssumeRole" || assume.form.Get("RoleArn") != "arn:aws:iam::111122223333:role/service/app" ||
				assume.form.Get("RoleSessionName") != SessionName || assume.accessKey != "AKIACALLERCREDENTIAL" {
				t.Errorf("assume-role request %+v: want the session's role, session %s, the caller's credentials", assume, SessionName)
			}
			if call.accessKey != "ASIAROLECREDENTIALS1" {
				t.Errorf("the call was signed with %s, not the assumed role's credentials", call.accessKey)
			}
			for k, v := range tc.form {
				if call.form.Get(k) != v {
					t.Errorf("the call's %s = %q, want %q (form %v)", k, call.form.Get(k), v, call.form)
				}
			}
			if !strings.Contains(call.url, tc.url) {
				t.Errorf("call URL %s lacks %s", call.url, tc.url)
			}
		})
	}
}

// TestRunRefuses: nothing is sent when the call is a write without
// --allow-writes, or when the identity cannot be had.
func TestRunRefuses(t *testing.T) {
	for _, tc := range []struct {
		rule, record string
		want         string
	}{
		{"an EC2 write is refused without --allow-writes, though it would be a dry run", ec2Write, "not read-only (Write)"},
		{"an IAM write is refused without --allow-writes", iamWrite, "pass --allow-writes"},
		{"the root user's credentials are not iamwhy's to use", rootRead, "cannot obtain"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			p, err := FromRecord(record(t, tc.record), nil)
			if err != nil {
				t.Fatal(err)
			}
			f := &recordedAWS{t: t}
			_, err = runner(f, false).Run(t.Context(), p)
			var refused *RefusedError
			if !errors.As(err, &refused) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want a refusal saying %q", err, tc.want)
			}
			if len(f.seen) != 0 {
				t.Errorf("%d requests were sent", len(f.seen))
			}
		})
	}
}

// TestRunAssumeRoleDenied: when the role cannot be assumed, no call is
// made and the error says what to fix.
func TestRunAssumeRoleDenied(t *testing.T) {
	p, err := FromRecord(record(t, s3Denied), nil)
	if err != nil {
		t.Fatal(err)
	}
	f := &recordedAWS{t: t, answers: map[string]string{"sts": "sts.AssumeRole.403.xml"}}
	_, err = runner(f, false).Run(t.Context(), p)
	if err == nil || !strings.Contains(err.Error(), "sts assume-role arn:aws:iam::111122223333:role/service/app") || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("err %v", err)
	}
	if len(f.seen) != 1 {
		t.Errorf("%d requests, want the assume-role alone", len(f.seen))
	}
}

// TestRunIAMUser: an IAM user's call runs with the caller's own
// credentials, only when they are that user's.
func TestRunIAMUser(t *testing.T) {
	for _, tc := range []struct {
		rule, user string
		refused    bool
	}{
		{"the caller is the denied user", "alice", false},
		{"the caller is another user: refused", "bob", true},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			p, err := FromRecord(record(t, strings.ReplaceAll(userRead, "USER", tc.user)), nil)
			if err != nil {
				t.Fatal(err)
			}
			f := &recordedAWS{t: t, answers: map[string]string{"sts": "sts.GetCallerIdentity.xml", "s3": "s3.GetObject.403.xml"}}
			got, err := runner(f, false).Run(t.Context(), p)
			var refused *RefusedError
			if tc.refused {
				if !errors.As(err, &refused) || len(f.seen) != 1 {
					t.Errorf("err %v after %d requests, want a refusal after get-caller-identity", err, len(f.seen))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Answer != AnswerDenied || got.Identity != "arn:aws:iam::111122223333:user/alice" || f.seen[1].accessKey != "AKIACALLERCREDENTIAL" {
				t.Errorf("run %+v, signed with %s", got, f.seen[1].accessKey)
			}
		})
	}
}

// TestRunNotSent: a parameter the SDK's input has no member for is
// reported, not silently dropped.
func TestRunNotSent(t *testing.T) {
	p, err := FromRecord(record(t, lambdaRead), nil)
	if err != nil {
		t.Fatal(err)
	}
	f := &recordedAWS{t: t, answers: map[string]string{"sts": "sts.AssumeRole.xml", "lambda": "lambda.GetFunction.403.json"}}
	got, err := runner(f, false).Run(t.Context(), p)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.NotSent) != 1 || !strings.HasPrefix(got.NotSent[0], "notAMember") {
		t.Errorf("not sent %v", got.NotSent)
	}
}

// TestRunFromMessage: a plan from a message's action and resource runs
// too: the operation the action authorizes, its members from the ARN.
func TestRunFromMessage(t *testing.T) {
	p, err := FromRequest("arn:aws:sts::111122223333:assumed-role/app/fn", "lambda:GetFunction", "arn:aws:lambda:eu-west-1:111122223333:function:fn", nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Region != "eu-west-1" || !strings.Contains(p.Commands[len(p.Commands)-1], "aws lambda get-function --function-name arn:aws:lambda:eu-west-1:111122223333:function:fn --region eu-west-1") {
		t.Errorf("plan region %q, command %s", p.Region, p.Commands[len(p.Commands)-1])
	}
	f := &recordedAWS{t: t, answers: map[string]string{"sts": "sts.AssumeRole.xml", "lambda": "lambda.GetFunction.403.json"}}
	got, err := runner(f, false).Run(t.Context(), p)
	if err != nil {
		t.Fatal(err)
	}
	if got.Answer != AnswerDenied || !strings.Contains(f.seen[1].url, "functions/arn%3Aaws%3Alambda") {
		t.Errorf("answer %s url %s", got.Answer, f.seen[1].url)
	}
}

func ptr(v bool) *bool { return &v }

func sameBool(a, b *bool) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

func b(v *bool) string {
	if v == nil {
		return "null"
	}
	if *v {
		return "true"
	}
	return "false"
}
