package generate

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/trail"
)

// Each ARN form the request rebuilding makes, through generate: the
// action is granted on exactly the ARN expected, and that ARN fits the
// resource type the service reference gives the action (its documented
// ARN format, with the record's partition, Region and account).
func TestGenerateARNFormats(t *testing.T) {
	tests := []struct {
		name, source, event, params string
		action, want, typ           string
		region                      string // "" is eu-west-1
		extra                       string // more members of the record
	}{
		// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html
		{"StartSession on an instance", "ssm", "StartSession", `{"target":"i-0abc1234"}`,
			"ssm:StartSession", "arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc1234", "instance", "", ""},
		{"StartSession on a managed node", "ssm", "StartSession", `{"target":"mi-0abc1234"}`,
			"ssm:StartSession", "arn:aws:ssm:eu-west-1:111122223333:managed-instance/mi-0abc1234", "managed-instance", "", ""},
		{"UpdateInstanceInformation on the agent's instance", "ssm", "UpdateInstanceInformation", `{"instanceId":"i-05c3","agentName":"amazon-ssm-agent"}`,
			"ssm:UpdateInstanceInformation", "arn:aws:ec2:eu-west-1:111122223333:instance/i-05c3", "instance", "", ""},
		{"PutComplianceItems on the managed node", "ssm", "PutComplianceItems", `{"resourceId":"mi-05c3","resourceType":"ManagedInstance","complianceType":"Custom:x"}`,
			"ssm:PutComplianceItems", "arn:aws:ssm:eu-west-1:111122223333:managed-instance/mi-05c3", "managed-instance", "", ""},
		{"ListTagsForResource on a parameter", "ssm", "ListTagsForResource", `{"resourceType":"Parameter","resourceId":"/app/db"}`,
			"ssm:ListTagsForResource", "arn:aws:ssm:eu-west-1:111122223333:parameter/app/db", "parameter", "", ""},
		{"AddTagsToResource on a document", "ssm", "AddTagsToResource", `{"resourceType":"Document","resourceId":"my-doc"}`,
			"ssm:AddTagsToResource", "arn:aws:ssm:eu-west-1:111122223333:document/my-doc", "document", "", ""},
		// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html
		{"GetFederationToken on the federated user", "sts", "GetFederationToken", `{"name":"bob"}`,
			"sts:GetFederationToken", "arn:aws:sts::111122223333:federated-user/bob", "federated-user", "", ""},
		// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html
		{"RDS ListTagsForResource on a snapshot", "rds", "ListTagsForResource", `{"resourceName":"arn:aws:rds:eu-west-1:111122223333:snapshot:nightly"}`,
			"rds:ListTagsForResource", "arn:aws:rds:eu-west-1:111122223333:snapshot:nightly", "snapshot", "", ""},
		// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudtrail.html
		{"CloudTrail ListTags on a trail", "cloudtrail", "ListTags", `{"resourceIdList":["arn:aws:cloudtrail:eu-west-1:111122223333:trail/org"]}`,
			"cloudtrail:ListTags", "arn:aws:cloudtrail:eu-west-1:111122223333:trail/org", "trail", "", ""},
		// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html
		{"CreateTags on an AMI (no account in its ARN)", "ec2", "CreateTags", `{"resourcesSet":{"items":[{"resourceId":"ami-0aa1d83d"}]},"tagSet":{"items":[{"key":"k","value":"v"}]}}`,
			"ec2:CreateTags", "arn:aws:ec2:eu-west-1::image/ami-0aa1d83d", "image", "", ""},
		{"CreateTags on a volume", "ec2", "CreateTags", `{"resourcesSet":{"items":[{"resourceId":"vol-0123"}]},"tagSet":{"items":[{"key":"k","value":"v"}]}}`,
			"ec2:CreateTags", "arn:aws:ec2:eu-west-1:111122223333:volume/vol-0123", "volume", "", ""},
		{"DeleteTags on a transit gateway attachment", "ec2", "DeleteTags", `{"resourcesSet":{"items":[{"resourceId":"tgw-attach-0123"}]}}`,
			"ec2:DeleteTags", "arn:aws:ec2:eu-west-1:111122223333:transit-gateway-attachment/tgw-attach-0123", "transit-gateway-attachment", "", ""},
		{"CreateTags in China (partition from the Region)", "ec2", "CreateTags", `{"resourcesSet":{"items":[{"resourceId":"snap-0123"}]}}`,
			"ec2:CreateTags", "arn:aws-cn:ec2:cn-north-1::snapshot/snap-0123", "snapshot", "cn-north-1", ""},
		// The resource an EC2 create call makes, its ID "*": "you must use a wildcard in the ARN for
		// a resource when it is to be created by the request"
		// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/ec2-api-permissions.html).
		{"CreateVpc on the new VPC", "ec2", "CreateVpc", `{"cidrBlock":"10.0.0.0/16"}`,
			"ec2:CreateVpc", "arn:aws:ec2:eu-west-1:111122223333:vpc/*", "vpc", "", ""},
		{"CreateVolume on the new volume", "ec2", "CreateVolume", `{"size":8,"zone":"eu-west-1a"}`,
			"ec2:CreateVolume", "arn:aws:ec2:eu-west-1:111122223333:volume/*", "volume", "", ""},
		{"RegisterImage on the new image (no account)", "ec2", "RegisterImage", `{"name":"img"}`,
			"ec2:RegisterImage", "arn:aws:ec2:eu-west-1::image/*", "image", "", ""},
		// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html
		{"ECS CreateCluster on the new cluster", "ecs", "CreateCluster", `{"clusterName":"prod"}`,
			"ecs:CreateCluster", "arn:aws:ecs:eu-west-1:111122223333:cluster/prod", "cluster", "", ""},
		{"ECS CreateService on the new service of its cluster", "ecs", "CreateService", `{"cluster":"prod","serviceName":"web","taskDefinition":"web:3"}`,
			"ecs:CreateService", "arn:aws:ecs:eu-west-1:111122223333:service/prod/web", "service", "", ""},
		// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html
		{"CreateLogStream on the log stream", "logs", "CreateLogStream", `{"logGroupName":"/aws/lambda/w","logStreamName":"2026/01/01/[$LATEST]ab12"}`,
			"logs:CreateLogStream", "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/w:log-stream:2026/01/01/[$LATEST]ab12", "log-stream", "", ""},
		{"PutLogEvents on the log stream, though resources[] names the group only", "logs", "PutLogEvents", `{"logGroupName":"app","logStreamName":"s1"}`,
			"logs:PutLogEvents", "arn:aws:logs:eu-west-1:111122223333:log-group:app:log-stream:s1", "log-stream", "",
			`"resources":[{"accountId":"111122223333","type":"AWS::Logs::LogGroup","ARN":"arn:aws:logs:eu-west-1:111122223333:log-group:app"}],`},
		{"DescribeLogStreams on the group", "logs", "DescribeLogStreams", `{"logGroupName":"app"}`,
			"logs:DescribeLogStreams", "arn:aws:logs:eu-west-1:111122223333:log-group:app", "log-group", "", ""},
	}
	c := catalog.Default()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			region := tt.region
			if region == "" {
				region = "eu-west-1"
			}
			principal := "arn:" + arn.PartitionOfRegion(region) + ":iam::111122223333:user/alice"
			rec := `{"eventVersion":"1.09","eventID":"e1","eventTime":"2026-01-01T00:00:00Z","eventSource":"` + tt.source + `.amazonaws.com","eventName":"` + tt.event +
				`","awsRegion":"` + region + `","recipientAccountId":"111122223333","userIdentity":{"type":"IAMUser","arn":"` + principal +
				`","accountId":"111122223333","userName":"alice"},` + tt.extra + `"requestParameters":` + tt.params + `,"responseElements":null}`
			path := filepath.Join(t.TempDir(), "t.json")
			if err := os.WriteFile(path, []byte(`{"Records":[`+rec+`]}`), 0o644); err != nil {
				t.Fatal(err)
			}
			res, _, err := FromTrail(context.Background(), []string{path}, trail.Options{Serial: true}, Options{Principal: principal})
			if err != nil {
				t.Fatal(err)
			}
			if got := grants(res.Policy)[tt.action]; !slices.Equal(got, []string{tt.want}) {
				t.Fatalf("%s granted on %v, want [%s]", tt.action, got, tt.want)
			}
			a, ok := c.Action(tt.action)
			if !ok {
				t.Fatalf("%s not in the service reference", tt.action)
			}
			fits := false
			for _, rt := range c.ResourceTypesForARN(tt.want) {
				for _, ar := range a.Resources {
					fits = fits || (ar.Type == rt && rt.Name == tt.typ)
				}
			}
			if !fits {
				t.Errorf("%s does not fit the %q resource type %s is authorised on", tt.want, tt.typ, tt.action)
			}
			if res.Coverage.Scoped != res.Coverage.ResourceCapable {
				t.Errorf("coverage %+v", res.Coverage)
			}
		})
	}
}

