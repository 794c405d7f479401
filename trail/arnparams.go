package trail

import (
	"encoding/json"
	"strings"

	"github.com/iamwhy/iamwhy/arn"
)

// rdsListAll holds the RDS describe calls that list every resource of a
// type in the caller's account and Region when no identifier is given,
// with the parameter that names one and the resource type. RDS
// authorises such a call on the type's ARN with "*" for the identifier,
// not on "*": its access-denied messages name
// arn:aws:rds:REGION:ACCOUNT:db:* for DescribeDBInstances without
// DBInstanceIdentifier (with filters or nothing; quoted in
// github.com/awslabs/pireporter/issues/8 and
// github.com/LeanerCloud/CUDly/pull/1699) and ...:cluster:* for
// DescribeDBClusters without DBClusterIdentifier (quoted in
// github.com/aws/neptune-export/issues/120). DescribeDBParameterGroups
// without DBParameterGroupName is on ...:pg:*: a broker allowed it on
// pg:cg-aws-broker-* was denied the list call, and granting pg:* fixed it
// (github.com/cloud-gov/product/issues/1405, fixed by
// github.com/cloud-gov/terraform-provision/pull/776), which a request on
// "*" could not have done. A grant on that ARN matches the request
// exactly; "*" would also allow the same call in other accounts and
// Regions. Only the calls for which we have seen such evidence are
// listed: for the others (DescribeDBSnapshots, authorised on db and
// snapshot, DescribeDBClusterParameterGroups and the rest) the ARN RDS
// authorises is not known here, and they stay on "*".
var rdsListAll = map[string]struct{ param, res string }{
	"DescribeDBInstances":       {"dBInstanceIdentifier", "db:"},
	"DescribeDBClusters":        {"dBClusterIdentifier", "cluster:"},
	"DescribeDBParameterGroups": {"dBParameterGroupName", "pg:"},
}

