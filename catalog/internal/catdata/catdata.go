// Package catdata is the on-disk form of the embedded IAM catalog: the raw
// records the generator writes and the byte layout both sides agree on.
//
// The layout is a small binary format rather than JSON because decoding
// 22,000 actions from JSON with encoding/json costs well over the 50 ms the
// catalog may spend on its first lookup. Every string is stored once in a
// string table and referred to by index; counts and indexes are unsigned
// varints. The whole stream is gzip-compressed in the embedded file.
//
// Layout (all integers uvarint unless noted):
//
//	magic "IAMWHYC1"
//	string table: count, count lengths, then the concatenated bytes
//	header: source version (str), updated-at (str)
//	services: count, then per service
//	    prefix (str), name (str), rcp (byte 0/1)
//	    resource types: count, per type: name (str), arn formats (strs), condition keys (strs)
//	    condition keys: count, per key: name (str), type (str)
//	    actions: count, per action: full name "prefix:Name" (str), access level (str), resource refs: count, per ref: resource type name (str),
//	        required (byte), condition keys (strs), dependent actions (strs);
//	        condition keys (strs), dependent actions (strs)
//	global condition keys: count, per key: name (str), type (str), category (str)
//	condition prefixes: count, per entry: prefix (str), services (strs)
//
// where (str) is a string-table index and (strs) is a count followed by
// indexes.
//
// Descriptions, which are half the bytes and rarely needed, are a second
// stream (magic "IAMWHYD1", string table, then count and one (str) per
// description: every action's in order, then every service condition
// key's in order) so the first lookup does not pay for them.
package catdata

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// Magic starts every catalog stream; a change of layout changes it.
const Magic = "IAMWHYC1"

// Dataset is the whole reference as the generator reads it from the source
// package.
type Dataset struct {
	Version           string
	UpdatedAt         string
	Services          []Service
	GlobalKeys        []GlobalKey
	ConditionPrefixes []ConditionPrefix
}

// Service is one service prefix and what it defines.
type Service struct {
	Prefix        string
	Name          string
	RCP           bool
	ResourceTypes []ResourceType
	ConditionKeys []ConditionKey
	Actions       []Action
}

// ResourceType is a resource type with its ARN formats.
type ResourceType struct {
	Name          string
	ARNFormats    []string
	ConditionKeys []string
}

// ConditionKey is a service-specific condition key.
type ConditionKey struct {
	Name        string
	Type        string
	Description string
}

// Action is one action; FullName is "prefix:Name".
type Action struct {
	FullName         string
	Description      string
	AccessLevel      string
	Resources        []ResourceRef
	ConditionKeys    []string
	DependentActions []string
}

// ResourceRef names a resource type an action works on.
type ResourceRef struct {
	Type             string
	Required         bool
	ConditionKeys    []string
	DependentActions []string
}

// GlobalKey is a key from the global condition keys list.
type GlobalKey struct {
	Name     string
	Type     string
	Category string
}

// ConditionPrefix maps a condition-key prefix that is not a service prefix
// (e.g. "identitycenter") to the services that define its keys.
type ConditionPrefix struct {
	Prefix   string
	Services []string
}

// DescMagic starts the descriptions stream.
const DescMagic = "IAMWHYD1"

// Encode writes d in the catalog layout (uncompressed): the main stream and
// the descriptions stream.
func Encode(d *Dataset) (main, desc []byte) {
	var descs []string
	e := &encoder{index: map[string]uint64{}}
	// The body is written first so the string table holds exactly the
	// strings in use, in first-use order (deterministic output).
	var body bytes.Buffer
	e.out = &body
	e.str(d.Version)
	e.str(d.UpdatedAt)
	e.uint(uint64(len(d.Services)))
	for _, s := range d.Services {
		e.str(s.Prefix)
		e.str(s.Name)
		e.bool(s.RCP)
		e.uint(uint64(len(s.ResourceTypes)))
		for _, r := range s.ResourceTypes {
			e.str(r.Name)
			e.strs(r.ARNFormats)
			e.strs(r.ConditionKeys)
		}
		e.uint(uint64(len(s.ConditionKeys)))
		for _, k := range s.ConditionKeys {
			e.str(k.Name)
			e.str(k.Type)
		}
		e.uint(uint64(len(s.Actions)))
		for _, a := range s.Actions {
			e.str(a.FullName)
			e.str(a.AccessLevel)
			e.uint(uint64(len(a.Resources)))
			for _, r := range a.Resources {
				e.str(r.Type)
				e.bool(r.Required)
				e.strs(r.ConditionKeys)
				e.strs(r.DependentActions)
			}
			e.strs(a.ConditionKeys)
			e.strs(a.DependentActions)
		}
	}
	e.uint(uint64(len(d.GlobalKeys)))
	for _, g := range d.GlobalKeys {
		e.str(g.Name)
		e.str(g.Type)
		e.str(g.Category)
	}
	e.uint(uint64(len(d.ConditionPrefixes)))
	for _, p := range d.ConditionPrefixes {
		e.str(p.Prefix)
		e.strs(p.Services)
	}

	for _, s := range d.Services {
		for _, a := range s.Actions {
			descs = append(descs, a.Description)
		}
	}
	for _, s := range d.Services {
		for _, k := range s.ConditionKeys {
			descs = append(descs, k.Description)
		}
	}
	de := &encoder{index: map[string]uint64{}, out: &bytes.Buffer{}}
	de.strs(descs)
	return e.finish(Magic), de.finish(DescMagic)
}

