package policy

import (
	"fmt"
	"strings"
)

// ConditionOperator is a condition operator parsed into its parts, once, for
// every package that reads conditions (eval decides with it, analyze lints
// it, access looks for values that satisfy it):
// "ForAnyValue:StringNotLikeIfExists" is Set ForAnyValue, Base
// OpStringNotLike (Negated, family FamilyString), IfExists.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
type ConditionOperator struct {
	// Text is the operator as written.
	Text string
	// Base is the operator without its set qualifier and IfExists
	// suffix; OpUnknown when the name is not an IAM condition operator.
	Base OperatorBase
	// Set is the ForAllValues/ForAnyValue qualifier, if any.
	Set SetQualifier
	// IfExists: an absent key makes the condition true (after the set
	// qualifier's rule).
	IfExists bool
}

// ParseConditionOperator splits an operator into its parts. The error says
// what is wrong with a name that is not an IAM condition operator (an
// unknown qualifier or base, Null with IfExists); the parts found are
// returned with it.
func ParseConditionOperator(s string) (ConditionOperator, error) {
	o := ConditionOperator{Text: s}
	name := s
	if q, rest, ok := strings.Cut(s, ":"); ok {
		switch strings.ToLower(q) {
		case "forallvalues":
			o.Set = ForAllValues
		case "foranyvalue":
			o.Set = ForAnyValue
		default:
			return o, fmt.Errorf("unknown condition set operator %q (want ForAllValues or ForAnyValue)", q)
		}
		name = rest
	}
	l := strings.ToLower(name)
	if base, ok := strings.CutSuffix(l, "ifexists"); ok && base != "" {
		o.IfExists, l = true, base
	}
	b, ok := operatorBases[l]
	if !ok {
		return o, fmt.Errorf("unknown condition operator %q", s)
	}
	o.Base = b
	if b == OpNull && o.IfExists {
		// "the Null condition operator cannot be used with IfExists"
		return o, fmt.Errorf("unknown condition operator %q: Null cannot be used with IfExists", s)
	}
	return o, nil
}

// Negated reports whether the base operator is a negated one
// (StringNotEquals, NotIpAddress, ArnNotLike, ...): it holds when no policy
// value matches, and on an absent key.
func (o ConditionOperator) Negated() bool { return o.Base.Negated() }

// Family is the kind of value the operator compares.
func (o ConditionOperator) Family() OperatorFamily { return o.Base.Family() }

// Known reports whether the operator is an IAM condition operator.
func (o ConditionOperator) Known() bool { return o.Base != OpUnknown }

// String returns the operator as written.
func (o ConditionOperator) String() string { return o.Text }

// SetQualifier is a condition's ForAllValues/ForAnyValue prefix.
type SetQualifier uint8

const (
	SetNone SetQualifier = iota
	ForAllValues
	ForAnyValue
)

func (q SetQualifier) String() string {
	switch q {
	case ForAllValues:
		return "ForAllValues"
	case ForAnyValue:
		return "ForAnyValue"
	}
	return ""
}

// OperatorFamily is the kind of value an operator compares.
type OperatorFamily uint8

const (
	FamilyUnknown OperatorFamily = iota
	FamilyString
	FamilyNumeric
	FamilyDate
	FamilyBool
	FamilyBinary
	FamilyIPAddress
	FamilyARN
	FamilyNull
)

var familyNames = [...]string{"unknown", "string", "numeric", "date", "boolean", "binary", "IP address", "ARN", "Null"}

func (f OperatorFamily) String() string { return familyNames[f] }

// OperatorBase is a condition operator without qualifier or IfExists.
type OperatorBase uint8

const (
	OpUnknown OperatorBase = iota
	OpStringEquals
	OpStringNotEquals
	OpStringEqualsIgnoreCase
	OpStringNotEqualsIgnoreCase
	OpStringLike
	OpStringNotLike
	OpNumericEquals
	OpNumericNotEquals
	OpNumericLessThan
	OpNumericLessThanEquals
	OpNumericGreaterThan
	OpNumericGreaterThanEquals
	OpDateEquals
	OpDateNotEquals
	OpDateLessThan
	OpDateLessThanEquals
	OpDateGreaterThan
	OpDateGreaterThanEquals
	OpBool
	OpBinaryEquals
	OpIPAddress
	OpNotIPAddress
	OpArnEquals
	OpArnLike
	OpArnNotEquals
	OpArnNotLike
	OpNull
	opCount
)

// operatorInfo is one base operator's facts: its name as AWS spells it,
// its family, and for a negated operator the positive one it inverts.
type operatorInfo struct {
	name     string
	family   OperatorFamily
	positive OperatorBase
}

