package catalog

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"io"
	"sort"
	"strings"

	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/catalog/internal/catdata"
)

//go:embed data/managed-policies.bin.gz
var embeddedManaged []byte

// ManagedPolicyInfo describes one AWS managed policy.
type ManagedPolicyInfo struct {
	// Name is the policy name, e.g. "ReadOnlyAccess".
	Name string
	// ARN is e.g. "arn:aws:iam::aws:policy/ReadOnlyAccess" or, with a
	// path, "arn:aws:iam::aws:policy/service-role/AWSLambdaRole".
	ARN string
	// VersionID is the default version, e.g. "v188".
	VersionID string
	// UpdatedAt is when that version was made (RFC 3339).
	UpdatedAt string
}

type managedSet struct {
	policies []catdata.ManagedPolicy
	byName   map[string]int // lower-case name
}

func (c *Catalog) loadManaged() (*managedSet, error) {
	c.managedOnce.Do(func() {
		c.managed, c.managedErr = decodeManaged(embeddedManaged)
	})
	return c.managed, c.managedErr
}

func decodeManaged(gz []byte) (*managedSet, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	ps, err := catdata.DecodeManaged(raw)
	if err != nil {
		return nil, err
	}
	m := &managedSet{policies: ps, byName: make(map[string]int, len(ps))}
	for i, p := range ps {
		m.byName[strings.ToLower(p.Name)] = i
	}
	return m, nil
}

// ManagedPolicy returns the default version of an AWS managed policy,
// named by ARN ("arn:aws:iam::aws:policy/ReadOnlyAccess",
// "arn:aws:iam::aws:policy/service-role/AWSConfigRole", any partition) or
// by name ("ReadOnlyAccess"). The document is indented JSON. An ARN whose
// path differs from the policy's real path is not found: AWS would not
// find it either. The first call decodes the embedded policies (~20 ms).
func (c *Catalog) ManagedPolicy(arnOrName string) (document []byte, version string, ok bool) {
	p, ok := c.findManaged(arnOrName)
	if !ok {
		return nil, "", false
	}
	return []byte(p.Document), p.VersionID, true
}

// ManagedPolicyInfo is ManagedPolicy's metadata without the document.
func (c *Catalog) ManagedPolicyInfo(arnOrName string) (ManagedPolicyInfo, bool) {
	p, ok := c.findManaged(arnOrName)
	if !ok {
		return ManagedPolicyInfo{}, false
	}
	return ManagedPolicyInfo{Name: p.Name, ARN: p.ARN, VersionID: p.VersionID, UpdatedAt: p.UpdatedAt}, true
}

// ManagedPolicies lists every embedded AWS managed policy, sorted by name.
func (c *Catalog) ManagedPolicies() []ManagedPolicyInfo {
	m, err := c.loadManaged()
	if err != nil {
		return nil
	}
	out := make([]ManagedPolicyInfo, len(m.policies))
	for i, p := range m.policies {
		out[i] = ManagedPolicyInfo{Name: p.Name, ARN: p.ARN, VersionID: p.VersionID, UpdatedAt: p.UpdatedAt}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (c *Catalog) findManaged(arnOrName string) (*catdata.ManagedPolicy, bool) {
	m, err := c.loadManaged()
	if err != nil {
		return nil, false
	}
	name, path := arnOrName, ""
	if strings.HasPrefix(arnOrName, "arn:") {
		// arn:PARTITION:iam::aws:policy/PATH/NAME
		a, ok := arn.Split(arnOrName)
		if !ok || a.Service != "iam" || a.Region != "" || a.Account != "aws" || !strings.HasPrefix(a.Resource, "policy/") {
			return nil, false
		}
		res := a.Resource[len("policy/"):]
		i := strings.LastIndexByte(res, '/')
		path, name = res[:i+1], res[i+1:]
	}
	i, ok := m.byName[strings.ToLower(name)]
	if !ok {
		return nil, false
	}
	p := &m.policies[i]
	if strings.HasPrefix(arnOrName, "arn:") {
		// Policy names are unique, but the path is part of the ARN.
		want := p.ARN[strings.Index(p.ARN, ":policy/")+len(":policy/"):]
		if path+name != want && !strings.EqualFold(path+name, want) {
			return nil, false
		}
	}
	return p, true
}
