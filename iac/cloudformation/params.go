package cloudformation

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/iamwhy/iamwhy/policy"

	"gopkg.in/yaml.v3"

	"github.com/iamwhy/iamwhy/inputfile"
	"github.com/iamwhy/iamwhy/internal/yamldoc"
)

// Parameters are the values a parameters file gives.
type Parameters struct {
	Values map[string]string
	// Previous names parameters with UsePreviousValue: they keep the
	// deployed stack's value, which is unknown here.
	Previous map[string]bool
}

// ReadParameters reads a parameters file (JSON or YAML) in one of the
// forms CloudFormation's tools write:
//
//   - the AWS CLI's list: [{"ParameterKey": "Env", "ParameterValue": "prod"}]
//     (UsePreviousValue: true keeps the deployed value: unknown here);
//   - a template configuration file: {"Parameters": {"Env": "prod"}};
//   - a mapping of names to values: {"Env": "prod"};
//   - KEY=VALUE lines, as `aws cloudformation deploy --parameter-overrides`
//     takes them.
//
// A list value (for List<> and CommaDelimitedList parameters) is joined by
// commas.
func ReadParameters(path string) (*Parameters, error) {
	data, err := inputfile.Read(path)
	if err != nil {
		return nil, err
	}
	return DecodeParameters(data, path)
}

// DecodeParameters decodes the text of a parameters file (see
// ReadParameters); name names it in errors.
func DecodeParameters(data []byte, name string) (*Parameters, error) {
	out := &Parameters{Values: map[string]string{}, Previous: map[string]bool{}}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if strings.TrimSpace(string(data)) == "" {
			return out, nil
		}
		if lines, ok := keyValueLines(data); ok {
			out.Values = lines
			return out, nil
		}
		return nil, fmt.Errorf("%s: not a parameters file (JSON, YAML or KEY=VALUE lines): %v", name, err)
	}
	if err := yamldoc.Check(&doc); err != nil {
		return nil, fmt.Errorf("%s:%w", name, err)
	}
	n := deref(&doc)
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = deref(n.Content[0])
	}
	errf := func(at *yaml.Node, format string, args ...any) error {
		return fmt.Errorf("%s: %s", policy.At(name, at.Line, at.Column), fmt.Sprintf(format, args...))
	}
	text := func(v *yaml.Node) (string, error) {
		v = deref(v)
		switch v.Kind {
		case yaml.ScalarNode:
			return v.Value, nil
		case yaml.SequenceNode:
			parts := make([]string, 0, len(v.Content))
			for _, x := range v.Content {
				if x = deref(x); x.Kind != yaml.ScalarNode {
					return "", errf(x, "a list parameter holds strings")
				}
				parts = append(parts, x.Value)
			}
			return strings.Join(parts, ","), nil
		}
		return "", errf(v, "a parameter value is a string (or a list of strings)")
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if lines, ok := keyValueLines(data); ok {
			out.Values = lines
			return out, nil
		}
		return nil, errf(n, "want a list of ParameterKey/ParameterValue, a Parameters mapping, or KEY=VALUE lines")
	case yaml.SequenceNode:
		for _, item := range n.Content {
			item = deref(item)
			if item.Kind != yaml.MappingNode {
				return nil, errf(item, "want {ParameterKey, ParameterValue}")
			}
			var key string
			var value *yaml.Node
			prev := false
			for i := 0; i+1 < len(item.Content); i += 2 {
				k, v := item.Content[i].Value, deref(item.Content[i+1])
				switch k {
				case "ParameterKey":
					key = v.Value
				case "ParameterValue":
					value = v
				case "UsePreviousValue":
					prev = v.Value == "true"
				case "ResolvedValue":
				default:
					return nil, errf(item.Content[i], "unknown key %q (want ParameterKey, ParameterValue, UsePreviousValue)", k)
				}
			}
			if key == "" {
				return nil, errf(item, "ParameterKey is missing")
			}
			switch {
			case prev:
				out.Previous[key] = true
			case value == nil:
				return nil, errf(item, "parameter %s: ParameterValue is missing", key)
			default:
				s, err := text(value)
				if err != nil {
					return nil, err
				}
				out.Values[key] = s
			}
		}
	case yaml.MappingNode:
		m := n
		if len(n.Content) >= 2 && n.Content[0].Value == "Parameters" && deref(n.Content[1]).Kind == yaml.MappingNode {
			// A template configuration file (Parameters, Tags, StackPolicy).
			m = deref(n.Content[1])
			for i := 2; i+1 < len(n.Content); i += 2 {
				if k := n.Content[i].Value; k != "Tags" && k != "StackPolicy" {
					return nil, errf(n.Content[i], "unknown key %q in a template configuration file (want Parameters, Tags, StackPolicy)", k)
				}
			}
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			s, err := text(m.Content[i+1])
			if err != nil {
				return nil, err
			}
			out.Values[m.Content[i].Value] = s
		}
	default:
		if !isNull(n) {
			return nil, errf(n, "want a list of ParameterKey/ParameterValue or a mapping")
		}
	}
	return out, nil
}

// keyValueLines reads KEY=VALUE lines (blank lines and # comments
// skipped); ok is false unless every other line is KEY=VALUE.
func keyValueLines(data []byte) (map[string]string, bool) {
	out := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for _, field := range strings.Fields(line) {
			k, v, ok := strings.Cut(field, "=")
			if !ok || k == "" {
				return nil, false
			}
			out[k] = strings.Trim(v, `"'`)
		}
	}
	return out, len(out) > 0
}
