package snapshot

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"time"
	"unsafe"

	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/policy"
	"github.com/iamwhy/iamwhy/snapshot/settings"
)

// The cache's binary form. Gob and a reflective walk over the decoded
// value were most of a cache hit's time on a large environment; this form
// is written and read field by field, without reflection, and a read does
// not copy what it can share: strings are carved out of one copy of the
// structure section, and document texts are slices of the file's blob of
// texts, which is read once and never copied again.
//
// Every variable-length value is a uvarint length (or count) followed by
// its bytes (or elements). Where the model gives nil and empty different
// meanings (a KMS key's Grants: nil not collected, empty none), a count is
// written plus one, 0 meaning nil. Every read is bounds-checked; the first
// problem stops the decoding (binReader.err) and the cache is ignored.

// binWriter appends the encoding of the model to buf; blob collects the
// document texts.
type binWriter struct {
	buf  []byte
	blob []byte
}

func (w *binWriter) uvarint(v uint64) { w.buf = binary.AppendUvarint(w.buf, v) }
func (w *binWriter) int(v int)        { w.buf = binary.AppendVarint(w.buf, int64(v)) }
func (w *binWriter) int64(v int64)    { w.buf = binary.AppendVarint(w.buf, v) }

func (w *binWriter) bool(b bool) {
	if b {
		w.buf = append(w.buf, 1)
	} else {
		w.buf = append(w.buf, 0)
	}
}

func (w *binWriter) str(s string) {
	w.uvarint(uint64(len(s)))
	w.buf = append(w.buf, s...)
}

// bytes writes b with its nil-ness.
func (w *binWriter) bytes(b []byte) {
	if b == nil {
		w.uvarint(0)
		return
	}
	w.uvarint(uint64(len(b)) + 1)
	w.buf = append(w.buf, b...)
}

// count writes the length of a slice or map with its nil-ness.
func (w *binWriter) count(n int, isNil bool) {
	if isNil {
		w.uvarint(0)
	} else {
		w.uvarint(uint64(n) + 1)
	}
}

func (w *binWriter) strs(ss []string) {
	w.count(len(ss), ss == nil)
	for _, s := range ss {
		w.str(s)
	}
}

func (w *binWriter) strMap(m map[string]string) {
	w.count(len(m), m == nil)
	for _, k := range sortedKeys(m) {
		w.str(k)
		w.str(m[k])
	}
}

func (w *binWriter) time(t time.Time) {
	b, err := t.MarshalBinary()
	if err != nil {
		// A time MarshalBinary refuses (an offset that is not a whole
		// minute) cannot come from RFC 3339 parsing; it is written as
		// the zero time's absence so that the read fails and the
		// environment is loaded from its files instead.
		w.bytes(nil)
		return
	}
	w.bytes(b)
}

// binReader decodes what binWriter wrote from b (the structure section,
// owned by the reader: strings point into it) and blob (the document
// texts).
type binReader struct {
	b    []byte
	off  int
	blob []byte
	err  error
}

func (r *binReader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("cache form at byte %d: %s", r.off, fmt.Sprintf(format, args...))
	}
}

func (r *binReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		r.fail("bad number")
		return 0
	}
	r.off += n
	return v
}

func (r *binReader) int64() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b[r.off:])
	if n <= 0 {
		r.fail("bad number")
		return 0
	}
	r.off += n
	return v
}

func (r *binReader) int() int {
	v := r.int64()
	if v < math.MinInt || v > math.MaxInt {
		r.fail("number out of range")
		return 0
	}
	return int(v)
}

func (r *binReader) bool() bool {
	if r.err != nil {
		return false
	}
	if r.off >= len(r.b) || r.b[r.off] > 1 {
		r.fail("bad boolean")
		return false
	}
	r.off++
	return r.b[r.off-1] == 1
}

// span returns the next n bytes of the structure section.
func (r *binReader) span(n uint64) []byte {
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)-r.off) {
		r.fail("length %d past the end", n)
		return nil
	}
	s := r.b[r.off : r.off+int(n) : r.off+int(n)]
	r.off += int(n)
	return s
}

func (r *binReader) str() string {
	s := r.span(r.uvarint())
	if len(s) == 0 {
		return ""
	}
	// The structure section is this reader's own copy, never written
	// again, so its bytes can back strings.
	return unsafe.String(&s[0], len(s))
}

