package trail

import (
	"strings"
	"sync"
)

// memberSet is what a projected decode fills (Options.Members): the
// lower-cased top-level members, and, when only some userIdentity fields
// were asked for, which (indexed as identityPaths; nil: all of them).
type memberSet struct {
	top      map[string]bool
	bits     memberBits // top's members that the decoder reads
	identity []bool
}

// wants reports whether the member t, of key (raw, with its quotes), is
// to be decoded. Only a member no field is decoded from needs the map: a
// projection may name one, and the record is then not partial for it.
func (m *memberSet) wants(t topMember, key []byte) bool {
	if t != memOther {
		return m.bits.has(t)
	}
	var buf [48]byte
	return m.top[string(lowerKey(buf[:0], key))]
}

// members builds the set Read decodes: those asked for and those the
// filter's own criteria read. Match and RawMatch are the caller's: they
// see only the members it asked for. Nil decodes everything.
func (c *compiledFilter) members(asked []string) *memberSet {
	if asked == nil {
		return nil
	}
	m := &memberSet{top: map[string]bool{}}
	wholeIdentity := false
	var identity []bool
	for _, k := range asked {
		k = strings.ToLower(k)
		if rest, ok := strings.CutPrefix(k, "useridentity."); ok && rest != "" {
			if identity == nil {
				identity = make([]bool, len(identityPaths))
			}
			for i, p := range identityPaths {
				// A path names the field or the object holding it.
				if p == k || strings.HasPrefix(p, k+".") {
					identity[i] = true
				}
			}
			m.top["useridentity"] = true
			continue
		}
		m.top[k] = true
		wholeIdentity = wholeIdentity || k == "useridentity"
	}
	if len(c.accounts) > 0 {
		m.top["recipientaccountid"] = true
		wholeIdentity = true
	}
	if len(c.regions) > 0 {
		m.top["awsregion"] = true
	}
	if len(c.principals) > 0 {
		wholeIdentity = true
	}
	if len(c.errCodes) > 0 || c.f.DeniedOnly {
		m.top["errorcode"] = true
	}
	if wholeIdentity {
		m.top["useridentity"] = true
		identity = nil
	}
	m.identity = identity
	for k := range m.top {
		if t := topMemberOf([]byte(k)); t != memOther {
			m.bits |= 1 << t
		}
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
	return d.decode(raw, r)
}