var operatorTable = [opCount]operatorInfo{
	OpUnknown:                   {"", FamilyUnknown, OpUnknown},
	OpStringEquals:              {"StringEquals", FamilyString, OpStringEquals},
	OpStringNotEquals:           {"StringNotEquals", FamilyString, OpStringEquals},
	OpStringEqualsIgnoreCase:    {"StringEqualsIgnoreCase", FamilyString, OpStringEqualsIgnoreCase},
	OpStringNotEqualsIgnoreCase: {"StringNotEqualsIgnoreCase", FamilyString, OpStringEqualsIgnoreCase},
	OpStringLike:                {"StringLike", FamilyString, OpStringLike},
	OpStringNotLike:             {"StringNotLike", FamilyString, OpStringLike},
	OpNumericEquals:             {"NumericEquals", FamilyNumeric, OpNumericEquals},
	OpNumericNotEquals:          {"NumericNotEquals", FamilyNumeric, OpNumericEquals},
	OpNumericLessThan:           {"NumericLessThan", FamilyNumeric, OpNumericLessThan},
	OpNumericLessThanEquals:     {"NumericLessThanEquals", FamilyNumeric, OpNumericLessThanEquals},
	OpNumericGreaterThan:        {"NumericGreaterThan", FamilyNumeric, OpNumericGreaterThan},
	OpNumericGreaterThanEquals:  {"NumericGreaterThanEquals", FamilyNumeric, OpNumericGreaterThanEquals},
	OpDateEquals:                {"DateEquals", FamilyDate, OpDateEquals},
	OpDateNotEquals:             {"DateNotEquals", FamilyDate, OpDateEquals},
	OpDateLessThan:              {"DateLessThan", FamilyDate, OpDateLessThan},
	OpDateLessThanEquals:        {"DateLessThanEquals", FamilyDate, OpDateLessThanEquals},
	OpDateGreaterThan:           {"DateGreaterThan", FamilyDate, OpDateGreaterThan},
	OpDateGreaterThanEquals:     {"DateGreaterThanEquals", FamilyDate, OpDateGreaterThanEquals},
	OpBool:                      {"Bool", FamilyBool, OpBool},
	OpBinaryEquals:              {"BinaryEquals", FamilyBinary, OpBinaryEquals},
	OpIPAddress:                 {"IpAddress", FamilyIPAddress, OpIPAddress},
	OpNotIPAddress:              {"NotIpAddress", FamilyIPAddress, OpIPAddress},
	OpArnEquals:                 {"ArnEquals", FamilyARN, OpArnEquals},
	OpArnLike:                   {"ArnLike", FamilyARN, OpArnLike},
	OpArnNotEquals:              {"ArnNotEquals", FamilyARN, OpArnEquals},
	OpArnNotLike:                {"ArnNotLike", FamilyARN, OpArnLike},
	OpNull:                      {"Null", FamilyNull, OpNull},
}

// operatorBases maps lower-cased base names to operators.
var operatorBases = func() map[string]OperatorBase {
	m := make(map[string]OperatorBase, opCount)
	for b := OpUnknown + 1; b < opCount; b++ {
		m[strings.ToLower(operatorTable[b].name)] = b
	}
	return m
}()

// String is the operator's name as AWS spells it ("" for OpUnknown).
func (b OperatorBase) String() string {
	if b >= opCount {
		return ""
	}
	return operatorTable[b].name
}

// Family is the kind of value the operator compares.
func (b OperatorBase) Family() OperatorFamily {
	if b >= opCount {
		return FamilyUnknown
	}
	return operatorTable[b].family
}

// Negated reports whether the operator holds when no value matches.
func (b OperatorBase) Negated() bool { return b < opCount && operatorTable[b].positive != b }

// Positive returns the operator whose "some value matches" test a negated
// operator inverts; the operator itself otherwise.
func (b OperatorBase) Positive() OperatorBase {
	if b >= opCount {
		return OpUnknown
	}
	return operatorTable[b].positive
}

// VariablesAllowed reports whether the operator substitutes policy
// variables in its values: only string and ARN operators do; for the
// others "${" is literal text.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-wheretouse
func (b OperatorBase) VariablesAllowed() bool {
	f := b.Family()
	return f == FamilyString || f == FamilyARN
}

// Wildcards reports whether '*' and '?' in the operator's values are
// wildcards (StringLike and the ARN operators).
func (b OperatorBase) Wildcards() bool {
	switch b.Positive() {
	case OpStringLike, OpArnEquals, OpArnLike:
		return true
	}
	return false
}

// ParsedOperator returns the condition's operator in parts (see
// ParseConditionOperator).
func (c *Condition) ParsedOperator() (ConditionOperator, error) {
	return ParseConditionOperator(c.Operator)
}