func (r *binReader) bytes() []byte {
	n := r.uvarint()
	if n == 0 {
		return nil
	}
	s := r.span(n - 1)
	if r.err != nil {
		return nil
	}
	return append([]byte{}, s...)
}

// count reads a count written by binWriter.count: -1 for nil. Each
// element takes at least min bytes, so a count is never more than the
// bytes left over min: a damaged count cannot make the reader allocate
// more than a few times the file's size.
func (r *binReader) count(min int) int {
	n := r.uvarint()
	if n == 0 || r.err != nil {
		return -1
	}
	if n-1 > uint64((len(r.b)-r.off)/min) {
		r.fail("count %d past the end", n-1)
		return -1
	}
	return int(n - 1)
}

func (r *binReader) strs() []string {
	n := r.count(1)
	if n < 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = r.str()
	}
	return out
}

func (r *binReader) strMap() map[string]string {
	n := r.count(2)
	if n < 0 {
		return nil
	}
	m := make(map[string]string, n)
	for i := 0; i < n && r.err == nil; i++ {
		k := r.str()
		m[k] = r.str()
	}
	return m
}

func (r *binReader) time() time.Time {
	b := r.bytes()
	if r.err != nil {
		return time.Time{}
	}
	var t time.Time
	if b == nil {
		r.fail("time not encodable")
		return t
	}
	if err := t.UnmarshalBinary(b); err != nil {
		r.fail("time: %v", err)
	}
	return t
}

// present reads the flag written before a pointer: false for nil.
func (r *binReader) present() bool { return r.bool() }

// ---- the model ----

func (w *binWriter) document(d *Document) {
	w.bool(d != nil)
	if d == nil {
		return
	}
	// The text goes to the blob: uvarint offset, then length plus one
	// (0: nil).
	if d.JSON == nil {
		w.uvarint(0)
		w.uvarint(0)
	} else {
		w.uvarint(uint64(len(w.blob)))
		w.uvarint(uint64(len(d.JSON)) + 1)
		w.blob = append(w.blob, d.JSON...)
	}
	w.str(d.Source)
	w.int(d.Line)
	w.int(d.Col)
	w.uvarint(uint64(d.Encoding))
	w.count(len(d.Lines), d.Lines == nil)
	for _, p := range d.Lines {
		w.str(p.File)
		w.int(p.Line)
		w.int(p.Col)
		w.int(p.Offset)
	}
	w.str(d.Name)
	w.str(d.ID)
	w.str(d.Unknown)
}

func (r *binReader) document() *Document {
	if !r.present() {
		return nil
	}
	d := &Document{}
	off, n := r.uvarint(), r.uvarint()
	if n > 0 {
		if off > uint64(len(r.blob)) || n-1 > uint64(len(r.blob))-off {
			r.fail("document text outside the blob")
			return nil
		}
		end := off + n - 1
		d.JSON = r.blob[off:end:end]
	}
	d.Source = r.str()
	d.Line, d.Col = r.int(), r.int()
	enc := r.uvarint()
	if enc > math.MaxUint8 {
		r.fail("bad encoding")
	}
	d.Encoding = Encoding(enc)
	if n := r.count(4); n >= 0 {
		d.Lines = make(policy.SourceMap, n)
		for i := range d.Lines {
			d.Lines[i] = policy.Pos{File: r.str(), Line: r.int(), Col: r.int(), Offset: r.int()}
		}
	}
	d.Name, d.ID, d.Unknown = r.str(), r.str(), r.str()
	return d
}

func (w *binWriter) inlines(ps []InlinePolicy) {
	w.count(len(ps), ps == nil)
	for _, p := range ps {
		w.str(p.Name)
		w.document(p.Document)
	}
}

func (r *binReader) inlines() []InlinePolicy {
	n := r.count(2)
	if n < 0 {
		return nil
	}
	out := make([]InlinePolicy, n)
	for i := range out {
		out[i] = InlinePolicy{Name: r.str(), Document: r.document()}
	}
	return out
}

func (w *binWriter) attached(ps []AttachedManagedPolicy) {
	w.count(len(ps), ps == nil)
	for _, p := range ps {
		w.str(p.Name)
		w.str(p.ARN)
	}
}

func (r *binReader) attached() []AttachedManagedPolicy {
	n := r.count(2)
	if n < 0 {
		return nil
	}
	out := make([]AttachedManagedPolicy, n)
	for i := range out {
		out[i] = AttachedManagedPolicy{Name: r.str(), ARN: r.str()}
	}
	return out
}

