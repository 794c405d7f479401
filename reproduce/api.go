package reproduce

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/iamwhy/iamwhy/arn"
)

// API is the rebuilt call as the AWS SDK makes it: the service's endpoint
// prefix, the API operation and its input members. It is what Runner
// performs; Call is the same request as an AWS CLI command.
type API struct {
	// Service is the endpoint prefix (s3, ec2, kms, ...).
	Service string `json:"service"`
	// Operation is the API operation (GetObject, DescribeInstances).
	Operation string `json:"operation"`
	// Parameters are the operation's input members by name. CloudTrail
	// writes member names in lower camel case (functionName); the SDK's
	// field is matched case-insensitively.
	Parameters map[string]json.RawMessage `json:"parameters"`
}

// s3Members are the S3 request parameters CloudTrail records, with the
// name of the SDK input member each one fills; the others (Host, x-id,
// sub-resources such as acl or tagging) are how the REST call was
// addressed, not input members.
var s3Members = map[string]string{"bucketName": "Bucket", "key": "Key", "prefix": "Prefix", "versionId": "VersionId",
	"delimiter": "Delimiter", "max-keys": "MaxKeys", "continuation-token": "ContinuationToken", "uploadId": "UploadId",
	"start-after": "StartAfter", "partNumber": "PartNumber"}

// apiFromRecord rebuilds the SDK call from a record's requestParameters.
func apiFromRecord(service, operation string, raw json.RawMessage) API {
	a := API{Service: service, Operation: operation, Parameters: map[string]json.RawMessage{}}
	var params map[string]json.RawMessage
	if len(raw) > 0 && string(raw) != "null" {
		_ = json.Unmarshal(raw, &params) // a non-object is noted by parameters()
	}
	for k, v := range params {
		switch {
		case service == "s3":
			if m, ok := s3Members[k]; ok {
				a.Parameters[m] = numberOrString(m, v)
			}
			if k == "list-type" && scalar(v) == "2" && operation == "ListObjects" {
				// CloudTrail records ListObjectsV2 as ListObjects with
				// list-type=2 (the REST form of the call).
				a.Operation = "ListObjectsV2"
			}
		case service == "ec2" && strings.HasSuffix(k, "Set"):
			if ids := setItems(v); len(ids) > 0 {
				js, _ := json.Marshal(ids)
				a.Parameters[ec2IDsMember(k)] = js
			} else {
				a.Parameters[k] = v // the SDK's field will not match: reported as not sent
			}
		default:
			a.Parameters[k] = v
		}
	}
	if service == "ec2" {
		a.Parameters["DryRun"] = json.RawMessage("true")
	}
	return a
}

// ec2IDsMember names the SDK member of an EC2 id set: instancesSet ->
// InstanceIds, volumeSet -> VolumeIds.
func ec2IDsMember(set string) string {
	name := strings.TrimSuffix(strings.TrimSuffix(set, "Set"), "s")
	if name == "" {
		return set
	}
	return strings.ToUpper(name[:1]) + name[1:] + "Ids"
}

// numberOrString keeps S3's numeric query parameters numeric, since
// CloudTrail writes them as strings ("max-keys": "1000") and the SDK's
// member is an integer.
func numberOrString(member string, v json.RawMessage) json.RawMessage {
	if member != "MaxKeys" && member != "PartNumber" {
		return v
	}
	s := scalar(v)
	if s != "" && strings.Trim(s, "0123456789") == "" {
		return json.RawMessage(s)
	}
	return v
}

func str(s string) json.RawMessage {
	js, _ := json.Marshal(s)
	return js
}

// requestOperations are the actions whose API operation is not named like
// the action (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
// lists, for each action, the operation it authorizes).
var requestOperations = map[string]string{
	"s3:ListBucket":          "ListObjectsV2",
	"s3:ListAllMyBuckets":    "ListBuckets",
	"s3:GetObjectVersion":    "GetObject",
	"s3:ListBucketVersions":  "ListObjectVersions",
	"lambda:InvokeFunction":  "Invoke",
	"sqs:GetQueueAttributes": "GetQueueAttributes",
}

