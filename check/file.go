// Package check reads check files (permission expectations: "this caller
// can / cannot do this action on this resource, in this context") and runs
// them through the decision engine. The format is the contract in
// spec/check-file.md: version 1, named policies, an optional environment,
// and cases with an expected decision.
package check

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/iamwhy/iamwhy/inputfile"
	"github.com/iamwhy/iamwhy/internal/yamldoc"
	"github.com/iamwhy/iamwhy/policy"
	"gopkg.in/yaml.v3"
)

// File is one parsed check file.
type File struct {
	Path     string
	Dir      string
	Policies map[string]*PolicyRef
	// Environment is the environment block (a mapping) or path (a scalar)
	// as written; nil when absent.
	Environment *yaml.Node
	Cases       []*Case

	arena caseArena // the cases' small pieces (arena.go)
	// sharedLayers are the layers of cases already read, by their text
	// (layersKey): cases that name the same policies share one CaseLayers.
	sharedLayers map[string]*CaseLayers
	keyBuf       []byte
}

// PolicyRef is a policy document: inline, or a path relative to the file.
type PolicyRef struct {
	Name   string
	Inline *yaml.Node
	Path   string
	Pos    policy.Pos
}

// Case is one expectation.
type Case struct {
	Name            string
	Pos             policy.Pos
	Principal       string
	Actions         []string
	Resources       []string
	ResourceAccount string
	Context         []ContextEntry
	// Layers is nil in environment mode.
	Layers            *CaseLayers
	ManagementAccount string
	Expect            Expectation
}

// ContextEntry is one context key of a case.
type ContextEntry struct {
	Key    string
	Values []string
	Multi  bool
}

// CaseLayers are the policies of each layer in custom mode; a nil field is
// a layer that does not exist.
type CaseLayers struct {
	Identity    []*PolicyRef
	Resource    *PolicyRef
	Boundary    *PolicyRef
	Session     []*PolicyRef
	SCP         [][]*PolicyRef
	RCP         [][]*PolicyRef
	VPCEndpoint *PolicyRef
	// S3KMS holds the S3 and KMS settings (s3kmslayers.go); nil: none.
	S3KMS *CaseS3

	shared bool // several cases may hold this value (File.layersKey)
}

// Expectation is the decision a case expects.
type Expectation string

const (
	ExpectAllow        Expectation = "allow"
	ExpectDeny         Expectation = "deny"
	ExpectImplicitDeny Expectation = "implicit-deny"
	ExpectExplicitDeny Expectation = "explicit-deny"
	// ExpectUndetermined passes only on an undetermined decision (a
	// policy that matters was not collected, a rule the engine does not
	// model); every other expectation fails on one.
	ExpectUndetermined Expectation = "undetermined"
)

// FileError is a problem that stops a check file from running at all
// (exit status 2): unreadable, not YAML, unknown top-level key, a case
// missing a required key.
type FileError struct {
	Path string
	Pos  policy.Pos
	Case string
	Msg  string
}

func (e *FileError) Error() string {
	loc := e.Pos.In(e.Path).String()
	if e.Case != "" {
		return fmt.Sprintf("%s: case %q: %s", loc, e.Case, e.Msg)
	}
	return loc + ": " + e.Msg
}

func nodePos(n *yaml.Node) policy.Pos { return policy.At("", n.Line, n.Column) }

// LoadFile reads and validates a check file.
func LoadFile(path string) (*File, error) {
	m, err := inputfile.Map(path)
	if err != nil {
		return nil, &FileError{Path: path, Msg: err.Error()}
	}
	// A large file is mapped, not read: nothing of the File may point
	// into m.Data once it is closed (TestParseKeepsNoFileBytes), and a
	// fault reading it is an error of the file.
	defer m.Close()
	var f *File
	if inputfile.CatchFault(func() { f, err = Parse(path, m.Data) }) {
		return nil, &FileError{Path: path, Msg: "the file changed while it was read (truncated?)"}
	}
	return f, err
}

