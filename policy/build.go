package policy

import (
	"fmt"
	"strings"
)

// This file turns the positioned JSON tree into the typed model, reporting
// every shape problem (wrong JSON type, unknown or duplicated element, an
// element together with its Not form). Rules that can be checked on the model
// alone (required elements, per-type rules) live in validate.go so that
// Policy.Validate applies them to documents built in code too.
//
// Element names are case-sensitive: the grammar spells them exactly
// ("Version", "Statement", "Effect", ...), and IAM rejects a miscased name as
// an unknown field (CloudFormation reports "Unknown field statement" for
// "statement"). Values of Effect are case-sensitive as well: "The Effect value
// is case sensitive" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html).
// Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html

// shapeFlags records elements whose shape error was already reported, so that
// validate does not report the same element a second time as missing.
type shapeFlags struct {
	version   bool
	statement bool
	stmts     []stmtFlags
}

type stmtFlags struct {
	effect, action, resource, principal bool
}

type builder struct {
	source string
	errs   ErrorList
	flags  shapeFlags
}

func (b *builder) errorf(p Pos, format string, args ...any) {
	b.errs = append(b.errs, &Error{Source: b.source, Pos: p, Msg: fmt.Sprintf(format, args...)})
}

// Element names of a policy document and of a statement.
var (
	policyElements    = []string{"Version", "Id", "Statement"}
	statementElements = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}
	principalKinds    = []string{string(PrincipalAWS), string(PrincipalService), string(PrincipalFederated), string(PrincipalCanonicalUser)}
)

// unique reports duplicated member names of obj and returns the members with
// only the first occurrence of each name. What AWS does with a duplicated
// name is not documented (JSON parsers differ: some keep the first, most the
// last), so a duplicate is an error rather than a silent choice that might
// differ from AWS's. what names the object in messages.
func (b *builder) unique(obj *jsonNode, what, qual string) []jsonMember {
	// Objects in a policy are small (a statement has at most nine
	// elements), so a quadratic scan beats building a map; large objects
	// (hostile input) take the map.
	if len(obj.members) > 16 {
		return b.uniqueLarge(obj, what, qual)
	}
	dups := 0
	for i := 1; i < len(obj.members); i++ {
		for j := range i {
			if obj.members[j].key == obj.members[i].key {
				dups++
				break
			}
		}
	}
	if dups == 0 {
		return obj.members
	}
	return b.uniqueLarge(obj, what, qual)
}

func (b *builder) uniqueLarge(obj *jsonNode, what, qual string) []jsonMember {
	first := make(map[string]Pos, len(obj.members))
	out := make([]jsonMember, 0, len(obj.members))
	for _, m := range obj.members {
		if p, dup := first[m.key]; dup {
			b.errorf(m.keyPos, "duplicate %s %q (first at %s): AWS keeps only one of them, so the document is ambiguous", what+qual, m.key, p.LineCol())
			continue
		}
		first[m.key] = m.keyPos
		out = append(out, m)
	}
	return out
}

// unknown reports a member name that is not in known, with a hint when only
// the case differs.
func (b *builder) unknown(m jsonMember, where string, known []string) {
	for _, k := range known {
		if strings.EqualFold(k, m.key) {
			b.errorf(m.keyPos, "unknown %s element %q: element names are case-sensitive, did you mean %q?", where, m.key, k)
			return
		}
	}
	b.errorf(m.keyPos, "unknown %s element %q (want one of %s)", where, m.key, strings.Join(known, ", "))
}

func (b *builder) policy(root *jsonNode) *Policy {
	if root.kind != jsonObject {
		b.errorf(root.pos, "a policy document must be a JSON object, not %s", root.kind)
		return nil
	}
	p := &Policy{Source: b.source, Pos: root.pos}
	var stmtMember *jsonMember
	members := b.unique(root, "policy element", "")
	for i := range members {
		m := &members[i]
		switch m.key {
		case "Version":
			p.VersionPos = m.keyPos
			var ok bool
			p.Version, ok = b.str(m, `a string ("2012-10-17" or "2008-10-17")`)
			b.flags.version = !ok
		case "Id":
			p.IDPos = m.keyPos
			p.ID, _ = b.str(m, "a string")
		case "Statement":
			stmtMember = m
		default:
			b.unknown(*m, "policy", policyElements)
		}
	}
	if stmtMember == nil {
		return p
	}
	// Statement is one statement object or an array of them (grammar:
	// "Statement" : [ <statement>, <statement>, ... ] with the brackets
	// optional for a single statement).
	v := stmtMember.val
	switch v.kind {
	case jsonObject:
		b.statement(p, v)
	case jsonArray:
		if len(v.elems) == 0 {
			b.errorf(v.pos, "Statement is an empty list: a policy needs at least one statement")
			b.flags.statement = true
		}
		for _, e := range v.elems {
			if e.kind != jsonObject {
				b.errorf(e.pos, "a statement must be a JSON object, not %s", e.kind)
				b.flags.statement = true
				continue
			}
			b.statement(p, e)
		}
	default:
		b.errorf(v.pos, "Statement must be an object or a list of objects, not %s", v.kind)
		b.flags.statement = true
	}
	return p
}

