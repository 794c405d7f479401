package access

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/iamwhy/iamwhy/policy"
)

// Condition is one condition of a policy statement that must hold (or, in
// Unless, must not hold) for the request to be allowed, as written in the
// policy: the operator with its qualifiers, the key and the values.
type Condition struct {
	// Operator as written, e.g. "StringEquals" or
	// "ForAnyValue:StringLikeIfExists".
	Operator string   `json:"operator"`
	Key      string   `json:"key"`
	Values   []string `json:"values"`
	// Negated is true when the condition must NOT hold: a Deny
	// statement's condition that matched only because the request lacks
	// the key.
	Negated bool `json:"negated"`
	// Policy and Statement name where the condition is written.
	Policy    string `json:"policy"`
	Statement string `json:"statement"`
	// Layer is the layer of the policy ("identity", "resource", "scp",
	// ...).
	Layer string `json:"layer"`
}

// String renders the condition for people: "StringEquals aws:SourceVpc
// [vpc-1]", or "not (Bool aws:SecureTransport [false])".
func (c Condition) String() string {
	vals := " [" + strings.Join(c.Values, ", ") + "]"
	if !c.Negated {
		return c.Operator + " " + c.Key + vals
	}
	// A condition that held only because its key was absent fails when
	// the key is present with a value the positive operator accepts.
	o, _ := policy.ParseConditionOperator(c.Operator)
	if o.Negated() && o.Set == policy.SetNone {
		return o.Base.Positive().String() + " " + c.Key + vals
	}
	if o.Base == policy.OpNull {
		return "Null " + c.Key + " [false]"
	}
	return "not (" + c.Operator + " " + c.Key + vals + ")"
}

// otherValue is a value chosen to differ from every policy value of a
// string or ARN condition: no policy names it.
const otherValue = "iamwhy-unlisted-value"

// satisfying returns a value of the key that makes a condition hold, when
// one can be written down without knowing more than the condition: the
// first policy value for equality operators, the pattern with its
// wildcards filled for Like operators, a number or date just inside a
// bound, the first address of a CIDR block, any value for "Null false",
// and a value outside the list for negated string operators. ok is false
// for values with policy variables and operators it cannot satisfy alone.
func satisfying(op string, values []string) (string, bool) {
	o, _ := policy.ParseConditionOperator(op)
	return satisfyingBase(o.Base, values)
}

func satisfyingBase(b policy.OperatorBase, values []string) (string, bool) {
	if len(values) == 0 {
		return "", false
	}
	v := values[0]
	if strings.Contains(v, "${") && b != policy.OpNull {
		return "", false
	}
	switch b {
	case policy.OpStringEquals, policy.OpStringEqualsIgnoreCase, policy.OpArnEquals, policy.OpBool, policy.OpBinaryEquals, policy.OpNumericEquals,
		policy.OpNumericLessThanEquals, policy.OpNumericGreaterThanEquals, policy.OpDateEquals, policy.OpDateLessThanEquals, policy.OpDateGreaterThanEquals:
		return v, true
	case policy.OpStringLike, policy.OpArnLike:
		return strings.NewReplacer("*", "x", "?", "x").Replace(v), true
	case policy.OpStringNotEquals, policy.OpStringNotEqualsIgnoreCase, policy.OpStringNotLike, policy.OpArnNotEquals, policy.OpArnNotLike:
		return otherValue, true
	case policy.OpNumericLessThan, policy.OpNumericGreaterThan:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return "", false
		}
		if b == policy.OpNumericLessThan {
			f--
		} else {
			f++
		}
		return strconv.FormatFloat(f, 'f', -1, 64), true
	case policy.OpDateLessThan, policy.OpDateGreaterThan:
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return "", false
		}
		if b == policy.OpDateLessThan {
			t = t.Add(-time.Second)
		} else {
			t = t.Add(time.Second)
		}
		return t.UTC().Format(time.RFC3339), true
	case policy.OpIPAddress:
		if p, err := netip.ParsePrefix(v); err == nil {
			return p.Masked().Addr().String(), true
		}
		if a, err := netip.ParseAddr(v); err == nil {
			return a.String(), true
		}
	case policy.OpNull:
		if strings.EqualFold(v, "false") {
			return "true", true
		}
	}
	return "", false
}

// falsifying returns a value of an absent key that makes a condition that
// held only because the key was absent fail: for a negated operator, a
// value it lists; for an IfExists operator, a value it does not list; for
// "Null true", any value. ok is false when no such value can be written
// down from the condition alone.
func falsifying(op string, values []string) (string, bool) {
	o, _ := policy.ParseConditionOperator(op)
	if len(values) == 0 {
		return "", false
	}
	if o.Negated() {
		if o.Set == policy.ForAllValues {
			return "", false
		}
		return satisfyingBase(o.Base.Positive(), values)
	}
	if o.Base == policy.OpNull && strings.EqualFold(values[0], "true") {
		return "true", true
	}
	if o.IfExists {
		switch o.Base {
		case policy.OpStringEquals, policy.OpStringEqualsIgnoreCase, policy.OpStringLike, policy.OpArnEquals, policy.OpArnLike:
			return otherValue, true
		case policy.OpBool:
			if strings.EqualFold(values[0], "true") {
				return "false", true
			}
			return "true", true
		}
	}
	return "", false
}