// resourcesFromParameters builds the ARNs a call names in its request
// parameters for the services whose parameters name resources by name or
// ID rather than by ARN, beyond resourceFromParameters' single target.
// It may return several ARNs (an ECS call names a cluster and a service or
// task); the caller keeps, per action, those the action is authorised on
// (RequestOptions.Resources). The ARN formats are those of the Service
// Authorization Reference's resource types for each service:
// https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
func resourcesFromParameters(r *Record) []string {
	var p map[string]any
	if len(r.RequestParameters) > 0 && string(r.RequestParameters) != "null" {
		if err := json.Unmarshal(r.RequestParameters, &p); err != nil {
			return nil
		}
	}
	svc, _, _ := strings.Cut(r.EventSource, ".")
	if svc == "ec2" {
		p = ec2Parameters(p)
	}
	str := func(k string) string {
		if v, ok := p[k].(string); ok {
			return v
		}
		return ""
	}
	partition := arn.PartitionOfRegion(r.AWSRegion)
	acct := r.Account()
	regional := func(svc, res string) string {
		return "arn:" + partition + ":" + svc + ":" + r.AWSRegion + ":" + acct + ":" + res
	}
	var out []string
	add := func(s string) {
		if s != "" {
			out = append(out, s)
		}
	}
	switch svc {
	case "ecs":
		// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html
		cluster := lastPart(str("cluster"), "cluster/")
		if r.EventName == "CreateCluster" {
			// CreateCluster names its new cluster by clusterName.
			cluster = str("clusterName")
		}
		if cluster == "" {
			cluster = "default" // ECS calls without a cluster use the default cluster
		}
		// named adds an ID or name as the ARN of its type, or an ARN
		// as given.
		named := func(v, res string) {
			switch {
			case v == "":
			case strings.HasPrefix(v, "arn:"):
				add(v)
			default:
				add(regional("ecs", res+v))
			}
		}
		if c := str("cluster"); strings.HasPrefix(c, "arn:") {
			add(c)
		} else {
			add(regional("ecs", "cluster/"+cluster))
		}
		named(str("service"), "service/"+cluster+"/")
		named(str("serviceName"), "service/"+cluster+"/") // CreateService's new service
		if n := str("name"); n != "" && r.EventName == "CreateCapacityProvider" {
			add(regional("ecs", "capacity-provider/"+n))
		}
		if td := str("taskDefinition"); td != "" && !strings.HasPrefix(td, "arn:") && !strings.Contains(td, ":") {
			// A family without a revision means its latest revision.
			named(td+":*", "task-definition/")
		} else {
			named(td, "task-definition/")
		}
		if fam := str("family"); fam != "" && r.EventName == "RegisterTaskDefinition" {
			// A new revision of the family; its number is not known
			// before the call, so every revision of the family.
			named(fam+":*", "task-definition/")
		}
		named(str("task"), "task/"+cluster+"/")
		for _, k := range listOf(p["tasks"]) {
			named(k, "task/"+cluster+"/")
		}
		for _, v := range listOf(p["services"]) {
			named(v, "service/"+cluster+"/")
		}
		for _, c := range listOf(p["clusters"]) {
			named(c, "cluster/")
		}
		if ci := str("containerInstance"); ci != "" && !strings.HasPrefix(ci, "arn:") {
			add(regional("ecs", "container-instance/"+cluster+"/"+ci))
		}
	case "lambda":
		// Lambda's function names may be a name, a partial ARN
		// (ACCOUNT:function:NAME) or a full ARN, with ":QUALIFIER" for a
		// version or alias, or a Qualifier parameter. A call on a version
		// or alias is authorised on the qualified ARN.
		// https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html
		f := str("functionName")
		if f == "" {
			return nil
		}
		var fn string
		switch {
		case strings.HasPrefix(f, "arn:"):
			fn = f
		case strings.Contains(f, ":function:"):
			fn = "arn:" + partition + ":lambda:" + r.AWSRegion + ":" + f
		default:
			fn = regional("lambda", "function:"+f)
		}
		if q := str("qualifier"); q != "" && strings.Count(fn, ":") == 6 {
			fn += ":" + q
		}
		add(fn)
	case "events":
		if n := str("name"); n != "" {
			bus := str("eventBusName")
			if bus == "" || bus == "default" {
				add(regional("events", "rule/"+n))
			} else if !strings.HasPrefix(bus, "arn:") {
				add(regional("events", "rule/"+bus+"/"+n))
			}
		} else if rule := str("rule"); rule != "" {
			add(regional("events", "rule/"+rule))
		}
	case "states":
		add(str("stateMachineArn"))
		add(str("executionArn"))
		add(str("activityArn"))
	case "cloudformation":
		if s := str("stackName"); s != "" {
			if strings.HasPrefix(s, "arn:") {
				add(s)
			} else {
				// Stack ARNs end in a unique ID the name does not carry.
				add(regional("cloudformation", "stack/"+s+"/*"))
			}
		}
	case "ecr":
		if n := str("repositoryName"); n != "" {
			add(regional("ecr", "repository/"+n))
		}
	case "kinesis":
		if a := str("streamARN"); a != "" {
			add(a)
		} else if n := str("streamName"); n != "" {
			add(regional("kinesis", "stream/"+n))
		}
	case "ssm":
		// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html
		document := func(n string) {
			switch {
			case n == "":
			case strings.HasPrefix(n, "arn:"):
				add(n)
			case ssmAWSDocument(n):
				// Documents AWS owns have no account in their ARN
				// (arn:aws:ssm:REGION::document/AWS-RunShellScript); the
				// account is a wildcard, which matches the empty field and
				// the reference's format, and grants no other document
				// (customers cannot create names with AWS's prefixes).
				add("arn:" + partition + ":ssm:" + r.AWSRegion + ":*:document/" + n)
			default:
				add(regional("ssm", "document/"+n))
			}
		}
		switch r.EventName {
		case "GetDocument", "DescribeDocument", "UpdateDocument", "DeleteDocument", "CreateDocument":
			document(str("name"))
		case "SendCommand":
			document(str("documentName"))
			for _, id := range listOf(p["instanceIds"]) {
				if strings.HasPrefix(id, "mi-") {
					add(regional("ssm", "managed-instance/"+id))
				} else {
					add("arn:" + partition + ":ec2:" + r.AWSRegion + ":" + acct + ":instance/" + id)
				}
			}
		case "TerminateSession", "ResumeSession":
			if id := str("sessionId"); id != "" {
				add(regional("ssm", "session/"+id))
			}
		case "StartSession":
			// The target is an EC2 instance or a managed node; a session
			// document, when one is named, is authorised too.
			add(ssmNode(str("target"), partition, r.AWSRegion, acct))
			document(str("documentName"))
		case "UpdateInstanceInformation":
			// The SSM Agent reporting on its own node.
			add(ssmNode(str("instanceId"), partition, r.AWSRegion, acct))
		case "PutComplianceItems":
			// ManagedInstance is the only resource type the call takes.
			// https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutComplianceItems.html
			if str("resourceType") == "ManagedInstance" {
				add(ssmNode(str("resourceId"), partition, r.AWSRegion, acct))
			}
		case "ListTagsForResource", "AddTagsToResource", "RemoveTagsFromResource":
			add(ssmTagged(str("resourceType"), str("resourceId"), partition, r.AWSRegion, acct))
		}
		for _, n := range listOf(p["names"]) {
			if strings.HasPrefix(n, "arn:") {
				add(n)
			} else {
				add(regional("ssm", "parameter/"+strings.TrimPrefix(n, "/")))
			}
		}
		if n := str("name"); n != "" && (r.EventName == "PutParameter" || r.EventName == "DeleteParameter" || r.EventName == "GetParameterHistory") {
			add(regional("ssm", "parameter/"+strings.TrimPrefix(n, "/")))
		}
		if path := str("path"); path != "" && r.EventName == "GetParametersByPath" {
			add(regional("ssm", "parameter/"+strings.Trim(path, "/")))
		}
	case "sqs":
		if n := str("queueName"); n != "" {
			add(regional("sqs", n))
		}
	case "sns":
		if n := str("name"); n != "" && r.EventName == "CreateTopic" {
			add(regional("sns", n))
		}
	case "secretsmanager":
		if n := str("name"); n != "" && r.EventName == "CreateSecret" {
			add(regional("secretsmanager", "secret:"+n+"-??????"))
		}
	case "logs":
		// CreateLogStream, PutLogEvents and GetLogEvents are authorised
		// on the log stream, arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName};
		// the log group's actions on the group.
		// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html
		if g, st := str("logGroupName"), str("logStreamName"); g != "" && st != "" {
			add(regional("logs", "log-group:"+g))
			add(regional("logs", "log-group:"+g+":log-stream:"+st))
		}
		if g := str("logGroupIdentifier"); g != "" {
			if strings.HasPrefix(g, "arn:") {
				add(g)
			} else {
				add(regional("logs", "log-group:"+g))
			}
		}
	case "ec2-instance-connect":
		// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2instanceconnect.html
		if id := str("instanceId"); id != "" {
			add("arn:" + partition + ":ec2:" + r.AWSRegion + ":" + acct + ":instance/" + id)
		}
	case "guardduty":
		if id := str("detectorId"); id != "" {
			add(regional("guardduty", "detector/"+id))
		}
	case "rolesanywhere":
		// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementrolesanywhere.html
		for _, k := range [...]struct{ param, res string }{{"profileId", "profile/"}, {"trustAnchorId", "trust-anchor/"}, {"crlId", "crl/"}, {"subjectId", "subject/"}} {
			if id := str(k.param); id != "" {
				add(regional("rolesanywhere", k.res+id))
			}
		}
	case "route53resolver":
		// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonroute53resolver.html
		for _, k := range [...]struct{ param, res string }{{"resolverQueryLogConfigId", "resolver-query-log-config/"},
			{"resolverRuleId", "resolver-rule/"}, {"resolverEndpointId", "resolver-endpoint/"}, {"firewallRuleGroupId", "firewall-rule-group/"}} {
			if id := str(k.param); id != "" {
				add(regional("route53resolver", k.res+id))
			}
		}
	case "bedrock":
		// A model ID names a foundation model (no account in its ARN); an
		// ARN names an inference profile, a provisioned or custom model.
		// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonbedrock.html
		if m := str("modelId"); strings.HasPrefix(m, "arn:") {
			add(m)
		} else if m != "" {
			add("arn:" + partition + ":bedrock:" + r.AWSRegion + "::foundation-model/" + m)
		}
	case "monitoring":
		for _, n := range listOf(p["alarmNames"]) {
			add(regional("cloudwatch", "alarm:"+n))
		}
	case "ec2":
		if r.EventName == "RunInstances" {
			if len(p) == 0 {
				return nil // a record without parameters says nothing of the launch
			}
			return runInstancesResources(p, partition, r.AWSRegion, acct)
		}
		for _, id := range instanceIDs(p) {
			add(regional("ec2", "instance/"+id))
		}
		if r.EventName == "CreateTags" || r.EventName == "DeleteTags" {
			// The tagging calls are authorised on each resource they tag.
			// An ID of a kind not known here leaves the call unscoped: a
			// policy naming the others alone would refuse it.
			var tagged []string
			for _, id := range itemValues(p["resourcesSet"], "resourceId") {
				a := ec2ARNOfID(id, partition, r.AWSRegion, acct)
				if a == "" {
					tagged = nil
					break
				}
				tagged = append(tagged, a)
			}
			out = append(out, tagged...)
		}
		// EC2 resources named by ID, as the EC2 resource types' ARNs
		// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html).
		for _, k := range [...]struct{ param, res string }{
			{"vpcId", "vpc/"}, {"subnetId", "subnet/"}, {"groupId", "security-group/"}, {"volumeId", "volume/"},
			{"snapshotId", "snapshot/"}, {"imageId", "image/"}, {"networkInterfaceId", "network-interface/"},
			{"internetGatewayId", "internet-gateway/"}, {"routeTableId", "route-table/"}, {"natGatewayId", "natgateway/"},
			{"allocationId", "elastic-ip/"}, {"instanceId", "instance/"}, {"flowLogId", "vpc-flow-log/"},
		} {
			if id := str(k.param); id != "" {
				if k.param == "imageId" || k.param == "snapshotId" {
					// AMIs and snapshots have no account in their ARN.
					add("arn:" + partition + ":ec2:" + r.AWSRegion + "::" + k.res + id)
				} else {
					add(regional("ec2", k.res+id))
				}
			}
		}
		for _, id := range itemValues(p["groupSet"], "groupId") {
			add(regional("ec2", "security-group/"+id))
		}
		// CreateFlowLogs names the VPC, subnet or network interface it logs.
		if id, typ := str("resourceId"), strings.ToLower(str("resourceType")); id != "" {
			switch typ {
			case "vpc":
				add(regional("ec2", "vpc/"+id))
			case "subnet":
				add(regional("ec2", "subnet/"+id))
			case "networkinterface":
				add(regional("ec2", "network-interface/"+id))
			}
		}
	case "sts":
		// GetFederationToken is authorised on the federated user it makes,
		// arn:${Partition}:sts::${Account}:federated-user/${FederatedUserName}
		// (no Region), in the calling user's account.
		// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecuritytokenservice.html
		if n := str("name"); n != "" && r.EventName == "GetFederationToken" {
			a := r.UserIdentity.AccountID
			if a == "" {
				a = acct
			}
			add("arn:" + partition + ":sts::" + a + ":federated-user/" + n)
		}
	case "rds":
		// The tagging calls name their resource by ARN (ResourceName).
		// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ListTagsForResource.html
		if v := str("resourceName"); strings.HasPrefix(v, "arn:") {
			add(v)
		}
		// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonrds.html
		for _, k := range [...]struct{ param, res string }{
			{"dBInstanceIdentifier", "db:"}, {"dBClusterIdentifier", "cluster:"}, {"dBSnapshotIdentifier", "snapshot:"},
			{"dBClusterSnapshotIdentifier", "cluster-snapshot:"}, {"dBSubnetGroupName", "subgrp:"},
			{"dBParameterGroupName", "pg:"}, {"optionGroupName", "og:"},
		} {
			if v := str(k.param); v != "" {
				if strings.HasPrefix(v, "arn:") {
					add(v)
				} else {
					add(regional("rds", k.res+strings.ToLower(v)))
				}
			}
		}
		if res, ok := rdsListAll[r.EventName]; ok && str(res.param) == "" {
			add(regional("rds", res.res+"*"))
		}
	case "cloudtrail":
		// AddTags and RemoveTags name a trail, event data store or channel
		// by ARN (ResourceId), ListTags several (ResourceIdList).
		// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_ListTags.html
		for _, v := range append(listOf(p["resourceIdList"]), str("resourceId")) {
			if strings.HasPrefix(v, "arn:") {
				add(v)
			}
		}
		for _, k := range []string{"name", "trailName"} {
			if v := str(k); v != "" {
				if strings.HasPrefix(v, "arn:") {
					add(v)
				} else {
					add(regional("cloudtrail", "trail/"+v))
				}
			}
		}
	case "account":
		// Account calls without an AccountId act on the caller's own
		// account: arn:${Partition}:account::${Account}:account.
		// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsaccountmanagement.html
		if str("AccountId") == "" {
			add("arn:" + partition + ":account::" + acct + ":account")
		}
	case "s3":
		// S3 Control calls name a Storage Lens configuration by ID.
		if id := str("configId"); id != "" {
			add(regional("s3", "storage-lens/"+id))
		}
		if a := str("configurationARN"); strings.HasPrefix(a, "arn:") {
			add(a)
		}
	case "iam":
		path := "/"
		if v := str("path"); strings.HasPrefix(v, "/") && strings.HasSuffix(v, "/") {
			path = v
		}
		if n := str("policyName"); n != "" && r.EventName == "CreatePolicy" {
			// A new managed policy: arn:...:policy/PATH/NAME.
			add("arn:" + partition + ":iam::" + acct + ":policy" + path + n)
		}
		if pa := str("policyArn"); pa != "" {
			add(pa)
			for _, k := range [...]struct{ param, typ string }{{"userName", "user/"}, {"roleName", "role/"}, {"groupName", "group/"}} {
				if n := str(k.param); n != "" {
					add("arn:" + partition + ":iam::" + acct + ":" + k.typ + n)
				}
			}
		}
		if n := str("instanceProfileName"); n != "" {
			add("arn:" + partition + ":iam::" + acct + ":instance-profile" + path + n)
			if rn := str("roleName"); rn != "" {
				add("arn:" + partition + ":iam::" + acct + ":role/" + rn)
			}
		}
		// IAM calls on a user that name none act on the calling user
		// ("If you do not specify a user name, IAM determines the user
		// name implicitly based on the AWS access key ID signing the
		// request", e.g. https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListMFADevices.html).
		if str("userName") == "" && r.UserIdentity.Type == "IAMUser" && r.UserIdentity.ARN != "" {
			add(r.UserIdentity.ARN)
		}
	}
	return out
}