// finish prefixes the body with the magic and the string table.
func (e *encoder) finish(magic string) []byte {
	var out bytes.Buffer
	out.WriteString(magic)
	var tmp [binary.MaxVarintLen64]byte
	put := func(v uint64) { out.Write(tmp[:binary.PutUvarint(tmp[:], v)]) }
	put(uint64(len(e.table)))
	for _, s := range e.table {
		put(uint64(len(s)))
	}
	for _, s := range e.table {
		out.WriteString(s)
	}
	out.Write(e.out.Bytes())
	return out.Bytes()
}

// DecodeDescriptions reads the descriptions stream.
func DecodeDescriptions(b []byte) ([]string, error) {
	if !bytes.HasPrefix(b, []byte(DescMagic)) {
		return nil, fmt.Errorf("%w: bad descriptions magic", ErrCorrupt)
	}
	r, err := newReaderAt(b, len(DescMagic))
	if err != nil {
		return nil, err
	}
	out := r.Strs()
	return out, r.Done()
}

type encoder struct {
	out   *bytes.Buffer
	index map[string]uint64
	table []string
	tmp   [binary.MaxVarintLen64]byte
}

func (e *encoder) uint(v uint64) { e.out.Write(e.tmp[:binary.PutUvarint(e.tmp[:], v)]) }

func (e *encoder) bool(b bool) {
	if b {
		e.out.WriteByte(1)
	} else {
		e.out.WriteByte(0)
	}
}

func (e *encoder) str(s string) {
	i, ok := e.index[s]
	if !ok {
		i = uint64(len(e.table))
		e.index[s] = i
		e.table = append(e.table, s)
	}
	e.uint(i)
}

func (e *encoder) strs(ss []string) {
	e.uint(uint64(len(ss)))
	for _, s := range ss {
		e.str(s)
	}
}

// Reader decodes the primitives of the layout. It records the first error
// and returns zero values after it, so callers check Err once at the end.
type Reader struct {
	buf   []byte
	off   int
	table []string
	err   error
	arena []string // backing store for Strs, carved in chunks
}

// ErrCorrupt is returned for a stream that does not follow the layout.
var ErrCorrupt = errors.New("catalog data is corrupt")

// NewReader checks the magic and reads the string table. All strings share
// one backing string, so the table costs one allocation for its bytes.
func NewReader(b []byte) (*Reader, error) {
	if !bytes.HasPrefix(b, []byte(Magic)) {
		return nil, fmt.Errorf("%w: bad magic", ErrCorrupt)
	}
	return newReaderAt(b, len(Magic))
}

func newReaderAt(b []byte, off int) (*Reader, error) {
	r := &Reader{buf: b, off: off}
	n := r.Uint()
	if r.err != nil || n > uint64(len(b)) {
		return nil, fmt.Errorf("%w: string table count", ErrCorrupt)
	}
	lens := make([]uint64, n)
	var total uint64
	for i := range lens {
		lens[i] = r.Uint()
		total += lens[i]
	}
	if r.err != nil || total > uint64(len(b)-r.off) {
		return nil, fmt.Errorf("%w: string table", ErrCorrupt)
	}
	blob := string(b[r.off : r.off+int(total)])
	r.off += int(total)
	r.table = make([]string, n)
	var pos uint64
	for i, l := range lens {
		r.table[i] = blob[pos : pos+l]
		pos += l
	}
	return r, nil
}

// Err is the first decoding error, if any.
func (r *Reader) Err() error { return r.err }

// Done reports an error unless the whole stream was consumed.
func (r *Reader) Done() error {
	if r.err != nil {
		return r.err
	}
	if r.off != len(r.buf) {
		return fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(r.buf)-r.off)
	}
	return nil
}

// Uint reads an unsigned varint.
func (r *Reader) Uint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.buf[r.off:])
	if n <= 0 {
		r.err = fmt.Errorf("%w: truncated varint at byte %d", ErrCorrupt, r.off)
		return 0
	}
	r.off += n
	return v
}

