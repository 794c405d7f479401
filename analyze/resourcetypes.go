package analyze

import (
	"slices"
	"strings"

	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/policy"
)

// resourceRule is what the resource policy of one resource type may hold:
// the services whose actions it can grant, the services whose ARNs it can
// name, its size quota, and condition keys that say nothing in it.
type resourceRule struct {
	name        string
	actions     []string // action prefixes
	arnServices []string // ARN service namespaces
	sizeQuota   int      // characters; 0 for the default
	irrelevant  []string // lower-case condition keys
	trustPolicy bool
}

// resourceTypeRules: the resource types of Access Analyzer's
// validatePolicyResourceType
// (https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ValidatePolicy.html)
// and other common resource policies. Quotas: S3 bucket policies 20 KB
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html),
// KMS key policies 32 KB (https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html),
// SQS 8,192 bytes (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-policies.html),
// SNS 30 KB, Secrets Manager 20 KB, Lambda 20 KB. "The
// s3:ResourceAccount condition key isn't relevant for the resource-based
// policy attached to an Amazon S3 bucket or Amazon S3 access point".
var resourceTypeRules = func() map[string]*resourceRule {
	rules := []*resourceRule{
		{name: "AWS::S3::Bucket", actions: []string{"s3"}, arnServices: []string{"s3"}, sizeQuota: 20480, irrelevant: []string{"s3:resourceaccount", "aws:resourceaccount", "aws:resourceorgid", "aws:resourceorgpaths"}},
		{name: "AWS::S3::AccessPoint", actions: []string{"s3"}, arnServices: []string{"s3"}, sizeQuota: 20480, irrelevant: []string{"s3:resourceaccount", "aws:resourceaccount", "aws:resourceorgid", "aws:resourceorgpaths"}},
		{name: "AWS::S3::MultiRegionAccessPoint", actions: []string{"s3"}, arnServices: []string{"s3"}, sizeQuota: 20480, irrelevant: []string{"s3:resourceaccount", "aws:resourceaccount"}},
		{name: "AWS::S3ObjectLambda::AccessPoint", actions: []string{"s3-object-lambda"}, arnServices: []string{"s3-object-lambda"}, sizeQuota: 20480, irrelevant: []string{"s3:resourceaccount", "aws:resourceaccount"}},
		{name: "AWS::S3Express::DirectoryBucket", actions: []string{"s3express"}, arnServices: []string{"s3express"}, sizeQuota: 20480},
		{name: "AWS::DynamoDB::Table", actions: []string{"dynamodb"}, arnServices: []string{"dynamodb"}, sizeQuota: 20480, irrelevant: []string{"aws:resourceaccount"}},
		{name: "AWS::DynamoDB::Stream", actions: []string{"dynamodb"}, arnServices: []string{"dynamodb"}, sizeQuota: 20480},
		{name: "AWS::KMS::Key", actions: []string{"kms"}, arnServices: []string{"kms"}, sizeQuota: 32768, irrelevant: []string{"aws:resourceaccount"}},
		{name: "AWS::SQS::Queue", actions: []string{"sqs"}, arnServices: []string{"sqs"}, sizeQuota: 8192},
		{name: "AWS::SNS::Topic", actions: []string{"sns"}, arnServices: []string{"sns"}, sizeQuota: 30720},
		{name: "AWS::SecretsManager::Secret", actions: []string{"secretsmanager"}, arnServices: []string{"secretsmanager"}, sizeQuota: 20480},
		{name: "AWS::Lambda::Function", actions: []string{"lambda"}, arnServices: []string{"lambda"}, sizeQuota: 20480},
		{name: "AWS::ECR::Repository", actions: []string{"ecr"}, arnServices: []string{"ecr"}, sizeQuota: 10240},
		{name: "AWS::ECR::PublicRepository", actions: []string{"ecr-public"}, arnServices: []string{"ecr-public"}},
		{name: "AWS::IAM::AssumeRolePolicyDocument", actions: []string{"sts"}, trustPolicy: true},
	}
	m := make(map[string]*resourceRule, len(rules))
	for _, r := range rules {
		m[strings.ToLower(r.name)] = r
	}
	return m
}()

