// Package authdetails is the wire format of IAM's
// GetAccountAuthorizationDetails as the AWS CLI prints it
// (`aws iam get-account-authorization-details`): one page of users, groups,
// roles and customer managed policies, with their policy documents as JSON
// objects. It is the one definition of that format: package snapshot reads
// it and package snapshot/collect writes it.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html
//
// The types take the type of the policy documents as a parameter D: a
// writer uses json.RawMessage (the document's JSON); a reader that finds
// the documents' bytes itself uses Skipped, which the decoder passes over
// without copying.
package authdetails

// Page is one page of GetAccountAuthorizationDetails (the AWS CLI prints
// all pages as one; a file may also hold several pages one after another).
type Page[D any] struct {
	UserDetailList  []User[D]          `json:"UserDetailList"`
	GroupDetailList []Group[D]         `json:"GroupDetailList"`
	RoleDetailList  []Role[D]          `json:"RoleDetailList"`
	Policies        []ManagedPolicy[D] `json:"Policies"`
	IsTruncated     bool               `json:"IsTruncated"`
}

// InlinePolicy is an entry of UserPolicyList, GroupPolicyList or
// RolePolicyList.
type InlinePolicy[D any] struct {
	PolicyName     string `json:"PolicyName"`
	PolicyDocument D      `json:"PolicyDocument"`
}

// AttachedPolicy is an entry of AttachedManagedPolicies.
type AttachedPolicy struct {
	PolicyName string `json:"PolicyName"`
	PolicyArn  string `json:"PolicyArn"`
}

// Boundary is a user's or role's PermissionsBoundary.
type Boundary struct {
	PermissionsBoundaryType string `json:"PermissionsBoundaryType"`
	PermissionsBoundaryArn  string `json:"PermissionsBoundaryArn"`
}

// Tag is a user's or role's tag.
type Tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// User is an entry of UserDetailList.
type User[D any] struct {
	Path                    string            `json:"Path"`
	UserName                string            `json:"UserName"`
	UserID                  string            `json:"UserId"`
	Arn                     string            `json:"Arn"`
	CreateDate              string            `json:"CreateDate,omitempty"`
	UserPolicyList          []InlinePolicy[D] `json:"UserPolicyList"`
	GroupList               []string          `json:"GroupList"`
	AttachedManagedPolicies []AttachedPolicy  `json:"AttachedManagedPolicies"`
	PermissionsBoundary     *Boundary         `json:"PermissionsBoundary,omitempty"`
	Tags                    []Tag             `json:"Tags"`
}

// Group is an entry of GroupDetailList.
type Group[D any] struct {
	Path                    string            `json:"Path"`
	GroupName               string            `json:"GroupName"`
	GroupID                 string            `json:"GroupId"`
	Arn                     string            `json:"Arn"`
	CreateDate              string            `json:"CreateDate,omitempty"`
	GroupPolicyList         []InlinePolicy[D] `json:"GroupPolicyList"`
	AttachedManagedPolicies []AttachedPolicy  `json:"AttachedManagedPolicies"`
}

// RoleLastUsed is when and where a role was last used.
type RoleLastUsed struct {
	LastUsedDate string `json:"LastUsedDate,omitempty"`
	Region       string `json:"Region,omitempty"`
}

// Role is an entry of RoleDetailList; AssumeRolePolicyDocument is its
// trust policy.
type Role[D any] struct {
	Path                     string            `json:"Path"`
	RoleName                 string            `json:"RoleName"`
	RoleID                   string            `json:"RoleId"`
	Arn                      string            `json:"Arn"`
	CreateDate               string            `json:"CreateDate,omitempty"`
	AssumeRolePolicyDocument D                 `json:"AssumeRolePolicyDocument,omitempty"`
	RolePolicyList           []InlinePolicy[D] `json:"RolePolicyList"`
	AttachedManagedPolicies  []AttachedPolicy  `json:"AttachedManagedPolicies"`
	PermissionsBoundary      *Boundary         `json:"PermissionsBoundary,omitempty"`
	Tags                     []Tag             `json:"Tags"`
	RoleLastUsed             *RoleLastUsed     `json:"RoleLastUsed"`
}

// PolicyVersion is an entry of a managed policy's PolicyVersionList.
type PolicyVersion[D any] struct {
	Document         D      `json:"Document"`
	VersionID        string `json:"VersionId"`
	IsDefaultVersion bool   `json:"IsDefaultVersion"`
	CreateDate       string `json:"CreateDate,omitempty"`
}

// ManagedPolicy is an entry of Policies: a customer managed policy, with
// its versions.
type ManagedPolicy[D any] struct {
	PolicyName                    string             `json:"PolicyName"`
	PolicyID                      string             `json:"PolicyId"`
	Arn                           string             `json:"Arn"`
	Path                          string             `json:"Path"`
	DefaultVersionID              string             `json:"DefaultVersionId"`
	AttachmentCount               int32              `json:"AttachmentCount"`
	PermissionsBoundaryUsageCount int32              `json:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool               `json:"IsAttachable"`
	CreateDate                    string             `json:"CreateDate,omitempty"`
	UpdateDate                    string             `json:"UpdateDate,omitempty"`
	PolicyVersionList             []PolicyVersion[D] `json:"PolicyVersionList"`
}

// Skipped is a policy document a reader does not decode: encoding/json
// passes over its value (checking only that it is well-formed JSON), so a
// reader that takes the documents' bytes from the input itself copies only
// those it keeps.
type Skipped struct{}

// UnmarshalJSON keeps nothing.
func (*Skipped) UnmarshalJSON([]byte) error { return nil }