// ec2Parameters unwraps EC2's XML-shaped request parameters: some calls
// are logged as {"CreateFlowLogsRequest": {"ResourceId": {"tag": 1,
// "content": "vpc-..."}, ...}}, with capitalised member names and values
// as {"content": ...} objects. The result has the members of the usual
// form (first letter lower-cased, plain values).
func ec2Parameters(p map[string]any) map[string]any {
	if len(p) != 1 {
		return p
	}
	for k, v := range p {
		inner, ok := v.(map[string]any)
		if !ok || !strings.HasSuffix(k, "Request") {
			return p
		}
		out := make(map[string]any, len(inner))
		for ik, iv := range inner {
			if m, ok := iv.(map[string]any); ok {
				if c, ok := m["content"]; ok {
					iv = c
				}
			}
			if ik != "" {
				ik = strings.ToLower(ik[:1]) + ik[1:]
			}
			out[ik] = iv
		}
		return out
	}
	return p
}

// runInstancesResources lists every resource ec2:RunInstances is
// authorised on, one ARN per resource, so that a policy naming them all
// allows the call: "RunInstances requires an AMI and creates an instance.
// Users can specify a key pair and security group in the request.
// Launching into a VPC requires a subnet, and creates a network interface.
// Launching from an Amazon EBS-backed AMI creates a volume"
// (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ExamplePolicies_EC2.html#iam-example-runinstances;
// the resource types and their ARN formats are the service reference's,
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html).
//
//   - What the call creates (the instances, their network interfaces and
//     volumes, a Spot request for a Spot launch, elastic GPUs) has no ID
//     before the call: TYPE/* in the record's account and Region, as for
//     the other create calls (ec2Created). A volume is granted whatever
//     the AMI: an instance-store AMI makes none, and the grant then goes
//     unused rather than the call refused.
//   - The image is named by imageId (an AMI's ARN has no account); a
//     launch from a launch template may leave it to the template: image/*
//     in the Region.
//   - The subnet and the security groups are those the parameters name
//     (subnetId, groupSet, each network interface's), else the ones the
//     call uses without naming them (the default VPC's subnet and security
//     group, or a group named by name in the default VPC): TYPE/* in the
//     account and Region, since the record does not say which.
//   - The key pair (keyName), the launch template, the placement group and
//     the capacity reservation when the parameters name them; a launch
//     template named by name only is launch-template/* (its ARN holds the
//     ID).
func runInstancesResources(p map[string]any, partition, region, acct string) []string {
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	sub := func(m map[string]any, k string) map[string]any { v, _ := m[k].(map[string]any); return v }
	own := func(res string) string { return "arn:" + partition + ":ec2:" + region + ":" + acct + ":" + res }
	var images []string
	for _, id := range itemValues(p["instancesSet"], "imageId") {
		images = append(images, "arn:"+partition+":ec2:"+region+"::image/"+id)
	}
	if id := str(p, "imageId"); id != "" {
		images = append(images, "arn:"+partition+":ec2:"+region+"::image/"+id)
	}
	if len(images) == 0 {
		images = []string{"arn:" + partition + ":ec2:" + region + "::image/*"}
	}
	out := append(images, own("instance/*"))

	// The network interfaces: those the call attaches (named by ID) or,
	// for a specification without one, a new interface.
	var subnets, groups, enis []string
	newENI := false
	if id := str(p, "subnetId"); id != "" {
		subnets = append(subnets, own("subnet/"+id))
	}
	for _, id := range itemValues(p["groupSet"], "groupId") {
		groups = append(groups, own("security-group/"+id))
	}
	unnamedGroup := len(itemValues(p["groupSet"], "groupName")) > 0
	ifaces, _ := sub(p, "networkInterfaceSet")["items"].([]any)
	for _, it := range ifaces {
		m, _ := it.(map[string]any)
		if id := str(m, "networkInterfaceId"); id != "" {
			enis = append(enis, own("network-interface/"+id))
			continue
		}
		newENI = true
		if id := str(m, "subnetId"); id != "" {
			subnets = append(subnets, own("subnet/"+id))
		}
		for _, id := range itemValues(m["groupSet"], "groupId") {
			groups = append(groups, own("security-group/"+id))
		}
	}
	if len(ifaces) == 0 || newENI {
		enis = append(enis, own("network-interface/*"))
		// A new interface is in a subnet and security groups, named or
		// the default VPC's.
		if len(subnets) == 0 {
			subnets = append(subnets, own("subnet/*"))
		}
		if len(groups) == 0 || unnamedGroup {
			groups = append(groups, own("security-group/*"))
		}
	}
	if len(subnets) == 0 {
		// Interfaces attached by ID are in their own subnets, which the
		// record does not name.
		subnets = append(subnets, own("subnet/*"))
	}
	if len(groups) == 0 {
		groups = append(groups, own("security-group/*"))
	}
	out = append(out, enis...)
	out = append(out, subnets...)
	out = append(out, groups...)
	out = append(out, own("volume/*"))

	if k := str(p, "keyName"); k != "" {
		out = append(out, own("key-pair/"+k))
	}
	if lt := sub(p, "launchTemplate"); lt != nil {
		if id := str(lt, "launchTemplateId"); id != "" {
			out = append(out, own("launch-template/"+id))
		} else {
			out = append(out, own("launch-template/*"))
		}
	}
	if g := str(sub(p, "placement"), "groupName"); g != "" {
		out = append(out, own("placement-group/"+g))
	}
	if id := str(sub(sub(p, "capacityReservationSpecification"), "capacityReservationTarget"), "capacityReservationId"); id != "" {
		out = append(out, own("capacity-reservation/"+id))
	}
	if strings.EqualFold(str(sub(p, "instanceMarketOptions"), "marketType"), "spot") {
		out = append(out, own("spot-instances-request/*"))
	}
	if p["elasticGpuSpecification"] != nil || p["elasticGpuSpecificationSet"] != nil {
		out = append(out, own("elastic-gpu/*"))
	}
	return out
}

