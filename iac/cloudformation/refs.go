package cloudformation

import "gopkg.in/yaml.v3"

// nameProperty is the property that names a resource of each type whose
// name iamwhy uses; without it CloudFormation generates the name.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-name.html
var nameProperty = map[string]string{
	"AWS::IAM::Role":            "RoleName",
	"AWS::IAM::User":            "UserName",
	"AWS::IAM::Group":           "GroupName",
	"AWS::IAM::ManagedPolicy":   "ManagedPolicyName",
	"AWS::S3::Bucket":           "BucketName",
	"AWS::SQS::Queue":           "QueueName",
	"AWS::SNS::Topic":           "TopicName",
	"AWS::Lambda::Function":     "FunctionName",
	"AWS::Serverless::Function": "FunctionName",
	"AWS::DynamoDB::Table":      "TableName",
	"AWS::ECR::Repository":      "RepositoryName",
	"AWS::KMS::Key":             "", // a key id is always generated
	"AWS::Serverless::Api":      "",
}

// prop returns a property node of a resource (nil when absent).
func (res *Resource) prop(name string) *yaml.Node {
	if res.Properties == nil || res.Properties.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(res.Properties.Content); i += 2 {
		if res.Properties.Content[i].Value == name {
			return res.Properties.Content[i+1]
		}
	}
	return nil
}

// name returns the physical name of a resource: its name property, or,
// when CloudFormation generates the name (or the name is known only at
// deploy), the logical id standing in for it.
func (r *resolver) name(res *Resource) (*val, error) {
	if v, ok := r.names[res.LogicalID]; ok {
		return v, nil
	}
	at := &yaml.Node{Line: res.Line, Column: res.Col}
	if r.nameBusy[res.LogicalID] {
		return nil, r.errf(at, "the name of %s depends on itself", res.LogicalID)
	}
	r.nameBusy[res.LogicalID] = true
	defer delete(r.nameBusy, res.LogicalID)
	var v *val
	if p := nameProperty[res.Type]; p != "" {
		if n := res.prop(p); n != nil {
			x, err := r.eval(n)
			if err != nil {
				return nil, err
			}
			if s, ok := x.str(); ok && x.unknown() == nil {
				v = strVal(s, deref(n))
			} else if u := x.unknown(); u != nil {
				r.standIns[res.LogicalID] = "its " + p + " is known only at deploy (" + u.s + ")"
			}
		}
	}
	if v == nil {
		if _, ok := r.standIns[res.LogicalID]; !ok {
			r.standIns[res.LogicalID] = "CloudFormation generates its name"
		}
		v = strVal(res.LogicalID, at)
	}
	r.names[res.LogicalID] = v
	return v, nil
}

func (r *resolver) path(res *Resource, prop string) string {
	if n := res.prop(prop); n != nil {
		if v, err := r.eval(n); err == nil {
			if s, ok := v.str(); ok {
				return s
			}
		}
	}
	return "/"
}

// arnOf returns a resource's ARN as Fn::GetAtt Arn gives it, false when
// iamwhy does not know the type's ARN.
func (r *resolver) arnOf(res *Resource) (string, bool, error) {
	if a, ok := r.arns[res.LogicalID]; ok {
		return a, a != "", nil
	}
	if r.arnBusy[res.LogicalID] {
		return "", false, r.errf(nodeAt(res.Line, res.Col), "the ARN of %s depends on itself", res.LogicalID)
	}
	r.arnBusy[res.LogicalID] = true
	defer delete(r.arnBusy, res.LogicalID)
	a, ok, err := r.arnOfUncached(res)
	if err == nil {
		r.arns[res.LogicalID] = a
	}
	return a, ok, err
}

