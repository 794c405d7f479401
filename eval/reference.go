package eval

import (
	"fmt"
	"github.com/iamwhy/iamwhy/policy"
	"strconv"
	"strings"
)

// Reference is what the engine asks of the IAM service reference (the
// Service Authorization Reference, which package catalog embeds): whether an
// action exists, the type of a condition key, and whether an action applies
// to a resource's type. It lets a trace say when a request could never be
// made as written, or a condition compares values of the wrong type,
// instead of passing either off as a plain deny.
type Reference interface {
	// LookupAction returns the action's canonical spelling and whether
	// its service and the action itself are known.
	LookupAction(action string) (canonical string, serviceKnown, actionKnown bool)
	// KeyTypeName returns a condition key's type as the reference names
	// it ("String", "ARN", "Numeric", "Date", "Bool", "IPAddress",
	// "Binary", or "ArrayOf" + one of these), and whether the key is known.
	KeyTypeName(key string) (typ string, ok bool)
	// ActionAppliesTo reports whether the resource's ARN matches one of the
	// resource types the action works on; known is false when the
	// reference cannot tell (the ARN's type is not listed).
	ActionAppliesTo(action, resource string) (applies, known bool)
}

// Options adjust Explain.
type Options struct {
	// Reference types context keys and checks actions and resources.
	Reference Reference
}

// ExplainWith is Explain with the checks that need the service reference:
// unknown actions, resources the action cannot apply to, malformed ARNs,
// condition operators used on keys of another type, and context values that
// do not parse as their key's type. They are reported as Trace.Warnings;
// the decision is the same as Decide's.
func ExplainWith(req *Request, l *Layers, opts Options) (Decision, *Trace) {
	d, tr := Explain(req, l) // the trace holds the decision's own warning
	tr.Warnings = append(tr.Warnings, referenceWarnings(req, l, opts)...)
	return d, tr
}

// Warnings returns the warnings ExplainWith's trace holds for d, the
// decision Decide made for req under l, without the trace: a caller that
// reports a decision's caveats but not the statements it weighed (check,
// for a failing case that no near miss can explain) skips recording every
// statement.
func Warnings(d Decision, req *Request, l *Layers, opts Options) []string {
	var out []string
	if d.Warning != "" {
		out = append(out, d.Warning)
	}
	return append(out, referenceWarnings(req, l, opts)...)
}

// referenceWarnings are the warnings about the request and the conditions.
func referenceWarnings(req *Request, l *Layers, opts Options) []string {
	out := requestWarnings(req, opts.Reference)
	if opts.Reference != nil {
		out = append(out, conditionTypeWarnings(req, l, opts.Reference)...)
	}
	return out
}

func requestWarnings(req *Request, ref Reference) []string {
	var out []string
	if req.Resource != "*" && !strings.HasPrefix(req.Resource, "arn:") {
		out = append(out, fmt.Sprintf("resource %q is not an ARN: no ARN pattern in a policy can match it (only \"*\" does)", req.Resource))
	} else if strings.HasPrefix(req.Resource, "arn:") {
		if _, ok := arnParts(req.Resource); !ok {
			out = append(out, fmt.Sprintf("resource %q is a malformed ARN (an ARN has six colon-separated parts)", req.Resource))
		}
	}
	if !strings.Contains(req.Action, ":") {
		out = append(out, fmt.Sprintf("action %q has no service prefix (want service:Action)", req.Action))
		return out
	}
	if ref == nil {
		return out
	}
	canonical, svcKnown, known := ref.LookupAction(req.Action)
	switch {
	case !svcKnown:
		out = append(out, fmt.Sprintf("unknown service in %q: AWS would reject the request before any policy is evaluated", req.Action))
	case !known:
		out = append(out, fmt.Sprintf("unknown action %q: the service has no such action, so the request cannot be made as written", req.Action))
	default:
		if canonical != req.Action {
			out = append(out, fmt.Sprintf("action %q is spelled %q in the service reference (names compare case-insensitively)", req.Action, canonical))
		}
		if req.Resource != "*" {
			if applies, known := ref.ActionAppliesTo(canonical, req.Resource); known && !applies {
				out = append(out, fmt.Sprintf("%s does not apply to %s: the resource is not of a type the action works on", canonical, req.Resource))
			}
		}
	}
	for _, k := range req.Context.Keys() {
		typ, ok := ref.KeyTypeName(k)
		if !ok {
			continue
		}
		vals, _ := req.Context.Get(k)
		elem := strings.TrimPrefix(typ, "ArrayOf")
		for _, v := range vals {
			if !valueFitsType(elem, v) {
				out = append(out, fmt.Sprintf("context %s is a %s key, but %q is not a valid %s value", k, typ, v, elem))
			}
		}
		if len(vals) > 1 && !strings.HasPrefix(typ, "ArrayOf") {
			out = append(out, fmt.Sprintf("context %s is single-valued (%s) but has %d values", k, typ, len(vals)))
		}
	}
	return out
}