// IDUnknownResources lists, for the calls whose resource type is required
// but whose record may name no ID of it, the resource types' ARNs in the
// record's account and Region with "*" for the ID; nil for other calls
// and when the record's parameters name the resource. Each case is one
// where the call can only be on a resource of the caller's account in
// the Region it was sent to, so the grant allows what the call did and
// nothing in another account or Region:
//
//   - ssm:PutParameter and ssm:DeleteParameter logged without parameters
//     (throttled calls): parameters shared from another account are
//     read-only to it, so writes are on the caller's own
//     (https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-shared-parameters.html).
//   - ec2:DetachNetworkInterface, named by attachment ID only: it is
//     authorised on the instance and on the network interface
//     (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html).
//   - cloudwatch:DescribeAlarms without alarm names: it lists the
//     caller's alarms in the Region, authorised on the alarm resource type
//     (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html).
//   - s3:GetStorageLensConfiguration without its configuration ID: a
//     configuration of the caller's account
//     (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html).
//
// Calls whose resource may be in another account (kms:Decrypt,
// sts:AssumeRole) are not listed: a grant in the caller's account would
// refuse them.
func IDUnknownResources(r *Record) []string {
	var p map[string]any
	if len(r.RequestParameters) > 0 && string(r.RequestParameters) != "null" {
		if err := json.Unmarshal(r.RequestParameters, &p); err != nil {
			return nil
		}
	}
	acct := r.Account()
	if acct == "" || r.AWSRegion == "" {
		return nil
	}
	base := func(svc string) string {
		return "arn:" + arn.PartitionOfRegion(r.AWSRegion) + ":" + svc + ":" + r.AWSRegion + ":" + acct + ":"
	}
	switch r.EventSource + " " + r.EventName {
	case "ssm.amazonaws.com PutParameter", "ssm.amazonaws.com DeleteParameter":
		if p == nil {
			return []string{base("ssm") + "parameter/*"}
		}
	case "ec2.amazonaws.com DetachNetworkInterface":
		if _, ok := ec2Parameters(p)["attachmentId"]; ok {
			return []string{base("ec2") + "instance/*", base("ec2") + "network-interface/*"}
		}
	case "monitoring.amazonaws.com DescribeAlarms":
		if len(listOf(p["alarmNames"])) == 0 {
			return []string{base("cloudwatch") + "alarm:*"}
		}
	case "s3.amazonaws.com GetStorageLensConfiguration":
		if _, ok := p["configId"]; !ok {
			return []string{base("s3") + "storage-lens/*"}
		}
	}
	return nil
}