// Tags given at creation need ec2:CreateTags on the new resource: it is
// granted on the created resource's ARN, limited by ec2:CreateAction to
// the creating call, and the replay (with ec2:CreateAction in the
// request) allows it.
// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html
func TestGenerateTagOnCreate(t *testing.T) {
	g := generator(t, bob,
		userRecord("e1", "ec2.amazonaws.com", "CreateVpc", `"requestParameters":{"cidrBlock":"10.0.0.0/16","tagSpecificationSet":{"items":[{"resourceType":"vpc","tags":[{"key":"Name","value":"a"}]}]}},"responseElements":{"vpc":{"vpcId":"vpc-1"}}`),
		userRecord("e2", "ec2.amazonaws.com", "CreateTags", `"requestParameters":{"resourcesSet":{"items":[{"resourceId":"vpc-9"}]},"tagSet":{"items":[{"key":"k","value":"v"}]}}`))
	res, err := g.Result(nil, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var tagOnCreate *Statement
	for i, s := range res.Policy.Statement {
		if s.Condition["StringEquals"]["ec2:CreateAction"] != nil {
			tagOnCreate = &res.Policy.Statement[i]
		}
	}
	if tagOnCreate == nil || !slices.Equal(tagOnCreate.Action, []string{"ec2:CreateTags"}) ||
		!slices.Equal(tagOnCreate.Resource, []string{"arn:aws:ec2:us-east-1:111122223333:vpc/*"}) ||
		!slices.Equal(tagOnCreate.Condition["StringEquals"]["ec2:CreateAction"], []string{"CreateVpc"}) {
		t.Fatalf("tag-on-create statement %+v in %+v", tagOnCreate, res.Policy.Statement)
	}
	// The direct CreateTags call is granted on its VPC alone, without the
	// condition; CreateVpc on the new VPC.
	if got := grants(res.Policy)["ec2:CreateTags"]; !slices.Equal(got, []string{"arn:aws:ec2:us-east-1:111122223333:vpc/*", "arn:aws:ec2:us-east-1:111122223333:vpc/vpc-9"}) {
		t.Errorf("ec2:CreateTags on %v", got)
	}
	if got := grants(res.Policy)["ec2:CreateVpc"]; !slices.Equal(got, []string{"arn:aws:ec2:us-east-1:111122223333:vpc/*"}) {
		t.Errorf("ec2:CreateVpc on %v", got)
	}
	if !res.Verification.Verified || res.Verification.Requests != 3 || res.Verification.Allowed != 3 {
		t.Errorf("verification %+v", res.Verification)
	}
}

// ECS tags given at creation: ecs:TagResource on the new cluster, limited
// by ecs:CreateAction, and the replay allows it.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html
func TestGenerateECSTagOnCreate(t *testing.T) {
	g := generator(t, bob,
		userRecord("e1", "ecs.amazonaws.com", "CreateCluster", `"requestParameters":{"clusterName":"prod","tags":[{"key":"team","value":"x"}]}`))
	res, err := g.Result(nil, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Statement{
		{Sid: "EcsAllow1", Effect: "Allow", Action: []string{"ecs:CreateCluster"}, Resource: []string{"arn:aws:ecs:us-east-1:111122223333:cluster/prod"}},
		{Sid: "EcsTagOnCreateAllow1", Effect: "Allow", Action: []string{"ecs:TagResource"}, Resource: []string{"arn:aws:ecs:us-east-1:111122223333:cluster/prod"},
			Condition: map[string]map[string][]string{"StringEquals": {"ecs:CreateAction": {"CreateCluster"}}}},
	}
	got, _ := json.Marshal(res.Policy.Statement)
	exp, _ := json.Marshal(want)
	if string(got) != string(exp) {
		t.Errorf("statements\n%s\nwant\n%s", got, exp)
	}
	if !res.Verification.Verified || res.Verification.Requests != 2 || res.Verification.Allowed != 2 {
		t.Errorf("verification %+v", res.Verification)
	}
}
