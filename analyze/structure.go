package analyze

import (
	"strings"

	"github.com/iamwhy/iamwhy/policy"
)

// This file checks the shape of a document (elements, their JSON types,
// the elements each policy type requires or forbids) and builds the policy
// model from what can be read, so the checks of meaning run on the rest.
// Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html

var (
	policyElementNames    = []string{"Version", "Id", "Statement"}
	statementElementNames = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
)

func (l *linter) build(root *jnode) *policy.Policy {
	d := l.doc
	p := &policy.Policy{Source: l.res.Source, Pos: d.pos(root.start)}
	if root.kind != jObject {
		l.add("DATA_TYPE_MISMATCH", p.Pos, "", "the text does not match the expected JSON data type object: a policy document is a JSON object, not %s", root.kind)
		return nil
	}
	var stmts *jmember
	for i, m := range l.members(root, "") {
		_ = i
		switch m.key {
		case "Version":
			p.VersionPos = d.pos(m.keyStart)
			if m.val.kind != jString {
				l.add("DATA_TYPE_MISMATCH", d.pos(m.val.start), "", "the text does not match the expected JSON data type string: Version is a string such as \"2012-10-17\", not %s", m.val.kind)
				continue
			}
			p.Version = m.val.text
			if p.Version != policy.Version2012 && p.Version != policy.Version2008 {
				l.add("INVALID_VERSION", d.pos(m.val.start), "", "the version %q is not valid: use one of the following versions: %s, %s", p.Version, policy.Version2012, policy.Version2008)
			}
		case "Id":
			p.IDPos = d.pos(m.keyStart)
			if m.val.kind != jString {
				l.add("DATA_TYPE_MISMATCH", d.pos(m.val.start), "", "the text does not match the expected JSON data type string: Id is a string, not %s", m.val.kind)
				continue
			}
			p.ID = m.val.text
		case "Statement":
			stmts = &m
		default:
			l.invalidElement(m, policyElementNames)
		}
	}
	if !p.VersionPos.IsValid() {
		// Without a Version, AWS uses the 2008-10-17 rules, in which
		// policy variables are literal text.
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
		l.add("MISSING_VERSION", p.Pos, "", "the policy has no Version element: we recommend that you specify \"Version\": \"2012-10-17\" (without it, policy variables are not replaced and the older language rules apply)")
	}
	if stmts == nil {
		l.add("MISSING_STATEMENT", p.Pos, "", "add a statement to the policy: it has no Statement element")
		return p
	}
	switch v := stmts.val; v.kind {
	case jObject:
		l.statement(p, v)
	case jArray:
		if len(v.elems) == 0 {
			l.add("MISSING_STATEMENT", d.pos(v.start), "", "add a statement to the policy: the Statement list is empty")
		}
		for _, e := range v.elems {
			if e.kind != jObject {
				l.add("DATA_TYPE_MISMATCH", d.pos(e.start), "", "the text does not match the expected JSON data type object: a statement is a JSON object, not %s", e.kind)
				continue
			}
			l.statement(p, e)
		}
	default:
		l.add("DATA_TYPE_MISMATCH", d.pos(v.start), "", "the text does not match the expected JSON data type object or list: Statement is a statement object or a list of them, not %s", v.kind)
	}
	return p
}

// members returns an object's members, the first of each name: a name
// written twice is ambiguous (JSON parsers keep one or the other), so it
// is reported. stmt labels findings.
func (l *linter) members(n *jnode, stmt string) []jmember {
	if len(n.members) < 2 {
		return n.members
	}
	seen := make(map[string]bool, len(n.members))
	out := make([]jmember, 0, len(n.members))
	for _, m := range n.members {
		if seen[m.key] {
			l.add("DUPLICATE_ELEMENT", l.doc.pos(m.keyStart), stmt, "%q appears twice in the same object: JSON parsers keep one or the other, so what AWS reads is ambiguous; remove one", m.key)
			continue
		}
		seen[m.key] = true
		out = append(out, m)
	}
	return out
}

