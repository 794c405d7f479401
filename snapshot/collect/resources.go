package collect

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/iamwhy/iamwhy/snapshot/settings"
)

// Resource-based policies, written as resource-policy records
// (docs/environment.md) under resources/ACCOUNT/SERVICE/REGION/. A resource
// without a policy gets a record without one: the environment then knows
// the resource has none, which differs from not having collected it.

type record struct {
	ARN     string          `json:"arn"`
	Account string          `json:"account"`
	Policy  json.RawMessage `json:"policy,omitempty"`
	BPA     *bpaRecord      `json:"block_public_access,omitempty"`
	// S3 and KMS settings (s3kms.go).
	ObjectOwnership string                  `json:"object_ownership,omitempty"`
	ACL             *settings.ACLRecord     `json:"acl,omitempty"`
	Grants          *[]settings.GrantRecord `json:"grants,omitempty"`
	Bucket          string                  `json:"bucket,omitempty"`
	NetworkOrigin   string                  `json:"network_origin,omitempty"`
	VpcID           string                  `json:"vpc_id,omitempty"`
}

type bpaRecord struct {
	BlockPublicAcls       bool `json:"BlockPublicAcls"`
	IgnorePublicAcls      bool `json:"IgnorePublicAcls"`
	BlockPublicPolicy     bool `json:"BlockPublicPolicy"`
	RestrictPublicBuckets bool `json:"RestrictPublicBuckets"`
}

// policyValue keeps a policy as a JSON object when it is JSON (so the file
// is readable and positions in it are the document's), else as the string
// returned.
func policyValue(s *string) json.RawMessage {
	if s == nil || *s == "" {
		return nil
	}
	if json.Valid([]byte(*s)) && strings.HasPrefix(strings.TrimSpace(*s), "{") {
		return json.RawMessage(*s)
	}
	q, _ := json.Marshal(*s)
	return q
}

// fileName makes a resource name safe for a file name.
func fileName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}

// writeRecord writes one record; the file name is the resource name, made
// unique within its directory.
func (c *collector) writeRecord(service, region, name string, rec record) error {
	if region == "" {
		region = "global"
	}
	dir := filepath.Join(c.out, "resources", rec.Account, service, region)
	base := fileName(name)
	c.mu.Lock()
	if c.names == nil {
		c.names = map[string]bool{}
	}
	p := filepath.Join(dir, base+".json")
	for i := 2; c.names[p]; i++ {
		p = filepath.Join(dir, fmt.Sprintf("%s-%d.json", base, i))
	}
	c.names[p] = true
	c.sum.Resources++
	c.mu.Unlock()
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(p, append(data, '\n'))
}

// writeAccountRecord writes an account's S3 settings record.
func (c *collector) writeAccountRecord(acct string, rec accountRecord) error {
	p := filepath.Join(c.out, "resources", acct, "s3", "global", "_account.json")
	c.mu.Lock()
	if c.names == nil {
		c.names = map[string]bool{}
	}
	c.names[p] = true
	c.mu.Unlock()
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(p, append(data, '\n'))
}

// accountTasks lists the tasks that collect one account.
func (c *collector) accountTasks(acct string, cfg aws.Config) []task {
	ts := []task{
		{name: acct + " iam", service: "iam", account: acct, run: func(ctx context.Context) error {
			return c.authorizationDetails(ctx, cfg, acct)
		}},
		{name: acct + " s3", service: "s3", account: acct, run: func(ctx context.Context) error {
			return c.s3Buckets(ctx, cfg, acct)
		}},
	}
	regional := []struct {
		service string
		fn      func(context.Context, aws.Config, string, string) error
	}{
		{"kms", c.kmsKeys}, {"sqs", c.sqsQueues}, {"sns", c.snsTopics}, {"lambda", c.lambdaFunctions},
		{"secretsmanager", c.secrets}, {"ecr", c.ecrRepositories}, {"ec2", c.vpcEndpoints}, {"s3control", c.accessPoints},
	}
	for _, region := range c.opts.Regions {
		for _, r := range regional {
			ts = append(ts, task{
				name: acct + " " + r.service + " " + region, service: r.service, account: acct, region: region,
				run: func(ctx context.Context) error { return r.fn(ctx, cfg, acct, region) },
			})
		}
	}
	return ts
}

