package policy

import "strings"

// ElementRule says whether a statement element must, may or must not
// appear.
type ElementRule uint8

const (
	// ElementOptional: the element may appear or not.
	ElementOptional ElementRule = iota
	// ElementRequired: every statement has the element (or its Not form).
	ElementRequired
	// ElementForbidden: no statement may have the element (nor its Not form).
	ElementForbidden
)

func (r ElementRule) presence() presence {
	switch r {
	case ElementRequired:
		return required
	case ElementForbidden:
		return forbidden
	}
	return optional
}

// resourceElementRules: whether the statements of a resource-based policy
// attached to a resource of the type (CloudFormation type names, compared
// without case) carry Resource or NotResource.
//
//   - The IAM rule is that "Statements must include either a Resource or a
//     NotResource element", and the details "vary for each service":
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
//   - KMS key policies: Effect, Principal, Action and Resource "are
//     required", Resource "*" meaning the key itself:
//     https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html
//   - Amazon ECR private repository policies apply to their repository and
//     name none: the documented policies have no Resource, which is added
//     only "to specify the Amazon ECR repository as the resource" when a
//     statement is used in an IAM policy instead
//     (https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policy-examples.html).
//     ECR refuses a repository policy with a Resource ("Invalid parameter
//     at 'PolicyText' failed to satisfy constraint: 'Invalid repository
//     policy provided'"), which is why AWS removed the element from the
//     guide's examples
//     (https://github.com/awsdocs/amazon-ecr-user-guide/pull/20) and the
//     AWS CDK from the policies it writes
//     (https://github.com/aws/aws-cdk/pull/3590).
//   - Amazon ECR Public repository policies are documented both with
//     "Resource": "*" and without:
//     https://docs.aws.amazon.com/AmazonECR/latest/public/public-repository-policy-examples.html
//
// The other types of the table follow the IAM rule.
var resourceElementRules = map[string]ElementRule{
	"aws::s3::bucket":                  ElementRequired,
	"aws::s3::accesspoint":             ElementRequired,
	"aws::s3::multiregionaccesspoint":  ElementRequired,
	"aws::s3objectlambda::accesspoint": ElementRequired,
	"aws::s3express::directorybucket":  ElementRequired,
	"aws::dynamodb::table":             ElementRequired,
	"aws::dynamodb::stream":            ElementRequired,
	"aws::kms::key":                    ElementRequired,
	"aws::sqs::queue":                  ElementRequired,
	"aws::sns::topic":                  ElementRequired,
	"aws::secretsmanager::secret":      ElementRequired,
	"aws::lambda::function":            ElementRequired,
	"aws::ecr::repository":             ElementForbidden,
	"aws::ecr::publicrepository":       ElementOptional,
}

// ResourceElementRule returns whether the statements of a resource-based
// policy attached to a resource of resourceType (a CloudFormation type name
// such as "AWS::ECR::Repository") need a Resource or NotResource element,
// and whether the type is one AWS documents a rule for. For a type it does
// not know (or none), the rule is ElementOptional: some resource policies
// (Amazon ECR repository policies) name no resource, so without the type
// the element cannot be required.
func ResourceElementRule(resourceType string) (ElementRule, bool) {
	r, ok := resourceElementRules[strings.ToLower(resourceType)]
	return r, ok
}