func valueFitsType(typ, v string) bool {
	switch typ {
	case "Numeric":
		_, ok := parseNumber(v)
		return ok
	case "Date":
		_, ok := parseDate(v)
		return ok
	case "Bool":
		return strings.EqualFold(v, "true") || strings.EqualFold(v, "false")
	case "IPAddress":
		_, ok := parseCIDR(v)
		return ok
	case "ARN":
		_, ok := arnParts(v)
		return ok
	}
	return true
}

// familyKeyTypes lists the key types each operator family is meant for.
// ARN operators on String keys are not a mismatch: AWS's own managed
// policies compare String keys holding ARNs (kms:EncryptionContext:...)
// with ArnLike, and lint accepts it too.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
var familyKeyTypes = map[string][]string{
	"string": {"String", "ARN"}, "numeric": {"Numeric"}, "date": {"Date"}, "boolean": {"Bool"},
	"binary": {"Binary"}, "IP address": {"IPAddress"}, "ARN": {"ARN", "String"},
}

func operatorFits(op baseOp, keyType string) bool {
	types, ok := familyKeyTypes[operatorFamily(op)]
	if !ok {
		return true
	}
	t := strings.TrimPrefix(keyType, "ArrayOf")
	for _, want := range types {
		if t == want {
			return true
		}
	}
	return false
}

// conditionTypeWarnings checks the conditions of the statements that
// cover the request's action.
func conditionTypeWarnings(req *Request, l *Layers, ref Reference) []string {
	seen := map[string]bool{}
	var out []string
	check := func(p *Policy) {
		if p == nil {
			return
		}
		for i := range p.stmts {
			s := &p.stmts[i]
			if !s.matchAction(req.Action) {
				continue
			}
			for j := range s.conds {
				c := &s.conds[j]
				if c.unknown != "" || c.op == opNull {
					continue
				}
				typ, ok := ref.KeyTypeName(c.src.Key)
				if !ok || operatorFits(c.op, typ) {
					continue
				}
				msg := fmt.Sprintf("%s at %s: operator %s compares %s values, but %s is a %s key", p.Name, c.src.KeyPos, c.src.Operator, operatorFamily(c.op), c.src.Key, typ)
				if !seen[msg] {
					seen[msg] = true
					out = append(out, msg)
				}
			}
		}
	}
	for _, p := range l.Policies() {
		check(p)
	}
	return out
}

func operatorFamily(op baseOp) string {
	switch f := op.Family(); f {
	case policy.FamilyUnknown, policy.FamilyNull:
		return "other"
	default:
		return f.String()
	}
}

// NormalizeContext puts context values in the form AWS gives a key of
// their type, as the service reference types it: Bool keys "true"/"false",
// Date keys an ISO 8601 UTC time (epoch seconds stay as given for
// aws:EpochTime, a Numeric key), IPAddress keys the canonical address,
// Numeric keys the shortest decimal. A request built by hand ("True",
// "2024-01-01T01:00:00+01:00") then meets string operators as the real
// request would. Values that do not parse are left alone (ExplainWith warns
// about them). It returns what it changed, for the trace.
func NormalizeContext(c *Context, ref Reference) []string {
	if c == nil || ref == nil {
		return nil
	}
	var changes []string
	for lk, e := range c.m {
		typ, ok := ref.KeyTypeName(e.name)
		if !ok {
			continue
		}
		elem := strings.TrimPrefix(typ, "ArrayOf")
		if elem == "String" || elem == "ARN" {
			continue // canonicalValue keeps every value of these
		}
		// The values are the caller's: a changed one goes into a copy.
		var vals []string
		for i, v := range e.values {
			n := canonicalValue(elem, v)
			if n != v {
				changes = append(changes, fmt.Sprintf("context %s: %q read as %s %q", e.name, v, elem, n))
				if vals == nil {
					vals = append([]string(nil), e.values...)
				}
				vals[i] = n
			}
		}
		if vals != nil {
			e.values = vals
			c.m[lk] = e
		}
	}
	return changes
}

func canonicalValue(typ, v string) string {
	switch typ {
	case "Bool":
		if strings.EqualFold(v, "true") {
			return "true"
		}
		if strings.EqualFold(v, "false") {
			return "false"
		}
	case "Date":
		if t, ok := parseDate(v); ok && !isDigits(strings.TrimSpace(v)) {
			return t.UTC().Format("2006-01-02T15:04:05Z")
		}
	case "IPAddress":
		if p, ok := parseCIDR(v); ok && !strings.Contains(v, "/") {
			return p.Addr().String()
		}
	case "Numeric":
		if f, ok := parseNumber(v); ok {
			return strconv.FormatFloat(f, 'f', -1, 64)
		}
	}
	return v
}