// Parse reads a check file from data; path names it in errors and anchors
// relative paths.
func Parse(path string, data []byte) (*File, error) {
	if looksLikeJSON(data) {
		f, err := parseJSONCheck(path, data)
		if err == nil {
			return f, nil
		}
		var fe *FileError
		if errors.As(err, &fe) {
			return nil, err
		}
		// A file named .json is JSON: report its error as such. Other
		// files starting with "{" may be YAML flow style.
		var je *jsonError
		if strings.HasSuffix(strings.ToLower(path), ".json") || errors.As(err, &je) && je.Dup {
			return nil, jsonFileError(path, err)
		}
	}
	if len(data) >= parallelParseMin && runtime.GOMAXPROCS(0) > 1 {
		if head, parts, lines, ok := cutCases(data, 8*runtime.GOMAXPROCS(0)); ok {
			if f, ok := parseYAMLCases(path, head, parts, lines); ok {
				return f, nil
			}
			if !allIndented(parts) {
				return parse(path, data, nil)
			}
			if items, err := parseCasesParallel(parts, lines); err == nil {
				return parse(path, head, items)
			}
			// Fall through: the plain parser reports errors with their
			// exact positions.
		}
	}
	return parse(path, data, nil)
}

// parse reads the document; items, when not nil, are the already parsed
// case nodes (the document then ends with an empty "cases:").
func parse(path string, data []byte, items []*yaml.Node) (*File, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &FileError{Path: path, Pos: yamlErrorPos(err), Msg: "not valid YAML or JSON: " + err.Error()}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, &FileError{Path: path, Msg: "empty check file"}
	}
	// Every parser of check files (yaml.v3 and the fast subset parser)
	// produces yaml.v3 nodes, and the one rule for duplicate keys and
	// alias expansion is applied to those nodes.
	if err := yamldoc.Check(doc.Content[0]); err != nil {
		return nil, yamlFileError(path, err)
	}
	for _, it := range items {
		if err := yamldoc.Check(it); err != nil {
			return nil, yamlFileError(path, err)
		}
	}
	return interpret(path, doc.Content[0], items)
}

// interpret reads the document's root node; items, when not nil, are the
// already parsed case nodes. Both readers (YAML and JSON) have refused
// duplicate keys in the tree by then.
func interpret(path string, root *yaml.Node, items []*yaml.Node) (*File, error) {
	f, cases, err := readHeader(path, root)
	if err != nil {
		return nil, err
	}
	if items != nil {
		cases = &yaml.Node{Kind: yaml.SequenceNode, Content: items}
	}
	if cases == nil {
		return nil, &FileError{Path: path, Msg: "no cases"}
	}
	if cases.Kind != yaml.SequenceNode {
		return nil, &FileError{Path: path, Pos: nodePos(cases), Msg: "cases must be a list"}
	}
	if len(cases.Content) == 0 {
		return nil, errNoCases(path, nodePos(cases))
	}
	cs, err := newCaseReader(f, len(cases.Content)).read(cases.Content)
	if err != nil {
		return nil, err
	}
	f.Cases = append(f.Cases, cs...)
	return f, nil
}

func errNoCases(path string, pos policy.Pos) error {
	return &FileError{Path: path, Pos: pos, Msg: "no cases: a check file without cases checks nothing"}
}