func (l *linter) invalidElement(m jmember, known []string) {
	for _, k := range known {
		if strings.EqualFold(k, m.key) {
			l.add("INVALID_POLICY_ELEMENT", l.doc.pos(m.keyStart), "", "the policy element %q is not valid: element names are case-sensitive, write %q", m.key, k)
			return
		}
	}
	l.add("INVALID_POLICY_ELEMENT", l.doc.pos(m.keyStart), "", "the policy element %q is not valid (want one of %s)", m.key, strings.Join(known, ", "))
}

func (l *linter) statement(p *policy.Policy, obj *jnode) {
	d := l.doc
	s := policy.Statement{Index: len(p.Statements), Pos: d.pos(obj.start)}
	label := s.Label()
	if m := obj.get("Sid"); m != nil && m.val.kind == jString && m.val.text != "" {
		label = m.val.text
	}
	byName := map[string]*jmember{}
	ms := l.members(obj, label)
	for i := range ms {
		m := &ms[i]
		switch m.key {
		case "Sid":
			s.SidPos = d.pos(m.keyStart)
			if m.val.kind != jString {
				l.add("DATA_TYPE_MISMATCH", d.pos(m.val.start), label, "the text does not match the expected JSON data type string: Sid is a string, not %s", m.val.kind)
				continue
			}
			s.Sid = m.val.text
		case "Effect":
			s.EffectPos = d.pos(m.keyStart)
			if m.val.kind != jString {
				l.add("DATA_TYPE_MISMATCH", d.pos(m.val.start), label, "the text does not match the expected JSON data type string: Effect is \"Allow\" or \"Deny\", not %s", m.val.kind)
				continue
			}
			s.Effect = policy.Effect(m.val.text)
			if s.Effect != policy.Allow && s.Effect != policy.Deny {
				// "The Effect value is case sensitive."
				// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html
				l.add("INVALID_EFFECT", d.pos(m.val.start), label, "the effect %q is not valid: use Allow or Deny (the value is case-sensitive)", m.val.text)
			}
		case "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition":
			byName[m.key] = m
		default:
			l.invalidElement(*m, statementElementNames)
		}
	}
	if !s.EffectPos.IsValid() {
		l.add("MISSING_EFFECT", s.Pos, label, "add an Effect element to the policy statement with a value of Allow or Deny")
	}
	s.Action = l.list(byName, "Action", "NotAction", label)
	if !s.Action.Present {
		l.add("MISSING_ACTION", s.Pos, label, "add an Action or NotAction element to the policy statement")
	}
	s.Resource = l.list(byName, "Resource", "NotResource", label)
	s.Principal = l.principals(byName, label)
	if m := byName["Condition"]; m != nil {
		s.Conditions = l.conditionBlock(m, label)
	}
	p.Statements = append(p.Statements, s)
	l.stmtNodes = append(l.stmtNodes, obj)
}

// list reads Action/NotAction or Resource/NotResource.
func (l *linter) list(byName map[string]*jmember, name, notName, label string) policy.List {
	d := l.doc
	pos, neg := byName[name], byName[notName]
	if pos != nil && neg != nil {
		second := pos
		if neg.keyStart > pos.keyStart {
			second = neg
		}
		l.add("UNSUPPORTED_ELEMENT_COMBINATION", d.pos(second.keyStart), label, "the policy elements %s and %s can not be used in the same statement: remove one of these elements", name, notName)
	}
	m := pos
	out := policy.List{}
	if m == nil {
		m = neg
		out.Not = neg != nil
	}
	if m == nil {
		return out
	}
	out.Present = true
	out.Pos = d.pos(m.keyStart)
	elem := m.key
	switch v := m.val; v.kind {
	case jString:
		out.Values = []policy.Value{{Text: v.text, Pos: d.pos(v.start)}}
	case jArray:
		if len(v.elems) == 0 {
			if name == "Action" {
				l.add("EMPTY_ARRAY_ACTION", d.pos(v.start), label, "this statement includes no actions (%s is an empty list) and does not affect the policy: specify actions", elem)
			} else {
				l.add("EMPTY_ARRAY_RESOURCE", d.pos(v.start), label, "this statement includes no resources (%s is an empty list) and does not affect the policy: specify resources", elem)
			}
		}
		for _, e := range v.elems {
			if e.kind != jString {
				l.add("DATA_TYPE_MISMATCH", d.pos(e.start), label, "the text does not match the expected JSON data type string: %s entries are strings, not %s", elem, e.kind)
				continue
			}
			out.Values = append(out.Values, policy.Value{Text: e.text, Pos: d.pos(e.start)})
		}
	default:
		l.add("DATA_TYPE_MISMATCH", d.pos(v.start), label, "the text does not match the expected JSON data type string or list: %s is a string or a list of strings, not %s", elem, v.kind)
	}
	return out
}

