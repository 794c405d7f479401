package collect

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3controltypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"

	"github.com/iamwhy/iamwhy/snapshot/settings"
)

// The S3 and KMS settings that decide requests besides policies
// (docs/environment-resources.md): a bucket's Object Ownership and ACL,
// the account's Block Public Access, access points, and KMS grants. Every
// call is read-only.

// accountRecord is the record of an account's S3 settings (no arn).
type accountRecord struct {
	Account     string     `json:"account"`
	BPA         *bpaRecord `json:"block_public_access,omitempty"`
	CanonicalID string     `json:"canonical_id,omitempty"`
}

// bucketSettings adds Object Ownership (GetBucketOwnershipControls) and
// the ACL (GetBucketAcl) to a bucket's record. A bucket without ownership
// controls has the behaviour of ObjectWriter: ACLs count, the uploader
// owns the object.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
func (c *collector) bucketSettings(ctx context.Context, cl *s3.Client, acct, region, name string, rec *record) {
	oc, err := cl.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String(name)})
	switch {
	case err == nil && oc.OwnershipControls != nil && len(oc.OwnershipControls.Rules) > 0:
		rec.ObjectOwnership = string(oc.OwnershipControls.Rules[0].ObjectOwnership)
	case err == nil, isAPIError(err, "OwnershipControlsNotFoundError"):
		rec.ObjectOwnership = string(s3types.ObjectOwnershipObjectWriter)
	default:
		c.problem("s3", acct, region, fmt.Errorf("GetBucketOwnershipControls %s: %w", name, err))
	}
	acl, err := cl.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String(name)})
	if err != nil {
		c.problem("s3", acct, region, fmt.Errorf("GetBucketAcl %s: %w", name, err))
		return
	}
	r := &settings.ACLRecord{Grants: []settings.ACLGrantRecord{}}
	if acl.Owner != nil {
		r.Owner = &settings.ACLOwner{ID: aws.ToString(acl.Owner.ID), DisplayName: aws.ToString(acl.Owner.DisplayName)}
	}
	for _, g := range acl.Grants {
		if g.Grantee == nil {
			continue
		}
		r.Grants = append(r.Grants, settings.ACLGrantRecord{Permission: string(g.Permission), Grantee: settings.ACLGrantee{
			Type: string(g.Grantee.Type), ID: aws.ToString(g.Grantee.ID), URI: aws.ToString(g.Grantee.URI),
			EmailAddress: aws.ToString(g.Grantee.EmailAddress), DisplayName: aws.ToString(g.Grantee.DisplayName)}})
	}
	rec.ACL = r
}

// s3Account writes the account's record: Block Public Access from
// s3control GetPublicAccessBlock, and the canonical user ID ListBuckets
// gave (canonicalID, "" when unknown).
func (c *collector) s3Account(ctx context.Context, cfg aws.Config, acct, canonicalID string) error {
	rec := accountRecord{Account: acct, CanonicalID: canonicalID}
	cl := s3control.NewFromConfig(cfg)
	out, err := cl.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(acct)})
	switch {
	case err == nil && out.PublicAccessBlockConfiguration != nil:
		b := out.PublicAccessBlockConfiguration
		rec.BPA = &bpaRecord{aws.ToBool(b.BlockPublicAcls), aws.ToBool(b.IgnorePublicAcls), aws.ToBool(b.BlockPublicPolicy), aws.ToBool(b.RestrictPublicBuckets)}
	case err == nil, isAPIError(err, "NoSuchPublicAccessBlockConfiguration"):
		// No account-level setting: record that it has none.
		rec.BPA = &bpaRecord{}
	default:
		c.problem("s3control", acct, "", fmt.Errorf("GetPublicAccessBlock: %w", err))
		if canonicalID == "" {
			return nil
		}
	}
	return c.writeAccountRecord(acct, rec)
}

