// Package settings holds the S3 and KMS access settings that environment
// records and check files carry, in the shapes the AWS CLI prints them, so
// that an output can be pasted as it is: get-bucket-acl / get-object-acl
// (ACLRecord), list-grants (GrantRecord), get-public-access-block
// (BlockPublicAccess), and their conversion for the engine.
package settings

import (
	"encoding/json"
	"fmt"

	"github.com/iamwhy/iamwhy/eval"
)

// BlockPublicAccess is an S3 Block Public Access configuration
// (PublicAccessBlockConfiguration), at the account, bucket or access point
// level.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
type BlockPublicAccess struct {
	BlockPublicAcls       bool `json:"BlockPublicAcls"`
	IgnorePublicAcls      bool `json:"IgnorePublicAcls"`
	BlockPublicPolicy     bool `json:"BlockPublicPolicy"`
	RestrictPublicBuckets bool `json:"RestrictPublicBuckets"`
}

// ACLRecord is an S3 access control list as get-bucket-acl and
// get-object-acl print it. Owner.Account and Grantee.Account are
// extensions: the account of a canonical user, where known.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketAcl.html
type ACLRecord struct {
	Owner  *ACLOwner        `json:"Owner,omitempty"`
	Grants []ACLGrantRecord `json:"Grants"`
	// RequestCharged is part of get-object-acl's output; ignored.
	RequestCharged string `json:"RequestCharged,omitempty"`
}

// ACLOwner is the owner of a bucket or object.
type ACLOwner struct {
	ID          string `json:"ID,omitempty"`
	DisplayName string `json:"DisplayName,omitempty"`
	Account     string `json:"Account,omitempty"`
}

// ACLGrantRecord is one grant.
type ACLGrantRecord struct {
	Grantee    ACLGrantee `json:"Grantee"`
	Permission string     `json:"Permission"`
}

// ACLGrantee is a grantee: Type CanonicalUser (ID), Group (URI) or
// AmazonCustomerByEmail (EmailAddress).
type ACLGrantee struct {
	Type         string `json:"Type"`
	ID           string `json:"ID,omitempty"`
	URI          string `json:"URI,omitempty"`
	EmailAddress string `json:"EmailAddress,omitempty"`
	DisplayName  string `json:"DisplayName,omitempty"`
	Account      string `json:"Account,omitempty"`
}

// aclPermissions are the permissions an ACL grant can name.
var aclPermissions = map[string]bool{"READ": true, "WRITE": true, "READ_ACP": true, "WRITE_ACP": true, "FULL_CONTROL": true}

// Validate checks the grants' types and permissions.
func (r *ACLRecord) Validate() error {
	for i, g := range r.Grants {
		if !aclPermissions[g.Permission] {
			//lint:ignore ST1005 the message starts with the AWS field name
			return fmt.Errorf("Grants[%d]: Permission %q (want READ, WRITE, READ_ACP, WRITE_ACP or FULL_CONTROL)", i, g.Permission)
		}
		switch g.Grantee.Type {
		case "CanonicalUser":
			if g.Grantee.ID == "" && g.Grantee.Account == "" {
				//lint:ignore ST1005 the message starts with the AWS field name
				return fmt.Errorf("Grants[%d]: a CanonicalUser grantee needs ID (or Account)", i)
			}
		case "Group":
			if g.Grantee.URI == "" {
				//lint:ignore ST1005 the message starts with the AWS field name
				return fmt.Errorf("Grants[%d]: a Group grantee needs URI", i)
			}
		case "AmazonCustomerByEmail":
			if g.Grantee.EmailAddress == "" && g.Grantee.Account == "" {
				//lint:ignore ST1005 the message starts with the AWS field name
				return fmt.Errorf("Grants[%d]: an AmazonCustomerByEmail grantee needs EmailAddress (or Account)", i)
			}
		default:
			//lint:ignore ST1005 the message starts with the AWS field name
			return fmt.Errorf("Grants[%d]: Grantee Type %q (want CanonicalUser, Group or AmazonCustomerByEmail)", i, g.Grantee.Type)
		}
	}
	return nil
}

