package eval

import (
	"fmt"
	"strings"
)

// ContextEntry is one request context key as a person writes it: its name
// (as first spelt), its values, and whether it is multivalued.
type ContextEntry struct {
	Key    string
	Values []string
	Multi  bool
}

// ParseContextEntries reads request context keys written KEY=VALUE or
// KEY=[V1,V2] (a list: the key is multivalued), the form the CLI's
// --context and the web UI's context field take. Condition key names are
// not case-sensitive
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html),
// so a key given again, in any case, is the same key: its values are added
// and it becomes multivalued. Entries keep the order of their first
// appearance and the first spelling of the name; spaces around the name are
// dropped, the value is kept as written. An entry without '=' or without a
// name is an error.
func ParseContextEntries(entries []string) ([]ContextEntry, error) {
	var out []ContextEntry
	index := map[string]int{}
	for _, e := range entries {
		k, v, ok := strings.Cut(e, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("context entry %q: want KEY=VALUE or KEY=[V1,V2]", e)
		}
		lk := strings.ToLower(k)
		i, seen := index[lk]
		if !seen {
			i = len(out)
			index[lk] = i
			out = append(out, ContextEntry{Key: k})
		} else {
			out[i].Multi = true
		}
		ce := &out[i]
		if strings.HasPrefix(v, "[") && strings.HasSuffix(v, "]") {
			for _, item := range strings.Split(v[1:len(v)-1], ",") {
				ce.Values = append(ce.Values, strings.TrimSpace(item))
			}
			ce.Multi = true
			continue
		}
		ce.Values = append(ce.Values, v)
	}
	return out, nil
}

// ContextOf builds a request context from entries (ParseContextEntries).
func ContextOf(entries []ContextEntry) *Context {
	ctx := &Context{}
	for _, e := range entries {
		if e.Multi {
			ctx.SetMulti(e.Key, e.Values...)
		} else {
			ctx.Set(e.Key, e.Values...)
		}
	}
	return ctx
}