// readHeader reads the root mapping's keys other than the cases, and
// returns the cases node (nil when absent).
func readHeader(path string, root *yaml.Node) (*File, *yaml.Node, error) {
	if root.Kind != yaml.MappingNode {
		return nil, nil, &FileError{Path: path, Pos: nodePos(root), Msg: "a check file must be a mapping with version, policies, environment and cases"}
	}
	f := &File{Path: path, Dir: filepath.Dir(path), Policies: map[string]*PolicyRef{}}
	var cases *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "version":
			if v.Value != "1" {
				return nil, nil, &FileError{Path: path, Pos: nodePos(v), Msg: fmt.Sprintf("unsupported version %q (this iamwhy reads version 1)", v.Value)}
			}
		case "policies":
			if err := f.readPolicies(v); err != nil {
				return nil, nil, err
			}
		case "environment":
			if v.Tag != "!!null" {
				f.Environment = v
			}
		case "cases":
			cases = v
		default:
			return nil, nil, &FileError{Path: path, Pos: nodePos(k), Msg: fmt.Sprintf("unknown top-level key %q (want version, policies, environment, cases)", k.Value)}
		}
	}
	return f, cases, nil
}

// yamlFileError places a yamldoc error in the check file.
func yamlFileError(path string, err error) error {
	var ye *yamldoc.Error
	if errors.As(err, &ye) {
		return &FileError{Path: path, Pos: ye.Pos(), Msg: ye.Msg}
	}
	return &FileError{Path: path, Msg: err.Error()}
}

func yamlErrorPos(err error) policy.Pos {
	// yaml.v3 reports "yaml: line N: ..."
	var line int
	msg := err.Error()
	if i := strings.Index(msg, "line "); i >= 0 {
		fmt.Sscanf(msg[i+5:], "%d", &line)
	}
	if line > 0 {
		return policy.At("", line, 0) // yaml.v3 names no column
	}
	return policy.Pos{}
}

func (f *File) readPolicies(n *yaml.Node) error {
	if n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return &FileError{Path: f.Path, Pos: nodePos(n), Msg: "policies must be a mapping from name to document or path"}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		ref := &PolicyRef{Name: k.Value, Pos: nodePos(v)}
		switch v.Kind {
		case yaml.MappingNode:
			ref.Inline = v
		case yaml.ScalarNode:
			ref.Path = v.Value
		default:
			return &FileError{Path: f.Path, Pos: nodePos(v), Msg: fmt.Sprintf("policy %q must be a document or a path", k.Value)}
		}
		f.Policies[k.Value] = ref
	}
	return nil
}

// caseFields holds a case's values by key; a case has ten keys at most, so
// a small array beats a map allocated for every case.
type caseFields struct {
	n    int
	keys [16]string
	vals [16]*yaml.Node
}

func (cf *caseFields) set(k string, v *yaml.Node) {
	for i := 0; i < cf.n; i++ {
		if cf.keys[i] == k {
			cf.vals[i] = v
			return
		}
	}
	if cf.n < len(cf.keys) {
		cf.keys[cf.n], cf.vals[cf.n] = k, v
		cf.n++
	}
}

func (cf *caseFields) get(k string) *yaml.Node {
	for i := 0; i < cf.n; i++ {
		if cf.keys[i] == k {
			return cf.vals[i]
		}
	}
	return nil
}

var caseKeys = map[string]bool{"name": true, "principal": true, "action": true, "resource": true, "resource_account": true,
	"context": true, "layers": true, "expect": true, "management_account": true, "description": true}