// ResourceTypes lists the resource types LintOptions.ResourceType accepts.
func ResourceTypes() []string {
	out := make([]string, 0, len(resourceTypeRules))
	for _, r := range resourceTypeRules {
		out = append(out, r.name)
	}
	slices.Sort(out)
	return out
}

// KnownResourceType reports whether Lint knows the resource type.
func KnownResourceType(name string) bool {
	_, ok := resourceTypeRules[strings.ToLower(name)]
	return ok
}

// resourceTypeChecks: with a resource type, a resource policy can only
// grant the resource's service's actions on the resource's ARNs.
func (l *linter) resourceTypeChecks(si *stmtInfo) {
	r, ok := resourceTypeRules[strings.ToLower(l.resourceType)]
	if !ok || r.trustPolicy {
		return
	}
	s := si.s
	if !s.Action.Not {
		for _, v := range s.Action.Values {
			prefix, _, found := strings.Cut(v.Text, ":")
			if v.Text == "*" || !found || strings.ContainsAny(prefix, "*?") {
				continue
			}
			if !slices.Contains(r.actions, strings.ToLower(prefix)) {
				l.addS(si, "UNSUPPORTED_ACTION_IN_POLICY", v.Pos, "the action %s is not supported for the resource-based policy attached to the resource type %s", v.Text, r.name)
			}
		}
	}
	for _, v := range s.Resource.Values {
		a, ok := arn.Split(v.Text)
		if !ok || strings.ContainsAny(a.Service, "*?$") {
			continue
		}
		if !slices.Contains(r.arnServices, strings.ToLower(a.Service)) {
			l.addS(si, "UNSUPPORTED_RESOURCE_ARN_IN_POLICY", v.Pos, "the resource ARN %s is not supported for the resource-based policy attached to the resource type %s", v.Text, r.name)
		}
	}
	for _, c := range s.Conditions {
		if slices.Contains(r.irrelevant, strings.ToLower(c.Key)) {
			l.addS(si, "IRRELEVANT_CONDITION_KEY_IN_POLICY", c.KeyPos, "the condition key %s is not relevant for the %s policy (it always names the resource's own account or organization there): use this key in an identity-based policy to govern access to this resource", c.Key, r.name)
		}
	}
}

// resourceElement checks the presence of Resource in a resource-based
// policy against the rule of its resource type (policy.ResourceElementRule
// cites the pages): an Amazon ECR repository policy names no resource and
// refuses a Resource element. Without a resource type the statement needs
// one, as Access Analyzer asks; the message then says which policies omit
// it.
func (l *linter) resourceElement(s *policy.Statement, label string, at func(policy.Pos) policy.Pos) {
	rule, known := policy.ResourceElementRule(l.resourceType)
	switch {
	case s.Resource.Present && rule == policy.ElementForbidden:
		l.add("RESOURCE_ELEMENT_NOT_ALLOWED", at(s.Resource.Pos), label, "the resource-based policy of %s applies to the resource it is attached to and does not accept a %s element: remove it", resourceTypeName(l.resourceType), elementName(s.Resource, "Resource"))
	case s.Resource.Present || (known && rule != policy.ElementRequired):
	case !known && onlyService(s, "ecr"):
		l.add("MISSING_RESOURCE", s.Pos, label, "add a Resource or NotResource element to the policy statement (an Amazon ECR repository policy has none: lint it with --resource-type AWS::ECR::Repository)")
	default:
		l.add("MISSING_RESOURCE", s.Pos, label, "add a Resource or NotResource element to the policy statement")
	}
}

// resourceTypeName is the resource type as the table spells it.
func resourceTypeName(name string) string {
	if r, ok := resourceTypeRules[strings.ToLower(name)]; ok {
		return r.name
	}
	return name
}

// onlyService reports whether every action of the statement is one of the
// service's (literal prefix), as an ECR repository policy's are.
func onlyService(s *policy.Statement, prefix string) bool {
	if s.Action.Not || len(s.Action.Values) == 0 {
		return false
	}
	for _, v := range s.Action.Values {
		p, _, ok := strings.Cut(v.Text, ":")
		if !ok || !strings.EqualFold(p, prefix) {
			return false
		}
	}
	return true
}
