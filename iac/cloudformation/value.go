package cloudformation

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/iamwhy/iamwhy/policy"
)

// kind is what a resolved template value is.
type kind uint8

const (
	kNull kind = iota
	kStr
	kNum
	kBool
	kList
	kMap
	// kUnknown is a value only a deploy knows; s says why, with the
	// template line.
	kUnknown
	// kNoValue is Ref AWS::NoValue: the property is removed.
	kNoValue
)

// val is a template value after its intrinsic functions are resolved, with
// where it was written (the intrinsic's position for a computed value).
type val struct {
	k    kind
	s    string // kStr, kNum (its text), kUnknown (the reason)
	b    bool
	list []*val
	keys []string // kMap, in template order
	vals []*val
	line int
	col  int
}

func (v *val) str() (string, bool) {
	if v == nil {
		return "", false
	}
	switch v.k {
	case kStr, kNum:
		return v.s, true
	case kBool:
		return strconv.FormatBool(v.b), true
	}
	return "", false
}

// get returns the value of a map key (nil when absent or v is no map).
func (v *val) get(key string) *val {
	if v == nil || v.k != kMap {
		return nil
	}
	for i, k := range v.keys {
		if k == key {
			return v.vals[i]
		}
	}
	return nil
}

// unknown returns the first value under v only a deploy knows, nil when v
// is fully known.
func (v *val) unknown() *val {
	if v == nil {
		return nil
	}
	switch v.k {
	case kUnknown:
		return v
	case kList:
		for _, x := range v.list {
			if u := x.unknown(); u != nil {
				return u
			}
		}
	case kMap:
		for _, x := range v.vals {
			if u := x.unknown(); u != nil {
				return u
			}
		}
	}
	return nil
}

// toAny converts a known value to encoding/json's generic form.
func (v *val) toAny() any {
	switch v.k {
	case kStr:
		return v.s
	case kNum:
		return json.Number(v.s)
	case kBool:
		return v.b
	case kList:
		out := make([]any, 0, len(v.list))
		for _, x := range v.list {
			out = append(out, x.toAny())
		}
		return out
	case kMap:
		m := make(map[string]any, len(v.keys))
		for i, k := range v.keys {
			m[k] = v.vals[i].toAny()
		}
		return m
	}
	return nil
}

// jsonText writes a known value as indented JSON, one element per line,
// and records for each line of the text the template position of the
// element that starts on it (a policy.SourceMap: lines[n] is text line n),
// so that a position inside the text maps back to the template.
type jsonText struct {
	b     strings.Builder
	file  string
	lines policy.SourceMap
}

func (j *jsonText) newline(indent int, v *val) {
	j.b.WriteByte('\n')
	j.b.WriteString(strings.Repeat("  ", indent))
	j.lines = append(j.lines, policy.At(j.file, v.line, v.col))
}

func (j *jsonText) write(v *val, indent int) {
	switch v.k {
	case kStr:
		q, _ := json.Marshal(v.s)
		j.b.Write(q)
	case kNum:
		if json.Valid([]byte(v.s)) {
			j.b.WriteString(v.s)
		} else {
			q, _ := json.Marshal(v.s)
			j.b.Write(q)
		}
	case kBool:
		j.b.WriteString(strconv.FormatBool(v.b))
	case kList:
		if len(v.list) == 0 {
			j.b.WriteString("[]")
			return
		}
		j.b.WriteByte('[')
		for i, x := range v.list {
			if i > 0 {
				j.b.WriteByte(',')
			}
			j.newline(indent+1, x)
			j.write(x, indent+1)
		}
		j.newline(indent, v)
		j.b.WriteByte(']')
	case kMap:
		if len(v.keys) == 0 {
			j.b.WriteString("{}")
			return
		}
		j.b.WriteByte('{')
		for i, k := range v.keys {
			if i > 0 {
				j.b.WriteByte(',')
			}
			j.newline(indent+1, v.vals[i])
			q, _ := json.Marshal(k)
			j.b.Write(q)
			j.b.WriteString(": ")
			j.write(v.vals[i], indent+1)
		}
		j.newline(indent, v)
		j.b.WriteByte('}')
	default:
		j.b.WriteString("null")
	}
}

// render returns v as JSON text with the map of its lines to positions in
// file (see jsonText).
func render(v *val, file string) ([]byte, policy.SourceMap) {
	j := &jsonText{file: file, lines: policy.SourceMap{{}, policy.At(file, v.line, v.col)}}
	j.write(v, 0)
	return []byte(j.b.String()), j.lines
}
