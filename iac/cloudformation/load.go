package cloudformation

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/iamwhy/iamwhy/inputfile"
	"github.com/iamwhy/iamwhy/snapshot"
)

// Input is one template to read: a template file or a CDK cloud assembly
// directory (cdk.out), with its parameters file and the account and
// region of the stack.
type Input struct {
	Path string
	// Parameters is a parameters file (ReadParameters), "" for none.
	Parameters string
	// Account and Region: see Options. For a cloud assembly, a stack's own
	// environment (aws://ACCOUNT/REGION) wins when it names them.
	Account, Region string
}

// Stack is one template of an input: a template file is one stack, a cloud
// assembly holds one per stack.
type Stack struct {
	Template *Template
	Options  Options
}

// Stacks reads the templates an input names.
func (in Input) Stacks() ([]Stack, error) {
	opts := Options{Account: in.Account, Region: in.Region}
	if in.Parameters != "" {
		ps, err := ReadParameters(in.Parameters)
		if err != nil {
			return nil, err
		}
		opts.Parameters, opts.Previous = ps.Values, ps.Previous
	}
	fi, err := os.Stat(in.Path)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return cloudAssembly(in.Path, opts, 0)
	}
	t, err := ReadFile(in.Path)
	if err != nil {
		return nil, err
	}
	return []Stack{{Template: t, Options: opts}}, nil
}

// manifest is the part of a CDK cloud assembly's manifest.json iamwhy
// reads.
// https://github.com/aws/aws-cdk/tree/main/packages/aws-cdk-lib/cloud-assembly-schema
type manifest struct {
	Artifacts map[string]struct {
		Type        string `json:"type"`
		Environment string `json:"environment"`
		Properties  struct {
			TemplateFile  string `json:"templateFile"`
			DirectoryName string `json:"directoryName"`
		} `json:"properties"`
	} `json:"artifacts"`
}

// cloudAssembly reads the stacks of a cdk.out directory: every
// aws:cloudformation:stack artifact of manifest.json, and nested
// assemblies (stages).
func cloudAssembly(dir string, opts Options, depth int) ([]Stack, error) {
	if depth > 8 {
		return nil, fmt.Errorf("%s: cloud assemblies nested deeper than 8", dir)
	}
	mpath := filepath.Join(dir, "manifest.json")
	data, err := inputfile.Read(mpath)
	if err != nil {
		return nil, fmt.Errorf("%s: not a CDK cloud assembly (cdk.out with manifest.json): %w", dir, err)
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %v", mpath, err)
	}
	ids := make([]string, 0, len(m.Artifacts))
	for id := range m.Artifacts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []Stack
	for _, id := range ids {
		a := m.Artifacts[id]
		switch a.Type {
		case "aws:cloudformation:stack":
			if a.Properties.TemplateFile == "" || strings.Contains(a.Properties.TemplateFile, "..") || filepath.IsAbs(a.Properties.TemplateFile) {
				return nil, fmt.Errorf("%s: artifact %s: templateFile %q is not a file of the assembly", mpath, id, a.Properties.TemplateFile)
			}
			t, err := ReadFile(filepath.Join(dir, a.Properties.TemplateFile))
			if err != nil {
				return nil, err
			}
			o := opts
			// aws://ACCOUNT/REGION; CDK writes unknown-account and
			// unknown-region for environment-agnostic stacks.
			if rest, ok := strings.CutPrefix(a.Environment, "aws://"); ok {
				acct, region, _ := strings.Cut(rest, "/")
				if acct != "" && acct != "unknown-account" {
					o.Account = acct
				}
				if region != "" && region != "unknown-region" {
					o.Region = region
				}
			}
			out = append(out, Stack{Template: t, Options: o})
		case "cdk:cloud-assembly":
			d := a.Properties.DirectoryName
			if d == "" || strings.Contains(d, "..") || filepath.IsAbs(d) {
				return nil, fmt.Errorf("%s: artifact %s: directoryName %q is not a directory of the assembly", mpath, id, d)
			}
			nested, err := cloudAssembly(filepath.Join(dir, d), opts, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, nested...)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: the cloud assembly holds no stack", mpath)
	}
	return out, nil
}

// LoadFiles reads templates and lays them, in order, over base (nil: an
// empty environment), then finishes the environment. Warnings, skipped
// resources and stand-in names are added to the environment's warnings.
func LoadFiles(base *snapshot.Environment, inputs []Input) (*snapshot.Environment, []*Result, error) {
	env := base
	if env == nil {
		env = snapshot.New(snapshot.Options{})
	}
	var results []*Result
	for _, in := range inputs {
		stacks, err := in.Stacks()
		if err != nil {
			return nil, nil, err
		}
		for _, s := range stacks {
			r, err := Apply(env, s.Template, s.Options)
			if err != nil {
				return nil, nil, err
			}
			results = append(results, r)
			f := s.Template.File
			for _, w := range r.Warnings {
				env.Warnings = append(env.Warnings, f+": "+w)
			}
			for _, w := range r.StandIns {
				env.Warnings = append(env.Warnings, f+": "+w)
			}
			for _, sk := range r.Skipped {
				env.Warnings = append(env.Warnings, f+": "+sk+" (not read: no IAM policy iamwhy reads)")
			}
		}
	}
	if err := env.Finish(); err != nil {
		return nil, nil, err
	}
	return env, results, nil
}
