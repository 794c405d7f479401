package eval

import (
	"bytes"
	"encoding/base64"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/iamwhy/iamwhy/policy"
)

// baseOp is a condition operator without its ForAllValues/ForAnyValue
// qualifier and IfExists suffix; package policy owns the operators and
// their facts (family, negation, variables, wildcards).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
type baseOp = policy.OperatorBase

// The operators by their short names here.
const (
	opUnknown                   = policy.OpUnknown
	opStringEquals              = policy.OpStringEquals
	opStringNotEquals           = policy.OpStringNotEquals
	opStringEqualsIgnoreCase    = policy.OpStringEqualsIgnoreCase
	opStringNotEqualsIgnoreCase = policy.OpStringNotEqualsIgnoreCase
	opStringLike                = policy.OpStringLike
	opStringNotLike             = policy.OpStringNotLike
	opNumericEquals             = policy.OpNumericEquals
	opNumericNotEquals          = policy.OpNumericNotEquals
	opNumericLessThan           = policy.OpNumericLessThan
	opNumericLessThanEquals     = policy.OpNumericLessThanEquals
	opNumericGreaterThan        = policy.OpNumericGreaterThan
	opNumericGreaterThanEquals  = policy.OpNumericGreaterThanEquals
	opDateEquals                = policy.OpDateEquals
	opDateNotEquals             = policy.OpDateNotEquals
	opDateLessThan              = policy.OpDateLessThan
	opDateLessThanEquals        = policy.OpDateLessThanEquals
	opDateGreaterThan           = policy.OpDateGreaterThan
	opDateGreaterThanEquals     = policy.OpDateGreaterThanEquals
	opBool                      = policy.OpBool
	opBinaryEquals              = policy.OpBinaryEquals
	opIPAddress                 = policy.OpIPAddress
	opNotIPAddress              = policy.OpNotIPAddress
	opArnEquals                 = policy.OpArnEquals
	opArnLike                   = policy.OpArnLike
	opArnNotEquals              = policy.OpArnNotEquals
	opArnNotLike                = policy.OpArnNotLike
	opNull                      = policy.OpNull
)

type setQualifier = policy.SetQualifier

const (
	setNone         = policy.SetNone
	setForAllValues = policy.ForAllValues
	setForAnyValue  = policy.ForAnyValue
)

// condValue is one policy value of a condition, pre-parsed for its operator.
type condValue struct {
	raw  string
	tmpl *template // policy variables, when the operator allows them
	enc  string    // encoded glob (StringLike, Arn*)
	arn  arnPattern
	num  float64
	t    time.Time
	ip   netip.Prefix
	bin  []byte
	ok   bool // the value parsed for the operator's type
}

// condition is a compiled (operator, key, values) triple.
type condition struct {
	src      *policy.Condition
	op       baseOp
	set      setQualifier
	ifExists bool
	unknown  string // why the operator is not understood; "" when it is
	lkey     string
	values   []condValue
	texts    []string // the values as written, for traces (read-only)
}

func compileCondition(c *policy.Condition, varsEnabled bool) condition {
	cc := condition{src: c, lkey: strings.ToLower(c.Key)}
	op, err := c.ParsedOperator()
	if err != nil {
		cc.unknown = err.Error()
		return cc
	}
	cc.op, cc.set, cc.ifExists = op.Base, op.Set, op.IfExists
	for _, v := range c.Values {
		cc.values = append(cc.values, compileCondValue(cc.op, v.Text, varsEnabled))
	}
	cc.texts = condValues(&cc)
	return cc
}

func strconvQuote(s string) string { return strconv.Quote(s) }

func compileCondValue(op baseOp, raw string, varsEnabled bool) condValue {
	cv := condValue{raw: raw, ok: true}
	if varsEnabled && op.VariablesAllowed() {
		cv.tmpl = parseTemplate(raw, op.Wildcards())
	}
	switch op.Positive() {
	case opStringLike:
		cv.enc = encodeWildcards(raw)
	case opArnEquals, opArnLike:
		cv.enc = encodeWildcards(raw)
		cv.arn = compileARNPattern(cv.enc)
	case opNumericEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
		cv.num, cv.ok = parseNumber(raw)
	case opDateEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
		cv.t, cv.ok = parseDate(raw)
	case opIPAddress:
		cv.ip, cv.ok = parseCIDR(raw)
	case opBinaryEquals:
		cv.bin, cv.ok = decodeBase64(raw)
	case opBool, opNull:
		cv.ok = strings.EqualFold(raw, "true") || strings.EqualFold(raw, "false")
	}
	return cv
}

// decodeBase64 reads standard base64, with or without its padding.
func decodeBase64(s string) ([]byte, bool) {
	s = strings.TrimSpace(s)
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, true
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	return b, err == nil
}