// Eval converts the record for the engine. accountOf maps a canonical user
// ID to its account (nil: none known); a grantee whose account is not
// known stays a canonical user, which the engine treats as undetermined
// where it matters.
func (r *ACLRecord) Eval(accountOf func(canonicalID string) (string, bool)) *eval.ACL {
	if r == nil {
		return nil
	}
	lookup := func(id, account string) string {
		if account != "" {
			return account
		}
		if accountOf != nil && id != "" {
			if a, ok := accountOf(id); ok {
				return a
			}
		}
		return ""
	}
	out := &eval.ACL{Grants: make([]eval.ACLGrant, 0, len(r.Grants))}
	if r.Owner != nil {
		out.OwnerAccount = lookup(r.Owner.ID, r.Owner.Account)
	}
	for _, g := range r.Grants {
		eg := eval.ACLGrant{Permission: g.Permission}
		switch g.Grantee.Type {
		case "Group":
			eg.Group = g.Grantee.URI
		case "AmazonCustomerByEmail":
			if eg.Account = lookup("", g.Grantee.Account); eg.Account == "" {
				eg.CanonicalID = g.Grantee.EmailAddress
			}
		default:
			if eg.Account = lookup(g.Grantee.ID, g.Grantee.Account); eg.Account == "" {
				eg.CanonicalID = g.Grantee.ID
			}
		}
		out.Grants = append(out.Grants, eg)
	}
	return out
}

// GrantRecord is a KMS grant as list-grants prints it.
// https://docs.aws.amazon.com/kms/latest/APIReference/API_ListGrants.html
type GrantRecord struct {
	KeyId             string            `json:"KeyId,omitempty"`
	GrantId           string            `json:"GrantId"`
	Name              string            `json:"Name,omitempty"`
	CreationDate      json.RawMessage   `json:"CreationDate,omitempty"`
	GranteePrincipal  string            `json:"GranteePrincipal"`
	RetiringPrincipal string            `json:"RetiringPrincipal,omitempty"`
	IssuingAccount    string            `json:"IssuingAccount,omitempty"`
	Operations        []string          `json:"Operations"`
	Constraints       *GrantConstraints `json:"Constraints,omitempty"`
}

// GrantConstraints are a grant's encryption context constraints.
type GrantConstraints struct {
	EncryptionContextSubset map[string]string `json:"EncryptionContextSubset,omitempty"`
	EncryptionContextEquals map[string]string `json:"EncryptionContextEquals,omitempty"`
}

// Validate checks that the grant names a grantee and operations.
func (g *GrantRecord) Validate() error {
	if g.GranteePrincipal == "" {
		return fmt.Errorf("grant %q: GranteePrincipal is required", g.GrantId)
	}
	if len(g.Operations) == 0 {
		return fmt.Errorf("grant %q: Operations is required", g.GrantId)
	}
	return nil
}

// Eval converts the grant for the engine.
func (g *GrantRecord) Eval() eval.KMSGrant {
	out := eval.KMSGrant{GrantID: g.GrantId, Name: g.Name, GranteePrincipal: g.GranteePrincipal,
		RetiringPrincipal: g.RetiringPrincipal, Operations: g.Operations}
	if g.Constraints != nil {
		out.EncryptionContextEquals = g.Constraints.EncryptionContextEquals
		out.EncryptionContextSubset = g.Constraints.EncryptionContextSubset
	}
	return out
}

// Eval converts a Block Public Access configuration.
func (b *BlockPublicAccess) Eval() *eval.BlockPublicAccess {
	if b == nil {
		return nil
	}
	return &eval.BlockPublicAccess{BlockPublicAcls: b.BlockPublicAcls, IgnorePublicAcls: b.IgnorePublicAcls,
		BlockPublicPolicy: b.BlockPublicPolicy, RestrictPublicBuckets: b.RestrictPublicBuckets}
}

// ObjectOwnershipValue checks an Object Ownership setting's spelling.
func ObjectOwnershipValue(s string) (eval.ObjectOwnership, error) {
	switch o := eval.ObjectOwnership(s); o {
	case eval.BucketOwnerEnforced, eval.BucketOwnerPreferred, eval.ObjectWriter:
		return o, nil
	}
	return "", fmt.Errorf("object ownership %q (want BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter)", s)
}