func (f *File) readCase(n *yaml.Node) (*Case, error) {
	if n.Kind != yaml.MappingNode {
		return nil, &FileError{Path: f.Path, Pos: nodePos(n), Msg: "each case must be a mapping"}
	}
	c := f.arena.newCase()
	c.Pos = nodePos(n)
	var fields caseFields
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !caseKeys[k.Value] {
			return nil, &FileError{Path: f.Path, Pos: nodePos(k), Msg: fmt.Sprintf("unknown key %q in a case", k.Value)}
		}
		fields.set(k.Value, v)
	}
	if v := fields.get("name"); v != nil {
		c.Name = v.Value
	}
	for _, req := range []string{"name", "principal", "action", "resource", "expect"} {
		if v := fields.get(req); v == nil || (v.Kind == yaml.ScalarNode && v.Value == "" && v.Tag != "!!str") {
			return nil, &FileError{Path: f.Path, Pos: c.Pos, Case: c.Name, Msg: "missing required key " + req}
		}
	}
	fe := func(n *yaml.Node, format string, args ...any) error {
		return &FileError{Path: f.Path, Pos: nodePos(n), Case: c.Name, Msg: fmt.Sprintf(format, args...)}
	}
	c.Principal = fields.get("principal").Value
	var err error
	if c.Actions, err = f.stringOrList(fields.get("action")); err != nil {
		return nil, fe(fields.get("action"), "action: %v", err)
	}
	if c.Resources, err = f.stringOrList(fields.get("resource")); err != nil {
		return nil, fe(fields.get("resource"), "resource: %v", err)
	}
	if len(c.Actions) == 0 || len(c.Resources) == 0 {
		return nil, fe(n, "action and resource must name at least one value")
	}
	if v := fields.get("resource_account"); v != nil && v.Tag != "!!null" {
		c.ResourceAccount = v.Value
	}
	if v := fields.get("management_account"); v != nil && v.Tag != "!!null" {
		c.ManagementAccount = v.Value
	}
	switch e := Expectation(fields.get("expect").Value); e {
	case ExpectAllow, ExpectDeny, ExpectImplicitDeny, ExpectExplicitDeny, ExpectUndetermined:
		c.Expect = e
	default:
		return nil, fe(fields.get("expect"), "expect must be allow, deny, implicit-deny, explicit-deny or undetermined, not %q", fields.get("expect").Value)
	}
	if v := fields.get("context"); v != nil && v.Tag != "!!null" {
		if v.Kind != yaml.MappingNode {
			return nil, fe(v, "context must be a mapping from key to value or list of values")
		}
		var keys map[string]*yaml.Node // for large contexts; small ones are searched
		if len(v.Content) > 0 {
			c.Context = f.arena.contextEntries(len(v.Content) / 2)[:0]
		}
		for i := 0; i+1 < len(v.Content); i += 2 {
			k, val := v.Content[i], v.Content[i+1]
			// Context key names are case-insensitive, so aws:SourceIp and
			// aws:sourceip are the same key given twice.
			if prev := seenContextKey(v.Content[:i], k, &keys); prev != nil {
				return nil, fe(k, "context key %q given twice (first as %q at %s)", k.Value, prev.Value, nodePos(prev).LineCol())
			}
			ce := ContextEntry{Key: k.Value}
			switch val.Kind {
			case yaml.SequenceNode:
				ce.Multi = true
				if len(val.Content) > 0 {
					ce.Values = f.arena.strings(len(val.Content))[:0]
				}
				for _, item := range val.Content {
					if item.Kind != yaml.ScalarNode {
						return nil, fe(item, "context %s: values must be scalars", k.Value)
					}
					ce.Values = append(ce.Values, item.Value)
				}
			case yaml.ScalarNode:
				if val.Tag == "!!null" {
					return nil, fe(val, "context %s: a key without a value; leave the key out to make it absent", k.Value)
				}
				ce.Values = f.arena.strings(1)
				ce.Values[0] = val.Value
			default:
				return nil, fe(val, "context %s: want a value or a list of values", k.Value)
			}
			c.Context = append(c.Context, ce)
		}
	}
	if v := fields.get("layers"); v != nil && v.Tag != "!!null" {
		key, shared := f.layersKey(v)
		if l := f.sharedLayers[string(key)]; shared && l != nil {
			c.Layers = l
			return c, nil
		}
		l, err := f.readLayers(c, v)
		if err != nil {
			return nil, err
		}
		if shared {
			if f.sharedLayers == nil {
				f.sharedLayers = map[string]*CaseLayers{}
			}
			if len(f.sharedLayers) < 1<<16 {
				l.shared = true
				f.sharedLayers[string(key)] = l
			}
		}
		c.Layers = l
	}
	return c, nil
}

