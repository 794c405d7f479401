package trail

import (
	"strings"
	"sync"
)

// memberSet is the lower-cased top-level record members a projected
// decode fills (Options.Members); nil decodes every member.
type memberSet map[string]bool

// members builds the set Read decodes: those asked for and those the
// filter's own criteria read. Match and RawMatch are the caller's: they
// see only the members it asked for.
func (c *compiledFilter) members(asked []string) memberSet {
	if asked == nil {
		return nil
	}
	m := memberSet{}
	for _, k := range asked {
		m[strings.ToLower(k)] = true
	}
	if len(c.accounts) > 0 {
		m["recipientaccountid"], m["useridentity"] = true, true
	}
	if len(c.regions) > 0 {
		m["awsregion"] = true
	}
	if len(c.principals) > 0 {
		m["useridentity"] = true
	}
	if len(c.errCodes) > 0 || c.f.DeniedOnly {
		m["errorcode"] = true
	}
	return m
}

// decoderPool holds the decoders DecodeAll borrows.
var decoderPool = sync.Pool{New: func() any { return newRecordDecoder() }}

// DecodeAll fills every field of a record that Read decoded with
// Options.Members from its Raw, for the few records a caller needs whole
// (Path and Index are kept); it does nothing for a record decoded whole.
// Like Read's decoding, it is valid only while Raw is (during the
// callback).
func (r *Record) DecodeAll() error {
	if !r.partial {
		return nil
	}
	d := decoderPool.Get().(*recordDecoder)
	defer decoderPool.Put(d)
	raw := r.Raw
	err := d.decode(raw, r)
	if len(d.intern) >= maxIntern {
		d.intern = make(map[string]string, 1024)
	}
	return err
}