func (w *binWriter) tags(ts []Tag) {
	w.count(len(ts), ts == nil)
	for _, t := range ts {
		w.str(t.Key)
		w.str(t.Value)
	}
}

func (r *binReader) tags() []Tag {
	n := r.count(2)
	if n < 0 {
		return nil
	}
	out := make([]Tag, n)
	for i := range out {
		out[i] = Tag{Key: r.str(), Value: r.str()}
	}
	return out
}

func (w *binWriter) user(u *User) {
	w.str(u.Account)
	w.str(u.ARN)
	w.str(u.Path)
	w.str(u.Name)
	w.str(u.ID)
	w.strs(u.Groups)
	w.inlines(u.InlinePolicies)
	w.attached(u.ManagedPolicies)
	w.str(u.BoundaryARN)
	w.tags(u.Tags)
	w.time(u.CreateDate)
	w.str(u.Source)
}

func (r *binReader) user() *User {
	u := &User{Account: r.str(), ARN: r.str(), Path: r.str(), Name: r.str(), ID: r.str()}
	u.Groups = r.strs()
	u.InlinePolicies = r.inlines()
	u.ManagedPolicies = r.attached()
	u.BoundaryARN = r.str()
	u.Tags = r.tags()
	u.CreateDate = r.time()
	u.Source = r.str()
	return u
}

func (w *binWriter) group(g *Group) {
	w.str(g.Account)
	w.str(g.ARN)
	w.str(g.Path)
	w.str(g.Name)
	w.str(g.ID)
	w.inlines(g.InlinePolicies)
	w.attached(g.ManagedPolicies)
	w.time(g.CreateDate)
	w.str(g.Source)
}

func (r *binReader) group() *Group {
	g := &Group{Account: r.str(), ARN: r.str(), Path: r.str(), Name: r.str(), ID: r.str()}
	g.InlinePolicies = r.inlines()
	g.ManagedPolicies = r.attached()
	g.CreateDate = r.time()
	g.Source = r.str()
	return g
}

func (w *binWriter) role(x *Role) {
	w.str(x.Account)
	w.str(x.ARN)
	w.str(x.Path)
	w.str(x.Name)
	w.str(x.ID)
	w.document(x.Trust)
	w.inlines(x.InlinePolicies)
	w.attached(x.ManagedPolicies)
	w.str(x.BoundaryARN)
	w.tags(x.Tags)
	w.time(x.CreateDate)
	w.time(x.LastUsed)
	w.str(x.LastUsedRegion)
	w.str(x.Source)
}

func (r *binReader) role() *Role {
	x := &Role{Account: r.str(), ARN: r.str(), Path: r.str(), Name: r.str(), ID: r.str()}
	x.Trust = r.document()
	x.InlinePolicies = r.inlines()
	x.ManagedPolicies = r.attached()
	x.BoundaryARN = r.str()
	x.Tags = r.tags()
	x.CreateDate = r.time()
	x.LastUsed = r.time()
	x.LastUsedRegion = r.str()
	x.Source = r.str()
	return x
}

func (w *binWriter) managed(m *ManagedPolicy) {
	w.str(m.ARN)
	w.str(m.Name)
	w.str(m.Path)
	w.str(m.ID)
	w.str(m.DefaultVersion)
	w.document(m.Document)
	w.bool(m.AWSManaged)
	w.int(m.AttachmentCount)
	w.str(m.Source)
}

func (r *binReader) managed() *ManagedPolicy {
	m := &ManagedPolicy{ARN: r.str(), Name: r.str(), Path: r.str(), ID: r.str(), DefaultVersion: r.str()}
	m.Document = r.document()
	m.AWSManaged = r.bool()
	m.AttachmentCount = r.int()
	m.Source = r.str()
	return m
}

func (w *binWriter) bpa(b *settings.BlockPublicAccess) {
	w.bool(b != nil)
	if b != nil {
		w.bool(b.BlockPublicAcls)
		w.bool(b.IgnorePublicAcls)
		w.bool(b.BlockPublicPolicy)
		w.bool(b.RestrictPublicBuckets)
	}
}

func (r *binReader) bpa() *settings.BlockPublicAccess {
	if !r.present() {
		return nil
	}
	return &settings.BlockPublicAccess{BlockPublicAcls: r.bool(), IgnorePublicAcls: r.bool(),
		BlockPublicPolicy: r.bool(), RestrictPublicBuckets: r.bool()}
}

