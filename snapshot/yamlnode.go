package snapshot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/iamwhy/iamwhy/inputfile"
	"github.com/iamwhy/iamwhy/internal/yamldoc"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Helpers for files read with yaml.v3 (environment files, organisation
// files, YAML records): YAML nodes carry line:column, and JSON is read by the
// same code since JSON is YAML.

// readYAMLFile parses path into its document node.
func readYAMLFile(path string) (*yaml.Node, error) {
	data, err := inputfile.Read(path)
	if err != nil {
		return nil, err
	}
	return parseYAML(data, path)
}

func parseYAML(data []byte, path string) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s:%s", path, yamlErrorText(err))
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: empty file", path)
	}
	// Duplicate keys are refused by mappingPairs, with what the mapping is.
	if err := yamldoc.CheckAliases(doc.Content[0]); err != nil {
		return nil, fmt.Errorf("%s:%w", path, err)
	}
	return resolveAlias(doc.Content[0]), nil
}

// yamlErrorText turns "yaml: line 3: did not find expected key" into
// "3: did not find expected key" so that "file:" + it reads
// file:line: message; other messages get a leading space.
func yamlErrorText(err error) string {
	s := err.Error()
	const p = "yaml: line "
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return " " + strings.TrimPrefix(s, "yaml: ")
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func nodeWhere(file string, n *yaml.Node) string {
	return fmt.Sprintf("%s:%d:%d", file, n.Line, n.Column)
}

func nodeErrorf(file string, n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%s: %s", nodeWhere(file, n), fmt.Sprintf(format, args...))
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "null"
		}
		return "a scalar " + strconv.Quote(n.Value)
	}
	return "an unexpected node"
}

// mappingPairs returns the key/value pairs of a mapping node, or an error
// naming what was found instead.
func mappingPairs(file string, n *yaml.Node, what string) ([][2]*yaml.Node, error) {
	n = resolveAlias(n)
	if n.Kind != yaml.MappingNode {
		return nil, nodeErrorf(file, n, "%s must be a mapping, found %s", what, kindName(n))
	}
	out := make([][2]*yaml.Node, 0, len(n.Content)/2)
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolveAlias(n.Content[i+1])
		if prev, dup := seen[k.Value]; dup {
			return nil, nodeErrorf(file, k, "%s: key %q given twice (first at %d:%d)", what, k.Value, prev.Line, prev.Column)
		}
		seen[k.Value] = k
		out = append(out, [2]*yaml.Node{k, v})
	}
	return out, nil
}

// scalarString returns a scalar's text; null gives "".
func scalarString(file string, n *yaml.Node, what string) (string, error) {
	n = resolveAlias(n)
	if n.Kind != yaml.ScalarNode {
		return "", nodeErrorf(file, n, "%s must be a string, found %s", what, kindName(n))
	}
	if n.Tag == "!!null" {
		return "", nil
	}
	return n.Value, nil
}

// stringList accepts a list of scalars or a single scalar.
func stringList(file string, n *yaml.Node, what string) ([]string, []*yaml.Node, error) {
	n = resolveAlias(n)
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return nil, nil, nil
		}
		return []string{n.Value}, []*yaml.Node{n}, nil
	case yaml.SequenceNode:
		out := make([]string, 0, len(n.Content))
		nodes := make([]*yaml.Node, 0, len(n.Content))
		for _, c := range n.Content {
			s, err := scalarString(file, c, what+" entry")
			if err != nil {
				return nil, nil, err
			}
			out = append(out, s)
			nodes = append(nodes, resolveAlias(c))
		}
		return out, nodes, nil
	}
	return nil, nil, nodeErrorf(file, n, "%s must be a list, found %s", what, kindName(n))
}

// nodeToJSON converts a YAML node to JSON text. Scalars keep their written
// text: quoted or string-typed scalars become JSON strings, plain numbers,
// booleans and null stay what they are (policy documents treat numbers and
// booleans in condition values as their text).
func nodeToJSON(n *yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	if err := writeNodeJSON(&b, n, 0); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// maxDocumentJSON bounds a document converted from YAML: aliases can make a
// small file expand without limit. AWS's largest policy documents are a few
// tens of kilobytes.
const maxDocumentJSON = 1 << 20

func writeNodeJSON(b *bytes.Buffer, n *yaml.Node, depth int) error {
	if depth > 64 {
		return fmt.Errorf("%d:%d: nested too deeply", n.Line, n.Column)
	}
	if b.Len() > maxDocumentJSON {
		return fmt.Errorf("%d:%d: document larger than %d bytes once YAML aliases are expanded", n.Line, n.Column, maxDocumentJSON)
	}
	n = resolveAlias(n)
	switch n.Kind {
	case yaml.MappingNode:
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(n.Content[i].Value)
			b.Write(k)
			b.WriteByte(':')
			if err := writeNodeJSON(b, n.Content[i+1], depth+1); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeNodeJSON(b, c, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case yaml.ScalarNode:
		switch {
		case n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0:
			s, _ := json.Marshal(n.Value)
			b.Write(s)
		case n.Tag == "!!null":
			b.WriteString("null")
		case n.Tag == "!!bool":
			if v, err := strconv.ParseBool(n.Value); err == nil {
				b.WriteString(strconv.FormatBool(v))
			} else {
				s, _ := json.Marshal(n.Value)
				b.Write(s)
			}
		case (n.Tag == "!!int" || n.Tag == "!!float") && json.Valid([]byte(n.Value)):
			b.WriteString(n.Value)
		default:
			s, _ := json.Marshal(n.Value)
			b.Write(s)
		}
	default:
		return fmt.Errorf("%d:%d: unsupported YAML node", n.Line, n.Column)
	}
	return nil
}
