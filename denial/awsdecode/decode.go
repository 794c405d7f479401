// Package awsdecode decodes the encoded authorization failure message of an
// access denial through AWS STS DecodeAuthorizationMessage
// (https://docs.aws.amazon.com/STS/latest/APIReference/API_DecodeAuthorizationMessage.html)
// and adds what it says to the denial.
//
// It is separate from package denial, which reads text and never calls AWS.
package awsdecode

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamwhy/iamwhy/denial"
)

// API is the part of the STS client that Decode calls; *sts.Client
// implements it.
type API interface {
	DecodeAuthorizationMessage(ctx context.Context, in *sts.DecodeAuthorizationMessageInput, optFns ...func(*sts.Options)) (*sts.DecodeAuthorizationMessageOutput, error)
}

// ErrNotEncoded is returned when the denial carries no encoded message.
var ErrNotEncoded = errors.New("the message carries no encoded authorization failure message to decode")

// Decode asks STS to decode d.EncodedMessage and merges the decoded
// principal, action, resource, deny kind and request context into d (fields
// the message already carried are kept). The caller needs
// sts:DecodeAuthorizationMessage.
func Decode(ctx context.Context, api API, d *denial.Denial, opts denial.Options) error {
	if d == nil || d.EncodedMessage == "" {
		return ErrNotEncoded
	}
	out, err := api.DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{
		EncodedMessage: aws.String(d.EncodedMessage),
	})
	if err != nil {
		return fmt.Errorf("sts DecodeAuthorizationMessage: %w", err)
	}
	if out.DecodedMessage == nil {
		return errors.New("sts DecodeAuthorizationMessage: empty DecodedMessage in the response")
	}
	return denial.MergeDecoded(d, *out.DecodedMessage, opts)
}