func (w *binWriter) acl(a *settings.ACLRecord) {
	w.bool(a != nil)
	if a == nil {
		return
	}
	w.bool(a.Owner != nil)
	if o := a.Owner; o != nil {
		w.str(o.ID)
		w.str(o.DisplayName)
		w.str(o.Account)
	}
	w.count(len(a.Grants), a.Grants == nil)
	for _, g := range a.Grants {
		e := g.Grantee
		for _, s := range []string{e.Type, e.ID, e.URI, e.EmailAddress, e.DisplayName, e.Account, g.Permission} {
			w.str(s)
		}
	}
	w.str(a.RequestCharged)
}

func (r *binReader) acl() *settings.ACLRecord {
	if !r.present() {
		return nil
	}
	a := &settings.ACLRecord{}
	if r.present() {
		a.Owner = &settings.ACLOwner{ID: r.str(), DisplayName: r.str(), Account: r.str()}
	}
	if n := r.count(7); n >= 0 {
		a.Grants = make([]settings.ACLGrantRecord, n)
		for i := range a.Grants {
			a.Grants[i] = settings.ACLGrantRecord{
				Grantee: settings.ACLGrantee{Type: r.str(), ID: r.str(), URI: r.str(), EmailAddress: r.str(),
					DisplayName: r.str(), Account: r.str()},
				Permission: r.str(),
			}
		}
	}
	a.RequestCharged = r.str()
	return a
}

func (w *binWriter) grants(gs []settings.GrantRecord) {
	w.count(len(gs), gs == nil)
	for _, g := range gs {
		w.str(g.KeyId)
		w.str(g.GrantId)
		w.str(g.Name)
		w.bytes(g.CreationDate)
		w.str(g.GranteePrincipal)
		w.str(g.RetiringPrincipal)
		w.str(g.IssuingAccount)
		w.strs(g.Operations)
		w.bool(g.Constraints != nil)
		if c := g.Constraints; c != nil {
			w.strMap(c.EncryptionContextSubset)
			w.strMap(c.EncryptionContextEquals)
		}
	}
}

func (r *binReader) grants() []settings.GrantRecord {
	n := r.count(9)
	if n < 0 {
		return nil
	}
	out := make([]settings.GrantRecord, n)
	for i := range out {
		g := settings.GrantRecord{KeyId: r.str(), GrantId: r.str(), Name: r.str(), CreationDate: r.bytes(),
			GranteePrincipal: r.str(), RetiringPrincipal: r.str(), IssuingAccount: r.str(), Operations: r.strs()}
		if r.present() {
			g.Constraints = &settings.GrantConstraints{EncryptionContextSubset: r.strMap(), EncryptionContextEquals: r.strMap()}
		}
		out[i] = g
	}
	return out
}

func (w *binWriter) resource(x *Resource) {
	w.str(x.ARN)
	w.str(x.Account)
	w.document(x.Policy)
	w.bpa(x.BlockPublicAccess)
	w.str(string(x.ObjectOwnership))
	w.acl(x.ACL)
	w.grants(x.Grants)
	w.str(x.Bucket)
	w.str(x.NetworkOrigin)
	w.str(x.VpcID)
	w.str(x.CanonicalID)
	w.str(x.Source)
}

func (r *binReader) resource() *Resource {
	x := &Resource{ARN: r.str(), Account: r.str()}
	x.Policy = r.document()
	x.BlockPublicAccess = r.bpa()
	x.ObjectOwnership = eval.ObjectOwnership(r.str())
	x.ACL = r.acl()
	x.Grants = r.grants()
	x.Bucket, x.NetworkOrigin, x.VpcID, x.CanonicalID, x.Source = r.str(), r.str(), r.str(), r.str(), r.str()
	return x
}

func (w *binWriter) account(a *Account, managed map[string]*ManagedPolicy) {
	w.str(a.ID)
	w.count(len(a.Users), a.Users == nil)
	for _, u := range a.Users {
		w.user(u)
	}
	w.count(len(a.Groups), a.Groups == nil)
	for _, g := range a.Groups {
		w.group(g)
	}
	w.count(len(a.Roles), a.Roles == nil)
	for _, x := range a.Roles {
		w.role(x)
	}
	// A customer managed policy is the environment's object (Load shares
	// it): written once, under ManagedPolicies, and named here.
	w.count(len(a.Policies), a.Policies == nil)
	for _, p := range a.Policies {
		shared := managed[p.ARN] == p
		w.bool(shared)
		if shared {
			w.str(p.ARN)
		} else {
			w.managed(p)
		}
	}
	w.strs(a.Sources)
}