func parseNumber(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// parseDate accepts the W3C profile of ISO 8601 (year, year-month, date,
// date and time with minutes, seconds or fractions, with a zone) and epoch
// seconds.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if isDigits(s) && len(s) != 4 {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		return time.Unix(n, 0).UTC(), true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && strings.Contains(s, ".") && !strings.Contains(s, "-") {
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02",
	"2006-01",
	"2006",
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseCIDR reads an IPv4 or IPv6 address or CIDR block; a bare address is
// a single-address block (/32 or /128).
func parseCIDR(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}

// condOutcome is the result of one condition, with what the trace shows.
type condOutcome struct {
	result tri
	reason string
}

// eval evaluates the condition against the request's keys. buf is
// scratch space for variable substitution.
//
// Absent keys: the set qualifier's rule comes first (ForAllValues is true
// and ForAnyValue false on an absent or empty key, with or without
// IfExists); then IfExists makes an absent key true; a bare operator is
// false, except negated operators (true) and Null.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
//
// A multivalued key (given as a list) under an operator without a set
// qualifier: AWS says such keys "require a condition set operator" and
// documents no result without one. The engine applies one rule whatever
// the number of values: a set is not a single value, so the condition does
// not match, for negated operators too (as the anchor simulator,
// cloud-copilot/iam-simulate, does). A single-valued key with one value is
// compared as usual.
func (c *condition) eval(ctx *keys, buf []byte) condOutcome {
	if c.unknown != "" {
		return condOutcome{triUnknown, c.unknown}
	}
	e, present := ctx.lookup(c.lkey)
	if present && len(e.values) == 0 {
		present = false
	}
	if c.op == opNull {
		// "true": the key must be absent; "false": present.
		want := false
		for _, v := range c.values {
			if strings.EqualFold(v.raw, "true") {
				want = true
			}
		}
		return condOutcome{boolTri(present != want), ""}
	}
	if !present {
		switch {
		case c.set == setForAllValues:
			return condOutcome{triTrue, ""}
		case c.set == setForAnyValue:
			return condOutcome{triFalse, "key absent"}
		case c.ifExists:
			return condOutcome{triTrue, ""}
		case c.op.Negated():
			return condOutcome{triTrue, ""}
		}
		return condOutcome{triFalse, "key absent"}
	}
	switch c.set {
	case setForAllValues:
		res := triTrue
		for _, rv := range e.values {
			switch c.single(rv, ctx, buf) {
			case triFalse:
				return condOutcome{triFalse, "a request value does not match"}
			case triUnknown:
				res = triUnknown
			}
		}
		if res == triUnknown {
			return condOutcome{res, c.unknownValueReason()}
		}
		return condOutcome{triTrue, ""}
	case setForAnyValue:
		res := triFalse
		for _, rv := range e.values {
			switch c.single(rv, ctx, buf) {
			case triTrue:
				return condOutcome{triTrue, ""}
			case triUnknown:
				res = triUnknown
			}
		}
		if res == triUnknown {
			return condOutcome{res, c.unknownValueReason()}
		}
		return condOutcome{res, "no request value matches"}
	}
	if e.multi {
		return condOutcome{triFalse, "the key is multivalued and the operator has no ForAllValues/ForAnyValue qualifier: a set never equals a single value"}
	}
	r := c.single(e.values[0], ctx, buf)
	if r == triUnknown {
		return condOutcome{r, c.unknownValueReason()}
	}
	return condOutcome{r, ""}
}

// unknownValueReason says why comparing a value was unknown: a policy
// value that does not parse as the operator's type, or a Binary request
// value that is not base64.
func (c *condition) unknownValueReason() string {
	for i := range c.values {
		if !c.values[i].ok {
			return "policy value " + strconvQuote(c.values[i].raw) + " of " + c.src.Operator + " is not a valid " + operatorFamily(c.op) + " value"
		}
	}
	if c.op == opBinaryEquals {
		return "the request value of " + c.src.Key + " is not base64 text (Binary context values are given as base64, as AWS carries them)"
	}
	return "a value could not be compared"
}

// single tests one request value: for a positive operator, whether any
// policy value matches; for a negated one, whether none does.
func (c *condition) single(rv string, ctx *keys, buf []byte) tri {
	pos := c.op.Positive()
	any := triFalse
	if pos == opIPAddress {
		// Parse the request's address once, not once per policy value.
		a, err := netip.ParseAddr(strings.TrimSpace(rv))
		for i := 0; i < len(c.values) && any != triTrue; i++ {
			v := &c.values[i]
			switch {
			case !v.ok:
				any = orTri(any, triUnknown)
			case err == nil:
				any = orTri(any, boolTri(ipContains(v.ip, a)))
			}
		}
	} else {
		for i := 0; i < len(c.values) && any != triTrue; i++ {
			any = orTri(any, c.matchValue(pos, &c.values[i], rv, ctx, buf))
		}
	}
	if c.op.Negated() {
		return any.not()
	}
	return any
}

// orTri is three-valued OR: true wins, then unknown.
func orTri(a, b tri) tri {
	if a == triTrue || b == triTrue {
		return triTrue
	}
	if a == triUnknown || b == triUnknown {
		return triUnknown
	}
	return triFalse
}

// ipContains reports whether the block holds the address; an IPv4-mapped
// IPv6 address is compared as IPv4 against an IPv4 block.
func ipContains(block netip.Prefix, a netip.Addr) bool {
	if a.Is4In6() && block.Addr().Is4() {
		a = a.Unmap()
	}
	return block.Contains(a)
}

func (c *condition) matchValue(op baseOp, v *condValue, rv string, ctx *keys, buf []byte) tri {
	if !v.ok {
		// A value of the wrong type cannot be stored in AWS (the policy is
		// rejected); say we do not know rather than guess.
		return triUnknown
	}
	if v.tmpl != nil {
		out, ok := v.tmpl.resolve(ctx, buf)
		if !ok {
			return triFalse
		}
		return boolTri(matchResolved(op, out, rv))
	}
	switch op {
	case opStringEquals:
		return boolTri(v.raw == rv)
	case opStringEqualsIgnoreCase:
		return boolTri(strings.EqualFold(v.raw, rv))
	case opStringLike:
		return boolTri(globMatch(v.enc, rv, false))
	case opNumericEquals, opNumericLessThan, opNumericLessThanEquals, opNumericGreaterThan, opNumericGreaterThanEquals:
		n, ok := parseNumber(rv)
		if !ok {
			return triFalse
		}
		return boolTri(compareNumbers(op, n, v.num))
	case opDateEquals, opDateLessThan, opDateLessThanEquals, opDateGreaterThan, opDateGreaterThanEquals:
		t, ok := parseDate(rv)
		if !ok {
			return triFalse
		}
		return boolTri(compareDates(op, t, v.t))
	case opBool:
		return boolTri(strings.EqualFold(v.raw, rv))
	case opBinaryEquals:
		// Binary keys travel as base64 text; both sides are decoded and
		// their bytes compared, so different spellings of the same bytes
		// (padding omitted) are equal. A request value that is not base64
		// cannot be compared.
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_BinaryEquals
		b, ok := decodeBase64(rv)
		if !ok {
			return triUnknown
		}
		return boolTri(bytes.Equal(b, v.bin))
	case opIPAddress:
		a, err := netip.ParseAddr(strings.TrimSpace(rv))
		if err != nil {
			return triFalse
		}
		return boolTri(ipContains(v.ip, a))
	case opArnEquals, opArnLike:
		return boolTri(v.arn.isARN && v.arn.match(rv))
	}
	return triUnknown
}

// matchResolved compares against a value whose variables were substituted.
func matchResolved(op baseOp, pv []byte, rv string) bool {
	switch op {
	case opStringEquals:
		return string(pv) == rv
	case opStringEqualsIgnoreCase:
		// The same folding as for a literal policy value (Unicode, not
		// only ASCII): a substituted value compares as if written there.
		return strings.EqualFold(string(pv), rv)
	case opStringLike:
		return globMatch(pv, rv, false)
	case opArnEquals, opArnLike:
		rr := newRequestResource(rv)
		m, isARN := matchEncodedBytes(pv, &rr)
		return isARN && m
	}
	return false
}

func compareNumbers(op baseOp, r, p float64) bool {
	switch op {
	case opNumericEquals:
		return r == p
	case opNumericLessThan:
		return r < p
	case opNumericLessThanEquals:
		return r <= p
	case opNumericGreaterThan:
		return r > p
	case opNumericGreaterThanEquals:
		return r >= p
	}
	return false
}

func compareDates(op baseOp, r, p time.Time) bool {
	switch op {
	case opDateEquals:
		return r.Equal(p)
	case opDateLessThan:
		return r.Before(p)
	case opDateLessThanEquals:
		return !r.After(p)
	case opDateGreaterThan:
		return r.After(p)
	case opDateGreaterThanEquals:
		return !r.Before(p)
	}
	return false
}

// tri is a three-valued truth: a statement whose condition the engine cannot
// evaluate neither matches nor fails to match.
type tri int8

const (
	triFalse tri = iota
	triTrue
	triUnknown
)

func boolTri(b bool) tri {
	if b {
		return triTrue
	}
	return triFalse
}

func (t tri) not() tri {
	switch t {
	case triTrue:
		return triFalse
	case triFalse:
		return triTrue
	}
	return triUnknown
}
