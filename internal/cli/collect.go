package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/iamwhy/iamwhy/snapshot/collect"
)

// collectOptions are the flags of `iamwhy collect`.
type collectOptions struct {
	// Out is where the environment is written: a directory, or an
	// environment file ending in .yaml, .yml or .json.
	Out            string
	Regions        []string
	AssumeRoleName string
	Workers        int
	// awsFlags holds the profile and the SDK's HTTP client (tests answer
	// with recorded responses); the Region comes from Regions.
	awsFlags
}

func newCollectCmd(s Streams) *cobra.Command {
	var o collectOptions
	cmd := &cobra.Command{
		Use:   "collect [-o DIR|FILE.yaml|FILE.json] [--profile P] [--region R,...]",
		Short: "Collect an environment (IAM, organisation, resource policies) from AWS, read-only",
		Long: `Collect reads the caller's account, or with --assume-role-name every active account
of its organisation, and writes an environment (docs/environment.md) that
--env reads: authorization details, the organisation with its SCPs and RCPs,
and the resource policies of S3 buckets, KMS keys, SQS queues, SNS topics,
Lambda functions, secrets, ECR repositories and VPC endpoints.

-o (--output) names where the environment goes, since the environment is what
collect outputs: a directory (environment.yaml and the parts inside), or an
environment file ending in .yaml, .yml or .json (the parts in the directory
of the same name beside it: prod.yaml and prod/). An existing output is
replaced only when collect wrote it; anything else is refused. --env reads
either form.

Only read-only calls are made; docs/collect-policy.json is the IAM policy it
needs. Credentials come from the default chain (or --profile).

Exit status: 0 everything was read; 1 the environment was written but some
parts could not be read (listed, and recorded in the environment file); 2
nothing could be collected, or the output was refused.`,
		Example: `  iamwhy collect --profile audit --region eu-west-1,us-east-1 -o env/
  iamwhy collect --assume-role-name OrganizationAccountAccessRole -o snapshots/prod.yaml
  iamwhy who-can s3:GetObject arn:aws:s3:::my-bucket/key --env snapshots/prod.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCollect(cmd.Context(), s, o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Out, "output", "o", "environment", "where to write the environment: a directory, or a file ending in .yaml or .json")
	// --out was the flag's name before -o meant --output everywhere.
	f.StringVar(&o.Out, "out", "environment", "the same as --output")
	_ = f.MarkHidden("out")
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
	switch o.Out {
	case "text", "json", "yaml", "junit", "sarif", "markdown", "csv":
		// Elsewhere -o names a format; collect's output is an environment.
		return fmt.Errorf("-o %s: collect writes an environment, and -o names where: a directory, or a file ending in .yaml or .json (write ./%s for a directory of that name)", o.Out, o.Out)
	}
	if len(o.Regions) > 0 {
		o.Region = o.Regions[0]
	}
	cfg, err := o.awsFlags.config(ctx, "collect")
	if err != nil {
		return err
	}
	opts := collect.Options{Config: cfg, Regions: o.Regions, AssumeRoleName: o.AssumeRoleName, Workers: o.Workers, Out: o.Out}
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
