package cli

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/iamwhy/iamwhy/iac/terraform"
	"github.com/iamwhy/iamwhy/snapshot"
)

// envFlags name an environment: --env (an environment file or directory),
// or the three keys of a check file's environment block as flags
// (spec/environment.md).
type envFlags struct {
	Env                  string
	AuthorizationDetails []string
	Organization         string
	ResourcePolicies     []string
	// Plans are Terraform plan JSON files laid over the environment (or
	// standing alone).
	Plans []string
}

func (f *envFlags) register(cmd *cobra.Command, what string) {
	fl := cmd.Flags()
	fl.StringVar(&f.Env, "env", "", what+": an environment file or a directory holding environment.yaml")
	fl.StringArrayVar(&f.AuthorizationDetails, "authorization-details", nil, "instead of --env: an `aws iam get-account-authorization-details` output (repeatable, one per account)")
	fl.StringVar(&f.Organization, "organization", "", "instead of --env: the organisation file")
	fl.StringArrayVar(&f.ResourcePolicies, "resource-policies", nil, "instead of --env: a resource-policy record file or directory (repeatable)")
	fl.StringArrayVar(&f.Plans, "plan", nil, "a Terraform plan (terraform show -json PLANFILE) laid over the environment, or alone (repeatable)")
}

func (f *envFlags) given() bool {
	return f.Env != "" || len(f.AuthorizationDetails) > 0 || f.Organization != "" || len(f.ResourcePolicies) > 0 || len(f.Plans) > 0
}

// load reads the environment the flags name.
func (f *envFlags) load() (*snapshot.Environment, error) {
	switch {
	case f.Env != "" && (len(f.AuthorizationDetails) > 0 || f.Organization != "" || len(f.ResourcePolicies) > 0):
		return nil, errors.New("give --env, or --authorization-details/--organization/--resource-policies, not both")
	case f.Env != "":
		return loadEnvironment(snapshot.Spec{File: f.Env, Plans: planRefs(f.Plans)})
	case !f.given():
		return nil, errors.New("--env is required: the environment to replay the request in")
	}
	spec := snapshot.Spec{}
	for _, p := range f.AuthorizationDetails {
		spec.AuthorizationDetails = append(spec.AuthorizationDetails, snapshot.PathRef{Path: p, Where: "--authorization-details"})
	}
	if f.Organization != "" {
		spec.Organization = &snapshot.PathRef{Path: f.Organization, Where: "--organization"}
	}
	for _, p := range f.ResourcePolicies {
		spec.ResourcePolicies = append(spec.ResourcePolicies, snapshot.PathRef{Path: p, Where: "--resource-policies"})
	}
	spec.Plans = planRefs(f.Plans)
	return loadEnvironment(spec)
}

// loadEnvironment loads an environment through the environment cache
// (snapshot.LoadCached in snapshot.CacheDir(); IAMWHY_CACHE_DIR=off turns it
// off; see docs/environment-cache.md): a repeated command on the same files
// reads one binary file instead of decoding them again.
//
// Terraform plans (spec.Plans, and an environment file's plan: key) are laid
// over the loaded environment by package iac/terraform, or stand alone.
func loadEnvironment(spec snapshot.Spec) (*snapshot.Environment, error) {
	plans := spec.Plans
	if spec.File != "" {
		inner, err := snapshot.ReadSpec(spec.File)
		if err != nil {
			return nil, err
		}
		if len(inner.Plans) > 0 {
			plans = append(inner.Plans, plans...)
			inner.Plans = nil
			spec = inner
		}
	}
	spec.Plans = nil
	if len(plans) == 0 {
		e, _, err := snapshot.LoadCached(spec, snapshot.Options{}, snapshot.CacheDir())
		return e, err
	}
	var base *snapshot.Environment
	if spec.File != "" || len(spec.AuthorizationDetails) > 0 || spec.Organization != nil || spec.OrganizationNode != nil || len(spec.ResourcePolicies) > 0 {
		var err error
		if base, _, err = snapshot.LoadCached(spec, snapshot.Options{}, snapshot.CacheDir()); err != nil {
			return nil, err
		}
	}
	paths := make([]string, len(plans))
	for i, p := range plans {
		paths[i] = p.Path
	}
	e, _, err := terraform.LoadFiles(base, paths, terraform.Options{})
	return e, err
}

func planRefs(paths []string) []snapshot.PathRef {
	var out []snapshot.PathRef
	for _, p := range paths {
		out = append(out, snapshot.PathRef{Path: p, Where: "--plan"})
	}
	return out
}
