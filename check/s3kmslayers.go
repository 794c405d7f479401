package check

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/snapshot/settings"
)

// The layer keys for S3 and KMS settings (docs/check-s3-kms.md). Each takes
// the shape the AWS CLI prints, so an output can be pasted as it is:
//
//	block_public_access:          get-public-access-block's PublicAccessBlockConfiguration (bucket level)
//	account_block_public_access:  s3control get-public-access-block's configuration (bucket owner's account)
//	object_ownership:             BucketOwnerEnforced | BucketOwnerPreferred | ObjectWriter
//	bucket_acl, object_acl:       get-bucket-acl / get-object-acl output ({Owner, Grants})
//	canonical_ids:                {CANONICAL_USER_ID: ACCOUNT}: whose canonical user an ACL names
//	request_policy:               the policy a PutBucketPolicy / PutAccessPointPolicy request puts
//	request_acl:                  the ACL a PutBucketAcl / PutObjectAcl request sets in its body
//	access_point:                 {arn, bucket, bucket_account, policy, network_origin, vpc_id, block_public_access}
//	kms_grants:                   list-grants output (a list of grants, or {Grants: [...]})

// s3KMSLayerKeys are the layer keys this file reads.
var s3KMSLayerKeys = map[string]bool{
	"block_public_access": true, "account_block_public_access": true, "object_ownership": true,
	"bucket_acl": true, "object_acl": true, "canonical_ids": true, "request_policy": true,
	"request_acl": true, "access_point": true, "kms_grants": true,
}

// CaseS3 holds a case's S3 and KMS layer keys.
type CaseS3 struct {
	AccountBlockPublicAccess *eval.BlockPublicAccess
	BucketBlockPublicAccess  *eval.BlockPublicAccess
	ObjectOwnership          eval.ObjectOwnership
	ownershipGiven           bool
	bucketACL, objectACL     *settings.ACLRecord
	requestACL               *settings.ACLRecord
	canonicalIDs             map[string]string
	// RequestPolicy is the policy a PutBucketPolicy or
	// PutAccessPointPolicy request puts.
	RequestPolicy *PolicyRef
	AccessPoint   *CaseAccessPoint
	KMSGrants     []eval.KMSGrant
}

// CaseAccessPoint is the access point a case's request goes through.
type CaseAccessPoint struct {
	eval.AccessPoint
	PolicyRef *PolicyRef
}

