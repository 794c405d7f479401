package reproduce

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/iamwhy/iamwhy/reproduce/reproducetest"
)

func recorded(t *testing.T, answers map[string]string) *reproducetest.AWS {
	return &reproducetest.AWS{T: t, Dir: "testdata/run", Answers: answers}
}

func runner(f *reproducetest.AWS, allowWrites bool) *Runner {
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
			f := recorded(t, tc.answers)
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
			if len(f.Requests()) != 2 {
				t.Fatalf("%d requests, want assume-role then the call: %+v", len(f.Requests()), f.Requests())
			}
			assume, call := f.Requests()[0], f.Requests()[1]
			if assume.Operation != "AssumeRole" || assume.Form.Get("RoleArn") != "arn:aws:iam::111122223333:role/service/app" ||
				assume.Form.Get("RoleSessionName") != SessionName || assume.AccessKey != "AKIACALLERCREDENTIAL" {
				t.Errorf("assume-role request %+v: want the session's role, session %s, the caller's credentials", assume, SessionName)
			}
			if call.AccessKey != "ASIAROLECREDENTIALS1" {
				t.Errorf("the call was signed with %s, not the assumed role's credentials", call.AccessKey)
			}
			for k, v := range tc.form {
				if call.Form.Get(k) != v {
					t.Errorf("the call's %s = %q, want %q (form %v)", k, call.Form.Get(k), v, call.Form)
				}
			}
			if !strings.Contains(call.URL, tc.url) {
				t.Errorf("call URL %s lacks %s", call.URL, tc.url)
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
			f := recorded(t, nil)
			_, err = runner(f, false).Run(t.Context(), p)
			var refused *RefusedError
			if !errors.As(err, &refused) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want a refusal saying %q", err, tc.want)
			}
			if len(f.Requests()) != 0 {
				t.Errorf("%d requests were sent", len(f.Requests()))
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
	f := recorded(t, map[string]string{"sts": "sts.AssumeRole.403.xml"})
	_, err = runner(f, false).Run(t.Context(), p)
	if err == nil || !strings.Contains(err.Error(), "sts assume-role arn:aws:iam::111122223333:role/service/app") || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("err %v", err)
	}
	if len(f.Requests()) != 1 {
		t.Errorf("%d requests, want the assume-role alone", len(f.Requests()))
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
			f := recorded(t, map[string]string{"sts": "sts.GetCallerIdentity.xml", "s3": "s3.GetObject.403.xml"})
			got, err := runner(f, false).Run(t.Context(), p)
			var refused *RefusedError
			if tc.refused {
				if !errors.As(err, &refused) || len(f.Requests()) != 1 {
					t.Errorf("err %v after %d requests, want a refusal after get-caller-identity", err, len(f.Requests()))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Answer != AnswerDenied || got.Identity != "arn:aws:iam::111122223333:user/alice" || f.Requests()[1].AccessKey != "AKIACALLERCREDENTIAL" {
				t.Errorf("run %+v, signed with %s", got, f.Requests()[1].AccessKey)
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
	f := recorded(t, map[string]string{"sts": "sts.AssumeRole.xml", "lambda": "lambda.GetFunction.403.json"})
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
	f := recorded(t, map[string]string{"sts": "sts.AssumeRole.xml", "lambda": "lambda.GetFunction.403.json"})
	got, err := runner(f, false).Run(t.Context(), p)
	if err != nil {
		t.Fatal(err)
	}
	if got.Answer != AnswerDenied || !strings.Contains(f.Requests()[1].URL, "functions/arn%3Aaws%3Alambda") {
		t.Errorf("answer %s url %s", got.Answer, f.Requests()[1].URL)
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
