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
			l.add(si, "OPERATOR_KEY_TYPE_MISMATCH", cond.OperatorPos, "%s compares %s values, but %s is %s %s key", cond.Operator, op.family, cond.Key, article(key.Type.String()), key.Type)
		}
		if key.Global || si.s.Action.Not || !si.allKnown {
			continue
		}
		if supported, judged := keySupported(si, key.Name); judged && !supported {
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

// keySupported reports whether one of the statement's actions supports
// the key: in its own keys, the keys it lists per resource type, or the
// resource types' keys. judged is false when the statement matches too
// many actions to say.
func keySupported(si *stmtInfo, key string) (supported, judged bool) {
	n := 0
	for _, as := range si.actions {
		n += len(as)
	}
	if n > maxKeySupportActions {
		return false, false
	}
	for _, as := range si.actions {
		for _, a := range as {
			if containsFold(a.ConditionKeys, key) {
				return true, true
			}
			for _, r := range a.Resources {
				if containsFold(r.ConditionKeys, key) || containsFold(r.Type.ConditionKeys, key) {
					return true, true
				}
			}
		}
	}
	return false, true
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if len(x) == len(s) && strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// article is "an" before a vowel sound as the type names begin, else "a".
func article(word string) string {
	if word != "" && strings.ContainsRune("AEIOUaeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}
