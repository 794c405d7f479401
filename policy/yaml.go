package policy

import (
	"bytes"
	"encoding/json"
	"fmt"

	"gopkg.in/yaml.v3"
)

// SourceMap maps each line of a converted document's JSON text (index =
// 1-based line; entry 0 is unused) to the position, in the original file,
// of what is written on that line. FromYAML writes every key and value on a
// line of its own, so the map places each element exactly.
type SourceMap []Pos

// Pos maps a position of the converted text. A line outside the map (which
// FromYAML's output does not have) is returned as it is.
func (m SourceMap) Pos(p Pos) Pos {
	if p.Line > 0 && p.Line < len(m) {
		return m[p.Line]
	}
	return p
}

// MaxYAMLDocument bounds the JSON text of one document converted from YAML:
// aliases can make a small file expand without limit, and AWS's largest
// policy documents are a few tens of kilobytes.
const MaxYAMLDocument = 1 << 20

// maxYAMLDepth bounds nesting, as maxJSONDepth does for JSON.
const maxYAMLDepth = maxJSONDepth

// FromYAML converts a policy document written in YAML (an inline policy of a
// check file, an SCP in an organisation file, a document in its own .yaml
// file) into JSON for Parse, with the SourceMap that places every element of
// that JSON at its line and column in file. Parse it with
// Options{Source: file, Lines: lines}, or call ParseYAML.
//
// Scalars become JSON strings, except the booleans true and false and null:
// an unquoted account ID, number or date is read as the text IAM expects
// ("Principal: {AWS: 111122223333}", "Version: 2012-10-17"). Aliases are
// expanded, within MaxYAMLDocument bytes.
func FromYAML(n *yaml.Node, file string) ([]byte, SourceMap, error) {
	c := yamlConverter{file: file, lines: SourceMap{{}}}
	if err := c.emit(n, 0); err != nil {
		return nil, nil, err
	}
	return c.buf.Bytes(), c.lines, nil
}

// ParseYAML parses a policy document written in YAML: FromYAML, then Parse
// with the positions of the YAML file opts.Source. A node that is not a
// mapping is refused with its position.
func ParseYAML(n *yaml.Node, opts Options) (*Policy, error) {
	for n != nil && (n.Kind == yaml.DocumentNode || n.Kind == yaml.AliasNode) {
		if n.Kind == yaml.AliasNode {
			n = n.Alias
		} else if len(n.Content) > 0 {
			n = n.Content[0]
		} else {
			n = nil
		}
	}
	if n == nil {
		return nil, ErrorList{{Source: opts.Source, Msg: "empty document: want a policy document (a mapping)"}}
	}
	if n.Kind != yaml.MappingNode {
		return nil, ErrorList{{Source: opts.Source, Pos: yamlPos(opts.Source, n), Msg: "a policy document must be a mapping, found " + yamlKind(n)}}
	}
	data, lines, err := FromYAML(n, opts.Source)
	if err != nil {
		return nil, err
	}
	opts.Lines, opts.Start = lines, Pos{}
	return Parse(data, opts)
}

func yamlPos(file string, n *yaml.Node) Pos { return At(file, n.Line, n.Column) }

func yamlKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "null"
		}
		return "a scalar"
	}
	return "a mapping"
}

type yamlConverter struct {
	file  string
	buf   bytes.Buffer
	lines SourceMap
}

// newline starts a line of JSON for n.
func (c *yamlConverter) newline(n *yaml.Node) {
	if c.buf.Len() > 0 {
		c.buf.WriteByte('\n')
	}
	c.lines = append(c.lines, yamlPos(c.file, n))
}

func (c *yamlConverter) emit(n *yaml.Node, depth int) error {
	if depth > maxYAMLDepth {
		return &Error{Source: c.file, Pos: yamlPos(c.file, n), Msg: fmt.Sprintf("nested deeper than %d levels", maxYAMLDepth)}
	}
	if c.buf.Len() > MaxYAMLDocument {
		return &Error{Source: c.file, Pos: yamlPos(c.file, n), Msg: fmt.Sprintf("document larger than %d bytes once YAML aliases are expanded", MaxYAMLDocument)}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			return c.emit(n.Content[0], depth)
		}
		c.newline(n)
		c.buf.WriteString("null")
	case yaml.AliasNode:
		if n.Alias == nil {
			return &Error{Source: c.file, Pos: yamlPos(c.file, n), Msg: "alias without an anchor"}
		}
		return c.emit(n.Alias, depth+1)
	case yaml.MappingNode:
		c.newline(n)
		c.buf.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				c.buf.WriteByte(',')
			}
			k := n.Content[i]
			c.newline(k)
			writeJSONString(&c.buf, k.Value)
			c.buf.WriteByte(':')
			if err := c.emit(n.Content[i+1], depth+1); err != nil {
				return err
			}
		}
		c.buf.WriteByte('}')
	case yaml.SequenceNode:
		c.newline(n)
		c.buf.WriteByte('[')
		for i, e := range n.Content {
			if i > 0 {
				c.buf.WriteByte(',')
			}
			if err := c.emit(e, depth+1); err != nil {
				return err
			}
		}
		c.buf.WriteByte(']')
	case yaml.ScalarNode:
		c.newline(n)
		switch n.Tag {
		case "!!bool":
			switch n.Value {
			case "true", "True", "TRUE":
				c.buf.WriteString("true")
			case "false", "False", "FALSE":
				c.buf.WriteString("false")
			default: // an explicit !!bool tag on other text
				writeJSONString(&c.buf, n.Value)
			}
		case "!!null":
			c.buf.WriteString("null")
		default:
			writeJSONString(&c.buf, n.Value)
		}
	default:
		return &Error{Source: c.file, Pos: yamlPos(c.file, n), Msg: "unsupported YAML node"}
	}
	return nil
}

func writeJSONString(buf *bytes.Buffer, s string) {
	b, _ := json.Marshal(s)
	buf.Write(b)
}
