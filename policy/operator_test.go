package policy

import "testing"

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
func TestParseConditionOperator(t *testing.T) {
	for _, tt := range []struct {
		text     string
		base     OperatorBase
		set      SetQualifier
		ifExists bool
		negated  bool
		family   OperatorFamily
		err      bool
	}{
		{"StringEquals", OpStringEquals, SetNone, false, false, FamilyString, false},
		{"stringequals", OpStringEquals, SetNone, false, false, FamilyString, false},
		{"ForAnyValue:StringNotLikeIfExists", OpStringNotLike, ForAnyValue, true, true, FamilyString, false},
		{"forallvalues:ArnLike", OpArnLike, ForAllValues, false, false, FamilyARN, false},
		{"NotIpAddress", OpNotIPAddress, SetNone, false, true, FamilyIPAddress, false},
		{"NumericLessThanEqualsIfExists", OpNumericLessThanEquals, SetNone, true, false, FamilyNumeric, false},
		{"DateNotEquals", OpDateNotEquals, SetNone, false, true, FamilyDate, false},
		{"BoolIfExists", OpBool, SetNone, true, false, FamilyBool, false},
		{"BinaryEquals", OpBinaryEquals, SetNone, false, false, FamilyBinary, false},
		{"Null", OpNull, SetNone, false, false, FamilyNull, false},
		{"NullIfExists", OpNull, SetNone, true, false, FamilyNull, true},
		{"IfExists", OpUnknown, SetNone, false, false, FamilyUnknown, true},
		{"StringSoundsLike", OpUnknown, SetNone, false, false, FamilyUnknown, true},
		{"ForSomeValues:StringEquals", OpUnknown, SetNone, false, false, FamilyUnknown, true},
	} {
		o, err := ParseConditionOperator(tt.text)
		if (err != nil) != tt.err {
			t.Errorf("%s: error %v, want error %v", tt.text, err, tt.err)
			continue
		}
		if err != nil && tt.base == OpUnknown {
			continue
		}
		if o.Base != tt.base || o.Set != tt.set || o.IfExists != tt.ifExists || o.Negated() != tt.negated || o.Family() != tt.family {
			t.Errorf("%s: got %+v negated %v family %v", tt.text, o, o.Negated(), o.Family())
		}
	}
	for b := OpUnknown + 1; b < opCount; b++ {
		if o, err := ParseConditionOperator(b.String()); err != nil || o.Base != b {
			t.Errorf("%s does not parse back: %v", b, err)
		}
		if p := b.Positive(); p.Negated() {
			t.Errorf("%s: positive form %s is negated", b, p)
		}
	}
}
