// Package collect builds an environment (docs/environment.md) from live AWS
// accounts with the AWS SDK for Go v2: the authorization details of each
// account, the organisation tree with its SCPs and RCPs, and the
// resource-based policies of S3 buckets, KMS keys, SQS queues, SNS topics,
// Lambda functions, Secrets Manager secrets, ECR repositories and VPC
// endpoints. It makes read-only calls only (List*, Get*, Describe*); the
// minimal IAM policy it needs is docs/collect-policy.json.
//
// Calls run concurrently on a bounded number of workers; throttling is
// absorbed by the SDK's adaptive retry mode (client-side rate limiting with
// exponential backoff). A service that cannot be read (access denied, not
// enabled in a region) does not stop collection: it is recorded in
// Summary.Problems and in the environment file's "collected" block, so the
// environment says what it lacks.
package collect

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/iamwhy/iamwhy/arn"
)

// Options configure a collection.
type Options struct {
	// Config is the base configuration: credentials (the default chain,
	// or a profile), the HTTP client. Its Region is used for global
	// services when Regions is empty.
	Config aws.Config
	// Regions to read regional resources in; empty means Config.Region.
	Regions []string
	// AssumeRoleName, when set, is assumed in every active account of the
	// organisation (arn:aws:iam::ACCOUNT:role/NAME) to collect it; the
	// caller's own account is read with the base credentials. Empty: only
	// the caller's account is collected.
	AssumeRoleName string
	// Workers bounds concurrent API calls (default 8).
	Workers int
	// Out is where the environment goes: a directory (created if needed)
	// that receives environment.yaml and the parts; or, when it names a
	// file ending in .yaml, .yml or .json, the environment file itself,
	// in that format, with the parts in the directory of the same name
	// beside it (prod.yaml and prod/). An existing output is replaced
	// only when iamwhy collect wrote it (docs/environment-collect.md).
	Out string
	// OutDir is Out, for callers written before Out existed.
	OutDir string
	// Progress, when set, is called after each task with the counts so
	// far. It is called from one goroutine at a time.
	Progress func(Progress)
	// Now stamps the environment file (default time.Now).
	Now func() time.Time
}

// Progress is how far a collection has come.
type Progress struct {
	Done, Total int
	// Task names the task that just finished ("111122223333 kms eu-west-1").
	Task string
}

// Summary says what was collected.
type Summary struct {
	// EnvironmentFile is the environment.yaml written.
	EnvironmentFile string
	Accounts        []string
	// Organization is false when the caller's account is in no
	// organisation or the organisation could not be read.
	Organization bool
	// Entities and Resources count what was written.
	Users, Groups, Roles, ManagedPolicies int
	Resources                             int
	// Problems are the parts that could not be read (service, account,
	// region and the error); the environment lacks them.
	Problems []string
}

