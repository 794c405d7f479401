package policy

import (
	"bytes"
	"encoding/json"
)

// MarshalJSON writes the document in AWS's JSON form. Single values are
// written as strings and lists as arrays; condition values keep the form
// they were parsed from only as strings (AWS accepts "10" and "true" where
// it accepts 10 and true). Statement order and element order follow AWS's
// documentation (Sid, Effect, Principal, Action, Resource, Condition).
func (p *Policy) MarshalJSON() ([]byte, error) {
	var o objectWriter
	field := o.field
	if p.Version != "" {
		field("Version", p.Version)
	}
	if p.ID != "" {
		field("Id", p.ID)
	}
	stmts := make([]json.RawMessage, len(p.Statements))
	for i := range p.Statements {
		stmts[i] = p.Statements[i].marshal()
	}
	field("Statement", stmts)
	return o.bytes(), nil
}

// objectWriter writes a JSON object field by field, in the order given.
type objectWriter struct {
	b bytes.Buffer
	n int
}

func (o *objectWriter) field(name string, v any) {
	if o.n == 0 {
		o.b.WriteByte('{')
	} else {
		o.b.WriteByte(',')
	}
	o.n++
	writeJSON(&o.b, name)
	o.b.WriteByte(':')
	writeJSON(&o.b, v)
}

func (o *objectWriter) bytes() []byte {
	if o.n == 0 {
		o.b.WriteByte('{')
	}
	o.b.WriteByte('}')
	return o.b.Bytes()
}

func writeJSON(b *bytes.Buffer, v any) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	b.Truncate(b.Len() - 1) // Encode's newline
}

func (s *Statement) marshal() json.RawMessage {
	var o objectWriter
	field := o.field
	if s.Sid != "" {
		field("Sid", s.Sid)
	}
	field("Effect", string(s.Effect))
	if s.Principal.Present {
		name := "Principal"
		if s.Principal.Not {
			name = "NotPrincipal"
		}
		if s.Principal.Wildcard {
			field(name, "*")
		} else {
			m := map[string][]string{}
			var order []string
			for _, e := range s.Principal.Entries {
				k := string(e.Kind)
				if _, ok := m[k]; !ok {
					order = append(order, k)
				}
				m[k] = append(m[k], e.Value)
			}
			obj := make([]kv, 0, len(order))
			for _, k := range order {
				obj = append(obj, kv{k, oneOrList(m[k])})
			}
			field(name, orderedObject(obj))
		}
	}
	if s.Action.Present {
		name := "Action"
		if s.Action.Not {
			name = "NotAction"
		}
		field(name, oneOrList(texts(s.Action.Values)))
	}
	if s.Resource.Present {
		name := "Resource"
		if s.Resource.Not {
			name = "NotResource"
		}
		field(name, oneOrList(texts(s.Resource.Values)))
	}
	if len(s.Conditions) > 0 {
		var ops []kv
		idx := map[string]int{}
		for _, c := range s.Conditions {
			i, ok := idx[c.Operator]
			if !ok {
				i = len(ops)
				idx[c.Operator] = i
				ops = append(ops, kv{c.Operator, orderedObject(nil)})
			}
			ops[i].v = append(ops[i].v.(orderedObject), kv{c.Key, oneOrList(texts(c.Values))})
		}
		field("Condition", orderedObject(ops))
	}
	return o.bytes()
}

type kv struct {
	k string
	v any
}

// orderedObject marshals as a JSON object keeping its keys' order.
type orderedObject []kv

func (o orderedObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSON(&b, e.k)
		b.WriteByte(':')
		writeJSON(&b, e.v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func texts(vs []Value) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Text
	}
	return out
}

func oneOrList(s []string) any {
	if len(s) == 1 {
		return s[0]
	}
	return s
}

// Clone returns a deep copy of the document, for edits that must leave the
// original untouched.
func (p *Policy) Clone() *Policy {
	n := *p
	n.Statements = make([]Statement, len(p.Statements))
	for i, s := range p.Statements {
		s.Action.Values = append([]Value(nil), s.Action.Values...)
		s.Resource.Values = append([]Value(nil), s.Resource.Values...)
		s.Principal.Entries = append([]PrincipalEntry(nil), s.Principal.Entries...)
		conds := make([]Condition, len(s.Conditions))
		for j, c := range s.Conditions {
			c.Values = append([]Value(nil), c.Values...)
			conds[j] = c
		}
		s.Conditions = conds
		n.Statements[i] = s
	}
	return &n
}