func (r *resolver) arnOfUncached(res *Resource) (string, bool, error) {
	nv, err := r.name(res)
	if err != nil {
		return "", false, err
	}
	name := nv.s
	p, a, g := r.partition, r.account, r.region
	switch res.Type {
	case "AWS::IAM::Role":
		return "arn:" + p + ":iam::" + a + ":role" + r.path(res, "Path") + name, true, nil
	case "AWS::IAM::User":
		return "arn:" + p + ":iam::" + a + ":user" + r.path(res, "Path") + name, true, nil
	case "AWS::IAM::Group":
		return "arn:" + p + ":iam::" + a + ":group" + r.path(res, "Path") + name, true, nil
	case "AWS::IAM::ManagedPolicy":
		return "arn:" + p + ":iam::" + a + ":policy" + r.path(res, "Path") + name, true, nil
	case "AWS::S3::Bucket":
		return "arn:" + p + ":s3:::" + name, true, nil
	case "AWS::SQS::Queue":
		return "arn:" + p + ":sqs:" + g + ":" + a + ":" + name, true, nil
	case "AWS::SNS::Topic":
		return "arn:" + p + ":sns:" + g + ":" + a + ":" + name, true, nil
	case "AWS::Lambda::Function", "AWS::Serverless::Function":
		return "arn:" + p + ":lambda:" + g + ":" + a + ":function:" + name, true, nil
	case "AWS::DynamoDB::Table":
		return "arn:" + p + ":dynamodb:" + g + ":" + a + ":table/" + name, true, nil
	case "AWS::ECR::Repository":
		return "arn:" + p + ":ecr:" + g + ":" + a + ":repository/" + name, true, nil
	case "AWS::KMS::Key":
		return "arn:" + p + ":kms:" + g + ":" + a + ":key/" + name, true, nil
	}
	return "", false, nil
}

// resourceRef is Ref LOGICALID: the resource's documented return value.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-ref.html
func (r *resolver) resourceRef(at *yaml.Node, res *Resource) (*val, error) {
	switch res.Type {
	case "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group", "AWS::S3::Bucket", "AWS::Lambda::Function",
		"AWS::Serverless::Function", "AWS::DynamoDB::Table", "AWS::ECR::Repository", "AWS::KMS::Key":
		v, err := r.name(res)
		if err != nil {
			return nil, err
		}
		return strVal(v.s, at), nil
	case "AWS::IAM::ManagedPolicy", "AWS::SNS::Topic":
		a, _, err := r.arnOf(res)
		if err != nil {
			return nil, err
		}
		return strVal(a, at), nil
	case "AWS::SQS::Queue":
		v, err := r.name(res)
		if err != nil {
			return nil, err
		}
		return strVal(queueURL(r.region, r.account, v.s, r.partition), at), nil
	}
	return r.unknownf(at.Line, at.Column, "Ref %s (%s) is known only after deploy", res.LogicalID, res.Type), nil
}

// getAtt is Fn::GetAtt LOGICALID.ATTRIBUTE for the attributes that follow
// from names; others are known only after deploy.
func (r *resolver) getAtt(at *yaml.Node, id, attr string) (*val, error) {
	res, ok := r.t.byID[id]
	if !ok {
		return nil, r.errf(at, "Fn::GetAtt %s.%s: no resource %s", id, attr, id)
	}
	switch {
	case attr == "Arn" || (res.Type == "AWS::IAM::ManagedPolicy" && attr == "PolicyArn") || (res.Type == "AWS::SNS::Topic" && attr == "TopicArn"):
		a, ok, err := r.arnOf(res)
		if err != nil {
			return nil, err
		}
		if ok {
			return strVal(a, at), nil
		}
	case (res.Type == "AWS::SQS::Queue" && attr == "QueueName") || (res.Type == "AWS::SNS::Topic" && attr == "TopicName") || (res.Type == "AWS::KMS::Key" && attr == "KeyId"):
		v, err := r.name(res)
		if err != nil {
			return nil, err
		}
		return strVal(v.s, at), nil
	case res.Type == "AWS::SQS::Queue" && attr == "QueueUrl":
		return r.resourceRef(at, res)
	}
	return r.unknownf(at.Line, at.Column, "Fn::GetAtt %s.%s is known only after deploy", id, attr), nil
}

// queueURL is the URL of a queue (Ref of AWS::SQS::Queue).
func queueURL(region, account, name, partition string) string {
	host := "sqs." + region + ".amazonaws.com"
	if partition == "aws-cn" {
		host += ".cn"
	}
	return "https://" + host + "/" + account + "/" + name
}
