package snapshot

import (
	"path/filepath"
	"strings"

	"github.com/iamwhy/iamwhy/inputfile"
	"github.com/iamwhy/iamwhy/policy"

	"gopkg.in/yaml.v3"
)

// The organisation file (docs/environment.md, "organization"): the tree from
// the root down to the accounts, with the SCPs and RCPs attached at each
// node, and the policy documents by id. It is what `aws organizations`
// describe-organization, list-roots, list-organizational-units-for-parent,
// list-accounts-for-parent, list-policies-for-target and describe-policy
// say, assembled (scripts/collect-organization.sh, iamwhy collect).

// LoadOrganizationFile reads an organisation file (YAML or JSON) and sets it
// as the environment's organisation.
func (e *Environment) LoadOrganizationFile(path string) error {
	n, err := readYAMLFile(path)
	if err != nil {
		return err
	}
	return e.SetOrganizationNode(n, path)
}

// SetOrganizationNode reads an organisation given as a YAML node (an
// organisation file, or an inline block of an environment); file names it in
// errors and relative policy paths are resolved against its directory.
func (e *Environment) SetOrganizationNode(n *yaml.Node, file string) error {
	if e.Organization != nil {
		return nodeErrorf(file, n, "a second organisation (the first came from %s); an environment holds one organisation", e.Organization.Source)
	}
	org, err := readOrganization(n, file)
	if err != nil {
		return err
	}
	e.Organization = org
	e.Stats.OrgAccounts = len(org.accounts)
	e.Stats.OrgPolicies = len(org.Policies)
	var walk func(n *OrgNode)
	walk = func(n *OrgNode) {
		if len(n.SCPs) == 0 {
			e.warnf("%s: %s %s has no SCP attached: AWS does not allow that once SCPs are enabled, and every request from accounts below it would be denied", n.Source, n.Kind, n.ID)
		}
		for _, a := range n.Accounts {
			walk(a)
		}
		for _, c := range n.OUs {
			walk(c)
		}
	}
	walk(org.Root)
	if org.ManagementAccount != "" {
		if _, ok := org.accounts[org.ManagementAccount]; !ok {
			e.warnf("%s: management_account %s is not in the tree", file, org.ManagementAccount)
		}
	}
	return nil
}

type orgReader struct {
	file string
	dir  string
	org  *Organization
	ids  map[string]string // node id -> where
	refs []policyRef
}

type policyRef struct {
	id   string
	node *yaml.Node
	kind string
}

func readOrganization(n *yaml.Node, file string) (*Organization, error) {
	r := &orgReader{
		file: file, dir: filepath.Dir(file), ids: map[string]string{},
		org: &Organization{Policies: map[string]*OrgPolicy{}, Source: file, accounts: map[string]*OrgNode{}},
	}
	pairs, err := mappingPairs(file, n, "the organisation")
	if err != nil {
		return nil, err
	}
	var rootNode *yaml.Node
	for _, kv := range pairs {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "id":
			if r.org.ID, err = scalarString(file, v, "id"); err != nil {
				return nil, err
			}
			if r.org.ID != "" && !strings.HasPrefix(r.org.ID, "o-") {
				return nil, nodeErrorf(file, v, "id %q is not an organisation id (o-...)", r.org.ID)
			}
		case "management_account":
			if r.org.ManagementAccount, err = scalarString(file, v, "management_account"); err != nil {
				return nil, err
			}
			if !isAccountID(r.org.ManagementAccount) {
				return nil, nodeErrorf(file, v, "management_account %q is not a 12-digit account id (quote it in YAML)", r.org.ManagementAccount)
			}
		case "policies":
			if err := r.policies(v); err != nil {
				return nil, err
			}
		case "root":
			rootNode = v
		default:
			return nil, nodeErrorf(file, k, "unknown key %q in the organisation (want id, management_account, policies, root)", k.Value)
		}
	}
	if rootNode == nil {
		return nil, nodeErrorf(file, n, "the organisation has no root")
	}
	root, err := r.node(rootNode, NodeRoot, nil)
	if err != nil {
		return nil, err
	}
	r.org.Root = root
	for _, ref := range r.refs {
		if _, ok := r.org.Policies[ref.id]; !ok {
			return nil, nodeErrorf(file, ref.node, "%s %q is not in policies", ref.kind, ref.id)
		}
	}
	return r.org, nil
}

func (r *orgReader) policies(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	pairs, err := mappingPairs(r.file, n, "policies")
	if err != nil {
		return err
	}
	for _, kv := range pairs {
		id, v := kv[0].Value, kv[1]
		doc, err := documentFromNode(v, r.file, r.dir, "organisation policy "+id)
		if err != nil {
			return err
		}
		if doc == nil {
			return nodeErrorf(r.file, v, "policy %s has no document", id)
		}
		r.org.Policies[id] = &OrgPolicy{ID: id, Document: doc}
	}
	return nil
}

