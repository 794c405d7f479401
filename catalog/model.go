package catalog

import (
	"strings"
	"sync"
)

// AccessLevel classifies an action as the Service Authorization Reference
// does (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).
type AccessLevel uint8

// Access levels. AccessUnknown is the zero value for data the reference did
// not classify.
const (
	AccessUnknown AccessLevel = iota
	AccessList
	AccessRead
	AccessWrite
	AccessPermissionsManagement
	AccessTagging
)

var accessNames = [...]string{"Unknown", "List", "Read", "Write", "Permissions management", "Tagging"}

func (l AccessLevel) String() string {
	if int(l) < len(accessNames) {
		return accessNames[l]
	}
	return "Unknown"
}

// ParseAccessLevel accepts the reference's names case-insensitively, and
// also "permissions-management"/"permissions_management".
func ParseAccessLevel(s string) (AccessLevel, bool) {
	n := strings.NewReplacer("-", " ", "_", " ").Replace(strings.ToLower(strings.TrimSpace(s)))
	for i, name := range accessNames[1:] {
		if strings.ToLower(name) == n {
			return AccessLevel(i + 1), true
		}
	}
	return AccessUnknown, false
}

// accessLevelOf maps the source's access level. The source joins flags with
// ", " ("Tagging, Write", "Permissions management, Write") because AWS's
// machine-readable reference marks tagging-only and permissions-management
// actions as writes too; the documentation's single access level is the
// more specific one, so that is what we keep.
func accessLevelOf(s string) AccessLevel {
	switch {
	case strings.Contains(s, "Permissions management"):
		return AccessPermissionsManagement
	case strings.Contains(s, "Tagging"):
		return AccessTagging
	case s == "Write":
		return AccessWrite
	case s == "Read":
		return AccessRead
	case s == "List":
		return AccessList
	}
	return AccessUnknown
}

// KeyType is the value type of a condition key, which decides how the
// condition operators compare it
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html).
type KeyType uint8

// Key types as the Service Authorization Reference names them. The ArrayOf
// types are multivalued keys, used with ForAnyValue/ForAllValues.
const (
	KeyUnknown KeyType = iota
	KeyString
	KeyARN
	KeyNumeric
	KeyDate
	KeyBool
	KeyIPAddress
	KeyBinary
	KeyArrayOfString
	KeyArrayOfARN
	KeyArrayOfNumeric
	KeyArrayOfDate
	KeyArrayOfBool
	KeyArrayOfIPAddress
	KeyArrayOfBinary
)

var keyTypeNames = [...]string{"Unknown", "String", "ARN", "Numeric", "Date", "Bool", "IPAddress", "Binary",
	"ArrayOfString", "ArrayOfARN", "ArrayOfNumeric", "ArrayOfDate", "ArrayOfBool", "ArrayOfIPAddress", "ArrayOfBinary"}

func (t KeyType) String() string {
	if int(t) < len(keyTypeNames) {
		return keyTypeNames[t]
	}
	return "Unknown"
}

// IsArray reports whether the key is multivalued.
func (t KeyType) IsArray() bool { return t >= KeyArrayOfString }

// Elem is the type of one value: String for ArrayOfString, itself otherwise.
func (t KeyType) Elem() KeyType {
	if t.IsArray() {
		return t - KeyArrayOfString + KeyString
	}
	return t
}

// ParseKeyType maps a reference type name ("String", "ArrayOfARN", ...) to
// a KeyType. The source spells IP addresses "IPAddress"; "Ip" is accepted
// too.
func ParseKeyType(s string) (KeyType, bool) {
	for i, n := range keyTypeNames[1:] {
		if strings.EqualFold(n, s) {
			return KeyType(i + 1), true
		}
	}
	switch strings.ToLower(s) {
	case "ip":
		return KeyIPAddress, true
	case "arrayofip":
		return KeyArrayOfIPAddress, true
	case "boolean":
		return KeyBool, true
	}
	return KeyUnknown, false
}

