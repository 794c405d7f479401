package eval

import (
	"encoding/binary"
	"errors"
)

// AppendBinary appends the context in a compact binary form to b
// (encoding.BinaryAppender): a caller that keeps many requests for later
// (unused keeps a few per action of each principal to re-simulate them)
// holds each context as one pointer-free slice, which the garbage
// collector does not scan, instead of a map of keys to lists of values.
// UnmarshalBinary reads it back. The form is for this process only: it is
// not stable across versions.
func (c *Context) AppendBinary(b []byte) ([]byte, error) {
	n := 0
	if c != nil {
		n = len(c.m)
	}
	b = binary.AppendUvarint(b, uint64(n))
	if n == 0 {
		return b, nil
	}
	for _, e := range c.m {
		b = appendString(b, e.name)
		multi := byte(0)
		if e.multi {
			multi = 1
		}
		b = append(b, multi)
		b = binary.AppendUvarint(b, uint64(len(e.values)))
		for _, v := range e.values {
			b = appendString(b, v)
		}
	}
	return b, nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

var errContextBinary = errors.New("eval: malformed binary context")

// UnmarshalBinary replaces the context's keys with those AppendBinary
// wrote to data (encoding.BinaryUnmarshaler).
func (c *Context) UnmarshalBinary(data []byte) error {
	d := binDecoder{b: data}
	n := d.uvarint()
	if d.err != nil || n > uint64(len(data)) {
		return errContextBinary
	}
	c.m = make(map[string]contextEntry, n)
	for i := uint64(0); i < n; i++ {
		name := d.str()
		if d.err != nil || len(d.b) == 0 {
			return errContextBinary
		}
		multi := d.b[0] == 1
		d.b = d.b[1:]
		nv := d.uvarint()
		if d.err != nil || nv > uint64(len(d.b)) {
			return errContextBinary
		}
		values := make([]string, nv)
		for j := range values {
			values[j] = d.str()
		}
		if d.err != nil {
			return errContextBinary
		}
		c.set(name, values, multi)
	}
	if len(d.b) != 0 {
		return errContextBinary
	}
	return nil
}

type binDecoder struct {
	b   []byte
	err error
}

func (d *binDecoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errContextBinary
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *binDecoder) str() string {
	n := d.uvarint()
	if d.err != nil || n > uint64(len(d.b)) {
		d.err = errContextBinary
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}