// Count reads a count and checks it against the bytes left, so a corrupt
// count cannot make the caller allocate a huge slice.
func (r *Reader) Count() int {
	n := r.Uint()
	if r.err == nil && n > uint64(len(r.buf)-r.off) {
		r.err = fmt.Errorf("%w: count %d exceeds data at byte %d", ErrCorrupt, n, r.off)
		return 0
	}
	return int(n)
}

// Bool reads one byte as a boolean.
func (r *Reader) Bool() bool {
	if r.err != nil {
		return false
	}
	if r.off >= len(r.buf) {
		r.err = fmt.Errorf("%w: truncated at byte %d", ErrCorrupt, r.off)
		return false
	}
	b := r.buf[r.off]
	r.off++
	return b == 1
}

// Str reads a string-table reference.
func (r *Reader) Str() string {
	i := r.Uint()
	if r.err != nil {
		return ""
	}
	if i >= uint64(len(r.table)) {
		r.err = fmt.Errorf("%w: string index %d out of range", ErrCorrupt, i)
		return ""
	}
	return r.table[i]
}

// Strs reads a counted list of string references; nil when empty. The
// lists share chunked backing arrays (tens of thousands of short lists would
// otherwise be as many allocations); each has its capacity capped, so an
// append by a caller copies instead of overwriting a neighbour.
func (r *Reader) Strs() []string {
	n := r.Count()
	if n == 0 || r.err != nil {
		return nil
	}
	if n > cap(r.arena)-len(r.arena) {
		r.arena = make([]string, 0, max(n, 8192))
	}
	start := len(r.arena)
	for i := 0; i < n; i++ {
		r.arena = append(r.arena, r.Str())
	}
	return r.arena[start:len(r.arena):len(r.arena)]
}

// SkipStrs reads a counted list of string references and checks them,
// without building the list: the catalog reads a service's actions this
// way to find where the next service starts, and decodes them later.
func (r *Reader) SkipStrs() {
	n := r.Count()
	for i := 0; i < n && r.err == nil; i++ {
		r.Str()
	}
}

// SkipUints steps over n varints without decoding them.
func (r *Reader) SkipUints(n int) {
	if r.err != nil {
		return
	}
	b, off := r.buf, r.off
	for ; n > 0; n-- {
		for off < len(b) && b[off] >= 0x80 {
			off++
		}
		if off >= len(b) {
			r.err = fmt.Errorf("%w: truncated varint at byte %d", ErrCorrupt, r.off)
			return
		}
		off++
	}
	r.off = off
}

// SkipRefs steps over a counted list of string references like SkipStrs,
// without checking that each is in the string table.
func (r *Reader) SkipRefs() {
	if n := r.Count(); n > 0 {
		r.SkipUints(n)
	}
}

// Offset is the position of the next byte in the stream.
func (r *Reader) Offset() int { return r.off }

// At returns a reader of the same stream and string table positioned at
// off (an Offset of r), with its own list storage.
func (r *Reader) At(off int) *Reader {
	return &Reader{buf: r.buf, off: off, table: r.table}
}

// ManagedMagic starts the managed-policies stream.
const ManagedMagic = "IAMWHYM1"

// ManagedPolicy is the default (latest) version of one AWS managed policy.
type ManagedPolicy struct {
	Name      string
	ARN       string
	VersionID string
	UpdatedAt string
	Document  string
}

// EncodeManaged writes the managed policies (uncompressed) as
//
//	magic "IAMWHYM1", string table, count, then per policy:
//	name, arn, version id, updated-at, document (all str)
func EncodeManaged(ps []ManagedPolicy) []byte {
	e := &encoder{index: map[string]uint64{}}
	var body bytes.Buffer
	e.out = &body
	e.uint(uint64(len(ps)))
	for _, p := range ps {
		e.str(p.Name)
		e.str(p.ARN)
		e.str(p.VersionID)
		e.str(p.UpdatedAt)
		e.str(p.Document)
	}
	return e.finish(ManagedMagic)
}

// DecodeManaged reads a stream written by EncodeManaged.
func DecodeManaged(b []byte) ([]ManagedPolicy, error) {
	if !bytes.HasPrefix(b, []byte(ManagedMagic)) {
		return nil, fmt.Errorf("%w: bad managed-policies magic", ErrCorrupt)
	}
	r, err := newReaderAt(b, len(ManagedMagic))
	if err != nil {
		return nil, err
	}
	n := r.Count()
	out := make([]ManagedPolicy, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		out = append(out, ManagedPolicy{Name: r.Str(), ARN: r.Str(), VersionID: r.Str(), UpdatedAt: r.Str(), Document: r.Str()})
	}
	if err := r.Done(); err != nil {
		return nil, err
	}
	return out, nil
}