// apiFromRequest rebuilds the SDK call an action on a resource needs: the
// operation the action authorizes and the input members the resource ARN
// gives. It returns what it could not fill.
func apiFromRequest(action, service, name, resource string) (API, []string) {
	a := API{Service: service, Operation: name, Parameters: map[string]json.RawMessage{}}
	if op, ok := requestOperations[action]; ok {
		a.Operation = op
	}
	if service == "ec2" {
		a.Parameters["DryRun"] = json.RawMessage("true")
	}
	if resource == "" || resource == "*" {
		return a, nil
	}
	parsed, ok := arn.Parse(resource)
	if !ok {
		return a, []string{"the resource is not an ARN (" + resource + "): add the call's parameters by hand"}
	}
	region, account, rest := parsed.Region, parsed.Account, parsed.Resource
	typ, id, _ := strings.Cut(rest, "/")
	if id == "" {
		typ, id, _ = strings.Cut(rest, ":")
	}
	switch service {
	case "s3":
		bucket, key, isObject := strings.Cut(rest, "/")
		if action == "s3:ListAllMyBuckets" {
			break
		}
		a.Parameters["Bucket"] = str(bucket)
		if isObject {
			a.Parameters["Key"] = str(key)
		}
	case "lambda":
		a.Parameters["FunctionName"] = str(resource)
	case "kms":
		a.Parameters["KeyId"] = str(resource)
	case "secretsmanager":
		a.Parameters["SecretId"] = str(resource)
	case "sns":
		a.Parameters["TopicArn"] = str(resource)
	case "sqs":
		// The queue URL of the standard endpoint
		// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-queue-message-identifiers.html).
		domain := "amazonaws.com"
		if parsed.Partition == "aws-cn" {
			domain = "amazonaws.com.cn"
		}
		a.Parameters["QueueUrl"] = str("https://sqs." + region + "." + domain + "/" + account + "/" + rest)
	case "ecr":
		if typ == "repository" {
			a.Parameters["RepositoryName"] = str(id)
			a.Parameters["RegistryId"] = str(account)
		}
	case "iam":
		last := id[strings.LastIndex(id, "/")+1:]
		switch typ {
		case "role":
			a.Parameters["RoleName"] = str(last)
		case "user":
			a.Parameters["UserName"] = str(last)
		case "group":
			a.Parameters["GroupName"] = str(last)
		case "policy":
			a.Parameters["PolicyArn"] = str(resource)
		case "instance-profile":
			a.Parameters["InstanceProfileName"] = str(last)
		default:
			return a, []string{"only the resource is known (" + resource + "): add the call's parameters by hand"}
		}
	case "ec2":
		if typ == "" || id == "" {
			break
		}
		// EC2 names an id member after its resource type: InstanceId for
		// one instance, InstanceIds for the Describe calls that take a set.
		member := pascal(typ)
		if strings.HasSuffix(a.Operation, "s") {
			js, _ := json.Marshal([]string{id})
			a.Parameters[member+"Ids"] = js
		} else {
			a.Parameters[member+"Id"] = str(id)
		}
	default:
		return a, []string{"only the resource is known (" + resource + "): add the call's parameters by hand"}
	}
	return a, nil
}

// pascal turns an ARN resource type into an SDK member prefix:
// security-group -> SecurityGroup.
func pascal(typ string) string {
	var b strings.Builder
	for _, w := range strings.Split(typ, "-") {
		if w != "" {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}

// cliArgs writes input members as AWS CLI options, in a stable order: a
// list becomes one word per item. DryRun is written by the caller.
func cliArgs(params map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != "DryRun" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var args []string
	for _, k := range keys {
		args = append(args, "--"+kebab(k))
		var list []string
		if json.Unmarshal(params[k], &list) == nil {
			args = append(args, list...)
			continue
		}
		args = append(args, scalar(params[k]))
	}
	return args
}
