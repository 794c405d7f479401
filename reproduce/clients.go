package reproduce

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Services are the endpoint prefixes whose calls Runner performs: one SDK
// client each, the operation found on it by name.
func Services() []string {
	return []string{"ec2", "ecr", "iam", "kms", "lambda", "organizations", "s3", "secretsmanager", "sns", "sqs", "sts"}
}

// sdkClient is the SDK client of a service, built from cfg.
func sdkClient(service string, cfg aws.Config) (any, bool) {
	switch service {
	case "ec2":
		return ec2.NewFromConfig(cfg), true
	case "ecr":
		return ecr.NewFromConfig(cfg), true
	case "iam":
		return iam.NewFromConfig(cfg), true
	case "kms":
		return kms.NewFromConfig(cfg), true
	case "lambda":
		return lambda.NewFromConfig(cfg), true
	case "organizations":
		return organizations.NewFromConfig(cfg), true
	case "s3":
		// The body is closed unread, so its checksum is never validated:
		// the SDK's note saying so is noise.
		return s3.NewFromConfig(cfg, func(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true }), true
	case "secretsmanager":
		return secretsmanager.NewFromConfig(cfg), true
	case "sns":
		return sns.NewFromConfig(cfg), true
	case "sqs":
		return sqs.NewFromConfig(cfg), true
	case "sts":
		return sts.NewFromConfig(cfg), true
	}
	return nil, false
}
