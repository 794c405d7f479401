package unused

import (
	"strings"

	"github.com/iamwhy/iamwhy/catalog"
)

// CloudTrail records data events only when a trail is configured for them,
// per resource type: S3 object-level operations, Lambda invocations,
// DynamoDB item operations, SNS publishing, SQS messages, Kinesis Data
// Streams records, EBS direct APIs, S3 Object Lambda and S3 Express.
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html
var dataEventActions = map[string]map[string]bool{
	"lambda":   set("InvokeFunction"),
	"dynamodb": set("BatchGetItem", "BatchWriteItem", "DeleteItem", "GetItem", "PutItem", "Query", "Scan", "UpdateItem", "ConditionCheckItem", "PartiQLSelect", "PartiQLInsert", "PartiQLUpdate", "PartiQLDelete", "GetRecords", "GetShardIterator"),
	"sns":      set("Publish"),
	"sqs":      set("SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility"),
	"kinesis":  set("GetRecords", "GetShardIterator", "PutRecord", "PutRecords", "SubscribeToShard"),
	"ebs":      set("CompleteSnapshot", "GetSnapshotBlock", "ListChangedBlocks", "ListSnapshotBlocks", "PutSnapshotBlock", "StartSnapshot"),
}

// dataEventServices log only data events (every action of the service).
var dataEventServices = map[string]bool{"s3-object-lambda": true, "s3express": true}

// s3BucketDataEvents are the bucket-level S3 calls CloudTrail logs as data
// events (listing objects, versions and uploads).
var s3BucketDataEvents = set("ListBucket", "ListBucketVersions", "ListBucketMultipartUploads", "ListMultipartUploadParts")

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// isDataEvent reports whether CloudTrail logs the action's calls as data
// events. For S3, the actions on objects and the object listings.
func isDataEvent(c *catalog.Catalog, action string) bool {
	svc, name, _ := strings.Cut(action, ":")
	if dataEventServices[svc] {
		return true
	}
	if svc == "s3" {
		if s3BucketDataEvents[name] {
			return true
		}
		if a, ok := c.Action(action); ok {
			for _, r := range a.Resources {
				if r.Type.Name == "object" {
					return true
				}
			}
		}
		return false
	}
	return dataEventActions[svc][name]
}

// notLogged says why CloudTrail records no event for an action: actions
// that authorise part of another call, and services whose data-plane
// access CloudTrail does not log.
func notLogged(action string) (string, bool) {
	svc, name, _ := strings.Cut(action, ":")
	if r, ok := notLoggedActions[action]; ok {
		return r, true
	}
	if r, ok := notLoggedServices[svc]; ok {
		return r, true
	}
	if svc == "es" && strings.HasPrefix(name, "ESHttp") {
		return "OpenSearch Service HTTP requests to a domain are not logged by CloudTrail (https://docs.aws.amazon.com/opensearch-service/latest/developerguide/managedomains-cloudtrailauditing.html)", true
	}
	if svc == "elasticfilesystem" && strings.HasPrefix(name, "Client") {
		return "EFS client mounts and writes are authorised at mount time and not logged as API calls (https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html)", true
	}
	if svc == "iot" && (name == "Connect" || name == "Publish" || name == "Subscribe" || name == "Receive" || name == "RetainPublish") {
		return "AWS IoT data-plane MQTT operations are not logged by CloudTrail (https://docs.aws.amazon.com/iot/latest/developerguide/iot-using-cloudtrail.html)", true
	}
	return "", false
}

var notLoggedActions = map[string]string{
	"iam:PassRole":          "iam:PassRole is not logged as an event of its own; it is seen only through calls that pass a role, which may be in services or data events the trail does not hold (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html)",
	"sts:TagSession":        "sts:TagSession is authorised as part of AssumeRole and logged only within it (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html)",
	"sts:SetSourceIdentity": "sts:SetSourceIdentity is authorised as part of AssumeRole and logged only within it (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html)",
	"sts:SetContext":        "sts:SetContext is authorised as part of AssumeRole and logged only within it",
	"appsync:GraphQL":       "AppSync GraphQL requests are not logged by CloudTrail (https://docs.aws.amazon.com/appsync/latest/devguide/cloudtrail-logging.html)",
	"ec2:CreateTags":        "tags given in a create call (TagSpecifications) are authorised by ec2:CreateTags without a CreateTags event (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html)",
}

var notLoggedServices = map[string]string{
	"execute-api": "API Gateway invocations (execute-api) are not logged by CloudTrail; API Gateway's access logs record them (https://docs.aws.amazon.com/apigateway/latest/developerguide/cloudtrail.html)",
	"rds-db":      "IAM database authentication (rds-db:connect) is not logged by CloudTrail (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.html)",
	"neptune-db":  "Neptune data-plane access is not logged by CloudTrail (https://docs.aws.amazon.com/neptune/latest/userguide/cloudtrail.html)",
	"kafka-cluster": "Amazon MSK IAM access control actions on the cluster's data plane are not logged by CloudTrail " +
		"(https://docs.aws.amazon.com/msk/latest/developerguide/logging-using-cloudtrail.html)",
	"aws-portal": "billing console permissions (aws-portal) authorise console pages, not logged API calls (https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/migrate-granularaccess-whatis.html)",
}
