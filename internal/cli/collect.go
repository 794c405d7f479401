package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/cobra"

	"github.com/iamwhy/iamwhy/snapshot/collect"
)

// collectOptions are the flags of `iamwhy collect`.
type collectOptions struct {
	Out            string
	Profile        string
	Regions        []string
	AssumeRoleName string
	Workers        int
	// httpClient replaces the SDK's HTTP client (tests answer with
	// recorded responses).
	httpClient aws.HTTPClient
}

func newCollectCmd(s Streams) *cobra.Command {
	var o collectOptions
	cmd := &cobra.Command{
		Use:   "collect",
		Short: "Collect an environment (IAM, organisation, resource policies) from AWS, read-only",
		Long: `Collect reads the caller's account, or with --assume-role-name every active account
of its organisation, and writes an environment (docs/environment.md) that
--env reads: authorization details, the organisation with its SCPs and RCPs,
and the resource policies of S3 buckets, KMS keys, SQS queues, SNS topics,
Lambda functions, secrets, ECR repositories and VPC endpoints.

Only read-only calls are made; docs/collect-policy.json is the IAM policy it
needs. Credentials come from the default chain (or --profile).

Exit status: 0 everything was read; 1 the environment was written but some
parts could not be read (listed, and recorded in environment.yaml); 2 nothing
could be collected.`,
		Example: `  iamwhy collect --profile audit --region eu-west-1,us-east-1 --out env/
  iamwhy collect --assume-role-name OrganizationAccountAccessRole --out org-env/
  iamwhy who-can s3:GetObject arn:aws:s3:::my-bucket/key --env env/`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCollect(cmd.Context(), s, o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Out, "out", "o", "environment", "directory to write the environment to")
	f.StringVar(&o.Profile, "profile", "", "AWS shared config profile (default: the default credential chain)")
	f.StringSliceVar(&o.Regions, "region", nil, "region(s) to collect regional resources in (repeat or comma-separate; default: the configured region)")
	f.StringVar(&o.AssumeRoleName, "assume-role-name", "", "role to assume in each account of the organisation (e.g. OrganizationAccountAccessRole)")
	f.IntVar(&o.Workers, "workers", 8, "concurrent API calls")
	return cmd
}

func runCollect(ctx context.Context, s Streams, o collectOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	var loadOpts []func(*config.LoadOptions) error
	if o.Profile != "" {
		loadOpts = append(loadOpts, config.WithSharedConfigProfile(o.Profile))
	}
	if len(o.Regions) > 0 {
		loadOpts = append(loadOpts, config.WithRegion(o.Regions[0]))
	}
	if o.httpClient != nil {
		loadOpts = append(loadOpts, config.WithHTTPClient(o.httpClient))
	}
	cfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return fmt.Errorf("collect: AWS configuration: %w", err)
	}
	opts := collect.Options{Config: cfg, Regions: o.Regions, AssumeRoleName: o.AssumeRoleName, Workers: o.Workers, OutDir: o.Out}
	if s.IsTerminal {
		opts.Progress = func(p collect.Progress) { drawProgress(s, p) }
	}
	sum, err := collect.Collect(ctx, opts)
	if s.IsTerminal {
		fmt.Fprint(s.term(), "\r\033[K")
	}
	if err != nil {
		if ctx.Err() != nil {
			// Collect writes beside the output and moves it into place
			// only when complete.
			return fmt.Errorf("%w: %s was left as it was; the partial collection was removed", err, o.Out)
		}
		return err
	}
	fmt.Fprintf(s.Out, "wrote %s: %d account(s), %d users, %d groups, %d roles, %d managed policies, %d resources",
		sum.EnvironmentFile, len(sum.Accounts), sum.Users, sum.Groups, sum.Roles, sum.ManagedPolicies, sum.Resources)
	if sum.Organization {
		fmt.Fprint(s.Out, ", with the organisation")
	}
	fmt.Fprintln(s.Out)
	if len(sum.Problems) > 0 {
		fmt.Fprintf(s.Err, "not collected (%d):\n  %s\n", len(sum.Problems), strings.Join(sum.Problems, "\n  "))
		return silentExit(1)
	}
	return nil
}

// drawProgress redraws a one-line progress bar on the terminal.
func drawProgress(s Streams, p collect.Progress) {
	const width = 30
	filled := 0
	if p.Total > 0 {
		filled = width * p.Done / p.Total
	}
	fmt.Fprintf(s.term(), "\r\033[K[%s%s] %d/%d %s", strings.Repeat("#", filled), strings.Repeat(".", width-filled), p.Done, p.Total, escapeText(p.Task))
}
