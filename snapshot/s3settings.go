package snapshot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/policy"
	"github.com/iamwhy/iamwhy/snapshot/settings"
)

// S3 and KMS settings in resource-policy records (docs/environment-resources.md):
//
//	bucket:        object_ownership, acl (get-bucket-acl output), block_public_access
//	object:        acl (get-object-acl output): who owns the object and its grants
//	access point:  policy, bucket, network_origin, vpc_id, block_public_access
//	KMS key:       grants (list-grants output's Grants)
//	account:       a record with account and no arn: block_public_access (the
//	               account-level setting), canonical_id (its S3 canonical user)

// S3Account is an account's S3 settings.
type S3Account struct {
	// BlockPublicAccess is the account-level setting; nil: none recorded.
	BlockPublicAccess *BlockPublicAccess
	// CanonicalID is the account's S3 canonical user ID ("" unknown).
	CanonicalID string
	Source      string
}

// resourceSettingKeys are the record keys besides arn, account, policy
// and block_public_access.
var resourceSettingKeys = map[string]bool{"object_ownership": true, "acl": true, "grants": true, "bucket": true,
	"network_origin": true, "vpc_id": true, "canonical_id": true}

const resourceRecordKeys = "arn, account, policy, block_public_access, object_ownership, acl, grants, bucket, network_origin, vpc_id, canonical_id"

// setSetting reads one of resourceSettingKeys from its JSON value.
func (r *Resource) setSetting(key string, raw []byte) error {
	if string(raw) == "null" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var err error
	switch key {
	case "object_ownership":
		var s string
		if err = dec.Decode(&s); err == nil {
			var o eval.ObjectOwnership
			if o, err = settings.ObjectOwnershipValue(s); err == nil {
				r.ObjectOwnership = o
			}
		}
	case "acl":
		var a settings.ACLRecord
		if err = dec.Decode(&a); err == nil {
			if err = a.Validate(); err == nil {
				r.ACL = &a
			}
		}
	case "grants":
		gs := []settings.GrantRecord{}
		if err = dec.Decode(&gs); err == nil {
			for i := range gs {
				if err = gs[i].Validate(); err != nil {
					break
				}
			}
			r.Grants = gs
		}
	case "bucket":
		err = dec.Decode(&r.Bucket)
	case "network_origin":
		if err = dec.Decode(&r.NetworkOrigin); err == nil && r.NetworkOrigin != "Internet" && r.NetworkOrigin != "VPC" {
			err = fmt.Errorf("%q (want Internet or VPC)", r.NetworkOrigin)
		}
	case "vpc_id":
		err = dec.Decode(&r.VpcID)
	case "canonical_id":
		err = dec.Decode(&r.CanonicalID)
	}
	if err != nil {
		return fmt.Errorf("%s: %s", key, strings.TrimPrefix(describeJSONError(err), "json: "))
	}
	return nil
}

// setSettingYAML is setSetting for a YAML value.
func (r *Resource) setSettingYAML(key string, v *yaml.Node) error {
	var raw any
	if err := v.Decode(&raw); err != nil {
		return fmt.Errorf("%s:%s", key, yamlErrorText(err))
	}
	data, err := json.Marshal(raw)
	if err != nil {
		return fmt.Errorf("%s: not a JSON-like value", key)
	}
	return r.setSetting(key, data)
}

// checkSettings says which settings fit which resource.
func (r *Resource) checkSettings(a arn.ARN) error {
	typ := resourceTypeOf(r.ARN)
	accessPoint := a.Service == "s3" && strings.HasPrefix(a.Resource, "accesspoint/")
	bad := func(key, what string) error {
		return fmt.Errorf("%s: %s: %s applies to %s only", r.Source, r.ARN, key, what)
	}
	switch {
	case r.ObjectOwnership != "" && typ != "s3:bucket":
		return bad("object_ownership", "S3 buckets")
	case r.ACL != nil && typ != "s3:bucket" && typ != "s3:object":
		return bad("acl", "S3 buckets and objects")
	case r.Grants != nil && typ != "kms:key":
		return bad("grants", "KMS keys")
	case (r.Bucket != "" || r.NetworkOrigin != "" || r.VpcID != "") && !accessPoint:
		return bad("bucket, network_origin and vpc_id", "S3 access points")
	case r.CanonicalID != "":
		return bad("canonical_id", "account records (a record with account and no arn)")
	case accessPoint && r.Bucket == "":
		return fmt.Errorf("%s: %s: an access point record needs bucket", r.Source, r.ARN)
	case r.NetworkOrigin == "VPC" && r.VpcID == "":
		return fmt.Errorf("%s: %s: network_origin VPC needs vpc_id", r.Source, r.ARN)
	}
	return nil
}

// addAccountRecord indexes a record with an account and no ARN: the
// account's S3 settings.
func (e *Environment) addAccountRecord(r *Resource) error {
	if !arn.IsAccountID(r.Account) {
		return fmt.Errorf("%s: account %q is not a 12-digit account id", r.Source, r.Account)
	}
	if r.Policy != nil || r.ObjectOwnership != "" || r.ACL != nil || r.Grants != nil || r.Bucket != "" || r.NetworkOrigin != "" || r.VpcID != "" {
		return fmt.Errorf("%s: a record without arn is an account's S3 settings and takes only account, block_public_access and canonical_id", r.Source)
	}
	if e.S3Accounts == nil {
		e.S3Accounts = map[string]*S3Account{}
	}
	if prev, dup := e.S3Accounts[r.Account]; dup {
		return fmt.Errorf("%s: account %s has S3 settings already (at %s)", r.Source, r.Account, prev.Source)
	}
	e.S3Accounts[r.Account] = &S3Account{BlockPublicAccess: r.BlockPublicAccess, CanonicalID: r.CanonicalID, Source: r.Source}
	if r.CanonicalID != "" {
		e.noteCanonicalID(r.CanonicalID, r.Account)
	}
	return nil
}

