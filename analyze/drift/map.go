package drift

import (
	"fmt"
	"sort"
	"strings"

	"github.com/iamwhy/iamwhy/policy"

	"gopkg.in/yaml.v3"

	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/inputfile"
	"github.com/iamwhy/iamwhy/internal/yamldoc"
)

// Map says what corresponds between environment A and environment B:
// account IDs, and rewrites of names applied to role, user, policy and
// resource names and ARNs (and to everything else written in policies:
// a condition value naming an account or a bucket is rewritten too).
type Map struct {
	// Accounts maps each account ID of A to its counterpart in B.
	Accounts map[string]string `yaml:"accounts" json:"accounts"`
	// Names are substring rewrites from A's names to B's, applied in
	// order ("-staging" to "-prod").
	Names []Rewrite `yaml:"names" json:"names"`
}

// Rewrite replaces From (in A's names) with To (in B's).
type Rewrite struct {
	From string `yaml:"from" json:"from"`
	To   string `yaml:"to" json:"to"`
}

// ReadMap reads a map file (YAML or JSON):
//
//	accounts: {"111111111111": "222222222222"}
//	names: [{from: "-staging", to: "-prod"}]
func ReadMap(path string) (*Map, error) {
	data, err := inputfile.Read(path)
	if err != nil {
		return nil, err
	}
	return ParseMap(data, path)
}

// ParseMap parses a map file's text; name is its path, for errors.
func ParseMap(data []byte, name string) (*Map, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(root.Content) == 0 {
		return &Map{}, nil
	}
	if err := yamldoc.Check(&root); err != nil {
		return nil, fmt.Errorf("%s:%w", name, err)
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: a map file is a mapping with accounts and names", policy.At(name, doc.Line, doc.Column))
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		switch k := doc.Content[i]; k.Value {
		case "accounts", "names":
		default:
			return nil, fmt.Errorf("%s: unknown key %q (accounts, names)", policy.At(name, k.Line, k.Column), k.Value)
		}
	}
	var m Map
	if err := doc.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &m, nil
}

func (m *Map) validate() error {
	seen := map[string]string{}
	for a, b := range m.Accounts {
		if !arn.IsAccountID(a) || !arn.IsAccountID(b) {
			return fmt.Errorf("accounts: %q: %q is not a pair of 12-digit account IDs", a, b)
		}
		if prev, dup := seen[b]; dup {
			return fmt.Errorf("accounts: %s and %s both map to %s", prev, a, b)
		}
		seen[b] = a
	}
	for i, r := range m.Names {
		if r.From == "" {
			return fmt.Errorf("names[%d]: from is empty", i)
		}
	}
	return nil
}

// names is the translation a Map gives, in both directions.
type names struct {
	to, from *strings.Replacer
}

// translation builds the replacers: accounts first (longest strings win in
// a strings.Replacer at the same position only by argument order, so the
// pairs are given longest first), then the name rewrites.
func (m *Map) translation(extra ...Rewrite) names {
	var pairs []Rewrite
	accts := make([]string, 0, len(m.Accounts))
	for a := range m.Accounts {
		accts = append(accts, a)
	}
	sort.Strings(accts)
	for _, a := range accts {
		pairs = append(pairs, Rewrite{From: a, To: m.Accounts[a]})
	}
	pairs = append(pairs, m.Names...)
	pairs = append(pairs, extra...)
	sort.SliceStable(pairs, func(i, j int) bool { return len(pairs[i].From) > len(pairs[j].From) })
	var to, from []string
	for _, p := range pairs {
		if p.From == p.To {
			continue
		}
		to = append(to, p.From, p.To)
	}
	sort.SliceStable(pairs, func(i, j int) bool { return len(pairs[i].To) > len(pairs[j].To) })
	for _, p := range pairs {
		if p.From == p.To || p.To == "" {
			continue
		}
		from = append(from, p.To, p.From)
	}
	return names{to: strings.NewReplacer(to...), from: strings.NewReplacer(from...)}
}

func (n names) ToB(s string) string   { return n.to.Replace(s) }
func (n names) FromB(s string) string { return n.from.Replace(s) }
