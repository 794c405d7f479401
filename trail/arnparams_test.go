package trail

import (
	"slices"
	"testing"
)

// The ARNs rebuilt from request parameters, per service rule.
func TestResourcesFromParameters(t *testing.T) {
	user := `"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333"}`
	tests := []struct {
		rule, record string
		want         []string
	}{
		{"ECS service in its cluster", `{"eventSource":"ecs.amazonaws.com","eventName":"UpdateService","awsRegion":"eu-west-1","recipientAccountId":"111122223333","requestParameters":{"cluster":"prod","service":"web"}}`,
			[]string{"arn:aws:ecs:eu-west-1:111122223333:cluster/prod", "arn:aws:ecs:eu-west-1:111122223333:service/prod/web"}},
		{"ECS cluster by ARN, task by ID", `{"eventSource":"ecs.amazonaws.com","eventName":"StopTask","awsRegion":"eu-west-1","recipientAccountId":"111122223333","requestParameters":{"cluster":"arn:aws:ecs:eu-west-1:111122223333:cluster/prod","task":"abc"}}`,
			[]string{"arn:aws:ecs:eu-west-1:111122223333:cluster/prod", "arn:aws:ecs:eu-west-1:111122223333:task/prod/abc"}},
		{"ECS calls without a cluster use the default cluster", `{"eventSource":"ecs.amazonaws.com","eventName":"RunTask","awsRegion":"eu-west-1","recipientAccountId":"111122223333","requestParameters":{"taskDefinition":"web"}}`,
			[]string{"arn:aws:ecs:eu-west-1:111122223333:cluster/default", "arn:aws:ecs:eu-west-1:111122223333:task-definition/web:*"}},
		{"Lambda qualifier makes the version ARN", `{"eventSource":"lambda.amazonaws.com","eventName":"GetFunction","awsRegion":"eu-west-1","recipientAccountId":"111122223333","requestParameters":{"functionName":"etl","qualifier":"7"}}`,
			[]string{"arn:aws:lambda:eu-west-1:111122223333:function:etl:7"}},
		{"Lambda partial ARN", `{"eventSource":"lambda.amazonaws.com","eventName":"GetFunction","awsRegion":"eu-west-1","recipientAccountId":"111122223333","requestParameters":{"functionName":"111122223333:function:etl"}}`,
			[]string{"arn:aws:lambda:eu-west-1:111122223333:function:etl"}},
		{"IAM call naming no user acts on the caller", `{"eventSource":"iam.amazonaws.com","eventName":"ListAccessKeys","awsRegion":"us-east-1",` + user + `,"requestParameters":null}`,
			[]string{"arn:aws:iam::111122223333:user/alice"}},
		{"SSM GetParameters names several", `{"eventSource":"ssm.amazonaws.com","eventName":"GetParameters","awsRegion":"eu-west-1","recipientAccountId":"111122223333","requestParameters":{"names":["/app/a","b"]}}`,
			[]string{"arn:aws:ssm:eu-west-1:111122223333:parameter/app/a", "arn:aws:ssm:eu-west-1:111122223333:parameter/b"}},
		{"EC2 instances of instancesSet", `{"eventSource":"ec2.amazonaws.com","eventName":"StopInstances","awsRegion":"eu-west-1","recipientAccountId":"111122223333","requestParameters":{"instancesSet":{"items":[{"instanceId":"i-1"},{"instanceId":"i-2"}]}}}`,
			[]string{"arn:aws:ec2:eu-west-1:111122223333:instance/i-1", "arn:aws:ec2:eu-west-1:111122223333:instance/i-2"}},
		{"IAM call naming a user and a policy names both (AttachUserPolicy is authorised on the user)", `{"eventSource":"iam.amazonaws.com","eventName":"AttachUserPolicy","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"userName":"bob","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}}`,
			[]string{"arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::111122223333:user/bob"}},
		{"IAM call naming a role and a policy", `{"eventSource":"iam.amazonaws.com","eventName":"DetachRolePolicy","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"roleName":"app","policyArn":"arn:aws:iam::111122223333:policy/p"}}`,
			[]string{"arn:aws:iam::111122223333:policy/p", "arn:aws:iam::111122223333:role/app"}},
		{"account calls act on the caller's account", `{"eventSource":"account.amazonaws.com","eventName":"GetRegionOptStatus","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"RegionName":"eu-north-1"}}`,
			[]string{"arn:aws:account::111122223333:account"}},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			if got := resourcesFromParameters(readOne(t, tt.record)); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// Calls that pass a role, and calls that name one without passing it.
func TestPassedRoles(t *testing.T) {
	tests := []struct {
		rule, record string
		want         []PassedRole
	}{
		{"Lambda function role", `{"eventSource":"lambda.amazonaws.com","eventName":"CreateFunction20150331","requestParameters":{"role":"arn:aws:iam::111122223333:role/fn"}}`,
			[]PassedRole{{"arn:aws:iam::111122223333:role/fn", "lambda.amazonaws.com"}}},
		{"ECS task roles go to ecs-tasks", `{"eventSource":"ecs.amazonaws.com","eventName":"RegisterTaskDefinition","requestParameters":{"taskRoleArn":"arn:aws:iam::111122223333:role/t","executionRoleArn":"arn:aws:iam::111122223333:role/e"}}`,
			[]PassedRole{{"arn:aws:iam::111122223333:role/e", "ecs-tasks.amazonaws.com"}, {"arn:aws:iam::111122223333:role/t", "ecs-tasks.amazonaws.com"}}},
		{"nested EventBridge target role", `{"eventSource":"events.amazonaws.com","eventName":"PutTargets","requestParameters":{"targets":[{"id":"1","roleArn":"arn:aws:iam::111122223333:role/path/ev"}]}}`,
			[]PassedRole{{"arn:aws:iam::111122223333:role/path/ev", "events.amazonaws.com"}}},
		{"AssumeRole names a role to assume, not to pass", `{"eventSource":"sts.amazonaws.com","eventName":"AssumeRole","requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/r"}}`, nil},
		{"read-only calls pass nothing", `{"eventSource":"lambda.amazonaws.com","eventName":"GetFunction","readOnly":true,"requestParameters":{"role":"arn:aws:iam::111122223333:role/fn"}}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			got := PassedRoles(readOne(t, tt.record))
			if len(got) == 0 && len(tt.want) == 0 {
				return
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
