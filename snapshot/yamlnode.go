package snapshot

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/iamwhy/iamwhy/inputfile"
	"github.com/iamwhy/iamwhy/internal/yamldoc"
	"github.com/iamwhy/iamwhy/policy"
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

// nodePos is where n is written in file.
func nodePos(file string, n *yaml.Node) policy.Pos { return policy.At(file, n.Line, n.Column) }

func nodeWhere(file string, n *yaml.Node) string { return nodePos(file, n).String() }

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
			return nil, nodeErrorf(file, k, "%s: key %q given twice (first at %s)", what, k.Value, nodePos(file, prev).LineCol())
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
