package snapshot

import (
	"errors"
	"sync"

	"github.com/iamwhy/iamwhy/policy"
)

// parsedPolicy caches the results of parsing a Document, one per policy type
// asked for (a managed policy may be attached as an identity policy and set
// as a permissions boundary).
type parsedPolicy struct {
	mu      sync.Mutex
	results []parseResult
}

type parseResult struct {
	typ policy.Type
	p   *policy.Policy
	err error
}

// Policy parses the document with package policy as a policy of type typ,
// once per type; the result is shared and must not be modified. Positions in
// the policy and in errors are positions in Source: for a document written
// as a JSON object in its file they are the file's lines and columns; for a
// document decoded from a string, converted from YAML or taken from the
// catalog, Source says so ("FILE:LINE:COL (document in a JSON string)") and
// the positions are those of the decoded text.
func (d *Document) Policy(typ policy.Type) (*policy.Policy, error) {
	if d.Unknown != "" {
		return nil, errors.New("the policy is not known: " + d.Unknown)
	}
	d.parsed.mu.Lock()
	defer d.parsed.mu.Unlock()
	for _, r := range d.parsed.results {
		if r.typ == typ {
			return r.p, r.err
		}
	}
	p, err := d.parse(typ)
	d.parsed.results = append(d.parsed.results, parseResult{typ, p, err})
	return p, err
}

// ParseSource is the Source given to package policy: the file for documents
// whose positions map to it (a JSON object in its file, a YAML mapping),
// else the file and position of the string that held the document, and how
// it was held.
func (d *Document) ParseSource() string {
	switch d.Encoding {
	case EncodingObject:
		return d.Source
	case EncodingCatalog:
		return d.Source + " (AWS managed policy from the catalog)"
	case EncodingString:
		return policy.DecodedSource(d.Pos(), policy.EncodingString)
	case EncodingURL:
		return policy.DecodedSource(d.Pos(), policy.EncodingURL)
	}
	if d.Lines != nil {
		return d.Source
	}
	return d.Where() + " (document converted from YAML)"
}

// parseOptions place the positions package policy reports in Source where
// they can be: a document written as a JSON object in its file starts at
// d.Pos(), and a YAML one has its source map.
func (d *Document) parseOptions(typ policy.Type) policy.Options {
	opts := policy.Options{Type: typ, Source: d.ParseSource()}
	switch {
	case d.Encoding == EncodingObject && d.Line > 0:
		opts.Start = d.Pos()
	case d.Encoding == EncodingYAML:
		opts.Lines = d.Lines
	}
	return opts
}

func (d *Document) parse(typ policy.Type) (*policy.Policy, error) {
	return policy.Parse(d.JSON, d.parseOptions(typ))
}

// DocumentError is a policy document that does not parse.
type DocumentError struct {
	// Document is the document, Name says what it is.
	Document *Document
	Err      error
}

func (e *DocumentError) Error() string { return e.Document.Name + ": " + e.Err.Error() }
func (e *DocumentError) Unwrap() error { return e.Err }

// Validate parses every document of the environment as the type it is used
// as (identity policies, trust policies, boundaries, SCPs, RCPs, resource
// and VPC endpoint policies) and returns the documents that do not parse,
// in a stable order. Parsed policies are cached on their documents.
func (e *Environment) Validate() []*DocumentError {
	var out []*DocumentError
	check := func(d *Document, typ policy.Type) {
		if d == nil {
			return
		}
		if _, err := d.Policy(typ); err != nil {
			out = append(out, &DocumentError{Document: d, Err: err})
		}
	}
	for _, id := range sortedKeys(e.Accounts) {
		a := e.Accounts[id]
		for _, u := range a.Users {
			for _, ip := range u.InlinePolicies {
				check(ip.Document, policy.TypeIdentity)
			}
		}
		for _, g := range a.Groups {
			for _, ip := range g.InlinePolicies {
				check(ip.Document, policy.TypeIdentity)
			}
		}
		for _, r := range a.Roles {
			check(r.Trust, policy.TypeTrust)
			for _, ip := range r.InlinePolicies {
				check(ip.Document, policy.TypeIdentity)
			}
		}
	}
	boundaries := map[string]bool{}
	for _, a := range e.Accounts {
		for _, u := range a.Users {
			boundaries[u.BoundaryARN] = true
		}
		for _, r := range a.Roles {
			boundaries[r.BoundaryARN] = true
		}
	}
	for _, arn := range sortedKeys(e.ManagedPolicies) {
		mp := e.ManagedPolicies[arn]
		check(mp.Document, policy.TypeIdentity)
		if boundaries[arn] {
			check(mp.Document, policy.TypeBoundary)
		}
	}
	if o := e.Organization; o != nil {
		scp, rcp := map[string]bool{}, map[string]bool{}
		var walk func(n *OrgNode)
		walk = func(n *OrgNode) {
			for _, id := range n.SCPs {
				scp[id] = true
			}
			for _, id := range n.RCPs {
				rcp[id] = true
			}
			for _, c := range n.Accounts {
				walk(c)
			}
			for _, c := range n.OUs {
				walk(c)
			}
		}
		walk(o.Root)
		for _, id := range sortedKeys(o.Policies) {
			if scp[id] {
				check(o.Policies[id].Document, policy.TypeSCP)
			}
			if rcp[id] {
				check(o.Policies[id].Document, policy.TypeRCP)
			}
		}
	}
	for _, arn := range sortedKeys(e.Resources) {
		r := e.Resources[arn]
		typ := policy.TypeResource
		if resourceTypeOf(arn) == "ec2:vpc-endpoint" {
			typ = policy.TypeVPCEndpoint
		}
		check(r.Policy, typ)
	}
	return out
}
