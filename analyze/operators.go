package analyze

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"
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

// operatorFamilies maps the base operator names (lower case) to their
// family; the negated forms are marked by name.
var operatorFamilies = map[string]opFamily{
	"stringequals": famString, "stringnotequals": famString,
	"stringequalsignorecase": famString, "stringnotequalsignorecase": famString,
	"stringlike": famString, "stringnotlike": famString,
	"numericequals": famNumeric, "numericnotequals": famNumeric,
	"numericlessthan": famNumeric, "numericlessthanequals": famNumeric,
	"numericgreaterthan": famNumeric, "numericgreaterthanequals": famNumeric,
	"dateequals": famDate, "datenotequals": famDate,
	"datelessthan": famDate, "datelessthanequals": famDate,
	"dategreaterthan": famDate, "dategreaterthanequals": famDate,
	"bool":         famBool,
	"binaryequals": famBinary,
	"ipaddress":    famIP, "notipaddress": famIP,
	"arnequals": famARN, "arnlike": famARN, "arnnotequals": famARN, "arnnotlike": famARN,
	"null": famNull,
}

// parseOperator splits "ForAnyValue:StringLikeIfExists" into its parts.
// The ForAllValues/ForAnyValue qualifiers and the IfExists suffix are the
// only modifiers. Null with IfExists or a qualifier parses (the checks
// report them: "the Null condition operator cannot be used with
// IfExists").
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
func parseOperator(op string) (operator, bool) {
	var o operator
	name := op
	if set, rest, ok := strings.Cut(op, ":"); ok {
		switch strings.ToLower(set) {
		case "forallvalues":
			o.set = "ForAllValues"
		case "foranyvalue":
			o.set = "ForAnyValue"
		default:
			return o, false
		}
		name = rest
	}
	l := strings.ToLower(name)
	if base, ok := strings.CutSuffix(l, "ifexists"); ok && base != "" {
		o.ifExists = true
		l = base
	}
	fam, ok := operatorFamilies[l]
	if !ok {
		return o, false
	}
	o.family = fam
	o.negated = strings.Contains(l, "not")
	o.like = strings.HasSuffix(l, "like")
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