// ec2Created is the ARN of the resource an EC2 create call makes, as the
// call is authorised on it: its ID is not known before the call, so the
// ARN's ID is "*" (a policy naming the ID the response gave would not allow
// the next such call, which makes another resource). "Because you can't
// know what that identifier is in advance, you must use a wildcard in the
// ARN for a resource when it is to be created by the request"
// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/ec2-api-permissions.html);
// the resource types are EC2's
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html).
// AMIs and snapshots have no account in their ARN. Nil for other calls.
func ec2Created(r *Record) []string {
	if r.EventSource != "ec2.amazonaws.com" {
		return nil
	}
	res, ok := ec2Creates[r.EventName]
	if !ok {
		return nil
	}
	partition := arn.PartitionOfRegion(r.AWSRegion)
	if r.EventName == "CreateImage" {
		// CreateImage makes the image and a snapshot of each of the
		// instance's EBS volumes.
		return []string{"arn:" + partition + ":ec2:" + r.AWSRegion + "::image/*", "arn:" + partition + ":ec2:" + r.AWSRegion + "::snapshot/*"}
	}
	if res == "image/" || res == "snapshot/" {
		return []string{"arn:" + partition + ":ec2:" + r.AWSRegion + "::" + res + "*"}
	}
	return []string{"arn:" + partition + ":ec2:" + r.AWSRegion + ":" + r.Account() + ":" + res + "*"}
}