// layersKey writes the text of a case's layers mapping as a key, and says
// whether cases with the same key may share one CaseLayers: when the
// layers are the plain layer keys with names from the policies block (or
// null) in lists, so that reading them again gives an equal value. Inline
// documents, paths (whose references carry the case's position) and S3
// and KMS settings are read for each case.
func (f *File) layersKey(n *yaml.Node) ([]byte, bool) {
	if n.Kind != yaml.MappingNode {
		return nil, false
	}
	b := f.keyBuf[:0]
	ok := true
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		switch {
		case !ok:
		case n.Kind == yaml.ScalarNode && n.Tag == "!!null":
			b = append(b, '~')
		case n.Kind == yaml.ScalarNode:
			if _, named := f.Policies[n.Value]; !named {
				ok = false
				return
			}
			b = append(b, '"')
			b = append(b, n.Value...)
			b = append(b, 0)
		case n.Kind == yaml.SequenceNode:
			b = append(b, '[')
			for _, c := range n.Content {
				walk(c)
			}
			b = append(b, ']')
		default:
			ok = false
		}
	}
	for i := 0; i+1 < len(n.Content) && ok; i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode || !layerKeys[k.Value] {
			return nil, false
		}
		b = append(b, k.Value...)
		b = append(b, ':')
		walk(n.Content[i+1])
	}
	f.keyBuf = b
	return b, ok
}

// seenContextKey returns the earlier key among a context's pairs read so
// far (pairs) that names the same key as k, ignoring case as IAM does, or
// nil. A context has a few keys, searched in place; a large one gets an
// index of lower-cased names.
func seenContextKey(pairs []*yaml.Node, k *yaml.Node, index *map[string]*yaml.Node) *yaml.Node {
	const linear = 16
	if *index == nil && len(pairs) < 2*linear {
		for i := 0; i < len(pairs); i += 2 {
			if sameKeyFold(pairs[i].Value, k.Value) {
				return pairs[i]
			}
		}
		return nil
	}
	if *index == nil {
		*index = make(map[string]*yaml.Node, len(pairs))
		for i := 0; i < len(pairs); i += 2 {
			if _, ok := (*index)[strings.ToLower(pairs[i].Value)]; !ok {
				(*index)[strings.ToLower(pairs[i].Value)] = pairs[i]
			}
		}
	}
	lk := strings.ToLower(k.Value)
	if prev, ok := (*index)[lk]; ok {
		return prev
	}
	(*index)[lk] = k
	return nil
}

// sameKeyFold is strings.ToLower(a) == strings.ToLower(b) without
// allocating when both are ASCII, as context keys are.
func sameKeyFold(a, b string) bool {
	if !ascii(a) || !ascii(b) {
		// Not strings.EqualFold: its folding differs from ToLower's
		// for a few letters (the long s, the Kelvin sign), and the
		// rule has always been lower-case equality.
		la, lb := strings.ToLower(a), strings.ToLower(b)
		return la == lb
	}
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		ca, cb := a[i], b[i]
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return false
		}
	}
	return true
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func (f *File) stringOrList(n *yaml.Node) ([]string, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		out := f.arena.strings(1)
		out[0] = n.Value
		return out, nil
	case yaml.SequenceNode:
		out := f.arena.strings(len(n.Content))[:0]
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return nil, errors.New("want a string or a list of strings")
			}
			out = append(out, c.Value)
		}
		return out, nil
	}
	return nil, errors.New("want a string or a list of strings")
}

var layerKeys = map[string]bool{"identity": true, "resource": true, "boundary": true, "session": true, "scp": true, "rcp": true, "vpc_endpoint": true}