// decodeStrict decodes a YAML value into v through JSON, refusing unknown
// fields.
func decodeStrict(n *yaml.Node, v any) error {
	var raw any
	if err := n.Decode(&raw); err != nil {
		return err
	}
	data, err := json.Marshal(raw)
	if err != nil {
		return fmt.Errorf("not a JSON-like value: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

// readS3KMSLayer reads one of the S3 and KMS layer keys into l.S3KMS.
func (f *File) readS3KMSLayer(l *CaseLayers, key string, v *yaml.Node) error {
	if l.S3KMS == nil {
		l.S3KMS = &CaseS3{}
	}
	s := l.S3KMS
	switch key {
	case "block_public_access", "account_block_public_access":
		var b settings.BlockPublicAccess
		if err := decodeStrict(v, &b); err != nil {
			return err
		}
		if key == "block_public_access" {
			s.BucketBlockPublicAccess = b.Eval()
		} else {
			s.AccountBlockPublicAccess = b.Eval()
		}
	case "object_ownership":
		if v.Kind != yaml.ScalarNode {
			return errors.New("want BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter")
		}
		o, err := settings.ObjectOwnershipValue(v.Value)
		if err != nil {
			return err
		}
		s.ObjectOwnership, s.ownershipGiven = o, true
	case "bucket_acl", "object_acl", "request_acl":
		var r settings.ACLRecord
		if err := decodeStrict(v, &r); err != nil {
			return err
		}
		if err := r.Validate(); err != nil {
			return err
		}
		switch key {
		case "bucket_acl":
			s.bucketACL = &r
		case "object_acl":
			s.objectACL = &r
		default:
			s.requestACL = &r
		}
	case "canonical_ids":
		if err := decodeStrict(v, &s.canonicalIDs); err != nil {
			return fmt.Errorf("want a mapping from canonical user ID to account ID: %v", err)
		}
	case "request_policy":
		ref, err := f.singleRef(v)
		if err != nil {
			return err
		}
		s.RequestPolicy = ref
	case "access_point":
		var ap struct {
			ARN               string                      `json:"arn"`
			Bucket            string                      `json:"bucket"`
			BucketAccount     string                      `json:"bucket_account"`
			NetworkOrigin     string                      `json:"network_origin"`
			VpcID             string                      `json:"vpc_id"`
			BlockPublicAccess *settings.BlockPublicAccess `json:"block_public_access"`
			Policy            json.RawMessage             `json:"policy"`
		}
		// The policy is a reference (name, path or inline document):
		// read it from the node, the rest through JSON.
		var policyNode *yaml.Node
		if v.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(v.Content); i += 2 {
				if v.Content[i].Value == "policy" {
					policyNode = v.Content[i+1]
				}
			}
		}
		if err := decodeStrict(v, &ap); err != nil {
			return err
		}
		if !strings.HasPrefix(ap.ARN, "arn:") || !strings.Contains(ap.ARN, ":accesspoint/") {
			return fmt.Errorf("arn %q is not an access point ARN (arn:aws:s3:REGION:ACCOUNT:accesspoint/NAME)", ap.ARN)
		}
		if ap.Bucket == "" {
			return errors.New("bucket (the bucket's name) is required")
		}
		switch ap.NetworkOrigin {
		case "", "Internet":
		case "VPC":
			if ap.VpcID == "" {
				return errors.New("network_origin VPC needs vpc_id")
			}
		default:
			return fmt.Errorf("network_origin %q (want Internet or VPC)", ap.NetworkOrigin)
		}
		apc := &CaseAccessPoint{AccessPoint: eval.AccessPoint{ARN: ap.ARN, Bucket: ap.Bucket, BucketAccount: ap.BucketAccount,
			NetworkOrigin: ap.NetworkOrigin, VpcID: ap.VpcID, BlockPublicAccess: ap.BlockPublicAccess.Eval()}}
		if policyNode != nil && policyNode.Tag != "!!null" {
			ref, err := f.singleRef(policyNode)
			if err != nil {
				return fmt.Errorf("policy: %v", err)
			}
			apc.PolicyRef = ref
		}
		s.AccessPoint = apc
	case "kms_grants":
		var grants []settings.GrantRecord
		if v.Kind == yaml.MappingNode {
			var out struct {
				Grants     []settings.GrantRecord `json:"Grants"`
				Truncated  bool                   `json:"Truncated"`
				NextMarker string                 `json:"NextMarker"`
			}
			if err := decodeStrict(v, &out); err != nil {
				return err
			}
			if out.Truncated {
				return errors.New("the list-grants output is truncated (Truncated: true); give every page")
			}
			grants = out.Grants
		} else if err := decodeStrict(v, &grants); err != nil {
			return err
		}
		s.KMSGrants = []eval.KMSGrant{}
		for i := range grants {
			if err := grants[i].Validate(); err != nil {
				return err
			}
			s.KMSGrants = append(s.KMSGrants, grants[i].Eval())
		}
	}
	return nil
}

// finish checks the keys together once all are read.
func (s *CaseS3) finish() error {
	if s == nil {
		return nil
	}
	if (s.bucketACL != nil || s.objectACL != nil) && !s.ownershipGiven {
		return errors.New("bucket_acl and object_acl count only when ACLs are enabled: give object_ownership (ObjectWriter or BucketOwnerPreferred; BucketOwnerEnforced, the default, disables ACLs)")
	}
	return nil
}

// hasS3 reports whether any S3 bucket setting was given.
func (s *CaseS3) hasS3() bool {
	return s.AccountBlockPublicAccess != nil || s.BucketBlockPublicAccess != nil || s.ownershipGiven ||
		s.bucketACL != nil || s.objectACL != nil || s.requestACL != nil || s.RequestPolicy != nil
}

// layers adds the S3 and KMS settings to l. compile compiles a policy
// reference.
func (s *CaseS3) layers(l *eval.Layers, compile func(*PolicyRef) (*eval.Policy, error)) error {
	if s == nil {
		return nil
	}
	accountOf := func(id string) (string, bool) {
		a, ok := s.canonicalIDs[id]
		return a, ok
	}
	if s.hasS3() {
		e := &eval.S3{AccountBlockPublicAccess: s.AccountBlockPublicAccess, BucketBlockPublicAccess: s.BucketBlockPublicAccess,
			ObjectOwnership: s.ObjectOwnership, BucketACL: s.bucketACL.Eval(accountOf), ObjectACL: s.objectACL.Eval(accountOf),
			NewACL: s.requestACL.Eval(accountOf)}
		if s.RequestPolicy != nil {
			p, err := compile(s.RequestPolicy)
			if err != nil {
				return err
			}
			e.NewPolicy = p.Doc
		}
		l.S3 = e
	}
	if s.AccessPoint != nil {
		ap := s.AccessPoint.AccessPoint
		if s.AccessPoint.PolicyRef != nil {
			p, err := compile(s.AccessPoint.PolicyRef)
			if err != nil {
				return err
			}
			ap.Policy = p
		}
		l.AccessPoint = &ap
	}
	if s.KMSGrants != nil {
		l.KMSGrants = s.KMSGrants
	}
	return nil
}