// TaggedAtCreation lists the resources an EC2 call tags as it creates
// them (its tag specifications), as the ARNs the call is authorised on:
// "If tags are specified in the resource-creating action, Amazon performs
// additional authorization on the ec2:CreateTags action", with the
// ec2:CreateAction condition key set to the creating action
// (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html).
// The new resources' IDs are not known before the call, so the ARNs end
// in "*" (see ec2Created). Nil for other calls and for tag specifications
// of a resource type not known here.
func TaggedAtCreation(r *Record) []string {
	if r.EventSource != "ec2.amazonaws.com" || len(r.RequestParameters) == 0 || string(r.RequestParameters) == "null" {
		return nil
	}
	if _, ok := ec2Creates[r.EventName]; !ok && r.EventName != "RunInstances" {
		return nil
	}
	var p map[string]any
	if err := json.Unmarshal(r.RequestParameters, &p); err != nil {
		return nil
	}
	p = ec2Parameters(p)
	// tagSpecificationSet {"items": [{"resourceType": ...}]}, or the
	// XML-shaped TagSpecification {"ResourceType": ...} (one or a list).
	types := itemValues(p["tagSpecificationSet"], "resourceType")
	spec := p["tagSpecification"]
	if l, ok := spec.([]any); ok {
		for _, e := range l {
			if m, ok := e.(map[string]any); ok {
				if t, ok := m["ResourceType"].(string); ok {
					types = append(types, t)
				}
			}
		}
	} else if m, ok := spec.(map[string]any); ok {
		if t, ok := m["ResourceType"].(string); ok {
			types = append(types, t)
		}
	}
	partition := arn.PartitionOfRegion(r.AWSRegion)
	var out []string
	seen := map[string]bool{}
	for _, t := range types {
		if !ec2TaggableAtCreation[t] || seen[t] {
			continue
		}
		seen[t] = true
		if t == "image" || t == "snapshot" {
			out = append(out, "arn:"+partition+":ec2:"+r.AWSRegion+"::"+t+"/*")
		} else {
			out = append(out, "arn:"+partition+":ec2:"+r.AWSRegion+":"+r.Account()+":"+t+"/*")
		}
	}
	return out
}