func (b *builder) statement(p *Policy, obj *jsonNode) {
	s := Statement{Index: len(p.Statements), Pos: obj.pos}
	var f stmtFlags
	var action, notAction, resource, notResource, principal, notPrincipal *jsonMember
	members := b.unique(obj, "statement element", "")
	for i := range members {
		m := &members[i]
		switch m.key {
		case "Sid":
			// Sid is a string; which characters are accepted and
			// whether Sids must be unique differs by service and is
			// checked in validate.
			s.SidPos = m.keyPos
			s.Sid, _ = b.str(m, "a string")
		case "Effect":
			s.EffectPos = m.keyPos
			// The value is checked in validate, which also serves
			// documents built in code.
			text, ok := b.str(m, `the string "Allow" or "Deny"`)
			s.Effect, f.effect = Effect(text), !ok
		case "Action":
			action = m
		case "NotAction":
			notAction = m
		case "Resource":
			resource = m
		case "NotResource":
			notResource = m
		case "Principal":
			principal = m
		case "NotPrincipal":
			notPrincipal = m
		case "Condition":
			s.Conditions = b.conditions(m)
		default:
			b.unknown(*m, "statement", statementElements)
		}
	}
	s.Action, f.action = b.pair(action, notAction, "Action", "NotAction")
	s.Resource, f.resource = b.pair(resource, notResource, "Resource", "NotResource")
	s.Principal, f.principal = b.principalPair(principal, notPrincipal)
	p.Statements = append(p.Statements, s)
	b.flags.stmts = append(b.flags.stmts, f)
}

// pair builds an Action/NotAction or Resource/NotResource element. A statement
// may hold one form or the other, never both
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html:
// <action_block> = ("Action" | "NotAction") : ...). bad reports that a
// problem with the element was reported.
func (b *builder) pair(pos, neg *jsonMember, name, notName string) (l List, bad bool) {
	if b.both(pos, neg, name, notName) {
		return List{Present: true, Pos: pos.keyPos}, true
	}
	m := pos
	if neg != nil {
		m = neg
		l.Not = true
		name = notName
	}
	if m == nil {
		return l, false
	}
	l.Present = true
	l.Pos = m.keyPos
	vals, ok := b.stringList(m.val, name, "")
	l.Values = vals
	return l, !ok
}

// both reports, at the later of the two, a statement holding an element and
// its Not form.
func (b *builder) both(pos, neg *jsonMember, name, notName string) bool {
	if pos == nil || neg == nil {
		return false
	}
	second := neg
	if neg.keyPos.Line < pos.keyPos.Line || (neg.keyPos.Line == pos.keyPos.Line && neg.keyPos.Col < pos.keyPos.Col) {
		second = pos
	}
	b.errorf(second.keyPos, "a statement cannot have both %s and %s", name, notName)
	return true
}

// str reads an element whose value must be a string; want describes the
// expected value in the error.
func (b *builder) str(m *jsonMember, want string) (string, bool) {
	if m.val.kind != jsonString {
		b.errorf(m.val.pos, "%s must be %s, not %s", m.key, want, m.val.kind)
		return "", false
	}
	return m.val.text, true
}

// stringList reads a string or a non-empty list of strings. name and sub
// (a Principal type, or "") name the element in errors.
func (b *builder) stringList(v *jsonNode, name, sub string) ([]Value, bool) {
	label := func() string {
		if sub == "" {
			return name
		}
		return name + " " + sub
	}
	switch v.kind {
	case jsonString:
		return []Value{{Text: v.text, Pos: v.pos}}, true
	case jsonArray:
		if len(v.elems) == 0 {
			b.errorf(v.pos, "%s is an empty list", label())
			return nil, false
		}
		out := make([]Value, 0, len(v.elems))
		ok := true
		for _, e := range v.elems {
			if e.kind != jsonString {
				b.errorf(e.pos, "%s entries must be strings, not %s", label(), e.kind)
				ok = false
				continue
			}
			out = append(out, Value{Text: e.text, Pos: e.pos})
		}
		return out, ok
	}
	b.errorf(v.pos, "%s must be a string or a list of strings, not %s", label(), v.kind)
	return nil, false
}

