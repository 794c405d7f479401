package trail

import (
	"fmt"
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
		{"ECS CreateCluster names its new cluster by clusterName", `{"eventSource":"ecs.amazonaws.com","eventName":"CreateCluster","awsRegion":"eu-west-1","recipientAccountId":"111122223333","requestParameters":{"clusterName":"prod"}}`,
			[]string{"arn:aws:ecs:eu-west-1:111122223333:cluster/prod"}},
		{"ECS CreateService names its new service by serviceName", `{"eventSource":"ecs.amazonaws.com","eventName":"CreateService","awsRegion":"eu-west-1","recipientAccountId":"111122223333","requestParameters":{"cluster":"prod","serviceName":"web","taskDefinition":"web:3"}}`,
			[]string{"arn:aws:ecs:eu-west-1:111122223333:cluster/prod", "arn:aws:ecs:eu-west-1:111122223333:service/prod/web", "arn:aws:ecs:eu-west-1:111122223333:task-definition/web:3"}},
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
		{"EC2 Instance Connect names the instance", `{"eventSource":"ec2-instance-connect.amazonaws.com","eventName":"SendSSHPublicKey","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"instanceId":"i-1","instanceOSUser":"ec2-user"}}`,
			[]string{"arn:aws:ec2:us-east-1:111122223333:instance/i-1"}},
		{"EC2's XML-shaped parameters are unwrapped (DeleteFlowLogsRequest, content values)", `{"eventSource":"ec2.amazonaws.com","eventName":"DeleteFlowLogs","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"DeleteFlowLogsRequest":{"FlowLogId":{"tag":1,"content":"fl-1"}}}}`,
			[]string{"arn:aws:ec2:us-east-1:111122223333:vpc-flow-log/fl-1"}},
		{"an EC2 create call is authorised on the resource it makes, its ID unknown before the call", `{"eventSource":"ec2.amazonaws.com","eventName":"CreateVpc","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"cidrBlock":"10.0.0.0/16"},"responseElements":{"vpc":{"vpcId":"vpc-1"}}}`,
			[]string{"arn:aws:ec2:us-east-1:111122223333:vpc/*"}},
		{"CreateNatGateway: the subnet, the address and the new gateway", `{"eventSource":"ec2.amazonaws.com","eventName":"CreateNatGateway","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"CreateNatGatewayRequest":{"SubnetId":"subnet-1","AllocationId":"eipalloc-1"}},"responseElements":{"CreateNatGatewayResponse":{"xmlns":"x","natGateway":{"natGatewayId":"nat-1"}}}}`,
			[]string{"arn:aws:ec2:us-east-1:111122223333:subnet/subnet-1", "arn:aws:ec2:us-east-1:111122223333:elastic-ip/eipalloc-1", "arn:aws:ec2:us-east-1:111122223333:natgateway/*"}},
		{"CreateNetworkInterface: the subnet, the security groups and the new interface", `{"eventSource":"ec2.amazonaws.com","eventName":"CreateNetworkInterface","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"subnetId":"subnet-1","groupSet":{"items":[{"groupId":"sg-1"}]}}}`,
			[]string{"arn:aws:ec2:us-east-1:111122223333:subnet/subnet-1", "arn:aws:ec2:us-east-1:111122223333:security-group/sg-1", "arn:aws:ec2:us-east-1:111122223333:network-interface/*"}},
		{"CreateImage: the instance, the new image and the snapshots of its volumes", `{"eventSource":"ec2.amazonaws.com","eventName":"CreateImage","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"instanceId":"i-1","name":"img"}}`,
			[]string{"arn:aws:ec2:us-east-1:111122223333:instance/i-1", "arn:aws:ec2:us-east-1::image/*", "arn:aws:ec2:us-east-1::snapshot/*"}},
		{"AttachVolume names the volume and the instance", `{"eventSource":"ec2.amazonaws.com","eventName":"AttachVolume","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"volumeId":"vol-1","instanceId":"i-1","device":"/dev/sdf"}}`,
			[]string{"arn:aws:ec2:us-east-1:111122223333:volume/vol-1", "arn:aws:ec2:us-east-1:111122223333:instance/i-1"}},
		{"CreateSnapshot: the volume and the new snapshot (no account)", `{"eventSource":"ec2.amazonaws.com","eventName":"CreateSnapshot","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"volumeId":"vol-1"}}`,
			[]string{"arn:aws:ec2:us-east-1:111122223333:volume/vol-1", "arn:aws:ec2:us-east-1::snapshot/*"}},
		{"RunInstances: the image and subnet named, what it creates and the default VPC's security group as TYPE/*", `{"eventSource":"ec2.amazonaws.com","eventName":"RunInstances","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"instancesSet":{"items":[{"imageId":"ami-1","minCount":1,"maxCount":1}]},"subnetId":"subnet-1","keyName":"ops"}}`,
			[]string{"arn:aws:ec2:us-east-1::image/ami-1", "arn:aws:ec2:us-east-1:111122223333:instance/*", "arn:aws:ec2:us-east-1:111122223333:network-interface/*", "arn:aws:ec2:us-east-1:111122223333:subnet/subnet-1", "arn:aws:ec2:us-east-1:111122223333:security-group/*", "arn:aws:ec2:us-east-1:111122223333:volume/*", "arn:aws:ec2:us-east-1:111122223333:key-pair/ops"}},
		{"RunInstances naming nothing: the default VPC's subnet and security group", `{"eventSource":"ec2.amazonaws.com","eventName":"RunInstances","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"instanceType":"t3.micro"}}`,
			[]string{"arn:aws:ec2:us-east-1::image/*", "arn:aws:ec2:us-east-1:111122223333:instance/*", "arn:aws:ec2:us-east-1:111122223333:network-interface/*", "arn:aws:ec2:us-east-1:111122223333:subnet/*", "arn:aws:ec2:us-east-1:111122223333:security-group/*", "arn:aws:ec2:us-east-1:111122223333:volume/*"}},
		{"RunInstances with interfaces, a launch template by name, a placement group and a Spot launch", `{"eventSource":"ec2.amazonaws.com","eventName":"RunInstances","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"instancesSet":{"items":[{"imageId":"ami-1"}]},"launchTemplate":{"launchTemplateName":"web","version":"3"},"placement":{"groupName":"pg"},"instanceMarketOptions":{"marketType":"spot"},"networkInterfaceSet":{"items":[{"deviceIndex":0,"subnetId":"subnet-2","groupSet":{"items":[{"groupId":"sg-2"}]}},{"deviceIndex":1,"networkInterfaceId":"eni-1"}]}}}`,
			[]string{"arn:aws:ec2:us-east-1::image/ami-1", "arn:aws:ec2:us-east-1:111122223333:instance/*", "arn:aws:ec2:us-east-1:111122223333:network-interface/eni-1", "arn:aws:ec2:us-east-1:111122223333:network-interface/*", "arn:aws:ec2:us-east-1:111122223333:subnet/subnet-2", "arn:aws:ec2:us-east-1:111122223333:security-group/sg-2", "arn:aws:ec2:us-east-1:111122223333:volume/*", "arn:aws:ec2:us-east-1:111122223333:launch-template/*", "arn:aws:ec2:us-east-1:111122223333:placement-group/pg", "arn:aws:ec2:us-east-1:111122223333:spot-instances-request/*"}},
		{"RunInstances with a security group named by name (default VPC) and one by ID, a launch template by ID", `{"eventSource":"ec2.amazonaws.com","eventName":"RunInstances","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"instancesSet":{"items":[{"imageId":"ami-1"}]},"groupSet":{"items":[{"groupName":"web"},{"groupId":"sg-1"}]},"launchTemplate":{"launchTemplateId":"lt-1"}}}`,
			[]string{"arn:aws:ec2:us-east-1::image/ami-1", "arn:aws:ec2:us-east-1:111122223333:instance/*", "arn:aws:ec2:us-east-1:111122223333:network-interface/*", "arn:aws:ec2:us-east-1:111122223333:subnet/*", "arn:aws:ec2:us-east-1:111122223333:security-group/sg-1", "arn:aws:ec2:us-east-1:111122223333:security-group/*", "arn:aws:ec2:us-east-1:111122223333:volume/*", "arn:aws:ec2:us-east-1:111122223333:launch-template/lt-1"}},
		{"RunInstances without parameters names nothing", `{"eventSource":"ec2.amazonaws.com","eventName":"RunInstances","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":null}`,
			nil},
		{"IAM instance profile and role", `{"eventSource":"iam.amazonaws.com","eventName":"AddRoleToInstanceProfile","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"instanceProfileName":"p","roleName":"r"}}`,
			[]string{"arn:aws:iam::111122223333:instance-profile/p", "arn:aws:iam::111122223333:role/r"}},
		{"IAM CreatePolicy names the new policy with its path", `{"eventSource":"iam.amazonaws.com","eventName":"CreatePolicy","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"policyName":"p","path":"/team/"}}`,
			[]string{"arn:aws:iam::111122223333:policy/team/p"}},
		{"SSM SendCommand: an AWS document (no account) and the instances", `{"eventSource":"ssm.amazonaws.com","eventName":"SendCommand","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"documentName":"AWS-RunShellScript","instanceIds":["i-1","mi-2"]}}`,
			[]string{"arn:aws:ssm:us-east-1:*:document/AWS-RunShellScript", "arn:aws:ec2:us-east-1:111122223333:instance/i-1", "arn:aws:ssm:us-east-1:111122223333:managed-instance/mi-2"}},
		{"SSM session", `{"eventSource":"ssm.amazonaws.com","eventName":"TerminateSession","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"sessionId":"alice-1"}}`,
			[]string{"arn:aws:ssm:us-east-1:111122223333:session/alice-1"}},
		{"GuardDuty detector", `{"eventSource":"guardduty.amazonaws.com","eventName":"GetDetector","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"detectorId":"d1"}}`,
			[]string{"arn:aws:guardduty:us-east-1:111122223333:detector/d1"}},
		{"IAM Roles Anywhere profile", `{"eventSource":"rolesanywhere.amazonaws.com","eventName":"DeleteProfile","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"profileId":"p1"}}`,
			[]string{"arn:aws:rolesanywhere:us-east-1:111122223333:profile/p1"}},
		{"Route 53 Resolver query log config", `{"eventSource":"route53resolver.amazonaws.com","eventName":"DeleteResolverQueryLogConfig","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"resolverQueryLogConfigId":"rqlc-1"}}`,
			[]string{"arn:aws:route53resolver:us-east-1:111122223333:resolver-query-log-config/rqlc-1"}},
		{"Bedrock foundation model (no account)", `{"eventSource":"bedrock.amazonaws.com","eventName":"InvokeModel","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"modelId":"anthropic.claude-v2"}}`,
			[]string{"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v2"}},
		{"SSM StartSession on an EC2 instance and the session document named", `{"eventSource":"ssm.amazonaws.com","eventName":"StartSession","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"target":"i-0abc","documentName":"SSM-SessionManagerRunShell"}}`,
			[]string{"arn:aws:ec2:us-east-1:111122223333:instance/i-0abc", "arn:aws:ssm:us-east-1:*:document/SSM-SessionManagerRunShell"}},
		{"SSM StartSession on a managed node", `{"eventSource":"ssm.amazonaws.com","eventName":"StartSession","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"target":"mi-0abc"}}`,
			[]string{"arn:aws:ssm:us-east-1:111122223333:managed-instance/mi-0abc"}},
		{"SSM StartSession on an ECS target is not an instance", `{"eventSource":"ssm.amazonaws.com","eventName":"StartSession","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"target":"ecs:prod_abc_def"}}`,
			nil},
		{"SSM agent's UpdateInstanceInformation on its instance", `{"eventSource":"ssm.amazonaws.com","eventName":"UpdateInstanceInformation","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"instanceId":"i-05c3","agentVersion":"3.1"}}`,
			[]string{"arn:aws:ec2:us-east-1:111122223333:instance/i-05c3"}},
		{"SSM PutComplianceItems on the managed instance", `{"eventSource":"ssm.amazonaws.com","eventName":"PutComplianceItems","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"resourceId":"i-05c3","resourceType":"ManagedInstance"}}`,
			[]string{"arn:aws:ec2:us-east-1:111122223333:instance/i-05c3"}},
		{"SSM ListTagsForResource on a parameter (no leading slash in the ARN)", `{"eventSource":"ssm.amazonaws.com","eventName":"ListTagsForResource","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"resourceType":"Parameter","resourceId":"/app/db"}}`,
			[]string{"arn:aws:ssm:us-east-1:111122223333:parameter/app/db"}},
		{"SSM tagging of a type not known here names nothing", `{"eventSource":"ssm.amazonaws.com","eventName":"AddTagsToResource","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"resourceType":"OpsMetadata","resourceId":"/aws/ssm/x"}}`,
			nil},
		{"STS GetFederationToken on the federated user (no Region)", `{"eventSource":"sts.amazonaws.com","eventName":"GetFederationToken","awsRegion":"us-east-1",` + user + `,"recipientAccountId":"111122223333","requestParameters":{"name":"bob"}}`,
			[]string{"arn:aws:sts::111122223333:federated-user/bob"}},
		{"RDS tagging names its resource by ARN", `{"eventSource":"rds.amazonaws.com","eventName":"ListTagsForResource","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"resourceName":"arn:aws:rds:us-east-1:111122223333:db:orders"}}`,
			[]string{"arn:aws:rds:us-east-1:111122223333:db:orders"}},
		{"RDS DescribeDBInstances without an identifier lists every instance: db:*, as its access-denied messages name it", `{"eventSource":"rds.amazonaws.com","eventName":"DescribeDBInstances","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":null}`,
			[]string{"arn:aws:rds:us-east-1:111122223333:db:*"}},
		{"RDS DescribeDBInstances by filter only is on db:* too", `{"eventSource":"rds.amazonaws.com","eventName":"DescribeDBInstances","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"filters":[{"name":"db-instance-id","values":["orders"]}]}}`,
			[]string{"arn:aws:rds:us-east-1:111122223333:db:*"}},
		{"RDS DescribeDBInstances naming the instance is on it alone", `{"eventSource":"rds.amazonaws.com","eventName":"DescribeDBInstances","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"dBInstanceIdentifier":"Orders"}}`,
			[]string{"arn:aws:rds:us-east-1:111122223333:db:orders"}},
		{"RDS DescribeDBClusters without an identifier: cluster:*", `{"eventSource":"rds.amazonaws.com","eventName":"DescribeDBClusters","awsRegion":"eu-west-1","recipientAccountId":"111122223333","requestParameters":{"includeShared":true}}`,
			[]string{"arn:aws:rds:eu-west-1:111122223333:cluster:*"}},
		{"RDS DescribeDBParameterGroups without a name: pg:* (a grant on pg:* allows the list, one on pg:prefix-* does not)", `{"eventSource":"rds.amazonaws.com","eventName":"DescribeDBParameterGroups","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":null}`,
			[]string{"arn:aws:rds:us-east-1:111122223333:pg:*"}},
		{"RDS DescribeDBParameterGroups naming the group is on it alone", `{"eventSource":"rds.amazonaws.com","eventName":"DescribeDBParameterGroups","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"dBParameterGroupName":"default.postgres14"}}`,
			[]string{"arn:aws:rds:us-east-1:111122223333:pg:default.postgres14"}},
		{"RDS DescribeDBClusterParameterGroups without a name stays unnamed (no evidence of its ARN)", `{"eventSource":"rds.amazonaws.com","eventName":"DescribeDBClusterParameterGroups","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":null}`,
			nil},
		{"RDS DescribeDBSnapshots without an identifier names nothing (the ARN RDS authorises it on is not known)", `{"eventSource":"rds.amazonaws.com","eventName":"DescribeDBSnapshots","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"includeShared":false}}`,
			nil},
		{"CloudTrail ListTags names trails by ARN", `{"eventSource":"cloudtrail.amazonaws.com","eventName":"ListTags","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"resourceIdList":["arn:aws:cloudtrail:us-east-1:111122223333:trail/t1"]}}`,
			[]string{"arn:aws:cloudtrail:us-east-1:111122223333:trail/t1"}},
		{"EC2 CreateTags on each resource, by the kind of its ID (AMIs have no account)", `{"eventSource":"ec2.amazonaws.com","eventName":"CreateTags","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"resourcesSet":{"items":[{"resourceId":"ami-0aa1"},{"resourceId":"i-1"},{"resourceId":"tgw-attach-1"},{"resourceId":"vpce-svc-1"},{"resourceId":"vpce-2"}]},"tagSet":{"items":[{"key":"k","value":"v"}]}}}`,
			[]string{"arn:aws:ec2:us-east-1::image/ami-0aa1", "arn:aws:ec2:us-east-1:111122223333:instance/i-1", "arn:aws:ec2:us-east-1:111122223333:transit-gateway-attachment/tgw-attach-1",
				"arn:aws:ec2:us-east-1:111122223333:vpc-endpoint-service/vpce-svc-1", "arn:aws:ec2:us-east-1:111122223333:vpc-endpoint/vpce-2"}},
		{"EC2 CreateTags naming an ID of an unknown kind names none (a partial list would refuse the call)", `{"eventSource":"ec2.amazonaws.com","eventName":"CreateTags","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"resourcesSet":{"items":[{"resourceId":"i-1"},{"resourceId":"xyz-1"}]}}}`,
			nil},
		{"CloudWatch Logs: a call naming a stream names its group and the stream", `{"eventSource":"logs.amazonaws.com","eventName":"CreateLogStream","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"logGroupName":"/aws/lambda/f","logStreamName":"s1"}}`,
			[]string{"arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/f", "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/f:log-stream:s1"}},
		{"account calls act on the caller's account", `{"eventSource":"account.amazonaws.com","eventName":"GetRegionOptStatus","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"RegionName":"eu-north-1"}}`,
			[]string{"arn:aws:account::111122223333:account"}},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			r := readOne(t, tt.record)
			got := resourcesFromParameters(r)
			if created := ec2Created(r); len(created) > 0 {
				got = append(got, created...) // as replayResources does
			}
			if !slices.Equal(got, tt.want) {
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

// The resources an EC2 call tags as it creates them, from both shapes of
// tag specifications.
func TestTaggedAtCreation(t *testing.T) {
	tests := []struct {
		rule, record string
		want         []string
	}{
		{"tagSpecificationSet of a new VPC", `{"eventSource":"ec2.amazonaws.com","eventName":"CreateVpc","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"cidrBlock":"10.0.0.0/16","tagSpecificationSet":{"items":[{"resourceType":"vpc","tags":[{"key":"k","value":"v"}]}]}}}`,
			[]string{"arn:aws:ec2:us-east-1:111122223333:vpc/*"}},
		{"RunInstances tags instances and volumes", `{"eventSource":"ec2.amazonaws.com","eventName":"RunInstances","awsRegion":"eu-west-1","recipientAccountId":"111122223333","requestParameters":{"tagSpecificationSet":{"items":[{"resourceType":"instance","tags":[]},{"resourceType":"volume","tags":[]}]}}}`,
			[]string{"arn:aws:ec2:eu-west-1:111122223333:instance/*", "arn:aws:ec2:eu-west-1:111122223333:volume/*"}},
		{"XML-shaped TagSpecification of a flow log", `{"eventSource":"ec2.amazonaws.com","eventName":"CreateFlowLogs","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"CreateFlowLogsRequest":{"ResourceId":{"tag":1,"content":"vpc-1"},"TagSpecification":{"ResourceType":"vpc-flow-log","tag":1,"Tag":{"Value":true,"tag":1,"Key":"k"}}}}}`,
			[]string{"arn:aws:ec2:us-east-1:111122223333:vpc-flow-log/*"}},
		{"snapshots have no account", `{"eventSource":"ec2.amazonaws.com","eventName":"CreateSnapshot","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"volumeId":"vol-1","tagSpecificationSet":{"items":[{"resourceType":"snapshot","tags":[]}]}}}`,
			[]string{"arn:aws:ec2:us-east-1::snapshot/*"}},
		{"no tag specifications", `{"eventSource":"ec2.amazonaws.com","eventName":"CreateVpc","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"cidrBlock":"10.0.0.0/16"}}`, nil},
		{"not a create call", `{"eventSource":"ec2.amazonaws.com","eventName":"CreateTags","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"tagSpecificationSet":{"items":[{"resourceType":"vpc"}]}}}`, nil},
		{"a resource type not known here", `{"eventSource":"ec2.amazonaws.com","eventName":"CreateVpc","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"tagSpecificationSet":{"items":[{"resourceType":"vpc-something-new"}]}}}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			if got := TaggedAtCreation(readOne(t, tt.record)); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// The single target resourceFromParameters names.
func TestResourceFromParameters(t *testing.T) {
	tests := []struct {
		rule, record, want string
	}{
		{"Secrets Manager partial ARN: the suffix the full ARN ends in is a wildcard", `{"eventSource":"secretsmanager.amazonaws.com","eventName":"GetSecretValue","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"secretId":"arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db"}}`,
			"arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-??????"},
		{"Secrets Manager full ARN as given", `{"eventSource":"secretsmanager.amazonaws.com","eventName":"GetSecretValue","awsRegion":"us-east-1","recipientAccountId":"111122223333","requestParameters":{"secretId":"arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-a1B2c3"}}`,
			"arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-a1B2c3"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			if got := resourceFromParameters(readOne(t, tt.record)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// The resource an ECS create call tags as it creates it.
func TestECSTaggedAtCreation(t *testing.T) {
	tests := []struct {
		rule, record string
		want         []string
	}{
		{"CreateCluster with tags", `{"eventSource":"ecs.amazonaws.com","eventName":"CreateCluster","awsRegion":"eu-west-1","recipientAccountId":"111122223333","requestParameters":{"clusterName":"prod","tags":[{"key":"k","value":"v"}]}}`,
			[]string{"arn:aws:ecs:eu-west-1:111122223333:cluster/prod"}},
		{"RunTask with tags: the new task of the cluster", `{"eventSource":"ecs.amazonaws.com","eventName":"RunTask","awsRegion":"eu-west-1","recipientAccountId":"111122223333","requestParameters":{"cluster":"arn:aws:ecs:eu-west-1:111122223333:cluster/prod","taskDefinition":"web:3","tags":[{"key":"k","value":"v"}]}}`,
			[]string{"arn:aws:ecs:eu-west-1:111122223333:task/prod/*"}},
		{"RegisterTaskDefinition with tags: the new revision", `{"eventSource":"ecs.amazonaws.com","eventName":"RegisterTaskDefinition","awsRegion":"eu-west-1","recipientAccountId":"111122223333","requestParameters":{"family":"web","tags":[{"key":"k","value":"v"}]}}`,
			[]string{"arn:aws:ecs:eu-west-1:111122223333:task-definition/web:*"}},
		{"no tags", `{"eventSource":"ecs.amazonaws.com","eventName":"CreateCluster","awsRegion":"eu-west-1","recipientAccountId":"111122223333","requestParameters":{"clusterName":"prod","tags":[]}}`, nil},
		{"not a create call", `{"eventSource":"ecs.amazonaws.com","eventName":"TagResource","awsRegion":"eu-west-1","recipientAccountId":"111122223333","requestParameters":{"resourceArn":"x","tags":[{"key":"k","value":"v"}]}}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			if got := ecsTaggedAtCreation(readOne(t, tt.record)); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// A call whose resource type is required but whose record names no ID of
// it is on any resource of that type in the record's account and Region,
// for the calls that can only be on the caller's own resources; a record
// naming the resource, and other calls, give nil.
func TestIDUnknownResources(t *testing.T) {
	const head = `{"eventSource":"%s","eventName":"%s","awsRegion":"eu-west-1","recipientAccountId":"111122223333","requestParameters":%s}`
	tests := []struct {
		source, event, params string
		want                  []string
	}{
		{"ssm.amazonaws.com", "PutParameter", `null`, []string{"arn:aws:ssm:eu-west-1:111122223333:parameter/*"}},
		{"ssm.amazonaws.com", "DeleteParameter", `null`, []string{"arn:aws:ssm:eu-west-1:111122223333:parameter/*"}},
		{"ssm.amazonaws.com", "PutParameter", `{"name":"/a"}`, nil},
		{"ec2.amazonaws.com", "DetachNetworkInterface", `{"attachmentId":"eni-attach-1"}`,
			[]string{"arn:aws:ec2:eu-west-1:111122223333:instance/*", "arn:aws:ec2:eu-west-1:111122223333:network-interface/*"}},
		{"monitoring.amazonaws.com", "DescribeAlarms", `{"stateValue":"ALARM"}`, []string{"arn:aws:cloudwatch:eu-west-1:111122223333:alarm:*"}},
		{"monitoring.amazonaws.com", "DescribeAlarms", `{"alarmNames":["a"]}`, nil},
		{"s3.amazonaws.com", "GetStorageLensConfiguration", `{"Host":"x"}`, []string{"arn:aws:s3:eu-west-1:111122223333:storage-lens/*"}},
		{"s3.amazonaws.com", "GetStorageLensConfiguration", `{"configId":"c1"}`, nil},
		// The key may be another account's: not guessed.
		{"kms.amazonaws.com", "Decrypt", `null`, nil},
		{"sts.amazonaws.com", "AssumeRole", `null`, nil},
	}
	for _, tt := range tests {
		got := IDUnknownResources(readOne(t, fmt.Sprintf(head, tt.source, tt.event, tt.params)))
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s %s: %v, want %v", tt.event, tt.params, got, tt.want)
		}
	}
}