func (f *File) readLayers(c *Case, n *yaml.Node) (*CaseLayers, error) {
	fe := func(n *yaml.Node, format string, args ...any) error {
		return &FileError{Path: f.Path, Pos: nodePos(n), Case: c.Name, Msg: fmt.Sprintf(format, args...)}
	}
	if n.Kind != yaml.MappingNode {
		return nil, fe(n, "layers must be a mapping")
	}
	l := &CaseLayers{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if s3KMSLayerKeys[k.Value] {
			if v.Tag == "!!null" {
				continue
			}
			if err := f.readS3KMSLayer(l, k.Value, v); err != nil {
				return nil, fe(v, "%s: %v", k.Value, err)
			}
			continue
		}
		if !layerKeys[k.Value] {
			return nil, fe(k, "unknown layer %q (want identity, resource, boundary, session, scp, rcp, vpc_endpoint, or an S3/KMS setting: block_public_access, account_block_public_access, object_ownership, bucket_acl, object_acl, canonical_ids, request_policy, request_acl, access_point, kms_grants)", k.Value)
		}
		if v.Tag == "!!null" {
			continue
		}
		var err error
		switch k.Value {
		case "identity":
			l.Identity, err = f.refList(v)
			if l.Identity == nil && err == nil {
				l.Identity = []*PolicyRef{}
			}
		case "session":
			l.Session, err = f.refList(v)
		case "resource":
			l.Resource, err = f.singleRef(v)
		case "boundary":
			l.Boundary, err = f.singleRef(v)
		case "vpc_endpoint":
			l.VPCEndpoint, err = f.singleRef(v)
		case "scp", "rcp":
			var levels [][]*PolicyRef
			if v.Kind != yaml.SequenceNode {
				return nil, fe(v, "%s must be a list of levels, root first, each a list of policies", k.Value)
			}
			for _, lv := range v.Content {
				if lv.Kind != yaml.SequenceNode {
					return nil, fe(lv, "%s: each level must be a list of policies (write [[a], [b]] for two levels)", k.Value)
				}
				refs, err := f.refList(lv)
				if err != nil {
					return nil, fe(lv, "%s: %v", k.Value, err)
				}
				if refs == nil {
					refs = []*PolicyRef{}
				}
				levels = append(levels, refs)
			}
			if levels == nil {
				levels = [][]*PolicyRef{}
			}
			if k.Value == "scp" {
				l.SCP = levels
			} else {
				l.RCP = levels
			}
		}
		if err != nil {
			return nil, fe(v, "%s: %v", k.Value, err)
		}
	}
	if err := l.S3KMS.finish(); err != nil {
		return nil, fe(n, "%v", err)
	}
	return l, nil
}

// ref reads a policy reference: a name from policies:, a path, or an
// inline document.
func (f *File) ref(n *yaml.Node) (*PolicyRef, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		if r, ok := f.Policies[n.Value]; ok {
			return r, nil
		}
		if strings.HasSuffix(n.Value, ".json") || strings.HasSuffix(n.Value, ".yaml") || strings.HasSuffix(n.Value, ".yml") || strings.HasPrefix(n.Value, "file://") {
			return &PolicyRef{Name: n.Value, Path: strings.TrimPrefix(n.Value, "file://"), Pos: nodePos(n)}, nil
		}
		return nil, fmt.Errorf("no policy named %q in the policies block", n.Value)
	case yaml.MappingNode:
		return &PolicyRef{Name: "inline@" + nodePos(n).LineCol(), Inline: n, Pos: nodePos(n)}, nil
	}
	return nil, errors.New("want a policy name, a path or an inline document")
}

func (f *File) singleRef(n *yaml.Node) (*PolicyRef, error) {
	if n.Kind == yaml.SequenceNode {
		switch len(n.Content) {
		case 0:
			return nil, nil
		case 1:
			return f.ref(n.Content[0])
		}
		return nil, errors.New("this layer takes one policy")
	}
	return f.ref(n)
}

func (f *File) refList(n *yaml.Node) ([]*PolicyRef, error) {
	if n.Kind != yaml.SequenceNode {
		r, err := f.ref(n)
		if err != nil {
			return nil, err
		}
		return []*PolicyRef{r}, nil
	}
	out := []*PolicyRef{}
	for _, c := range n.Content {
		r, err := f.ref(c)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