func (r *binReader) account(managed map[string]*ManagedPolicy) *Account {
	a := newAccount(r.str())
	if n := r.count(12); n >= 0 {
		a.Users = make([]*User, n)
		for i := 0; i < n && r.err == nil; i++ {
			a.Users[i] = r.user()
			a.usersByName[a.Users[i].Name] = a.Users[i]
		}
	}
	if n := r.count(9); n >= 0 {
		a.Groups = make([]*Group, n)
		for i := 0; i < n && r.err == nil; i++ {
			a.Groups[i] = r.group()
			a.groupsByName[a.Groups[i].Name] = a.Groups[i]
		}
	}
	if n := r.count(14); n >= 0 {
		a.Roles = make([]*Role, n)
		for i := 0; i < n && r.err == nil; i++ {
			a.Roles[i] = r.role()
			a.rolesByName[a.Roles[i].Name] = a.Roles[i]
		}
	}
	if n := r.count(2); n >= 0 {
		a.Policies = make([]*ManagedPolicy, n)
		for i := 0; i < n && r.err == nil; i++ {
			if r.bool() {
				arn := r.str()
				if a.Policies[i] = managed[arn]; a.Policies[i] == nil && r.err == nil {
					r.fail("account %s: no managed policy %s", a.ID, arn)
				}
			} else {
				a.Policies[i] = r.managed()
			}
		}
	}
	a.Sources = r.strs()
	return a
}

// maxOrgDepth bounds the organisation tree a cache may hold (AWS allows
// five levels of OUs under the root), so a damaged file cannot recurse
// without bound.
const maxOrgDepth = 64

func (w *binWriter) orgNode(n *OrgNode) {
	w.bool(n != nil)
	if n == nil {
		return
	}
	w.uvarint(uint64(n.Kind))
	w.str(n.ID)
	w.str(n.Name)
	w.strs(n.SCPs)
	w.strs(n.RCPs)
	w.count(len(n.OUs), n.OUs == nil)
	for _, c := range n.OUs {
		w.orgNode(c)
	}
	w.count(len(n.Accounts), n.Accounts == nil)
	for _, c := range n.Accounts {
		w.orgNode(c)
	}
	w.str(n.Source)
}

func (r *binReader) orgNode(parent *OrgNode, depth int, accounts map[string]*OrgNode) *OrgNode {
	if !r.present() {
		return nil
	}
	if depth > maxOrgDepth {
		r.fail("organisation deeper than %d", maxOrgDepth)
		return nil
	}
	kind := r.uvarint()
	if kind > uint64(NodeAccount) {
		r.fail("bad node kind")
	}
	n := &OrgNode{Kind: NodeKind(kind), ID: r.str(), Name: r.str(), SCPs: r.strs(), RCPs: r.strs(), Parent: parent}
	if c := r.count(1); c >= 0 {
		n.OUs = make([]*OrgNode, c)
		for i := 0; i < c && r.err == nil; i++ {
			n.OUs[i] = r.orgNode(n, depth+1, accounts)
		}
	}
	if c := r.count(1); c >= 0 {
		n.Accounts = make([]*OrgNode, c)
		for i := 0; i < c && r.err == nil; i++ {
			n.Accounts[i] = r.orgNode(n, depth+1, accounts)
		}
	}
	n.Source = r.str()
	if n.Kind == NodeAccount {
		accounts[n.ID] = n
	}
	return n
}

// statsFields writes or reads Stats, whose fields are all counts; by
// reflection so that a count added to Stats is cached without a change
// here (Stats is one small struct: no cost to speak of).
func statsFields(s *Stats) []*int {
	v := reflect.ValueOf(s).Elem()
	out := make([]*int, v.NumField())
	for i := range out {
		out[i] = v.Field(i).Addr().Interface().(*int)
	}
	return out
}