// Service is one service prefix of the reference.
type Service struct {
	// Prefix is the action prefix, e.g. "s3".
	Prefix string
	// Name is the service's name, e.g. "Amazon S3".
	Name string
	// RCPSupported reports whether resource control policies apply to
	// the service (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).
	RCPSupported bool
	// Actions in canonical order (sorted case-insensitively).
	Actions []*Action
	// ResourceTypes the service defines.
	ResourceTypes []*ResourceType
	// ConditionKeys the service defines (including the aws: keys its
	// resource types and actions list, as the reference does).
	ConditionKeys []*ConditionKey

	cat *Catalog
	// The actions are decoded on first use (lazy.go): actionsAt is where
	// they start in the catalog's stream, descBase the first one's
	// description, byName indexes them by lower-case full name.
	actOnce   sync.Once
	actionsAt int
	descBase  int32
	byName    map[string]*Action
	// asciiTypes: every resource type's name is ASCII (resourceTypeNamed).
	asciiTypes bool
}

// Action is one IAM action.
type Action struct {
	// Service defines the action.
	Service *Service
	// FullName is the canonical "prefix:Name", e.g. "s3:GetObject".
	FullName string
	// Access is the access level.
	Access AccessLevel
	// Resources are the resource types the action works on; empty when
	// the action supports only Resource "*".
	Resources []ActionResource
	// ConditionKeys the action supports whatever the resource.
	ConditionKeys []string
	// DependentActions the action also needs.
	DependentActions []string

	desc int32 // index into the descriptions stream
}

// Description is the reference's one-line description of the action. The
// descriptions are decoded on first use.
func (a *Action) Description() string { return a.Service.cat.description(a.desc) }

// Name is the action without its prefix, e.g. "GetObject".
func (a *Action) Name() string { return a.FullName[len(a.Service.Prefix)+1:] }

// ActionResource is one resource type an action works on.
type ActionResource struct {
	Type *ResourceType
	// Required is the reference's asterisk: the action needs this
	// resource type in the request.
	Required bool
	// ConditionKeys apply when the request is on this resource type.
	ConditionKeys []string
	// DependentActions are needed when the request is on this type.
	DependentActions []string
}

// ResourceType is a kind of resource a service defines.
type ResourceType struct {
	Service *Service
	// Name is the reference's name, e.g. "object".
	Name string
	// ARNFormats are the ARN templates, e.g.
	// "arn:${Partition}:s3:::${BucketName}/${ObjectName}"; most types have
	// one.
	ARNFormats []string
	// ConditionKeys apply to requests on this resource type.
	ConditionKeys []string

	// formats are the compiled ARNFormats (formatsOf).
	formatsOnce sync.Once
	formats     []arnFormat
}

// ConditionKey is a condition key: global (aws:...) or service-specific.
// A templated key such as "aws:ResourceTag/${TagKey}" stands for every key
// with some text in place of the variable.
type ConditionKey struct {
	// Name is the canonical spelling, with variables in ${...} or <...>.
	Name string
	// Type is the value type.
	Type KeyType
	// Global marks the keys of the global condition keys page
	// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html),
	// which every request may carry.
	Global bool
	// Category groups global keys: principal, session, network,
	// resource, request. Empty for service keys.
	Category string
	// Service is the prefix of the service defining a service key ("" for
	// global keys).
	Service string

	cat  *Catalog
	desc int32 // index into the descriptions stream; -1 for none
}

// Description is the reference's description of the key; empty for global
// keys, which the source lists without one.
func (k *ConditionKey) Description() string {
	if k.cat == nil {
		return ""
	}
	return k.cat.description(k.desc)
}

// IsTemplate reports whether the key name has a variable part.
func (k *ConditionKey) IsTemplate() bool {
	return strings.Contains(k.Name, "${") || strings.Contains(k.Name, "<")
}
