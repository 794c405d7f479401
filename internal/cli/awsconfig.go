package cli

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// awsFlags are the flags of the commands that call AWS: a shared config
// profile and a Region. httpClient replaces the SDK's HTTP client (tests
// answer with recorded responses); it is the one way AWS clients are
// injected into commands.
type awsFlags struct {
	Profile    string
	Region     string
	httpClient aws.HTTPClient
}

// config loads the AWS configuration: the default credential chain, or
// the profile, with the Region when given.
func (f *awsFlags) config(ctx context.Context, what string) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if f.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(f.Profile))
	}
	if f.Region != "" {
		opts = append(opts, config.WithRegion(f.Region))
	}
	if f.httpClient != nil {
		opts = append(opts, config.WithHTTPClient(f.httpClient))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return cfg, fmt.Errorf("%s: AWS configuration: %w", what, err)
	}
	return cfg, nil
}
