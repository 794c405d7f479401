package analyze

import (
	"strings"

	"github.com/iamwhy/iamwhy/catalog"
)

// maxKeySupportActions bounds the actions whose supported keys are
// gathered for UNSUPPORTED_CONDITION_KEY: a statement matching more (a
// service-wide wildcard across services) is not judged.
const maxKeySupportActions = 2000

// conditions checks each (operator, key, values) of the statement.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
func (l *linter) conditions(si *stmtInfo) {
	var supported map[string]bool // lower-case key names the actions support; built on demand
	for i := range si.s.Conditions {
		cond := &si.s.Conditions[i]
		op, ok := parseOperator(cond.Operator)
		if !ok {
			l.add(si, "UNKNOWN_CONDITION_OPERATOR", cond.OperatorPos, "%q is not a condition operator", cond.Operator)
		} else {
			for _, v := range cond.Values {
				if valid, want := op.family.validValue(v.Text); !valid {
					l.add(si, "INVALID_CONDITION_VALUE", v.Pos, "%s compares %s values, and %q is not %s", cond.Operator, op.family, v.Text, want)
				}
			}
		}
		key, known := l.c.ConditionKey(cond.Key)
		prefix, _, _ := strings.Cut(cond.Key, ":")
		switch {
		case !known && strings.EqualFold(prefix, "aws"):
			l.add(si, "UNKNOWN_GLOBAL_CONDITION_KEY", cond.KeyPos, "%s is not a global condition key", cond.Key)
			continue
		case !known:
			l.add(si, "UNKNOWN_SERVICE_CONDITION_KEY", cond.KeyPos, "%s is not a condition key of the service reference", cond.Key)
			continue
		}
		if mis, canonical := caseDiffers(cond.Key, key); mis {
			l.add(si, "CONDITION_KEY_CASE", cond.KeyPos, "%s is spelled %s in the service reference (keys match case-insensitively, but the reference's spelling avoids confusion)", cond.Key, canonical)
		}
		if ok && op.family != famNull && key.Type != catalog.KeyUnknown && !op.family.fitsKeyType(key.Type.Elem().String()) {
			l.add(si, "OPERATOR_KEY_TYPE_MISMATCH", cond.OperatorPos, "%s compares %s values, but %s is a %s key", cond.Operator, op.family, cond.Key, key.Type)
		}
		if key.Global || si.s.Action.Not || !si.allKnown {
			continue
		}
		if supported == nil {
			supported = l.supportedKeys(si)
			if supported == nil {
				supported = map[string]bool{"": true} // too many actions: not judged
			}
		}
		if supported[""] {
			continue
		}
		if !supported[strings.ToLower(key.Name)] {
			l.add(si, "UNSUPPORTED_CONDITION_KEY", cond.KeyPos, "none of the statement's actions supports %s, so the condition never holds (or, with IfExists or a negated operator, always does)", cond.Key)
		}
	}
}

// caseDiffers compares the key as written with the reference's spelling.
// For a templated key only the literal text before the variable is
// compared (the variable part is the user's: a tag key).
func caseDiffers(written string, k *catalog.ConditionKey) (bool, string) {
	canonical := k.Name
	if k.IsTemplate() {
		cut := strings.IndexAny(canonical, "$<")
		if cut > len(written) {
			return false, ""
		}
		return written[:cut] != canonical[:cut], canonical[:cut] + written[cut:]
	}
	return written != canonical, canonical
}

// supportedKeys gathers the condition keys the statement's actions
// support: each action's own keys, the keys it lists per resource type,
// and the resource types' keys. nil when the statement matches too many
// actions to judge.
func (l *linter) supportedKeys(si *stmtInfo) map[string]bool {
	n := 0
	for _, as := range si.actions {
		n += len(as)
	}
	if n > maxKeySupportActions {
		return nil
	}
	out := map[string]bool{}
	add := func(keys []string) {
		for _, k := range keys {
			out[strings.ToLower(k)] = true
		}
	}
	for _, as := range si.actions {
		for _, a := range as {
			add(a.ConditionKeys)
			for _, r := range a.Resources {
				add(r.ConditionKeys)
				add(r.Type.ConditionKeys)
			}
		}
	}
	return out
}