// principalPair builds a Principal or NotPrincipal element.
// Grammar: <principal_block> = ("Principal" | "NotPrincipal") : ("*" | <principal_map>)
// with <principal_map> = { <principal_map_entry>, ... } and
// <principal_map_entry> = ("AWS" | "Federated" | "Service" | "CanonicalUser") : [<principal_id_string>, ...]
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
func (b *builder) principalPair(pos, neg *jsonMember) (pr Principals, bad bool) {
	if b.both(pos, neg, "Principal", "NotPrincipal") {
		return Principals{Present: true, Pos: pos.keyPos}, true
	}
	m, name := pos, "Principal"
	if neg != nil {
		m, name = neg, "NotPrincipal"
		pr.Not = true
	}
	if m == nil {
		return pr, false
	}
	pr.Present = true
	pr.Pos = m.keyPos
	v := m.val
	switch v.kind {
	case jsonString:
		if v.text != "*" {
			b.errorf(v.pos, "%s as a string must be \"*\"; name principals in a map such as {\"AWS\": %q}", name, v.text)
			return pr, true
		}
		pr.Wildcard = true
		return pr, false
	case jsonObject:
	default:
		b.errorf(v.pos, "%s must be \"*\" or an object such as {\"AWS\": [...]}, not %s", name, v.kind)
		return pr, true
	}
	if len(v.members) == 0 {
		b.errorf(v.pos, "%s is an empty object: name at least one principal", name)
		return pr, true
	}
	members := b.unique(v, name, " type")
	for _, pm := range members {
		kind, ok := principalKind(pm.key)
		if !ok {
			b.unknown(pm, name, principalKinds)
			bad = true
			continue
		}
		vals, ok := b.stringList(pm.val, name, pm.key)
		if !ok {
			bad = true
		}
		for _, val := range vals {
			pr.Entries = append(pr.Entries, PrincipalEntry{Kind: kind, Value: val.Text, Pos: val.Pos})
		}
	}
	if len(members) != len(v.members) {
		bad = true
	}
	return pr, bad
}

func principalKind(key string) (PrincipalKind, bool) {
	switch PrincipalKind(key) {
	case PrincipalAWS, PrincipalService, PrincipalFederated, PrincipalCanonicalUser:
		return PrincipalKind(key), true
	}
	return "", false
}

// conditions builds the Condition block: one Condition per (operator, key) in
// source order.
// Grammar: <condition_block> = "Condition" : { <condition_map> } with
// <condition_map> = { <condition_type_string> : { <condition_key_string> : <condition_value_list> }, ... }
// and <condition_value_list> = [<condition_value>, ...] with <condition_value>
// = (<condition_value_string> | <condition_value_number> | <condition_value_boolean>).
// An empty block ({} for Condition or for an operator) names no condition;
// whether AWS accepts it is not documented, so it is accepted here and left
// to lint.
func (b *builder) conditions(m *jsonMember) []Condition {
	if m.val.kind != jsonObject {
		b.errorf(m.val.pos, "Condition must be an object such as {\"StringEquals\": {\"aws:username\": \"alice\"}}, not %s", m.val.kind)
		return nil
	}
	n := 0
	for _, op := range m.val.members {
		n += len(op.val.members)
	}
	out := make([]Condition, 0, n)
	for _, op := range b.unique(m.val, "condition operator", "") {
		if op.val.kind != jsonObject {
			b.errorf(op.val.pos, "condition operator %s must map to an object of condition keys, not %s", op.key, op.val.kind)
			continue
		}
		for _, k := range b.unique(op.val, "condition key under ", op.key) {
			c := Condition{Operator: op.key, OperatorPos: op.keyPos, Key: k.key, KeyPos: k.keyPos}
			if vals, ok := b.conditionValues(k.val, op.key, k.key); ok {
				c.Values = vals
				out = append(out, c)
			}
		}
	}
	return out
}

func (b *builder) conditionValues(v *jsonNode, op, key string) ([]Value, bool) {
	switch v.kind {
	case jsonString, jsonNumber, jsonBool:
		return []Value{{Text: v.text, Pos: v.pos}}, true
	case jsonArray:
		if len(v.elems) == 0 {
			b.errorf(v.pos, "condition %s %s has an empty list of values", op, key)
			return nil, false
		}
		out := make([]Value, 0, len(v.elems))
		ok := true
		for _, e := range v.elems {
			switch e.kind {
			case jsonString, jsonNumber, jsonBool:
				out = append(out, Value{Text: e.text, Pos: e.pos})
			default:
				b.errorf(e.pos, "condition %s %s: a value must be a string, number or boolean, not %s", op, key, e.kind)
				ok = false
			}
		}
		return out, ok
	}
	b.errorf(v.pos, "condition %s %s: the value must be a string, number, boolean or a list of them, not %s", op, key, v.kind)
	return nil, false
}
