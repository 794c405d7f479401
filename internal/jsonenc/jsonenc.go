// Package jsonenc writes JSON the way iamwhy prints it: without HTML
// escaping, since policies, next steps and messages hold < > & as they
// are, and with the helpers that keep a document's fields always present
// (null or an empty list rather than left out).
package jsonenc

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Marshal is json.Marshal without HTML escaping, for MarshalJSON methods
// of values that iamwhy prints.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Merge joins JSON objects into one, their fields in the order given:
// a type that extends another's JSON form (a document that adds fields to
// a report) writes both without repeating the other's field list. Every
// argument must be an object; fields must not repeat.
func Merge(objects ...[]byte) ([]byte, error) {
	var out bytes.Buffer
	out.WriteByte('{')
	n := 0
	for _, o := range objects {
		o = bytes.TrimSpace(o)
		if len(o) < 2 || o[0] != '{' || o[len(o)-1] != '}' {
			return nil, fmt.Errorf("jsonenc.Merge: not a JSON object: %.20q", o)
		}
		inner := bytes.TrimSpace(o[1 : len(o)-1])
		if len(inner) == 0 {
			continue
		}
		if n > 0 {
			out.WriteByte(',')
		}
		out.Write(inner)
		n++
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}

// Null is s, or nil (JSON null) when s is empty.
func Null(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// List is l, or an empty list when l is nil, for JSON lists that are
// always present.
func List[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}
