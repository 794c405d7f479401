package snapshot

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
)

// gob encodes a nil slice or map and an empty one alike, but the model
// gives the two different meanings in places (a KMS key's Grants: nil not
// collected, empty none). Before encoding, every slice and map of the cache
// form is numbered in a fixed walk and the empty non-nil ones recorded;
// after decoding, the same walk (the decoded tree has the same shape) makes
// those empty again (cacheForm.restore).

// emptyMarks returns the walk numbers of the empty non-nil slices and maps
// under v.
func emptyMarks(v reflect.Value) []int {
	var marks []int
	n := 0
	walkContainers(v, func(c reflect.Value) {
		if !c.IsNil() && c.Len() == 0 {
			marks = append(marks, n)
		}
		n++
	})
	return marks
}

// makeEmpty makes a nil slice or map empty.
func makeEmpty(c reflect.Value) {
	if c.IsNil() && c.CanSet() {
		if c.Kind() == reflect.Slice {
			c.Set(reflect.MakeSlice(c.Type(), 0, 0))
		} else {
			c.Set(reflect.MakeMap(c.Type()))
		}
	}
}

var documentType = reflect.TypeFor[*Document]()

// walkContainers calls fn on every slice and map reachable from v through
// exported fields, in a fixed order (map keys sorted).
func walkContainers(v reflect.Value, fn func(reflect.Value)) { walk(v, fn, nil) }

// walkDocuments calls fn on every *Document reachable from v, in the same
// fixed order (a document referred to twice is met twice).
func walkDocuments(v reflect.Value, fn func(*Document)) { walk(v, nil, fn) }

func walk(v reflect.Value, containers func(reflect.Value), docs func(*Document)) {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		if v.Type() == documentType && docs != nil {
			docs(v.Interface().(*Document))
		}
		walk(v.Elem(), containers, docs)
	case reflect.Interface:
		if !v.IsNil() {
			walk(v.Elem(), containers, docs)
		}
	case reflect.Struct:
		for _, i := range walkFields(v.Type()) {
			walk(v.Field(i), containers, docs)
		}
	case reflect.Slice:
		if containers != nil {
			containers(v)
		}
		if !mayHold(v.Type().Elem()) {
			return // []byte, []string: nothing inside
		}
		for i := 0; i < v.Len(); i++ {
			walk(v.Index(i), containers, docs)
		}
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			walk(v.Index(i), containers, docs)
		}
	case reflect.Map:
		if containers != nil {
			containers(v)
		}
		keys := v.MapKeys()
		if v.Type().Key().Kind() == reflect.String {
			sortStringKeys(keys)
		} else {
			sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i].Interface()) < fmt.Sprint(keys[j].Interface()) })
		}
		byValue := v.Type().Elem().Kind() != reflect.Pointer
		for _, k := range keys {
			if !byValue {
				walk(v.MapIndex(k), containers, docs)
				continue
			}
			// Map values are not addressable: walk a copy and store it
			// back, so that what is set inside (a struct value's slices)
			// stays.
			val := reflect.New(v.Type().Elem()).Elem()
			val.Set(v.MapIndex(k))
			walk(val, containers, docs)
			v.SetMapIndex(k, val)
		}
	}
}

// walkFields are the exported fields of struct type t that may hold a
// container or a document, computed once per type: reflection over every
// field of every value is most of a walk's cost otherwise.
func walkFields(t reflect.Type) []int {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]int)
	}
	var out []int
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); f.IsExported() && mayHold(f.Type) {
			out = append(out, i)
		}
	}
	fieldCache.Store(t, out)
	return out
}

var fieldCache sync.Map // reflect.Type -> []int

// mayHold reports whether a value of type t may be or contain a slice, a
// map or a *Document. It is asked for every slice of a walk, so the answer
// is kept per type.
func mayHold(t reflect.Type) bool {
	if h, ok := holdCache.Load(t); ok {
		return h.(bool)
	}
	h := mayHoldSeen(t, map[reflect.Type]bool{})
	holdCache.Store(t, h)
	return h
}

var holdCache sync.Map // reflect.Type -> bool

func mayHoldSeen(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false // a cycle: decided where it started
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Slice, reflect.Map, reflect.Interface:
		return true
	case reflect.Pointer, reflect.Array:
		return t == documentType || mayHoldSeen(t.Elem(), seen)
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			if f := t.Field(i); f.IsExported() && mayHoldSeen(f.Type, seen) {
				return true
			}
		}
	}
	return false
}

// sortStringKeys sorts map keys of a string kind by their text; the texts
// are taken out once, not at every comparison.
func sortStringKeys(keys []reflect.Value) {
	type keyed struct {
		s string
		k reflect.Value
	}
	ks := make([]keyed, len(keys))
	for i, k := range keys {
		ks[i] = keyed{k.String(), k}
	}
	slices.SortFunc(ks, func(a, b keyed) int { return strings.Compare(a.s, b.s) })
	for i := range ks {
		keys[i] = ks[i].k
	}
}
