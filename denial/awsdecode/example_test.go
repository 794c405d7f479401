package awsdecode_test

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamwhy/iamwhy/denial"
	"github.com/iamwhy/iamwhy/denial/awsdecode"
)

// stsStub stands in for *sts.Client; a program passes
// sts.NewFromConfig(cfg).
type stsStub struct{}

func (stsStub) DecodeAuthorizationMessage(ctx context.Context, in *sts.DecodeAuthorizationMessageInput, _ ...func(*sts.Options)) (*sts.DecodeAuthorizationMessageOutput, error) {
	return &sts.DecodeAuthorizationMessageOutput{DecodedMessage: aws.String(`{"allowed":false,"explicitDeny":false,"matchedStatements":{"items":[]},
	 "context":{"principal":{"arn":"arn:aws:sts::111122223333:assumed-role/ops/alice"},"action":"ec2:RunInstances",
	 "resource":"arn:aws:ec2:us-east-1:111122223333:instance/*","conditions":{"items":[]}}}`)}, nil
}

// EC2 says only that the request was not authorized, with an encoded
// message; STS decodes it into the principal, action and resource.
func ExampleDecode() {
	d, _ := denial.Parse("An error occurred (UnauthorizedOperation) when calling the RunInstances operation: You are not authorized to perform this operation. Encoded authorization failure message: AbC123xyz", denial.Options{})
	if err := awsdecode.Decode(context.Background(), stsStub{}, d, denial.Options{}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(*d.Principal, *d.Action, d.Deny)
	// Output: arn:aws:sts::111122223333:assumed-role/ops/alice ec2:RunInstances implicit
}
