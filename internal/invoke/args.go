package invoke

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/google/jsonschema-go/jsonschema"
)

// contextValue is one request context key's value as a tool takes it: a
// string, or a list of strings for a multivalued key.
type contextValue struct {
	values []string
	multi  bool
}

func (v *contextValue) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		v.multi = true
		return json.Unmarshal(b, &v.values)
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a context value is a string or a list of strings")
	}
	v.values = []string{s}
	return nil
}

// contextSchema describes contextValue to clients.
var contextSchema = &jsonschema.Schema{
	Description: "a string, or a list of strings for a multivalued key",
	AnyOf: []*jsonschema.Schema{
		{Type: "string"},
		{Type: "array", Items: &jsonschema.Schema{Type: "string"}},
	},
}

// schemaOptions teaches schema inference the types above.
var schemaOptions = &jsonschema.ForOptions{
	TypeSchemas: map[reflect.Type]*jsonschema.Schema{
		reflect.TypeFor[contextValue](): contextSchema,
	},
}

// contextArgs turns a context object into the CLI's --context flags, in
// key order so a call is reproducible. A list becomes one flag per value
// (the CLI gathers repeated keys into a multivalued key); a one-element
// list is written KEY=[V] so it stays multivalued.
func contextArgs(ctx map[string]contextValue) ([]string, error) {
	keys := make([]string, 0, len(ctx))
	for k := range ctx {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var args []string
	for _, k := range keys {
		if k == "" || strings.Contains(k, "=") {
			return nil, fmt.Errorf("context key %q: a key is a name such as aws:SourceIp", k)
		}
		v := ctx[k]
		switch {
		case !v.multi:
			s := v.values[0]
			if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
				return nil, fmt.Errorf("context %s: give several values as a JSON list, not as text in brackets", k)
			}
			args = append(args, "--context", k+"="+s)
		case len(v.values) == 0:
			return nil, fmt.Errorf("context %s: an empty list; leave the key out instead", k)
		case len(v.values) == 1 && !strings.Contains(v.values[0], ","):
			args = append(args, "--context", k+"=["+v.values[0]+"]")
		default:
			for _, s := range v.values {
				args = append(args, "--context", k+"="+s)
			}
		}
	}
	return args, nil
}

// document reads a policy document argument: a JSON object, or its JSON
// text. It returns the document's JSON text. Anything else is refused, so
// that an argument is never taken for a path to read.
func document(name string, v any) ([]byte, error) { return jsonObject(name, "policy document", v) }

// jsonObject reads an argument that is a JSON object given as an object
// or as its JSON text, and returns the text.
func jsonObject(name, what string, v any) ([]byte, error) {
	if s, ok := v.(string); ok {
		var obj map[string]any
		if err := json.Unmarshal([]byte(s), &obj); err != nil {
			return nil, fmt.Errorf("%s: not a JSON %s: %v", name, what, err)
		}
		return []byte(s), nil
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, fmt.Errorf("%s: want a %s (a JSON object, or its JSON text)", name, what)
	}
	return json.Marshal(v)
}

// required refuses an empty string argument.
func required(name, v string) error {
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("%s is required", name)
	}
	return nil
}
