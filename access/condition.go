package access

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
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
	Negated bool `json:"negated,omitempty"`
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
	o := parseOperator(c.Operator)
	if pos, ok := negatedOps[o.base]; ok && o.set == "" {
		return positiveNames[pos] + " " + c.Key + vals
	}
	if o.base == "null" {
		return "Null " + c.Key + " [false]"
	}
	return "not (" + c.Operator + " " + c.Key + vals + ")"
}

// positiveNames spells the positive operators as AWS does.
var positiveNames = map[string]string{
	"stringequals":           "StringEquals",
	"stringequalsignorecase": "StringEqualsIgnoreCase",
	"stringlike":             "StringLike",
	"numericequals":          "NumericEquals",
	"dateequals":             "DateEquals",
	"ipaddress":              "IpAddress",
	"arnequals":              "ArnEquals",
	"arnlike":                "ArnLike",
}

// operator is a condition operator split into its parts.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
type operator struct {
	base     string // lower-case, e.g. "stringnotequals"
	set      string // "", "forallvalues", "foranyvalue"
	ifExists bool
}

func parseOperator(op string) operator {
	var o operator
	l := strings.ToLower(op)
	if i := strings.IndexByte(l, ':'); i >= 0 {
		o.set, l = l[:i], l[i+1:]
	}
	if strings.HasSuffix(l, "ifexists") {
		o.ifExists, l = true, strings.TrimSuffix(l, "ifexists")
	}
	o.base = l
	return o
}

// negatedOps maps each negated operator to its positive form.
var negatedOps = map[string]string{
	"stringnotequals":           "stringequals",
	"stringnotequalsignorecase": "stringequalsignorecase",
	"stringnotlike":             "stringlike",
	"numericnotequals":          "numericequals",
	"datenotequals":             "dateequals",
	"notipaddress":              "ipaddress",
	"arnnotequals":              "arnequals",
	"arnnotlike":                "arnlike",
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
	o := parseOperator(op)
	if len(values) == 0 {
		return "", false
	}
	v := values[0]
	if strings.Contains(v, "${") && o.base != "null" {
		return "", false
	}
	switch o.base {
	case "stringequals", "stringequalsignorecase", "arnequals", "bool", "binaryequals", "numericequals",
		"numericlessthanequals", "numericgreaterthanequals", "dateequals", "datelessthanequals", "dategreaterthanequals":
		return v, true
	case "stringlike", "arnlike":
		return strings.NewReplacer("*", "x", "?", "x").Replace(v), true
	case "stringnotequals", "stringnotequalsignorecase", "stringnotlike", "arnnotequals", "arnnotlike":
		return otherValue, true
	case "numericlessthan", "numericgreaterthan":
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return "", false
		}
		if o.base == "numericlessthan" {
			f--
		} else {
			f++
		}
		return strconv.FormatFloat(f, 'f', -1, 64), true
	case "datelessthan", "dategreaterthan":
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return "", false
		}
		if o.base == "datelessthan" {
			t = t.Add(-time.Second)
		} else {
			t = t.Add(time.Second)
		}
		return t.UTC().Format(time.RFC3339), true
	case "ipaddress":
		if p, err := netip.ParsePrefix(v); err == nil {
			return p.Masked().Addr().String(), true
		}
		if a, err := netip.ParseAddr(v); err == nil {
			return a.String(), true
		}
	case "null":
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
	o := parseOperator(op)
	if len(values) == 0 {
		return "", false
	}
	if pos, neg := negatedOps[o.base]; neg {
		if o.set == "forallvalues" {
			return "", false
		}
		return satisfying(pos, values)
	}
	if o.base == "null" && strings.EqualFold(values[0], "true") {
		return "true", true
	}
	if o.ifExists {
		switch o.base {
		case "stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike":
			return otherValue, true
		case "bool":
			if strings.EqualFold(values[0], "true") {
				return "false", true
			}
			return "true", true
		}
	}
	return "", false
}
