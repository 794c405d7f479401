package cloudformation

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/iamwhy/iamwhy/policy"
)

// unknownMark stands, inside a string property decoded into a goformation
// type, for a value only a deploy knows (props.unk holds it).
const unknownMark = "\x00unknown:"

// props is a resource's resolved Properties and the unknown values in them.
type props struct {
	res *Resource
	v   *val // kMap (empty when the resource has no properties)
	unk []*val
}

// isUnknown returns the unknown value a decoded string stands for.
func (p *props) isUnknown(s string) (*val, bool) {
	rest, ok := strings.CutPrefix(s, unknownMark)
	if !ok {
		return nil, false
	}
	var i int
	if _, err := fmt.Sscanf(rest, "%d", &i); err != nil || i < 0 || i >= len(p.unk) {
		return nil, false
	}
	return p.unk[i], true
}

// field returns a property's resolved value (nil when absent).
func (p *props) field(name string) *val { return p.v.get(name) }

// decode fills into (a goformation property struct, passed as a pointer to
// a type without its UnmarshalJSON) from the named properties: the ones
// iamwhy reads, so that a property it does not read never fails a
// template. Unknown strings decode as unknownMark; a property that is
// unknown as a whole is left out (read it with field).
func (p *props) decode(into any, names ...string) error {
	m := map[string]any{}
	for _, n := range names {
		v := p.v.get(n)
		if v == nil || v.k == kUnknown {
			continue
		}
		m[n] = p.generic(v)
	}
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, into); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			at := p.v
			if f := p.v.get(strings.SplitN(te.Field, ".", 2)[0]); f != nil {
				at = f
			}
			return fmt.Errorf("%s: resource %s (%s): property %s: want %s, not %s", policy.At("", at.line, at.col), p.res.LogicalID, p.res.Type, te.Field, te.Type, te.Value)
		}
		return fmt.Errorf("resource %s (%s): %v", p.res.LogicalID, p.res.Type, err)
	}
	return nil
}

func (p *props) generic(v *val) any {
	switch v.k {
	case kUnknown:
		p.unk = append(p.unk, v)
		return fmt.Sprintf("%s%d", unknownMark, len(p.unk)-1)
	case kList:
		out := make([]any, 0, len(v.list))
		for _, x := range v.list {
			out = append(out, p.generic(x))
		}
		return out
	case kMap:
		m := make(map[string]any, len(v.keys))
		for i, k := range v.keys {
			m[k] = p.generic(v.vals[i])
		}
		return m
	}
	return v.toAny()
}
