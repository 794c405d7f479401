package eval

import "strings"

// template is a Resource entry or condition value that contains policy
// variables. Literal parts are already encoded (wildcards as wildStar and
// wildQuest); the ${*}, ${?} and ${$} escapes are literal characters.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
type template struct {
	parts []templatePart
}

type templatePart struct {
	lit        string // encoded literal, when key == ""
	key        string // lower-cased context key of a variable
	name       string // the key as written, for traces
	def        string // default value
	hasDefault bool
}

// parseTemplate splits s into literal text and variables. It returns nil
// when s has no variables; the escapes alone still produce a template so
// that their characters stay literal. wild says whether '*' and '?' in the
// literal text are wildcards (Resource, StringLike, ArnLike) or plain
// characters (StringEquals and the other operators).
func parseTemplate(s string, wild bool) *template {
	if !strings.Contains(s, "${") {
		return nil
	}
	t := &template{}
	lit := strings.Builder{}
	flush := func() {
		if lit.Len() > 0 {
			t.parts = append(t.parts, templatePart{lit: lit.String()})
			lit.Reset()
		}
	}
	addText := func(text string) {
		if wild {
			text = encodeWildcards(text)
		}
		lit.WriteString(text)
	}
	vars := false
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			addText(s)
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			addText(s)
			break
		}
		addText(s[:i])
		body := s[i+2 : i+j]
		s = s[i+j+1:]
		switch body {
		case "*", "?", "$":
			lit.WriteString(body)
			vars = true
			continue
		}
		name, def, hasDef := body, "", false
		if k := strings.IndexByte(body, ','); k >= 0 {
			d := strings.TrimSpace(body[k+1:])
			if len(d) >= 2 && d[0] == '\'' && d[len(d)-1] == '\'' {
				name, def, hasDef = strings.TrimSpace(body[:k]), d[1:len(d)-1], true
			}
		}
		name = strings.TrimSpace(name)
		if name == "" {
			addText("${" + body + "}")
			continue
		}
		flush()
		t.parts = append(t.parts, templatePart{key: strings.ToLower(name), name: name, def: def, hasDefault: hasDef})
		vars = true
	}
	flush()
	if !vars {
		return nil
	}
	return t
}

// resolve substitutes the variables from the request's keys into buf. ok is false when a
// variable has no value and no default, or names a multivalued key (only
// single-valued keys can be variables): the entry then matches nothing, so
// positive operators fail and negated ones hold.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-no-value
func (t *template) resolve(k *keys, buf []byte) (out []byte, ok bool) {
	out = buf[:0]
	for i := range t.parts {
		p := &t.parts[i]
		if p.key == "" {
			out = append(out, p.lit...)
			continue
		}
		e, present := k.lookup(p.key)
		switch {
		case present && len(e.values) == 1 && !e.multi:
			out = append(out, e.values[0]...)
		case p.hasDefault && !present:
			out = append(out, p.def...)
		default:
			return out, false
		}
	}
	return out, true
}

// String shows the template as written.
func (t *template) String() string {
	var b strings.Builder
	for _, p := range t.parts {
		if p.key == "" {
			b.WriteString(decodeWildcards(p.lit))
			continue
		}
		b.WriteString("${" + p.name)
		if p.hasDefault {
			b.WriteString(", '" + p.def + "'")
		}
		b.WriteString("}")
	}
	return b.String()
}