// Collect reads the accounts and writes the environment under opts.OutDir.
// It fails only when nothing useful can be read (no identity, or the
// output cannot be written); partial failures are in Summary.Problems.
func Collect(ctx context.Context, opts Options) (*Summary, error) {
	if opts.Out == "" {
		opts.Out = opts.OutDir
	}
	if opts.Out == "" {
		return nil, errors.New("collect: no output directory or file")
	}
	out := outLayout(opts.Out)
	if opts.Workers <= 0 {
		opts.Workers = 8
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if len(opts.Regions) == 0 {
		if opts.Config.Region == "" {
			return nil, errors.New("collect: no region (give --region or configure one)")
		}
		opts.Regions = []string{opts.Config.Region}
	}
	if opts.Config.Region == "" {
		opts.Config.Region = opts.Regions[0]
	}
	cfg := opts.Config.Copy()
	// Adaptive mode: exponential backoff with jitter, and a client-side
	// rate limiter that slows down when AWS throttles.
	// https://docs.aws.amazon.com/sdk-for-go/v2/developer-guide/configure-retries-timeouts.html
	cfg.Retryer = func() aws.Retryer {
		return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
			o.StandardOptions = append(o.StandardOptions, func(so *retry.StandardOptions) { so.MaxAttempts = 10 })
		})
	}
	if err := out.check(); err != nil {
		return nil, err
	}
	// Write beside the output and move into place at the end, so that a
	// failed or interrupted collection leaves the previous one intact.
	parent := filepath.Dir(filepath.Clean(out.dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(parent, ".iamwhy-collect-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	c := &collector{opts: opts, cfg: cfg, sum: &Summary{}, out: tmp, layout: out, sem: make(chan struct{}, opts.Workers)}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, fmt.Errorf("collect: who am I (sts GetCallerIdentity): %w", err)
	}
	self := aws.ToString(id.Account)

	org, err := c.organization(ctx)
	if err != nil {
		c.problem("organizations", self, "", err)
	}
	accounts := []string{self}
	if org != nil {
		c.sum.Organization = true
		if opts.AssumeRoleName != "" {
			accounts = org.activeAccounts()
		}
	}
	sort.Strings(accounts)
	c.sum.Accounts = accounts

	var tasks []task
	for _, acct := range accounts {
		acfg := cfg
		if acct != self {
			acfg = c.assumed(acct)
		}
		tasks = append(tasks, c.accountTasks(acct, acfg)...)
	}
	c.run(ctx, tasks)
	if err := ctx.Err(); err != nil {
		return c.sum, err
	}
	envFile, err := c.writeEnvironment(org)
	if err != nil {
		return c.sum, err
	}
	if err := out.replace(tmp, envFile); err != nil {
		return c.sum, err
	}
	c.sum.EnvironmentFile = out.envFile
	return c.sum, nil
}

// assumed returns a configuration whose credentials are those of the role
// opts.AssumeRoleName in acct, assumed with the base credentials.
func (c *collector) assumed(acct string) aws.Config {
	cfg := c.cfg.Copy()
	arn := fmt.Sprintf("arn:%s:iam::%s:role/%s", c.partition(), acct, c.opts.AssumeRoleName)
	cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(c.cfg), arn, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "iamwhy-collect"
	}))
	return cfg
}

func (c *collector) partition() string { return arn.PartitionOfRegion(c.cfg.Region) }

type collector struct {
	opts Options
	cfg  aws.Config
	// out is the directory the parts are written to (beside the output,
	// moved into place at the end); layout is the output.
	out    string
	layout layout

	mu        sync.Mutex
	sum       *Summary
	authFiles []string
	names     map[string]bool // record files written
	sem       chan struct{}   // bounds per-resource calls in flight
	done      int
	total     int
}

// task is one unit of collection: one service in one account and region.
type task struct {
	name string
	run  func(ctx context.Context) error
	// service, account, region name the task in problems.
	service, account, region string
}

func (c *collector) problem(service, account, region string, err error) {
	where := account
	if region != "" {
		where += " " + region
	}
	msg := err.Error()
	var ae smithy.APIError
	if errors.As(err, &ae) {
		msg = ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	c.mu.Lock()
	c.sum.Problems = append(c.sum.Problems, fmt.Sprintf("%s %s: %s", service, where, msg))
	c.mu.Unlock()
}

// run executes tasks on opts.Workers goroutines.
func (c *collector) run(ctx context.Context, tasks []task) {
	c.total = len(tasks)
	ch := make(chan task)
	var wg sync.WaitGroup
	for w := 0; w < c.opts.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range ch {
				if ctx.Err() == nil {
					if err := t.run(ctx); err != nil {
						c.problem(t.service, t.account, t.region, err)
					}
				}
				c.mu.Lock()
				c.done++
				p := Progress{Done: c.done, Total: c.total, Task: t.name}
				if c.opts.Progress != nil {
					c.opts.Progress(p)
				}
				c.mu.Unlock()
			}
		}()
	}
	for _, t := range tasks {
		ch <- t
	}
	close(ch)
	wg.Wait()
	sort.Strings(c.sum.Problems)
	sort.Strings(c.authFiles)
}

// isAPIError reports whether err is an AWS API error with one of the codes.
func isAPIError(err error, codes ...string) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	for _, c := range codes {
		if ae.ErrorCode() == c {
			return true
		}
	}
	return false
}

// rel returns path relative to the output directory, with forward slashes.
func (c *collector) rel(path string) string {
	r, err := filepath.Rel(c.out, path)
	if err != nil {
		return path
	}
	return filepath.ToSlash(r)
}
