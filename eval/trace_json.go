package eval

import "github.com/iamwhy/iamwhy/internal/jsonenc"

// The trace's JSON form has every field of every part, a list without
// entries as [] (never null), so a program reads every trace the same way.

// MarshalJSON writes the trace with its empty lists as [].
func (t Trace) MarshalJSON() ([]byte, error) {
	type plain Trace // without this method
	p := plain(t)
	p.Notes, p.Warnings, p.Layers = jsonenc.List(p.Notes), jsonenc.List(p.Warnings), jsonenc.List(p.Layers)
	return jsonenc.Marshal(p)
}

// MarshalJSON writes the layer with no statements as [].
func (lt LayerTrace) MarshalJSON() ([]byte, error) {
	type plain LayerTrace
	p := plain(lt)
	p.Statements = jsonenc.List(p.Statements)
	return jsonenc.Marshal(p)
}

// MarshalJSON writes the statement with no mismatches as [].
func (st StatementTrace) MarshalJSON() ([]byte, error) {
	type plain StatementTrace
	p := plain(st)
	p.Failed = jsonenc.List(p.Failed)
	return jsonenc.Marshal(p)
}

// MarshalJSON writes the mismatch with no values as [].
func (m Mismatch) MarshalJSON() ([]byte, error) {
	type plain Mismatch
	p := plain(m)
	p.Expected, p.Actual = jsonenc.List(p.Expected), jsonenc.List(p.Actual)
	return jsonenc.Marshal(p)
}