var principalKeyNames = []string{"AWS", "Service", "Federated", "CanonicalUser"}

func (l *linter) principals(byName map[string]*jmember, label string) policy.Principals {
	d := l.doc
	pos, neg := byName["Principal"], byName["NotPrincipal"]
	if pos != nil && neg != nil {
		second := pos
		if neg.keyStart > pos.keyStart {
			second = neg
		}
		l.add("UNSUPPORTED_ELEMENT_COMBINATION", d.pos(second.keyStart), label, "the policy elements Principal and NotPrincipal can not be used in the same statement: remove one of these elements")
	}
	var pr policy.Principals
	m, name := pos, "Principal"
	if m == nil {
		m, name = neg, "NotPrincipal"
		pr.Not = neg != nil
	}
	if m == nil {
		return pr
	}
	pr.Present = true
	pr.Pos = d.pos(m.keyStart)
	v := m.val
	switch v.kind {
	case jString:
		if v.text != "*" {
			l.add("INVALID_PRINCIPAL_FORMAT", d.pos(v.start), label, "the %s element contents are not valid: as a string it can only be \"*\"; specify a key-value pair such as {\"AWS\": %q}", name, v.text)
			return pr
		}
		pr.Wildcard = true
		return pr
	case jObject:
	default:
		l.add("INVALID_PRINCIPAL_FORMAT", d.pos(v.start), label, "the %s element contents are not valid: specify a key-value pair such as {\"AWS\": \"123456789012\"}, not %s", name, v.kind)
		return pr
	}
	if len(v.members) == 0 {
		l.add("EMPTY_OBJECT_PRINCIPAL", d.pos(v.start), label, "this statement includes no principals (%s is an empty object) and does not affect the policy: specify principals", name)
		return pr
	}
	for _, pm := range l.members(v, label) {
		kind := policy.PrincipalKind(pm.key)
		switch kind {
		case policy.PrincipalAWS, policy.PrincipalService, policy.PrincipalFederated, policy.PrincipalCanonicalUser:
		default:
			l.add("INVALID_PRINCIPAL_KEY", d.pos(pm.keyStart), label, "the principal key %q is not valid: use %s", pm.key, strings.Join(principalKeyNames, ", "))
			continue
		}
		var vals []*jnode
		switch pv := pm.val; pv.kind {
		case jString:
			vals = []*jnode{pv}
		case jArray:
			if len(pv.elems) == 0 {
				l.add("EMPTY_ARRAY_PRINCIPAL", d.pos(pv.start), label, "this statement includes no principals (%s %s is an empty list) and does not affect the policy: specify principals", name, pm.key)
			}
			vals = pv.elems
		default:
			l.add("DATA_TYPE_MISMATCH", d.pos(pv.start), label, "the text does not match the expected JSON data type string or list: %s %s is a string or a list of strings, not %s", name, pm.key, pv.kind)
		}
		for _, e := range vals {
			if e.kind != jString {
				l.add("DATA_TYPE_MISMATCH", d.pos(e.start), label, "the text does not match the expected JSON data type string: principals are strings, not %s", e.kind)
				continue
			}
			pr.Entries = append(pr.Entries, policy.PrincipalEntry{Kind: kind, Value: e.text, Pos: d.pos(e.start)})
		}
	}
	return pr
}

