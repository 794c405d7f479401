package terraform

import (
	"strconv"
)

// value is one attribute of a resource's planned (after) or prior
// (before) object, with the matching part of after_unknown, so that a
// value Terraform computes only at apply is seen as unknown, not absent.
type value struct {
	v    any
	u    any // after_unknown at this path: true, or a map/list below it
	path string
}

func (x value) get(key string) value {
	m, _ := x.v.(map[string]any)
	var u any
	if b, _ := x.u.(bool); b {
		u = true
	} else if um, ok := x.u.(map[string]any); ok {
		u = um[key]
	}
	return value{v: m[key], u: u, path: x.path + "." + key}
}

func (x value) index(i int) value {
	l, _ := x.v.([]any)
	var v, u any
	if i < len(l) {
		v = l[i]
	}
	if b, _ := x.u.(bool); b {
		u = true
	} else if ul, ok := x.u.([]any); ok && i < len(ul) {
		u = ul[i]
	}
	return value{v: v, u: u, path: x.path + "[" + strconv.Itoa(i) + "]"}
}

// unknown reports whether the value is known only after apply.
func (x value) unknown() bool { b, _ := x.u.(bool); return b }

// str returns a known, non-empty string.
func (x value) str() (string, bool) {
	s, ok := x.v.(string)
	return s, ok && s != "" && !x.unknown()
}

// list returns the elements of a list or set; a list whose length is
// unknown reports unknown.
func (x value) list() (items []value, unknown bool) {
	if x.unknown() {
		return nil, true
	}
	l, _ := x.v.([]any)
	for i := range l {
		items = append(items, x.index(i))
	}
	return items, false
}

// strings returns the known strings of a list and whether any element (or
// the list itself) is unknown.
func (x value) strings() (out []string, unknown bool) {
	items, unk := x.list()
	for _, it := range items {
		if s, ok := it.str(); ok {
			out = append(out, s)
		} else if it.unknown() {
			unk = true
		}
	}
	return out, unk
}
