package snapshot

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// The environment file (docs/environment.md):
//
//	version: 1
//	authorization_details: [accounts/111122223333/authorization-details.json]
//	organization: organization.yaml
//	resource_policies: [resources/]
//
// A check file's environment: block has the same keys, or is a path to an
// environment file.

// PathRef is a path named in an environment, with where it was named
// (file:line:col) for errors. Path is already resolved against the naming
// file's directory.
type PathRef struct {
	Path  string
	Where string
}

// Spec says where an environment's parts are. Build one with DecodeSpec (from
// an environment file or a check file's environment: block) or by hand.
type Spec struct {
	// File is an environment file (or a directory holding
	// environment.yaml or environment.json) to read instead of the fields
	// below: a check file's `environment: path`.
	File                 string
	AuthorizationDetails []PathRef
	Organization         *PathRef
	// OrganizationNode is an organisation given inline (an extension: the
	// contract names a path). OrganizationFile names it in errors.
	OrganizationNode *yaml.Node
	OrganizationFile string
	ResourcePolicies []PathRef
	// Plans are Terraform plan JSON files (`plan:`) to lay over the
	// environment. Load does not read them (package iac/terraform does, on
	// top of the loaded environment).
	Plans []PathRef
	// Templates are CloudFormation/SAM templates or CDK cloud assemblies
	// (`templates:`) to lay over the environment; like Plans, Load does
	// not read them (package iac/cloudformation does).
	Templates []TemplateRef
	// Account and Region are the account and region plans and templates
	// deploy to when they do not say (the command line's --account and
	// --region); Load ignores them.
	Account string
	Region  string
}

// TemplateRef is one entry of `templates:`: a template (or cdk.out
// directory) with its parameters file and the stack's account and region.
type TemplateRef struct {
	Template   PathRef
	Parameters *PathRef
	Account    string
	Region     string
}

// DecodeSpec reads an environment from a YAML node: a mapping with version
// (optional in a check file's block), authorization_details, organization
// and resource_policies, or a string naming an environment file. file is the
// file holding the node; relative paths are resolved against its directory.
// Unknown keys are errors, except "collected", which iamwhy collect writes
// to say when and how the environment was collected.
func DecodeSpec(n *yaml.Node, file string) (Spec, error) {
	n = resolveAlias(n)
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = resolveAlias(n.Content[0])
	}
	dir := filepath.Dir(file)
	rel := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		return Spec{File: rel(n.Value)}, nil
	}
	pairs, err := mappingPairs(file, n, "environment")
	if err != nil {
		return Spec{}, err
	}
	var s Spec
	paths := func(v *yaml.Node, what string) ([]PathRef, error) {
		list, nodes, err := stringList(file, v, what)
		if err != nil {
			return nil, err
		}
		out := make([]PathRef, len(list))
		for i, p := range list {
			if strings.TrimSpace(p) == "" {
				return nil, nodeErrorf(file, nodes[i], "%s: empty path", what)
			}
			out[i] = PathRef{Path: rel(p), Where: nodeWhere(file, nodes[i])}
		}
		return out, nil
	}
	for _, kv := range pairs {
		k, v := kv[0], kv[1]
		switch k.Value {
		case "version":
			if v.Kind != yaml.ScalarNode || v.Value != "1" {
				return Spec{}, nodeErrorf(file, v, "unsupported environment version %q (want 1)", v.Value)
			}
		case "authorization_details":
			if s.AuthorizationDetails, err = paths(v, "authorization_details"); err != nil {
				return Spec{}, err
			}
		case "organization":
			switch {
			case v.Kind == yaml.MappingNode:
				s.OrganizationNode, s.OrganizationFile = v, file
			case v.Kind == yaml.ScalarNode && v.Tag == "!!null":
			default:
				p, err := scalarString(file, v, "organization")
				if err != nil {
					return Spec{}, err
				}
				s.Organization = &PathRef{Path: rel(p), Where: nodeWhere(file, v)}
			}
		case "resource_policies":
			if s.ResourcePolicies, err = paths(v, "resource_policies"); err != nil {
				return Spec{}, err
			}
		case "plan":
			if s.Plans, err = paths(v, "plan"); err != nil {
				return Spec{}, err
			}
		case "templates", "template":
			if s.Templates, err = templateRefs(file, v, rel); err != nil {
				return Spec{}, err
			}
		case "collected":
		default:
			return Spec{}, nodeErrorf(file, k, "unknown key %q in environment (want version, authorization_details, organization, resource_policies, plan, templates)", k.Value)
		}
	}
	return s, nil
}