// conditionBlock reads the Condition element: one policy.Condition per
// (operator, key). Empty blocks and empty value lists are Access
// Analyzer's suggestions, since they test nothing (or, with a qualifier or
// IfExists, test only that the key is absent).
func (l *linter) conditionBlock(m *jmember, label string) []policy.Condition {
	d := l.doc
	if m.val.kind != jObject {
		l.add("DATA_TYPE_MISMATCH", d.pos(m.val.start), label, "the text does not match the expected JSON data type object: Condition is an object such as {\"StringEquals\": {\"aws:username\": \"alice\"}}, not %s", m.val.kind)
		return nil
	}
	if len(m.val.members) == 0 {
		l.add("EMPTY_OBJECT_CONDITION", d.pos(m.val.start), label, "this condition block is empty and it does not affect the policy: specify conditions or remove it")
		return nil
	}
	var out []policy.Condition
	for _, op := range l.members(m.val, label) {
		if op.val.kind != jObject {
			l.add("DATA_TYPE_MISMATCH", d.pos(op.val.start), label, "the text does not match the expected JSON data type object: the operator %s maps to an object of condition keys, not %s", op.key, op.val.kind)
			continue
		}
		if len(op.val.members) == 0 {
			l.add("EMPTY_OBJECT_CONDITION", d.pos(op.val.start), label, "the %s block names no condition key: it does not affect the policy; specify conditions or remove it", op.key)
			continue
		}
		lower := map[string]string{}
		for _, k := range l.members(op.val, label) {
			lk := strings.ToLower(k.key)
			if first, dup := lower[lk]; dup {
				l.add("DUPLICATE_KEYS_WITH_DIFFERENT_CASE", d.pos(k.keyStart), label, "the condition key %s appears more than once with different capitalization (also %s) in the same condition block: condition key names are not case-sensitive; remove the duplicate condition keys", k.key, first)
				continue
			}
			lower[lk] = k.key
			c := policy.Condition{Operator: op.key, OperatorPos: d.pos(op.keyStart), Key: k.key, KeyPos: d.pos(k.keyStart)}
			var vals []*jnode
			switch v := k.val; v.kind {
			case jString, jNumber, jBool:
				vals = []*jnode{v}
			case jArray:
				if len(v.elems) == 0 {
					l.emptyConditionValues(op.key, k.key, d.pos(v.start), label)
					continue
				}
				vals = v.elems
			default:
				l.add("DATA_TYPE_MISMATCH", d.pos(v.start), label, "the text does not match the expected JSON data type string, number, boolean or list: condition values are those, not %s", v.kind)
				continue
			}
			var kinds [6]bool
			nkinds := 0
			for _, e := range vals {
				switch e.kind {
				case jString, jNumber, jBool:
					if !kinds[e.kind] {
						kinds[e.kind] = true
						nkinds++
					}
					c.Values = append(c.Values, policy.Value{Text: e.text, Pos: d.pos(e.start)})
				default:
					l.add("DATA_TYPE_MISMATCH", d.pos(e.start), label, "the text does not match the expected JSON data type string, number or boolean: a condition value is one of those, not %s", e.kind)
				}
			}
			if nkinds > 1 {
				l.add("INVALID_CONDITION_DATA_TYPE", d.pos(k.val.start), label, "the condition value data types do not match (the list mixes strings, numbers or booleans): use condition values of the same JSON data type")
			}
			if len(c.Values) > 0 {
				out = append(out, c)
			}
		}
	}
	return out
}

func (l *linter) emptyConditionValues(op, key string, p policy.Pos, label string) {
	o, _ := parseOperator(op)
	switch {
	case o.set == "ForAllValues":
		l.add("EMPTY_ARRAY_CONDITION_FORALLVALUES", p, label, "the ForAllValues prefix with an empty list matches only if the key %s is missing from the request context: to test that, use the Null condition operator with the value true instead", key)
	case o.set == "ForAnyValue":
		l.add("EMPTY_ARRAY_CONDITION_FORANYVALUE", p, label, "the ForAnyValue prefix with an empty list for %s never matches the request context and does not affect the policy: specify condition values", key)
	case o.ifExists:
		l.add("EMPTY_ARRAY_CONDITION_IFEXISTS", p, label, "the IfExists suffix with an empty list matches only if the key %s is missing from the request context: to test that, use the Null condition operator with the value true instead", key)
	default:
		l.add("EMPTY_ARRAY_CONDITION", p, label, "there are no values for the condition key %s and it does not affect the policy: specify condition values", key)
	}
}