// ecsTaggedAtCreation lists the resource an ECS create call tags as it
// creates it (a non-empty tags parameter), as the ARN the call makes:
// "If tags are specified in the resource-creating action, AWS performs
// additional authorization" on ecs:TagResource, with ecs:CreateAction
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html).
// A task's ID and a task definition's revision are not known before the
// call: "*" stands for them. Nil for other calls.
func ecsTaggedAtCreation(r *Record) []string {
	if r.EventSource != "ecs.amazonaws.com" || len(r.RequestParameters) == 0 || string(r.RequestParameters) == "null" {
		return nil
	}
	var p map[string]any
	if err := json.Unmarshal(r.RequestParameters, &p); err != nil {
		return nil
	}
	if tags, _ := p["tags"].([]any); len(tags) == 0 {
		return nil
	}
	str := func(k string) string { s, _ := p[k].(string); return s }
	cluster := lastPart(str("cluster"), "cluster/")
	if cluster == "" {
		cluster = "default"
	}
	base := "arn:" + arn.PartitionOfRegion(r.AWSRegion) + ":ecs:" + r.AWSRegion + ":" + r.Account() + ":"
	var res string
	switch r.EventName {
	case "CreateCluster":
		if res = str("clusterName"); res == "" {
			res = "default"
		}
		res = "cluster/" + res
	case "CreateService":
		if n := str("serviceName"); n != "" {
			res = "service/" + cluster + "/" + n
		}
	case "RegisterTaskDefinition":
		if f := str("family"); f != "" {
			res = "task-definition/" + f + ":*"
		}
	case "RunTask", "StartTask":
		res = "task/" + cluster + "/*"
	case "CreateCapacityProvider":
		if n := str("name"); n != "" {
			res = "capacity-provider/" + n
		}
	}
	if res == "" {
		return nil
	}
	return []string{base + res}
}

// ec2TaggableAtCreation are the TagSpecification resource types that are
// also EC2 ARN resource types of the same name, for the calls of
// ec2Creates and RunInstances.
var ec2TaggableAtCreation = func() map[string]bool {
	m := map[string]bool{"instance": true, "spot-instances-request": true}
	for _, res := range ec2Creates {
		m[strings.TrimSuffix(res, "/")] = true
	}
	return m
}()

// ec2Creates maps EC2 create calls to the resource type they make.
var ec2Creates = map[string]string{
	"CreateVpc": "vpc/", "CreateSubnet": "subnet/", "CreateInternetGateway": "internet-gateway/",
	"CreateEgressOnlyInternetGateway": "egress-only-internet-gateway/", "CreateRouteTable": "route-table/",
	"CreateSecurityGroup": "security-group/", "CreateVolume": "volume/", "AllocateAddress": "elastic-ip/",
	"CreateNatGateway": "natgateway/", "CreateNetworkInterface": "network-interface/", "CreateNetworkAcl": "network-acl/",
	"CreateFlowLogs": "vpc-flow-log/", "CreateLaunchTemplate": "launch-template/", "CreateDhcpOptions": "dhcp-options/",
	"CreateVpcEndpoint": "vpc-endpoint/", "CreateVpcPeeringConnection": "vpc-peering-connection/",
	"CreateTransitGateway": "transit-gateway/", "CreateCustomerGateway": "customer-gateway/", "CreateVpnGateway": "vpn-gateway/",
	"RegisterImage": "image/", "CopyImage": "image/", "CreateImage": "image/", "CreateSnapshot": "snapshot/", "CopySnapshot": "snapshot/",
}

// ssmAWSDocument reports whether an SSM document name is one AWS owns
// (AWS-RunShellScript, AWSSupport-..., AmazonCloudWatch-...): their ARNs
// have no account.
// https://docs.aws.amazon.com/systems-manager/latest/userguide/documents.html
func ssmAWSDocument(name string) bool {
	for _, p := range []string{"AWS-", "AWSSupport-", "AWSEC2-", "AWSConfigRemediation-", "AWSFleetManager-", "AWSSSO-", "AmazonCloudWatch-", "AmazonEKS-", "AmazonInspector-", "SSM-"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// resourcesFromResponse takes the ARNs a create call's response returns
// for the resource it made (functionArn, topicArn, ...), when the request
// named none.
func resourcesFromResponse(r *Record) []string {
	if len(r.ResponseElements) == 0 || string(r.ResponseElements) == "null" {
		return nil
	}
	var p map[string]any
	if err := json.Unmarshal(r.ResponseElements, &p); err != nil {
		return nil
	}
	svc, _, _ := strings.Cut(r.EventSource, ".")
	for _, k := range []string{"functionArn", "topicArn", "stateMachineArn", "arn", "ARN", "secretArn"} {
		if v, ok := p[k].(string); ok {
			if a, ok := arn.Parse(v); ok && a.Service == svc && arn.KnownPartition(a.Partition) {
				return []string{v}
			}
		}
	}
	return nil
}

// instanceIDs reads EC2's instancesSet {"items": [{"instanceId": ...}]}.
func instanceIDs(p map[string]any) []string {
	return itemValues(p["instancesSet"], "instanceId")
}

// itemValues reads the member key of each item of an EC2 set,
// {"items": [{key: ...}, ...]}.
func itemValues(set any, key string) []string {
	m, _ := set.(map[string]any)
	items, _ := m["items"].([]any)
	var out []string
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			if id, ok := m[key].(string); ok && id != "" {
				out = append(out, id)
			}
		}
	}
	return out
}