func regional(cfg aws.Config, region string) aws.Config {
	cfg = cfg.Copy()
	cfg.Region = region
	return cfg
}

// s3Buckets: ListBuckets, then in each bucket's region GetBucketPolicy and
// GetPublicAccessBlock.
func (c *collector) s3Buckets(ctx context.Context, cfg aws.Config, acct string) error {
	it := c.items()
	cl := s3.NewFromConfig(cfg)
	p := s3.NewListBucketsPaginator(cl, &s3.ListBucketsInput{})
	canonicalID := ""
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return it.wait(fmt.Errorf("ListBuckets: %w", err))
		}
		if page.Owner != nil && page.Owner.ID != nil {
			canonicalID = *page.Owner.ID
		}
		for _, b := range page.Buckets {
			it.run(func() error {
				name := aws.ToString(b.Name)
				region := aws.ToString(b.BucketRegion)
				if region == "" {
					loc, err := cl.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: b.Name})
					if err != nil {
						c.problem("s3", acct, "", fmt.Errorf("GetBucketLocation %s: %w", name, err))
						return nil
					}
					// An empty LocationConstraint is us-east-1, "EU" is
					// eu-west-1 (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html).
					switch region = string(loc.LocationConstraint); region {
					case "":
						region = "us-east-1"
					case "EU":
						region = "eu-west-1"
					}
				}
				rcl := s3.NewFromConfig(regional(cfg, region))
				rec := record{ARN: "arn:" + c.partition() + ":s3:::" + name, Account: acct}
				pol, err := rcl.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b.Name})
				switch {
				case err == nil:
					rec.Policy = policyValue(pol.Policy)
				case isAPIError(err, "NoSuchBucketPolicy"):
				default:
					c.problem("s3", acct, region, fmt.Errorf("GetBucketPolicy %s: %w", name, err))
					return nil
				}
				bpa, err := rcl.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b.Name})
				switch {
				case err == nil && bpa.PublicAccessBlockConfiguration != nil:
					cfg := bpa.PublicAccessBlockConfiguration
					rec.BPA = &bpaRecord{aws.ToBool(cfg.BlockPublicAcls), aws.ToBool(cfg.IgnorePublicAcls), aws.ToBool(cfg.BlockPublicPolicy), aws.ToBool(cfg.RestrictPublicBuckets)}
				case err == nil, isAPIError(err, "NoSuchPublicAccessBlockConfiguration"):
				default:
					c.problem("s3", acct, region, fmt.Errorf("GetPublicAccessBlock %s: %w", name, err))
				}
				c.bucketSettings(ctx, rcl, acct, region, name, &rec)
				if err := c.writeRecord("s3", region, name, rec); err != nil {
					return err
				}
				return nil
			})
		}
	}
	if err := it.wait(nil); err != nil {
		return err
	}
	return c.s3Account(ctx, cfg, acct, canonicalID)
}

// kmsKeys: ListKeys, GetKeyPolicy (the "default" policy, the only name KMS
// supports).
func (c *collector) kmsKeys(ctx context.Context, cfg aws.Config, acct, region string) error {
	it := c.items()
	cl := kms.NewFromConfig(regional(cfg, region))
	p := kms.NewListKeysPaginator(cl, &kms.ListKeysInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return it.wait(fmt.Errorf("ListKeys: %w", err))
		}
		for _, k := range page.Keys {
			it.run(func() error {
				pol, err := cl.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: k.KeyId, PolicyName: aws.String("default")})
				if err != nil {
					c.problem("kms", acct, region, fmt.Errorf("GetKeyPolicy %s: %w", aws.ToString(k.KeyArn), err))
					return nil
				}
				rec := record{ARN: aws.ToString(k.KeyArn), Account: acct, Policy: policyValue(pol.Policy)}
				if grants, err := c.keyGrants(ctx, cl, k.KeyId); err != nil {
					c.problem("kms", acct, region, fmt.Errorf("ListGrants %s: %w", aws.ToString(k.KeyArn), err))
				} else {
					rec.Grants = &grants
				}
				if err := c.writeRecord("kms", region, aws.ToString(k.KeyId), rec); err != nil {
					return err
				}
				return nil
			})
		}
	}
	return it.wait(nil)
}

