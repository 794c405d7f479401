package eval

import (
	"sort"
	"strings"
)

// Context holds the request context: condition keys with one or more string
// values each. Key names are case-insensitive (so are the tag-key parts of
// aws:PrincipalTag/, aws:RequestTag/ and aws:ResourceTag/ keys); values keep
// their case, and each condition operator decides how to compare them.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
//
// A key with no entry is absent from the request, which is not the same as
// present with an empty value. The zero Context is empty and ready to use.
type Context struct {
	m map[string]contextEntry
	// lowered, kept by Reset, remembers the lower-case forms of the keys
	// of the requests before: a context used for request after request
	// is given the same few keys each time.
	lowered *[8]loweredKey
}

type loweredKey struct{ name, lower string }

type contextEntry struct {
	name   string // as first given, for display
	values []string
	multi  bool // given as a list: a multivalued key
}

// Set gives key its values, replacing any earlier ones. A key set with
// Set is single-valued when it has one value; use SetMulti for a
// multivalued key (aws:TagKeys, aws:CalledVia, ...) even with one value.
func (c *Context) Set(key string, values ...string) {
	c.set(key, values, len(values) > 1)
}

// SetMulti gives a multivalued key its values.
func (c *Context) SetMulti(key string, values ...string) {
	c.set(key, values, true)
}

func (c *Context) set(key string, values []string, multi bool) {
	if c.m == nil {
		c.m = make(map[string]contextEntry)
	}
	c.m[c.lower(key)] = contextEntry{name: key, values: values, multi: multi}
}

// lower is strings.ToLower(key), from the keys a reused context saw.
func (c *Context) lower(key string) string {
	if lk, ok := lowerKnown(key); ok {
		return lk
	}
	l := c.lowered
	if l == nil {
		return strings.ToLower(key)
	}
	for i := range l {
		if l[i].name == key {
			return l[i].lower
		}
	}
	lk := strings.ToLower(key)
	copy(l[1:], l[:len(l)-1])
	l[0] = loweredKey{key, lk}
	return lk
}

// Reset empties the context and keeps its storage, so that a caller
// deciding many requests one after another can use one Context for all of
// them instead of allocating one per request. Values given to the context
// before are not touched.
func (c *Context) Reset() {
	clear(c.m)
	if c.lowered == nil {
		c.lowered = new([8]loweredKey)
	}
}

// Delete removes key.
func (c *Context) Delete(key string) {
	delete(c.m, strings.ToLower(key))
}

// Has reports whether key is present.
func (c *Context) Has(key string) bool {
	_, ok := c.m[lowerKey(key)]
	return ok
}

// Get returns the values of key and whether it is present.
func (c *Context) Get(key string) ([]string, bool) {
	e, ok := c.m[lowerKey(key)]
	return e.values, ok
}

// lookup takes an already lower-cased key (compiled policies store them
// so); it does not allocate.
func (c *Context) lookup(lkey string) (contextEntry, bool) {
	if c == nil || c.m == nil {
		return contextEntry{}, false
	}
	e, ok := c.m[lkey]
	return e, ok
}

// Keys returns the key names as first given, sorted case-insensitively.
func (c *Context) Keys() []string {
	if c == nil {
		return nil
	}
	out := make([]string, 0, len(c.m))
	for _, e := range c.m {
		out = append(out, e.name)
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i]) < strings.ToLower(out[j]) })
	return out
}

// Len is the number of keys.
func (c *Context) Len() int {
	if c == nil {
		return 0
	}
	return len(c.m)
}

// Clone returns an independent copy.
func (c *Context) Clone() *Context {
	n := &Context{}
	if c == nil {
		return n
	}
	n.m = make(map[string]contextEntry, len(c.m))
	for k, e := range c.m {
		e.values = append([]string(nil), e.values...)
		n.m[k] = e
	}
	return n
}

// Map returns the context as a map from key (as first given) to values.
func (c *Context) Map() map[string][]string {
	out := map[string][]string{}
	if c == nil {
		return out
	}
	for _, e := range c.m {
		out[e.name] = append([]string(nil), e.values...)
	}
	return out
}