// environment writes a finished environment.
func (w *binWriter) environment(e *Environment) {
	w.bool(e.opts.NoCatalog)
	w.count(len(e.ManagedPolicies), e.ManagedPolicies == nil)
	for _, arn := range sortedKeys(e.ManagedPolicies) {
		w.str(arn)
		w.managed(e.ManagedPolicies[arn])
	}
	w.count(len(e.Accounts), e.Accounts == nil)
	for _, id := range sortedKeys(e.Accounts) {
		w.account(e.Accounts[id], e.ManagedPolicies)
	}
	w.count(len(e.Resources), e.Resources == nil)
	for _, arn := range sortedKeys(e.Resources) {
		w.str(arn)
		w.resource(e.Resources[arn])
	}
	w.count(len(e.S3Accounts), e.S3Accounts == nil)
	for _, id := range sortedKeys(e.S3Accounts) {
		s := e.S3Accounts[id]
		w.str(id)
		w.bool(s != nil)
		if s != nil {
			w.bpa(s.BlockPublicAccess)
			w.str(s.CanonicalID)
			w.str(s.Source)
		}
	}
	w.bool(e.Organization != nil)
	if o := e.Organization; o != nil {
		w.str(o.ID)
		w.str(o.ManagementAccount)
		w.count(len(o.Policies), o.Policies == nil)
		for _, id := range sortedKeys(o.Policies) {
			p := o.Policies[id]
			w.str(id)
			w.bool(p != nil)
			if p != nil {
				w.str(p.ID)
				w.document(p.Document)
			}
		}
		w.orgNode(o.Root)
		w.str(o.Source)
	}
	for _, p := range statsFields(&e.Stats) {
		w.int(*p)
	}
	w.strs(e.Missing)
	w.strs(e.Warnings)
	w.strMap(e.canonical)
	vpce := make(map[string]string, len(e.vpce))
	for id, x := range e.vpce {
		vpce[id] = x.ARN
	}
	w.strMap(vpce)
}

// environment reads a finished environment, with the indexes Load builds.
func (r *binReader) environment() (*Environment, error) {
	e := New(Options{NoCatalog: r.bool()})
	if n := r.count(10); n >= 0 {
		e.ManagedPolicies = make(map[string]*ManagedPolicy, n)
		for i := 0; i < n && r.err == nil; i++ {
			arn := r.str()
			e.ManagedPolicies[arn] = r.managed()
		}
	} else {
		e.ManagedPolicies = nil
	}
	if n := r.count(6); n >= 0 {
		e.Accounts = make(map[string]*Account, n)
		for i := 0; i < n && r.err == nil; i++ {
			a := r.account(e.ManagedPolicies)
			if r.err != nil {
				break
			}
			e.Accounts[a.ID] = a
			for _, u := range a.Users {
				e.users[u.ARN] = u
			}
			for _, x := range a.Roles {
				e.roles[x.ARN] = x
			}
		}
	} else {
		e.Accounts = nil
	}
	if n := r.count(13); n >= 0 {
		e.Resources = make(map[string]*Resource, n)
		for i := 0; i < n && r.err == nil; i++ {
			arn := r.str()
			e.Resources[arn] = r.resource()
		}
	} else {
		e.Resources = nil
	}
	if n := r.count(2); n >= 0 {
		e.S3Accounts = make(map[string]*S3Account, n)
		for i := 0; i < n && r.err == nil; i++ {
			id := r.str()
			var s *S3Account
			if r.present() {
				s = &S3Account{BlockPublicAccess: r.bpa(), CanonicalID: r.str(), Source: r.str()}
			}
			e.S3Accounts[id] = s
		}
	}
	if r.present() {
		o := &Organization{ID: r.str(), ManagementAccount: r.str(), accounts: map[string]*OrgNode{}}
		if n := r.count(2); n >= 0 {
			o.Policies = make(map[string]*OrgPolicy, n)
			for i := 0; i < n && r.err == nil; i++ {
				id := r.str()
				var p *OrgPolicy
				if r.present() {
					p = &OrgPolicy{ID: r.str(), Document: r.document()}
				}
				o.Policies[id] = p
			}
		}
		o.Root = r.orgNode(nil, 0, o.accounts)
		o.Source = r.str()
		e.Organization = o
	}
	for _, p := range statsFields(&e.Stats) {
		*p = r.int()
	}
	e.Missing = r.strs()
	e.Warnings = r.strs()
	for _, arn := range e.Missing {
		e.missing[arn] = true
	}
	e.canonical = r.strMap()
	vpce := r.strMap()
	if r.err != nil {
		return nil, r.err
	}
	if r.off != len(r.b) {
		return nil, errors.New("cache form: bytes after the environment")
	}
	for id, arn := range vpce {
		x := e.Resources[arn]
		if x == nil {
			return nil, fmt.Errorf("VPC endpoint %s: no resource %s", id, arn)
		}
		e.vpce[id] = x
	}
	e.finished = true
	return e, nil
}