// sqsQueues: ListQueues, GetQueueAttributes (QueueArn, Policy).
func (c *collector) sqsQueues(ctx context.Context, cfg aws.Config, acct, region string) error {
	it := c.items()
	cl := sqs.NewFromConfig(regional(cfg, region))
	p := sqs.NewListQueuesPaginator(cl, &sqs.ListQueuesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return it.wait(fmt.Errorf("ListQueues: %w", err))
		}
		for _, u := range page.QueueUrls {
			it.run(func() error {
				at, err := cl.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
					QueueUrl:       aws.String(u),
					AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn, sqstypes.QueueAttributeNamePolicy},
				})
				if err != nil {
					c.problem("sqs", acct, region, fmt.Errorf("GetQueueAttributes %s: %w", u, err))
					return nil
				}
				arn := at.Attributes["QueueArn"]
				if arn == "" {
					c.problem("sqs", acct, region, fmt.Errorf("GetQueueAttributes %s: no QueueArn", u))
					return nil
				}
				pol := at.Attributes["Policy"]
				rec := record{ARN: arn, Account: acct, Policy: policyValue(&pol)}
				if err := c.writeRecord("sqs", region, arn[strings.LastIndexByte(arn, ':')+1:], rec); err != nil {
					return err
				}
				return nil
			})
		}
	}
	return it.wait(nil)
}

// snsTopics: ListTopics, GetTopicAttributes (Policy).
func (c *collector) snsTopics(ctx context.Context, cfg aws.Config, acct, region string) error {
	it := c.items()
	cl := sns.NewFromConfig(regional(cfg, region))
	p := sns.NewListTopicsPaginator(cl, &sns.ListTopicsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return it.wait(fmt.Errorf("ListTopics: %w", err))
		}
		for _, t := range page.Topics {
			it.run(func() error {
				arn := aws.ToString(t.TopicArn)
				at, err := cl.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: t.TopicArn})
				if err != nil {
					c.problem("sns", acct, region, fmt.Errorf("GetTopicAttributes %s: %w", arn, err))
					return nil
				}
				pol := at.Attributes["Policy"]
				rec := record{ARN: arn, Account: acct, Policy: policyValue(&pol)}
				if err := c.writeRecord("sns", region, arn[strings.LastIndexByte(arn, ':')+1:], rec); err != nil {
					return err
				}
				return nil
			})
		}
	}
	return it.wait(nil)
}

// lambdaFunctions: ListFunctions, GetPolicy of the unqualified function.
func (c *collector) lambdaFunctions(ctx context.Context, cfg aws.Config, acct, region string) error {
	it := c.items()
	cl := lambda.NewFromConfig(regional(cfg, region))
	p := lambda.NewListFunctionsPaginator(cl, &lambda.ListFunctionsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return it.wait(fmt.Errorf("ListFunctions: %w", err))
		}
		for _, f := range page.Functions {
			it.run(func() error {
				arn := aws.ToString(f.FunctionArn)
				rec := record{ARN: arn, Account: acct}
				pol, err := cl.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: f.FunctionArn})
				switch {
				case err == nil:
					rec.Policy = policyValue(pol.Policy)
				case isAPIError(err, "ResourceNotFoundException"):
				default:
					c.problem("lambda", acct, region, fmt.Errorf("GetPolicy %s: %w", arn, err))
					return nil
				}
				if err := c.writeRecord("lambda", region, aws.ToString(f.FunctionName), rec); err != nil {
					return err
				}
				return nil
			})
		}
	}
	return it.wait(nil)
}

