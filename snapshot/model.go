package snapshot

import (
	"time"

	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/snapshot/authdetails"
	"github.com/iamwhy/iamwhy/snapshot/settings"
)

// Tag is a key/value tag on a user or role, as authorization details
// carry it.
type Tag = authdetails.Tag

// InlinePolicy is a policy embedded in a user, group or role.
type InlinePolicy struct {
	Name     string
	Document *Document
}

// AttachedManagedPolicy is a managed policy attached to a user, group or
// role, named by ARN. Its document is in Environment.ManagedPolicy.
type AttachedManagedPolicy struct {
	Name string
	ARN  string
}

// User is an IAM user.
type User struct {
	Account string
	ARN     string
	Path    string
	Name    string
	ID      string
	// Groups are the names of the groups the user belongs to (same
	// account).
	Groups          []string
	InlinePolicies  []InlinePolicy
	ManagedPolicies []AttachedManagedPolicy
	BoundaryARN     string // permissions boundary, "" when none
	Tags            []Tag
	CreateDate      time.Time
	Source          string // file:line:col of the user's record
}

// Group is an IAM group.
type Group struct {
	Account         string
	ARN             string
	Path            string
	Name            string
	ID              string
	InlinePolicies  []InlinePolicy
	ManagedPolicies []AttachedManagedPolicy
	CreateDate      time.Time
	Source          string
}

// Role is an IAM role.
type Role struct {
	Account string
	ARN     string
	Path    string
	Name    string
	ID      string
	// Trust is the role's trust policy (AssumeRolePolicyDocument).
	Trust           *Document
	InlinePolicies  []InlinePolicy
	ManagedPolicies []AttachedManagedPolicy
	BoundaryARN     string
	Tags            []Tag
	CreateDate      time.Time
	// LastUsed and LastUsedRegion come from RoleLastUsed; zero when the
	// role was not used in the tracking period.
	LastUsed       time.Time
	LastUsedRegion string
	Source         string
}

// IsServiceLinked reports whether the role is a service-linked role (path
// /aws-service-role/), which SCPs and RCPs do not restrict.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
func (r *Role) IsServiceLinked() bool {
	return len(r.Path) >= len("/aws-service-role/") && r.Path[:len("/aws-service-role/")] == "/aws-service-role/"
}

// ManagedPolicy is a customer or AWS managed policy with its default
// version's document.
type ManagedPolicy struct {
	ARN  string
	Name string
	Path string
	ID   string
	// DefaultVersion is the version in force ("v3"); Document is its
	// text. Other versions are not kept: only the default is evaluated.
	DefaultVersion string
	Document       *Document
	// AWSManaged is true for policies in the "aws" namespace
	// (arn:aws:iam::aws:policy/...).
	AWSManaged      bool
	AttachmentCount int
	Source          string
}

// Account is one AWS account's IAM entities, in the order they were read.
type Account struct {
	ID     string
	Users  []*User
	Groups []*Group
	Roles  []*Role
	// Policies are the customer managed policies defined in the account.
	Policies []*ManagedPolicy
	// Sources are the authorization-details files the account was read
	// from.
	Sources []string

	usersByName  map[string]*User
	groupsByName map[string]*Group
	rolesByName  map[string]*Role
}

func newAccount(id string) *Account {
	return &Account{
		ID:           id,
		usersByName:  map[string]*User{},
		groupsByName: map[string]*Group{},
		rolesByName:  map[string]*Role{},
	}
}

// User returns the user with the given name (names are unique in an
// account, whatever the path).
func (a *Account) User(name string) (*User, bool) { u, ok := a.usersByName[name]; return u, ok }

// Group returns the group with the given name.
func (a *Account) Group(name string) (*Group, bool) { g, ok := a.groupsByName[name]; return g, ok }

// Role returns the role with the given name (role names are unique in an
// account, whatever the path; an assumed-role ARN names the role without
// its path).
func (a *Account) Role(name string) (*Role, bool) { r, ok := a.rolesByName[name]; return r, ok }

// BlockPublicAccess is an S3 Block Public Access configuration.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
type BlockPublicAccess = settings.BlockPublicAccess

// Resource is a resource that a resource-policy record describes: its ARN,
// the owning account and its resource-based policy (nil when the record
// says the resource has none).
type Resource struct {
	ARN     string
	Account string
	Policy  *Document
	// BlockPublicAccess is the bucket's (or access point's)
	// configuration, nil when not recorded.
	BlockPublicAccess *BlockPublicAccess
	// ObjectOwnership is a bucket's Object Ownership ("" when not
	// recorded: BucketOwnerEnforced, the default).
	ObjectOwnership eval.ObjectOwnership
	// ACL is a bucket's or object's ACL, nil when not recorded.
	ACL *settings.ACLRecord
	// Grants are a KMS key's grants; nil when not collected, empty when
	// it has none.
	Grants []settings.GrantRecord
	// Bucket, NetworkOrigin and VpcID describe an S3 access point.
	Bucket        string
	NetworkOrigin string
	VpcID         string
	// CanonicalID is set only on account records (S3Accounts).
	CanonicalID string
	// Source is file:line:col of the record.
	Source string
}

// ResourceType returns the resource's type as its ARN says it: "s3:bucket",
// "kms:key", "sqs:queue", "sns:topic", "lambda:function",
// "secretsmanager:secret", "ecr:repository", "ec2:vpc-endpoint", or
// "SERVICE:" followed by the first word of the resource part for others.
func (r *Resource) ResourceType() string { return resourceTypeOf(r.ARN) }

func resourceTypeOf(arn string) string {
	a, ok := ParseARN(arn)
	if !ok {
		return ""
	}
	switch a.Service {
	case "s3":
		if a.Account == "" && a.Region == "" {
			if i := indexByte(a.Resource, '/'); i >= 0 {
				return "s3:object"
			}
			return "s3:bucket"
		}
	case "sqs":
		return "sqs:queue"
	case "sns":
		return "sns:topic"
	}
	res := a.Resource
	for i := 0; i < len(res); i++ {
		if res[i] == '/' || res[i] == ':' {
			res = res[:i]
			break
		}
	}
	return a.Service + ":" + res
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}