// ec2IDPrefixes are the prefixes of EC2 resource IDs and the resource
// types of their ARNs, longest first where one prefix begins another
// (tgw-attach- before tgw-, vpce-svc- before vpce-). AMIs and snapshots
// have no account in their ARN. The formats are the EC2 resource types'
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html);
// the ID prefixes are EC2's (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateTags.html
// lists the taggable resources).
var ec2IDPrefixes = []struct{ prefix, res string }{
	{"tgw-attach-", "transit-gateway-attachment/"}, {"tgw-rtb-", "transit-gateway-route-table/"},
	{"vpce-svc-", "vpc-endpoint-service/"}, {"eni-attach-", ""}, {"rtbassoc-", ""}, {"eipassoc-", ""},
	{"i-", "instance/"}, {"vol-", "volume/"}, {"vpc-", "vpc/"}, {"subnet-", "subnet/"},
	{"sg-", "security-group/"}, {"eni-", "network-interface/"}, {"igw-", "internet-gateway/"},
	{"eigw-", "egress-only-internet-gateway/"}, {"rtb-", "route-table/"}, {"nat-", "natgateway/"},
	{"eipalloc-", "elastic-ip/"}, {"acl-", "network-acl/"}, {"dopt-", "dhcp-options/"},
	{"lt-", "launch-template/"}, {"pcx-", "vpc-peering-connection/"}, {"vpce-", "vpc-endpoint/"},
	{"tgw-", "transit-gateway/"}, {"cgw-", "customer-gateway/"}, {"vgw-", "vpn-gateway/"},
	{"vpn-", "vpn-connection/"}, {"fl-", "vpc-flow-log/"}, {"pl-", "prefix-list/"},
	{"sir-", "spot-instances-request/"}, {"cr-", "capacity-reservation/"}, {"h-", "dedicated-host/"},
	{"ami-", "image/"}, {"snap-", "snapshot/"},
}

// ec2ARNOfID is the ARN of an EC2 resource named by its ID, or "" when
// the ID's kind is not known (or names an association, which is not a
// resource type).
func ec2ARNOfID(id, partition, region, account string) string {
	for _, k := range ec2IDPrefixes {
		if !strings.HasPrefix(id, k.prefix) || len(id) == len(k.prefix) {
			continue
		}
		switch {
		case k.res == "":
			return ""
		case k.prefix == "ami-" || k.prefix == "snap-":
			return "arn:" + partition + ":ec2:" + region + "::" + k.res + id
		}
		return "arn:" + partition + ":ec2:" + region + ":" + account + ":" + k.res + id
	}
	return ""
}

// ssmNode is the ARN of a node Systems Manager manages: an EC2 instance
// (i-...) or a hybrid managed node (mi-...); "" for other targets.
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html
func ssmNode(id, partition, region, account string) string {
	switch {
	case strings.HasPrefix(id, "i-") && len(id) > 2:
		return "arn:" + partition + ":ec2:" + region + ":" + account + ":instance/" + id
	case strings.HasPrefix(id, "mi-") && len(id) > 3:
		return "arn:" + partition + ":ssm:" + region + ":" + account + ":managed-instance/" + id
	}
	return ""
}

// ssmTagged is the ARN of the resource an SSM tagging call names by type
// and ID (ResourceTypeForTagging), "" for a type not known here.
// https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_ListTagsForResource.html
func ssmTagged(typ, id, partition, region, account string) string {
	if id == "" {
		return ""
	}
	if strings.HasPrefix(id, "arn:") {
		return id
	}
	res := ""
	switch typ {
	case "Parameter":
		res = "parameter/" + strings.TrimPrefix(id, "/")
	case "Document":
		res = "document/" + id
	case "ManagedInstance":
		if strings.HasPrefix(id, "mi-") {
			res = "managed-instance/" + id
		}
	case "MaintenanceWindow":
		res = "maintenancewindow/" + id
	case "PatchBaseline":
		res = "patchbaseline/" + id
	case "OpsItem":
		res = "opsitem/" + id
	case "Association":
		res = "association/" + id
	case "Automation":
		res = "automation-execution/" + id
	}
	if res == "" {
		return ""
	}
	return "arn:" + partition + ":ssm:" + region + ":" + account + ":" + res
}

func listOf(v any) []string {
	l, _ := v.([]any)
	var out []string
	for _, e := range l {
		if s, ok := e.(string); ok && s != "" {
			out = append(out, s)
		}
	}
	return out
}

// lastPart returns the name in a name or an ARN whose resource part
// starts with prefix ("cluster/NAME").
func lastPart(s, prefix string) string {
	if i := strings.Index(s, ":"+prefix); i >= 0 && strings.HasPrefix(s, "arn:") {
		return s[i+1+len(prefix):]
	}
	return s
}
