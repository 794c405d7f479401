package check

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/iamwhy/iamwhy/policy"
	"gopkg.in/yaml.v3"
)

// yamlPolicyJSON turns a policy document written inline in YAML into JSON
// for the policy parser, and returns a map from each JSON line to the
// position of the YAML node written on it, so that the parser's errors and
// the positions in the parsed model point into the YAML file.
//
// Every key and value is emitted on a line of its own. YAML scalars become
// JSON strings, except true/false (booleans) and null, so an unquoted account
// ID or number is read as the string IAM expects.
func yamlPolicyJSON(n *yaml.Node) ([]byte, []policy.Pos) {
	var buf bytes.Buffer
	lines := []policy.Pos{{}} // JSON line numbers are 1-based
	newline := func(n *yaml.Node) {
		if buf.Len() > 0 {
			buf.WriteByte('\n')
		}
		lines = append(lines, policy.Pos{Line: n.Line, Col: n.Column})
	}
	var emit func(n *yaml.Node)
	emit = func(n *yaml.Node) {
		switch n.Kind {
		case yaml.DocumentNode:
			if len(n.Content) > 0 {
				emit(n.Content[0])
			}
		case yaml.AliasNode:
			emit(n.Alias)
		case yaml.MappingNode:
			newline(n)
			buf.WriteByte('{')
			for i := 0; i+1 < len(n.Content); i += 2 {
				if i > 0 {
					buf.WriteByte(',')
				}
				newline(n.Content[i])
				writeJSONString(&buf, n.Content[i].Value)
				buf.WriteByte(':')
				emit(n.Content[i+1])
			}
			buf.WriteByte('}')
		case yaml.SequenceNode:
			newline(n)
			buf.WriteByte('[')
			for i, c := range n.Content {
				if i > 0 {
					buf.WriteByte(',')
				}
				emit(c)
			}
			buf.WriteByte(']')
		case yaml.ScalarNode:
			newline(n)
			switch n.Tag {
			case "!!bool":
				if n.Value == "true" || n.Value == "True" || n.Value == "TRUE" {
					buf.WriteString("true")
				} else {
					buf.WriteString("false")
				}
			case "!!null":
				buf.WriteString("null")
			default:
				writeJSONString(&buf, n.Value)
			}
		}
	}
	emit(n)
	return buf.Bytes(), lines
}

func writeJSONString(buf *bytes.Buffer, s string) {
	b, _ := json.Marshal(s)
	buf.Write(b)
}

// remap rewrites every position of a parsed document from JSON lines to
// the YAML positions recorded by yamlPolicyJSON.
func remap(p *policy.Policy, lines []policy.Pos) {
	fix := func(pos *policy.Pos) {
		if pos.Line > 0 && pos.Line < len(lines) {
			*pos = lines[pos.Line]
		}
	}
	fix(&p.Pos)
	fix(&p.VersionPos)
	for i := range p.Statements {
		s := &p.Statements[i]
		fix(&s.Pos)
		fix(&s.EffectPos)
		fix(&s.Action.Pos)
		fix(&s.Resource.Pos)
		fix(&s.Principal.Pos)
		for j := range s.Action.Values {
			fix(&s.Action.Values[j].Pos)
		}
		for j := range s.Resource.Values {
			fix(&s.Resource.Values[j].Pos)
		}
		for j := range s.Principal.Entries {
			fix(&s.Principal.Entries[j].Pos)
		}
		for j := range s.Conditions {
			c := &s.Conditions[j]
			fix(&c.OperatorPos)
			fix(&c.KeyPos)
			for k := range c.Values {
				fix(&c.Values[k].Pos)
			}
		}
	}
}

// remapErrors does the same for parse errors.
func remapErrors(err error, lines []policy.Pos) error {
	list, ok := err.(policy.ErrorList)
	if !ok {
		return err
	}
	for _, e := range list {
		if e.Pos.Line > 0 && e.Pos.Line < len(lines) {
			e.Pos = lines[e.Pos.Line]
		}
	}
	return list
}

// parseYAMLPolicy parses an inline YAML policy document.
func parseYAMLPolicy(n *yaml.Node, opts policy.Options) (*policy.Policy, error) {
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d:%d: a policy document must be a mapping", opts.Source, n.Line, n.Column)
	}
	data, lines := yamlPolicyJSON(n)
	doc, err := policy.Parse(data, opts)
	if err != nil {
		return nil, remapErrors(err, lines)
	}
	remap(doc, lines)
	return doc, nil
}