func (e *Environment) noteCanonicalID(id, account string) {
	if e.canonical == nil {
		e.canonical = map[string]string{}
	}
	e.canonical[id] = account
}

// CanonicalAccount returns the account of an S3 canonical user ID, known
// from account records and from the owners of recorded bucket ACLs.
func (e *Environment) CanonicalAccount(id string) (string, bool) {
	a, ok := e.canonical[id]
	return a, ok
}

// s3KMSLayers adds to l what the environment records about S3 and KMS
// for the request: the bucket's and account's Block Public Access, Object
// Ownership and ACLs, the access point the request goes through (whose
// bucket's policy then is the resource policy), and a KMS key's grants.
func (e *Environment) s3KMSLayers(req *eval.Request, l *eval.Layers, resAccount string) error {
	a, ok := arn.Parse(req.Resource)
	if !ok {
		return nil
	}
	switch {
	case a.Service == "kms":
		if r := e.Resources[req.Resource]; r != nil && r.Grants != nil {
			l.KMSGrants = make([]eval.KMSGrant, 0, len(r.Grants))
			for i := range r.Grants {
				l.KMSGrants = append(l.KMSGrants, r.Grants[i].Eval())
			}
		}
	case a.Service == "s3" && a.Account == "" && a.Region == "":
		bucket, _, isObject := strings.Cut(a.Resource, "/")
		l.S3 = e.s3Settings("arn:"+a.Partition+":s3:::"+bucket, req.Resource, isObject, resAccount)
	case a.Service == "s3" && strings.HasPrefix(a.Resource, "accesspoint/"):
		name, _, _ := strings.Cut(strings.TrimPrefix(a.Resource, "accesspoint/"), "/")
		apARN := "arn:" + a.Partition + ":s3:" + a.Region + ":" + a.Account + ":accesspoint/" + name
		r := e.Resources[apARN]
		if r == nil {
			return nil // not collected: no access point settings; ResourceGaps reports it
		}
		ap := &eval.AccessPoint{ARN: apARN, Bucket: r.Bucket, NetworkOrigin: r.NetworkOrigin, VpcID: r.VpcID, BlockPublicAccess: r.BlockPublicAccess.Eval()}
		if r.Policy != nil {
			p, err := e.compiled(r.Policy, policy.TypeResource)
			if err != nil {
				return err
			}
			ap.Policy = p
		}
		bucketARN := "arn:" + a.Partition + ":s3:::" + r.Bucket
		b := e.Resources[bucketARN]
		if b == nil {
			return fmt.Errorf("the bucket %s behind access point %s was not collected; its bucket policy must also allow requests through the access point", r.Bucket, apARN)
		}
		ap.BucketAccount = b.Account
		l.Resource = nil
		if b.Policy != nil {
			p, err := e.compiled(b.Policy, policy.TypeResource)
			if err != nil {
				return err
			}
			l.Resource = p
		}
		l.AccessPoint = ap
		s := e.s3Settings(bucketARN, "", false, b.Account)
		if s == nil {
			s = &eval.S3{}
		}
		if acct := e.S3Accounts[a.Account]; acct != nil && a.Account != b.Account {
			// The access point's account setting applies too.
			s.AccountBlockPublicAccess = mergedBPA(s.AccountBlockPublicAccess, acct.BlockPublicAccess.Eval())
		}
		l.S3 = s
	}
	return nil
}

func mergedBPA(a, b *eval.BlockPublicAccess) *eval.BlockPublicAccess {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	return &eval.BlockPublicAccess{BlockPublicAcls: a.BlockPublicAcls || b.BlockPublicAcls, IgnorePublicAcls: a.IgnorePublicAcls || b.IgnorePublicAcls,
		BlockPublicPolicy: a.BlockPublicPolicy || b.BlockPublicPolicy, RestrictPublicBuckets: a.RestrictPublicBuckets || b.RestrictPublicBuckets}
}

// s3Settings builds a bucket's S3 settings; nil when nothing is recorded.
func (e *Environment) s3Settings(bucketARN, objectARN string, isObject bool, owner string) *eval.S3 {
	b := e.Resources[bucketARN]
	acct := e.S3Accounts[owner]
	if (b == nil || (b.BlockPublicAccess == nil && b.ObjectOwnership == "" && b.ACL == nil)) && (acct == nil || acct.BlockPublicAccess == nil) {
		return nil
	}
	s := &eval.S3{}
	if acct != nil {
		s.AccountBlockPublicAccess = acct.BlockPublicAccess.Eval()
	}
	if b != nil {
		s.BucketBlockPublicAccess = b.BlockPublicAccess.Eval()
		s.ObjectOwnership = b.ObjectOwnership
		s.BucketACL = b.ACL.Eval(e.CanonicalAccount)
	}
	if isObject && s.ObjectOwnership.ACLsEnabled() {
		if o := e.Resources[objectARN]; o != nil && o.ACL != nil {
			s.ObjectACL = o.ACL.Eval(e.CanonicalAccount)
			if s.ObjectACL.OwnerAccount == "" && o.ACL.Owner != nil && o.ACL.Owner.ID != "" {
				s.ObjectOwnerUnknown = true
			}
		} else {
			s.ObjectOwnerUnknown = true
		}
	}
	return s
}
