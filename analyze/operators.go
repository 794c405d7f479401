package analyze

import (
	"encoding/base64"
	"strconv"
	"time"

	"github.com/iamwhy/iamwhy/policy"
)

// opFamily is the kind of value a condition operator compares.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
type opFamily int

const (
	famString opFamily = iota
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famARN
	famNull
)

var famNames = [...]string{"string", "numeric", "date", "boolean", "binary", "IP address", "ARN", "Null"}

func (f opFamily) String() string { return famNames[f] }

// operator is a condition operator split into its parts.
type operator struct {
	family   opFamily
	negated  bool
	ifExists bool
	like     bool   // StringLike, StringNotLike, ArnLike, ArnNotLike
	set      string // "", "ForAllValues" or "ForAnyValue"
}

// familyOf maps policy's operator families to lint's.
var familyOf = map[policy.OperatorFamily]opFamily{
	policy.FamilyString: famString, policy.FamilyNumeric: famNumeric, policy.FamilyDate: famDate,
	policy.FamilyBool: famBool, policy.FamilyBinary: famBinary, policy.FamilyIPAddress: famIP,
	policy.FamilyARN: famARN, policy.FamilyNull: famNull,
}

// parseOperator splits "ForAnyValue:StringLikeIfExists" into its parts.
// The ForAllValues/ForAnyValue qualifiers and the IfExists suffix are the
// only modifiers. Null with IfExists or a qualifier parses (the checks
// report them: "the Null condition operator cannot be used with
// IfExists").
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
func parseOperator(op string) (operator, bool) {
	// Package policy owns the operators; its error for Null with IfExists
	// still returns the parts, which lint reports itself.
	po, err := policy.ParseConditionOperator(op)
	if err != nil && po.Base != policy.OpNull {
		return operator{}, false
	}
	o := operator{family: familyOf[po.Family()], negated: po.Negated(), ifExists: po.IfExists, set: po.Set.String()}
	switch po.Base.Positive() {
	case policy.OpStringLike, policy.OpArnLike:
		o.like = true
	}
	return o, true
}

// fitsKeyType reports whether the operator family is meant for a key of
// the reference's type (element type for ArrayOf keys). String operators
// also serve ARN keys, as AWS allows, and ARN operators serve String keys
// that hold ARNs (kms:EncryptionContext:aws:s3:arn, tags): AWS's own
// managed policies compare them so.
func (f opFamily) fitsKeyType(elem string) bool {
	switch f {
	case famString:
		return elem == "String" || elem == "ARN"
	case famNumeric:
		return elem == "Numeric"
	case famDate:
		return elem == "Date"
	case famBool:
		return elem == "Bool"
	case famBinary:
		return elem == "Binary"
	case famIP:
		return elem == "IPAddress"
	case famARN:
		return elem == "ARN" || elem == "String"
	}
	return true
}

// validBase64 reports whether a BinaryEquals value is base64.
func validBase64(v string) bool {
	_, err := base64.StdEncoding.DecodeString(v)
	return err == nil
}

// validDate accepts the ISO 8601 forms AWS documents for date conditions
// and epoch (UNIX) time.
func validDate(v string) bool {
	if _, err := strconv.ParseInt(v, 10, 64); err == nil {
		return true
	}
	for _, layout := range []string{time.RFC3339, time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if _, err := time.Parse(layout, v); err == nil {
			return true
		}
	}
	return false
}