// accessPoints: ListAccessPoints, then GetAccessPoint (bucket, network
// origin, VPC, Block Public Access) and GetAccessPointPolicy.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_ListAccessPoints.html
func (c *collector) accessPoints(ctx context.Context, cfg aws.Config, acct, region string) error {
	it := c.items()
	cl := s3control.NewFromConfig(regional(cfg, region))
	p := s3control.NewListAccessPointsPaginator(cl, &s3control.ListAccessPointsInput{AccountId: aws.String(acct)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return it.wait(fmt.Errorf("ListAccessPoints: %w", err))
		}
		for _, ap := range page.AccessPointList {
			it.run(func() error { return c.accessPoint(ctx, cl, acct, region, ap) })
		}
	}
	return it.wait(nil)
}

func (c *collector) accessPoint(ctx context.Context, cl *s3control.Client, acct, region string, ap s3controltypes.AccessPoint) error {
	name := aws.ToString(ap.Name)
	arn := aws.ToString(ap.AccessPointArn)
	if arn == "" {
		arn = "arn:" + c.partition() + ":s3:" + region + ":" + acct + ":accesspoint/" + name
	}
	rec := record{ARN: arn, Account: acct, Bucket: aws.ToString(ap.Bucket), NetworkOrigin: string(ap.NetworkOrigin)}
	if ap.VpcConfiguration != nil {
		rec.VpcID = aws.ToString(ap.VpcConfiguration.VpcId)
	}
	got, err := cl.GetAccessPoint(ctx, &s3control.GetAccessPointInput{AccountId: aws.String(acct), Name: aws.String(name)})
	if err != nil {
		c.problem("s3control", acct, region, fmt.Errorf("GetAccessPoint %s: %w", name, err))
		return nil
	}
	if got.PublicAccessBlockConfiguration != nil {
		b := got.PublicAccessBlockConfiguration
		rec.BPA = &bpaRecord{aws.ToBool(b.BlockPublicAcls), aws.ToBool(b.IgnorePublicAcls), aws.ToBool(b.BlockPublicPolicy), aws.ToBool(b.RestrictPublicBuckets)}
	}
	if got.Bucket != nil {
		rec.Bucket = aws.ToString(got.Bucket)
	}
	rec.NetworkOrigin = string(got.NetworkOrigin)
	if got.VpcConfiguration != nil {
		rec.VpcID = aws.ToString(got.VpcConfiguration.VpcId)
	}
	pol, err := cl.GetAccessPointPolicy(ctx, &s3control.GetAccessPointPolicyInput{AccountId: aws.String(acct), Name: aws.String(name)})
	switch {
	case err == nil:
		rec.Policy = policyValue(pol.Policy)
	case isAPIError(err, "NoSuchAccessPointPolicy"):
	default:
		c.problem("s3control", acct, region, fmt.Errorf("GetAccessPointPolicy %s: %w", name, err))
		return nil
	}
	return c.writeRecord("s3", region, "accesspoint-"+name, rec)
}

// keyGrants lists a key's grants (ListGrants, every page).
// https://docs.aws.amazon.com/kms/latest/APIReference/API_ListGrants.html
func (c *collector) keyGrants(ctx context.Context, cl *kms.Client, keyID *string) ([]settings.GrantRecord, error) {
	out := []settings.GrantRecord{}
	p := kms.NewListGrantsPaginator(cl, &kms.ListGrantsInput{KeyId: keyID})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, g := range page.Grants {
			r := settings.GrantRecord{KeyId: aws.ToString(g.KeyId), GrantId: aws.ToString(g.GrantId), Name: aws.ToString(g.Name),
				GranteePrincipal: aws.ToString(g.GranteePrincipal), RetiringPrincipal: aws.ToString(g.RetiringPrincipal),
				IssuingAccount: aws.ToString(g.IssuingAccount), Operations: []string{}}
			for _, op := range g.Operations {
				r.Operations = append(r.Operations, string(op))
			}
			if g.Constraints != nil {
				r.Constraints = &settings.GrantConstraints{EncryptionContextEquals: g.Constraints.EncryptionContextEquals,
					EncryptionContextSubset: g.Constraints.EncryptionContextSubset}
			}
			out = append(out, r)
		}
	}
	return out, nil
}