// secrets: ListSecrets, GetResourcePolicy.
func (c *collector) secrets(ctx context.Context, cfg aws.Config, acct, region string) error {
	it := c.items()
	cl := secretsmanager.NewFromConfig(regional(cfg, region))
	p := secretsmanager.NewListSecretsPaginator(cl, &secretsmanager.ListSecretsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return it.wait(fmt.Errorf("ListSecrets: %w", err))
		}
		for _, s := range page.SecretList {
			it.run(func() error {
				arn := aws.ToString(s.ARN)
				pol, err := cl.GetResourcePolicy(ctx, &secretsmanager.GetResourcePolicyInput{SecretId: s.ARN})
				if err != nil {
					c.problem("secretsmanager", acct, region, fmt.Errorf("GetResourcePolicy %s: %w", arn, err))
					return nil
				}
				rec := record{ARN: arn, Account: acct, Policy: policyValue(pol.ResourcePolicy)}
				if err := c.writeRecord("secretsmanager", region, aws.ToString(s.Name), rec); err != nil {
					return err
				}
				return nil
			})
		}
	}
	return it.wait(nil)
}

// ecrRepositories: DescribeRepositories, GetRepositoryPolicy.
func (c *collector) ecrRepositories(ctx context.Context, cfg aws.Config, acct, region string) error {
	it := c.items()
	cl := ecr.NewFromConfig(regional(cfg, region))
	p := ecr.NewDescribeRepositoriesPaginator(cl, &ecr.DescribeRepositoriesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return it.wait(fmt.Errorf("DescribeRepositories: %w", err))
		}
		for _, r := range page.Repositories {
			it.run(func() error {
				arn := aws.ToString(r.RepositoryArn)
				rec := record{ARN: arn, Account: acct}
				pol, err := cl.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: r.RepositoryName, RegistryId: r.RegistryId})
				switch {
				case err == nil:
					rec.Policy = policyValue(pol.PolicyText)
				case isAPIError(err, "RepositoryPolicyNotFoundException"):
				default:
					c.problem("ecr", acct, region, fmt.Errorf("GetRepositoryPolicy %s: %w", arn, err))
					return nil
				}
				if err := c.writeRecord("ecr", region, aws.ToString(r.RepositoryName), rec); err != nil {
					return err
				}
				return nil
			})
		}
	}
	return it.wait(nil)
}

// vpcEndpoints: DescribeVpcEndpoints; the policy is in the description.
func (c *collector) vpcEndpoints(ctx context.Context, cfg aws.Config, acct, region string) error {
	cl := ec2.NewFromConfig(regional(cfg, region))
	p := ec2.NewDescribeVpcEndpointsPaginator(cl, &ec2.DescribeVpcEndpointsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("DescribeVpcEndpoints: %w", err)
		}
		for _, e := range page.VpcEndpoints {
			id := aws.ToString(e.VpcEndpointId)
			owner := aws.ToString(e.OwnerId)
			if owner == "" {
				owner = acct
			}
			rec := record{
				ARN:     fmt.Sprintf("arn:%s:ec2:%s:%s:vpc-endpoint/%s", c.partition(), region, owner, id),
				Account: owner, Policy: policyValue(e.PolicyDocument),
			}
			if err := c.writeRecord("ec2", region, id, rec); err != nil {
				return err
			}
		}
	}
	return nil
}

// items runs the per-resource calls of one task concurrently, all tasks
// sharing a bound of Workers calls in flight.
type items struct {
	c   *collector
	wg  sync.WaitGroup
	mu  sync.Mutex
	err error
}

func (c *collector) items() *items { return &items{c: c} }

// run calls fn on its own goroutine once a slot is free; the first error is
// kept.
func (it *items) run(fn func() error) {
	it.c.sem <- struct{}{}
	it.wg.Add(1)
	go func() {
		defer func() { <-it.c.sem; it.wg.Done() }()
		if err := fn(); err != nil {
			it.mu.Lock()
			if it.err == nil {
				it.err = err
			}
			it.mu.Unlock()
		}
	}()
}

// wait waits for the calls started and returns err, else their first error.
func (it *items) wait(err error) error {
	it.wg.Wait()
	if err != nil {
		return err
	}
	return it.err
}
