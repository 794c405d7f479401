package reproduce

import (
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/trail"
)

func record(t *testing.T, js string) *trail.Record {
	t.Helper()
	var rec *trail.Record
	_, err := trail.Read(t.Context(), []string{"-"}, trail.Options{Stdin: strings.NewReader(js), Serial: true}, func(r *trail.Record) error {
		rec = r.Clone()
		return nil
	})
	if err != nil || rec == nil {
		t.Fatalf("record: %v", err)
	}
	return rec
}

const session = `"userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/app/i-0abc", "accountId": "111122223333",
 "sessionContext": {"sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::111122223333:role/service/app", "accountId": "111122223333", "userName": "app"}}}`

func TestCommandsFromRecords(t *testing.T) {
	for _, tc := range []struct {
		name, rec string
		want      []string // substrings of the last command
		readOnly  bool
		dryRun    bool
	}{
		{"s3 get-object", `{"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "eu-west-1", "errorCode": "AccessDenied", ` + session + `,
		 "requestParameters": {"bucketName": "cfg", "key": "app/settings.json", "Host": "cfg.s3.eu-west-1.amazonaws.com", "x-id": "GetObject"}}`,
			[]string{"aws s3api get-object --bucket cfg --key app/settings.json /dev/null --region eu-west-1"}, true, false},
		{"ec2 dry run", `{"eventSource": "ec2.amazonaws.com", "eventName": "GetPasswordData", "awsRegion": "us-east-1", "errorCode": "Client.UnauthorizedOperation", ` + session + `,
		 "requestParameters": {"instanceId": "i-0123456789abcdef0"}}`,
			[]string{"aws ec2 get-password-data --instance-id i-0123456789abcdef0 --dry-run --region us-east-1"}, true, true},
		{"ec2 instance set", `{"eventSource": "ec2.amazonaws.com", "eventName": "StopInstances", "awsRegion": "us-east-1", "errorCode": "Client.UnauthorizedOperation", ` + session + `,
		 "requestParameters": {"instancesSet": {"items": [{"instanceId": "i-1"}, {"instanceId": "i-2"}]}, "force": false}}`,
			[]string{"aws ec2 stop-instances --force false --instance-ids i-1 i-2 --dry-run --region us-east-1"}, false, true},
		{"iam write", `{"eventSource": "iam.amazonaws.com", "eventName": "CreateRole", "awsRegion": "us-east-1", "errorCode": "AccessDenied", ` + session + `,
		 "requestParameters": {"roleName": "new-role", "path": "/app/"}}`,
			[]string{"aws iam create-role --path /app/ --role-name new-role --region us-east-1"}, false, false},
		{"lambda version suffix", `{"eventSource": "lambda.amazonaws.com", "eventName": "GetFunction20150331v2", "awsRegion": "eu-west-1", "errorCode": "AccessDeniedException", ` + session + `,
		 "requestParameters": {"functionName": "fn"}}`,
			[]string{"aws lambda get-function --function-name fn --region eu-west-1"}, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := FromRecord(record(t, tc.rec), nil)
			if err != nil {
				t.Fatal(err)
			}
			last := p.Commands[len(p.Commands)-1]
			for _, w := range tc.want {
				if !strings.Contains(last, w) {
					t.Errorf("command %q lacks %q", last, w)
				}
			}
			if p.Role == nil || *p.Role != "arn:aws:iam::111122223333:role/service/app" {
				t.Errorf("role %v: want the session's role with its path, not the session", p.Role)
			}
			all := strings.Join(p.Commands, "\n")
			if !strings.Contains(all, "--role-session-name iamwhy-reproduce") {
				t.Errorf("no assume-role: %s", all)
			}
			if p.Call.ReadOnly != tc.readOnly || p.Call.DryRun != tc.dryRun {
				t.Errorf("read-only %v dry-run %v, want %v %v", p.Call.ReadOnly, p.Call.DryRun, tc.readOnly, tc.dryRun)
			}
			if !tc.readOnly && !tc.dryRun && !strings.Contains(all, "NOT read-only") {
				t.Errorf("a write is not marked: %s", all)
			}
		})
	}
}

func TestShellQuoting(t *testing.T) {
	p, err := FromRecord(record(t, `{"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": "eu-west-1", "errorCode": "AccessDenied", `+session+`,
	 "requestParameters": {"bucketName": "cfg", "key": "it's $(rm -rf ~).txt"}}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	last := p.Commands[len(p.Commands)-1]
	if !strings.Contains(last, `--key 'it'\''s $(rm -rf ~).txt'`) {
		t.Errorf("the key is not quoted for the shell: %s", last)
	}
}

func TestKebab(t *testing.T) {
	for in, want := range map[string]string{"GetObject": "get-object", "DescribeDBInstances": "describe-db-instances",
		"ListObjectsV2": "list-objects-v2", "bucketName": "bucket-name", "GetSAMLProvider": "get-saml-provider"} {
		if got := kebab(in); got != want {
			t.Errorf("kebab(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestFromMessage(t *testing.T) {
	p, err := FromRequest("arn:aws:sts::111122223333:assumed-role/app/fn", "s3:GetObject", "arn:aws:s3:::cfg/dir/app.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	last := p.Commands[len(p.Commands)-1]
	if last != "aws s3api get-object --bucket cfg --key dir/app.json /dev/null" {
		t.Errorf("command %q", last)
	}
	if p.Role == nil || *p.Role != "arn:aws:iam::111122223333:role/app" {
		t.Errorf("role %v", p.Role)
	}
	p.WithRole("arn:aws:iam::111122223333:role/service/app")
	if !strings.Contains(strings.Join(p.Commands, "\n"), "role/service/app") {
		t.Error("WithRole did not change the commands")
	}
}
