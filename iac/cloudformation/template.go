package cloudformation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/iamwhy/iamwhy/policy"

	"gopkg.in/yaml.v3"

	"github.com/iamwhy/iamwhy/inputfile"
	"github.com/iamwhy/iamwhy/internal/yamldoc"
)

// Template is a parsed CloudFormation or SAM template: its sections as
// YAML nodes, which keep line and column for locations.
type Template struct {
	// File names the template in locations.
	File       string
	Parameters map[string]*yaml.Node
	Conditions map[string]*yaml.Node
	Mappings   *yaml.Node
	// Resources in template order.
	Resources []*Resource
	// Transforms are the template's Transform names
	// (AWS::Serverless-2016-10-31 for SAM).
	Transforms []string
	// Globals is SAM's Globals section (nil when absent).
	Globals *yaml.Node

	byID map[string]*Resource
}

// Resource is one entry of the template's Resources section.
type Resource struct {
	LogicalID  string
	Type       string
	Properties *yaml.Node // nil when the resource has none
	Condition  string
	Line, Col  int
}

// maxDepth bounds the nesting of template values (and of intrinsic
// functions resolving each other), so that a hostile template cannot
// exhaust the stack.
const maxDepth = 512

// ReadFile reads a template file (regular files only, within the inputfile
// size limit).
func ReadFile(path string) (*Template, error) {
	data, err := inputfile.Read(path)
	if err != nil {
		return nil, err
	}
	return Decode(data, path)
}

// Decode parses a template written in JSON or YAML (with the short
// intrinsic forms such as !Ref and !Sub). Errors name name:line:col.
func Decode(data []byte, name string) (*Template, error) {
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' && json.Valid(data) {
		data = unescapeSlashes(data)
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: not a CloudFormation template (JSON or YAML): %v", name, err)
	}
	if err := yamldoc.Check(&doc); err != nil {
		var ye *yamldoc.Error
		if errors.As(err, &ye) {
			return nil, fmt.Errorf("%s: %s", policy.At(name, ye.Line, ye.Col), ye.Msg)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	root = deref(root)
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: a template is a mapping with a Resources section", policy.At(name, root.Line, root.Column))
	}
	t := &Template{File: name, Parameters: map[string]*yaml.Node{}, Conditions: map[string]*yaml.Node{}, byID: map[string]*Resource{}}
	var resources *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], deref(root.Content[i+1])
		switch k.Value {
		case "Parameters", "Conditions":
			if v.Kind != yaml.MappingNode {
				if isNull(v) {
					continue
				}
				return nil, t.errorf(v, "%s must be a mapping", k.Value)
			}
			m := t.Parameters
			if k.Value == "Conditions" {
				m = t.Conditions
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				m[v.Content[j].Value] = deref(v.Content[j+1])
			}
		case "Mappings":
			t.Mappings = v
		case "Resources":
			resources = v
		case "Transform":
			switch v.Kind {
			case yaml.ScalarNode:
				t.Transforms = append(t.Transforms, v.Value)
			case yaml.SequenceNode:
				for _, x := range v.Content {
					if x = deref(x); x.Kind == yaml.ScalarNode {
						t.Transforms = append(t.Transforms, x.Value)
					} else {
						t.Transforms = append(t.Transforms, "(a macro given as a mapping)")
					}
				}
			default:
				t.Transforms = append(t.Transforms, "(a macro given as a mapping)")
			}
		case "Globals":
			t.Globals = v
		}
	}
	if resources == nil || resources.Kind != yaml.MappingNode {
		where := root
		if resources != nil {
			where = resources
		}
		return nil, t.errorf(where, "a template needs a Resources mapping")
	}
	for i := 0; i+1 < len(resources.Content); i += 2 {
		k, v := resources.Content[i], deref(resources.Content[i+1])
		if v.Kind != yaml.MappingNode {
			return nil, t.errorf(v, "resource %s must be a mapping with Type", k.Value)
		}
		r := &Resource{LogicalID: k.Value, Line: k.Line, Col: k.Column}
		for j := 0; j+1 < len(v.Content); j += 2 {
			rk, rv := v.Content[j].Value, deref(v.Content[j+1])
			switch rk {
			case "Type":
				if rv.Kind != yaml.ScalarNode {
					return nil, t.errorf(rv, "resource %s: Type must be a string", k.Value)
				}
				r.Type = rv.Value
			case "Properties":
				if !isNull(rv) {
					r.Properties = rv
				}
			case "Condition":
				r.Condition = rv.Value
			}
		}
		if r.Type == "" {
			return nil, t.errorf(v, "resource %s has no Type", k.Value)
		}
		t.Resources = append(t.Resources, r)
		t.byID[r.LogicalID] = r
	}
	return t, nil
}

// SAM reports whether the template uses the AWS::Serverless transform.
func (t *Template) SAM() bool {
	for _, x := range t.Transforms {
		if strings.HasPrefix(x, "AWS::Serverless") {
			return true
		}
	}
	return false
}

// Resource returns the resource with the given logical id.
func (t *Template) Resource(id string) (*Resource, bool) { r, ok := t.byID[id]; return r, ok }

func (t *Template) errorf(n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%s: %s", policy.At(t.File, n.Line, n.Column), fmt.Sprintf(format, args...))
}

func (t *Template) at(line, col int) string { return policy.At(t.File, line, col).String() }

// unescapeSlashes drops the backslash of JSON's "\/" escape, which YAML's
// double-quoted strings do not have (the text is otherwise read as YAML,
// which keeps positions). Other escapes are JSON's and YAML's alike.
func unescapeSlashes(data []byte) []byte {
	if !bytes.Contains(data, []byte(`\/`)) {
		return data
	}
	out := make([]byte, 0, len(data))
	in := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case c == '"':
			in = !in
		case c == '\\' && in && i+1 < len(data):
			if data[i+1] != '/' {
				out = append(out, c)
			}
			i++
			c = data[i]
		}
		out = append(out, c)
	}
	return out
}

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < maxDepth; i++ {
		n = n.Alias
	}
	if n == nil {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"}
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }
