// Package policy is the IAM policy language: it parses policy documents of
// every kind (identity, resource, trust, permissions boundary, session, SCP,
// RCP, VPC endpoint) from JSON or YAML into a typed model that keeps the line and
// column of every element, and rejects what AWS rejects.
//
// The grammar follows "Grammar of the IAM JSON policy language"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html).
// The package knows nothing about accounts or requests: deciding is the job of
// package eval.
//
// Parse reads a document and applies the rules of one policy Type; the error
// it returns is an ErrorList naming every problem with its line:column (1-based,
// columns in bytes). Element positions are those of the element's key (for
// example Statement.EffectPos is where "Effect" is written); Value positions
// are those of the value itself. Element names and the Effect value are
// case-sensitive, as in AWS.
//
// Pos is the one position type of iamwhy (file, line, column, offset) and
// Pos.String the one text form of a location (FILE:LINE:COL). ParseYAML
// reads a document written in YAML with the YAML file's positions.
// ParseJSONOrString (built on Unwrap) also accepts a document held by an
// AWS CLI or API output, in a JSON string or URL-encoded, as AWS tools hand
// them out.
package policy

import "fmt"

// Type is the kind of policy a document is used as. It decides which
// elements are allowed (a Principal in an identity policy is an error, a
// resource policy needs one).
type Type int

const (
	// TypeAny accepts every element; used when the caller does not know
	// the policy's role yet. Validation for a specific type can follow.
	TypeAny Type = iota
	TypeIdentity
	TypeResource
	TypeTrust
	TypeBoundary
	TypeSession
	TypeSCP
	TypeRCP
	TypeVPCEndpoint
)

var typeNames = [...]string{"any", "identity", "resource", "trust", "boundary", "session", "scp", "rcp", "vpc_endpoint"}

func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("Type(%d)", int(t))
}

// ParseType maps a name such as "identity" or "scp" (as used on the command
// line and in check files) to a Type.
func ParseType(name string) (Type, error) {
	for i, n := range typeNames {
		if n == name {
			return Type(i), nil
		}
	}
	switch name {
	case "permissions-boundary", "permissions_boundary":
		return TypeBoundary, nil
	case "vpc-endpoint", "vpce":
		return TypeVPCEndpoint, nil
	}
	return TypeAny, fmt.Errorf("unknown policy type %q (want identity, resource, trust, boundary, session, scp, rcp or vpc_endpoint)", name)
}

// Versions of the policy language.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Policy is one parsed policy document.
type Policy struct {
	// Source names where the document came from (a file path, a policy
	// ARN, "inline"); it prefixes error messages and traces.
	Source string
	// Version is the Version element, "" when absent. Policy variables
	// are only substituted under Version2012.
	Version    string
	VersionPos Pos
	// ID is the optional Id element; IDPos is the position of its key.
	ID         string
	IDPos      Pos
	Statements []Statement
	// Pos is the position of the document's opening brace.
	Pos Pos
}

// VariablesEnabled reports whether ${...} in the document is a policy
// variable (true) or literal text (Version 2008-10-17 or absent).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
func (p *Policy) VariablesEnabled() bool { return p.Version == Version2012 }

// Effect is Allow or Deny.
type Effect string

const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Value is a string from the document with its position. Numbers and
// booleans in condition values are kept as their JSON text ("10", "true").
type Value struct {
	Text string
	Pos  Pos
}

// List is an Action/NotAction or Resource/NotResource element.
type List struct {
	// Present is false when the statement has neither form.
	Present bool
	// Not is true for NotAction / NotResource.
	Not bool
	// Values are the entries; a single string in the document is a list
	// of one.
	Values []Value
	// Pos is the position of the element's key.
	Pos Pos
}

// PrincipalKind is the key inside a Principal object.
type PrincipalKind string

const (
	PrincipalAWS           PrincipalKind = "AWS"
	PrincipalService       PrincipalKind = "Service"
	PrincipalFederated     PrincipalKind = "Federated"
	PrincipalCanonicalUser PrincipalKind = "CanonicalUser"
)

// PrincipalEntry is one principal named in a Principal or NotPrincipal.
type PrincipalEntry struct {
	Kind  PrincipalKind
	Value string
	Pos   Pos
}

// Principals is a Principal or NotPrincipal element.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
type Principals struct {
	Present bool
	Not     bool
	// Wildcard is true for "Principal": "*" (everyone, anonymous callers
	// included). {"AWS": "*"} is recorded as an entry of kind AWS with
	// value "*", and matches the same requests.
	Wildcard bool
	Entries  []PrincipalEntry
	Pos      Pos
}

// Condition is one (operator, key) pair of a Condition block with its values.
// A block {"StringEquals": {"a": "x", "b": ["y", "z"]}} yields two Conditions.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
type Condition struct {
	// Operator is the operator as written, qualifiers included, e.g.
	// "ForAnyValue:StringLikeIfExists". Package eval interprets it, so
	// an unknown operator is reported there as "undetermined".
	Operator    string
	OperatorPos Pos
	// Key is the condition key as written (keys are case-insensitive).
	Key    string
	KeyPos Pos
	// Values are OR-ed (for negated operators: none may match). A JSON
	// array gives several; a scalar gives one.
	Values []Value
}

// Statement is one statement of a policy.
type Statement struct {
	// Index is the 0-based position in the policy's Statement list.
	Index int
	Sid   string
	// SidPos is the position of the Sid key (zero when there is none).
	SidPos Pos
	Effect Effect
	// EffectPos is the position of the Effect key.
	EffectPos  Pos
	Action     List
	Resource   List
	Principal  Principals
	Conditions []Condition
	// Pos is the position of the statement's opening brace.
	Pos Pos
}

// Label names the statement for people: its Sid, or its 0-based index.
func (s *Statement) Label() string {
	if s.Sid != "" {
		return s.Sid
	}
	return fmt.Sprintf("%d", s.Index)
}

// Error is a problem in a document, with its position.
type Error struct {
	Source string
	Pos    Pos
	Msg    string
}

func (e *Error) Error() string {
	src := e.Source
	if src == "" {
		src = "policy"
	}
	p := e.Pos
	if p.File == "" {
		p.File = src
	}
	return p.String() + ": " + e.Msg
}

// ErrorList is every problem found in one document, in source order.
type ErrorList []*Error

func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0].Error(), len(l)-1)
}