func (r *orgReader) node(n *yaml.Node, kind NodeKind, parent *OrgNode) (*OrgNode, error) {
	what := kind.String()
	pairs, err := mappingPairs(r.file, n, what)
	if err != nil {
		return nil, err
	}
	on := &OrgNode{Kind: kind, Parent: parent, Source: nodeWhere(r.file, n)}
	var ous, accts *yaml.Node
	for _, kv := range pairs {
		k, v := kv[0], kv[1]
		switch {
		case k.Value == "id":
			if on.ID, err = scalarString(r.file, v, what+" id"); err != nil {
				return nil, err
			}
		case k.Value == "name":
			if on.Name, err = scalarString(r.file, v, what+" name"); err != nil {
				return nil, err
			}
		case k.Value == "scp" || k.Value == "rcp":
			ids, nodes, err := stringList(r.file, v, k.Value)
			if err != nil {
				return nil, err
			}
			for i, id := range ids {
				r.refs = append(r.refs, policyRef{id: id, node: nodes[i], kind: strings.ToUpper(k.Value)})
			}
			if k.Value == "scp" {
				on.SCPs = ids
			} else {
				on.RCPs = ids
			}
		case k.Value == "ous" && kind != NodeAccount:
			ous = v
		case k.Value == "accounts" && kind != NodeAccount:
			accts = v
		default:
			want := "id, name, scp, rcp, accounts, ous"
			if kind == NodeAccount {
				want = "id, name, scp, rcp"
			}
			return nil, nodeErrorf(r.file, k, "unknown key %q in %s (want %s)", k.Value, what, want)
		}
	}
	if on.ID == "" {
		return nil, nodeErrorf(r.file, n, "%s without id", what)
	}
	switch kind {
	case NodeAccount:
		if !isAccountID(on.ID) {
			return nil, nodeErrorf(r.file, n, "account id %q is not 12 digits (quote it in YAML)", on.ID)
		}
	case NodeRoot:
		if !strings.HasPrefix(on.ID, "r-") {
			return nil, nodeErrorf(r.file, n, "root id %q does not start with r-", on.ID)
		}
	case NodeOU:
		if !strings.HasPrefix(on.ID, "ou-") {
			return nil, nodeErrorf(r.file, n, "OU id %q does not start with ou-", on.ID)
		}
	}
	if prev, dup := r.ids[on.ID]; dup {
		return nil, nodeErrorf(r.file, n, "%s %s appears twice (first at %s)", what, on.ID, prev)
	}
	r.ids[on.ID] = on.Source
	if kind == NodeAccount {
		r.org.accounts[on.ID] = on
	}
	if accts != nil {
		list, err := seqNodes(r.file, accts, "accounts")
		if err != nil {
			return nil, err
		}
		for _, c := range list {
			a, err := r.node(c, NodeAccount, on)
			if err != nil {
				return nil, err
			}
			on.Accounts = append(on.Accounts, a)
		}
	}
	if ous != nil {
		list, err := seqNodes(r.file, ous, "ous")
		if err != nil {
			return nil, err
		}
		for _, c := range list {
			ou, err := r.node(c, NodeOU, on)
			if err != nil {
				return nil, err
			}
			on.OUs = append(on.OUs, ou)
		}
	}
	return on, nil
}

func seqNodes(file string, n *yaml.Node, what string) ([]*yaml.Node, error) {
	n = resolveAlias(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, nodeErrorf(file, n, "%s must be a list, found %s", what, kindName(n))
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		out[i] = resolveAlias(c)
	}
	return out, nil
}

// documentFromNode reads a policy document given in a YAML file: a mapping
// (the document inline), a string holding JSON (starts with '{'), or a path
// relative to dir. null gives nil.
func documentFromNode(n *yaml.Node, file, dir, name string) (*Document, error) {
	n = resolveAlias(n)
	switch n.Kind {
	case yaml.MappingNode:
		return yamlDocument(n, file, name)
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return nil, nil
		}
		t := strings.TrimSpace(n.Value)
		if t == "" {
			return nil, nodeErrorf(file, n, "%s: empty document", name)
		}
		if strings.HasPrefix(t, "{") || strings.HasPrefix(t, "%7B") {
			text, enc, err := decodeStringDocument(n.Value)
			if err != nil {
				return nil, nodeErrorf(file, n, "%s: %v", name, err)
			}
			return &Document{JSON: text, Source: file, Line: n.Line, Col: n.Column, Encoding: enc, Name: name}, nil
		}
		p := t
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		doc, err := loadDocumentFile(p, name)
		if err != nil {
			return nil, nodeErrorf(file, n, "%s: %v", name, err)
		}
		return doc, nil
	}
	return nil, nodeErrorf(file, n, "%s must be a document (a mapping) or a path, found %s", name, kindName(n))
}

// yamlDocument is a policy document written as a YAML mapping, converted to
// JSON with the map that places its elements in file.
func yamlDocument(n *yaml.Node, file, name string) (*Document, error) {
	js, lines, err := policy.FromYAML(n, file)
	if err != nil {
		return nil, err
	}
	return &Document{JSON: js, Source: file, Line: n.Line, Col: n.Column, Encoding: EncodingYAML, Lines: lines, Name: name}, nil
}

// loadDocumentFile reads a policy document from its own file: JSON as is
// (positions map to the file), YAML converted.
func loadDocumentFile(path, name string) (*Document, error) {
	data, err := inputfile.Read(path)
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		n, err := parseYAML(data, path)
		if err != nil {
			return nil, err
		}
		return yamlDocument(n, path, name)
	}
	start := 0
	for start < len(data) && (data[start] == ' ' || data[start] == '\t' || data[start] == '\n' || data[start] == '\r') {
		start++
	}
	line, col := lineCol(data, start)
	return &Document{JSON: data[start:], Source: path, Line: line, Col: col, Encoding: EncodingObject, Name: name}, nil
}