// EnvironmentFile returns the environment file path names: path itself, or
// for a directory its environment.yaml, environment.yml or environment.json.
func EnvironmentFile(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if !fi.IsDir() {
		return path, nil
	}
	for _, name := range []string{"environment.yaml", "environment.yml", "environment.json"} {
		p := filepath.Join(path, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: a directory without environment.yaml or environment.json", path)
}

// ReadSpec reads the environment file path names (or a directory's
// environment.yaml) into a Spec, without loading what it names.
func ReadSpec(path string) (Spec, error) {
	file, err := EnvironmentFile(path)
	if err != nil {
		return Spec{}, err
	}
	n, err := readYAMLFile(file)
	if err != nil {
		return Spec{}, err
	}
	inner, err := DecodeSpec(n, file)
	if err != nil {
		return Spec{}, err
	}
	if inner.File != "" {
		return Spec{}, fmt.Errorf("%s: an environment file must be a mapping, not a path", file)
	}
	return inner, nil
}

// LoadFile reads an environment file, or a directory holding
// environment.yaml (or .json), and everything it names.
func LoadFile(path string, opts Options) (*Environment, error) {
	return Load(Spec{File: path}, opts)
}

// Load reads every part of an environment and finishes it.
func Load(spec Spec, opts Options) (*Environment, error) {
	if spec.File != "" {
		inner, err := ReadSpec(spec.File)
		if err != nil {
			return nil, err
		}
		spec = inner
	}
	if len(spec.Plans) > 0 {
		// Never drop a plan silently: package iac/terraform lays plans over
		// the environment this function loads.
		return nil, fmt.Errorf("%s: plan: Terraform plans are read by package iac/terraform, not snapshot.Load", spec.Plans[0].Where)
	}
	if len(spec.Templates) > 0 {
		return nil, fmt.Errorf("%s: templates: CloudFormation templates are read by package iac/cloudformation, not snapshot.Load", spec.Templates[0].Template.Where)
	}
	e := New(opts)
	var files []string
	for _, p := range spec.AuthorizationDetails {
		fs, err := authorizationFiles(p.Path)
		if err != nil {
			return nil, fmt.Errorf("%s: authorization_details: %w", p.Where, err)
		}
		files = append(files, fs...)
	}
	if err := e.AddAuthorizationDetailsFiles(files); err != nil {
		return nil, err
	}
	switch {
	case spec.Organization != nil:
		if err := e.LoadOrganizationFile(spec.Organization.Path); err != nil {
			if os.IsNotExist(err) {
				return nil, fmt.Errorf("%s: organization: %w", spec.Organization.Where, err)
			}
			return nil, err
		}
	case spec.OrganizationNode != nil:
		if err := e.SetOrganizationNode(spec.OrganizationNode, spec.OrganizationFile); err != nil {
			return nil, err
		}
	}
	for _, p := range spec.ResourcePolicies {
		if err := e.AddResourcePolicies(p.Path); err != nil {
			if os.IsNotExist(err) {
				return nil, fmt.Errorf("%s: resource_policies: %w", p.Where, err)
			}
			return nil, err
		}
	}
	if err := e.Finish(); err != nil {
		return nil, err
	}
	return e, nil
}

// maxAuthorizationFiles caps the files one authorization_details directory
// may hold, so a path given by mistake (a home directory) fails quickly
// instead of reading without end.
const maxAuthorizationFiles = 100000

// authorizationFiles expands a path: a file is itself; a directory is the
// tree under it, such as the one iamwhy collect writes
// (accounts/ACCOUNT/authorization-details.json): every .json file at any
// depth, in lexical order of their paths (pages of one account, or one
// file per account). Other files are not authorization details and are
// left out; a .json entry that is not a regular file is kept, so that
// reading it reports the refusal.
func authorizationFiles(path string) ([]string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return []string{path}, nil
	}
	var out []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.EqualFold(filepath.Ext(d.Name()), ".json") {
			return nil
		}
		if len(out) == maxAuthorizationFiles {
			return fmt.Errorf("%s: more than %d .json files: name the accounts' files or directories", path, maxAuthorizationFiles)
		}
		out = append(out, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no .json files in the directory or below it", path)
	}
	sort.Strings(out)
	return out, nil
}

// templateRefs reads `templates:`: a path, or a list of paths and mappings
// {template, parameters, account, region}.
func templateRefs(file string, v *yaml.Node, rel func(string) string) ([]TemplateRef, error) {
	v = resolveAlias(v)
	items := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		items = v.Content
	}
	var out []TemplateRef
	for _, it := range items {
		it = resolveAlias(it)
		if it.Kind == yaml.ScalarNode {
			p, err := scalarString(file, it, "templates")
			if err != nil {
				return nil, err
			}
			if strings.TrimSpace(p) == "" {
				return nil, nodeErrorf(file, it, "templates: empty path")
			}
			out = append(out, TemplateRef{Template: PathRef{Path: rel(p), Where: nodeWhere(file, it)}})
			continue
		}
		pairs, err := mappingPairs(file, it, "templates")
		if err != nil {
			return nil, err
		}
		var t TemplateRef
		for _, kv := range pairs {
			k, x := kv[0], kv[1]
			s, err := scalarString(file, x, k.Value)
			if err != nil {
				return nil, err
			}
			switch k.Value {
			case "template":
				t.Template = PathRef{Path: rel(s), Where: nodeWhere(file, x)}
			case "parameters":
				t.Parameters = &PathRef{Path: rel(s), Where: nodeWhere(file, x)}
			case "account":
				t.Account = s
			case "region":
				t.Region = s
			default:
				return nil, nodeErrorf(file, k, "unknown key %q in templates (want template, parameters, account, region)", k.Value)
			}
		}
		if t.Template.Path == "" {
			return nil, nodeErrorf(file, it, "templates: an entry needs template: PATH")
		}
		out = append(out, t)
	}
	return out, nil
}
