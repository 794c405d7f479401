package cli

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/iamwhy/iamwhy/iac/cloudformation"
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
	// Templates are CloudFormation/SAM templates or CDK cloud assemblies
	// laid over the environment (or standing alone); Parameters, Account
	// and Region apply to them (Account also to plans naming no account).
	Templates  []string
	Parameters string
	Account    string
	Region     string
}

func (f *envFlags) register(cmd *cobra.Command, what string) {
	fl := cmd.Flags()
	fl.StringVar(&f.Env, "env", "", what+": an environment file or a directory holding environment.yaml")
	fl.StringArrayVar(&f.AuthorizationDetails, "authorization-details", nil, "instead of --env: an `aws iam get-account-authorization-details` output (repeatable, one per account)")
	fl.StringVar(&f.Organization, "organization", "", "instead of --env: the organisation file")
	fl.StringArrayVar(&f.ResourcePolicies, "resource-policies", nil, "instead of --env: a resource-policy record file or directory (repeatable)")
	fl.StringArrayVar(&f.Plans, "plan", nil, "a Terraform plan (terraform show -json PLANFILE) laid over the environment, or alone (repeatable)")
	f.registerIaC(cmd)
}

// registerIaC declares --template, --parameters, --account and --region;
// a name the command already declares for another meaning is left to it.
func (f *envFlags) registerIaC(cmd *cobra.Command) {
	fl := cmd.Flags()
	if fl.Lookup("template") == nil {
		fl.StringArrayVar(&f.Templates, "template", nil, "a CloudFormation or SAM template (JSON or YAML), or a CDK cdk.out directory, laid over the environment or alone (repeatable)")
	}
	if fl.Lookup("parameters") == nil {
		fl.StringVar(&f.Parameters, "parameters", "", "the templates' parameter values: the AWS CLI's [{ParameterKey, ParameterValue}] file, {\"Parameters\": {...}}, or KEY=VALUE lines")
	}
	if fl.Lookup("account") == nil {
		fl.StringVar(&f.Account, "account", "", "the account templates deploy to (AWS::AccountId), and plans that name none")
	}
	if fl.Lookup("region") == nil {
		fl.StringVar(&f.Region, "region", "", "the region templates deploy to (AWS::Region; default us-east-1)")
	}
}

// iacSpec adds the plans and templates of the flags to spec.
func (f *envFlags) iacSpec(spec snapshot.Spec) snapshot.Spec {
	spec.Plans = append(spec.Plans, planRefs(f.Plans)...)
	for _, t := range f.Templates {
		ref := snapshot.TemplateRef{Template: snapshot.PathRef{Path: t, Where: "--template"}, Account: f.Account, Region: f.Region}
		if f.Parameters != "" {
			ref.Parameters = &snapshot.PathRef{Path: f.Parameters, Where: "--parameters"}
		}
		spec.Templates = append(spec.Templates, ref)
	}
	spec.Account = f.Account
	return spec
}

func (f *envFlags) given() bool {
	return f.Env != "" || len(f.AuthorizationDetails) > 0 || f.Organization != "" || len(f.ResourcePolicies) > 0 || len(f.Plans) > 0 || len(f.Templates) > 0
}

// load reads the environment the flags name.
func (f *envFlags) load() (*snapshot.Environment, error) {
	switch {
	case f.Env != "" && (len(f.AuthorizationDetails) > 0 || f.Organization != "" || len(f.ResourcePolicies) > 0):
		return nil, errors.New("give --env, or --authorization-details/--organization/--resource-policies, not both")
	case f.Env != "":
		return loadEnvironment(f.iacSpec(snapshot.Spec{File: f.Env}))
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
	return loadEnvironment(f.iacSpec(spec))
}

// loadEnvironment loads an environment through the environment cache
// (snapshot.LoadCached in snapshot.CacheDir(); IAMWHY_CACHE_DIR=off turns it
// off; see docs/environment-cache.md): a repeated command on the same files
// reads one binary file instead of decoding them again.
//
// Terraform plans (spec.Plans, and an environment file's plan: key) are laid
// over the loaded environment by package iac/terraform, or stand alone.
func loadEnvironment(spec snapshot.Spec) (*snapshot.Environment, error) {
	plans, templates := spec.Plans, spec.Templates
	if spec.File != "" {
		inner, err := snapshot.ReadSpec(spec.File)
		if err != nil {
			return nil, err
		}
		if len(inner.Plans) > 0 || len(inner.Templates) > 0 {
			plans = append(inner.Plans, plans...)
			templates = append(inner.Templates, templates...)
			inner.Plans, inner.Templates = nil, nil
			inner.Account = spec.Account
			spec = inner
		}
	}
	spec.Plans, spec.Templates = nil, nil
	if len(plans) == 0 && len(templates) == 0 {
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
	return iacLoad(base, plans, templates, spec.Account)
}

// iacLoad lays plans, then templates, over base (nil: standing alone).
func iacLoad(base *snapshot.Environment, plans []snapshot.PathRef, templates []snapshot.TemplateRef, account string) (*snapshot.Environment, error) {
	e := base
	if len(plans) > 0 {
		paths := make([]string, len(plans))
		for i, p := range plans {
			paths[i] = p.Path
		}
		var err error
		if e, _, err = terraform.LoadFiles(e, paths, terraform.Options{Account: account}); err != nil {
			return nil, err
		}
	}
	if len(templates) > 0 {
		inputs := make([]cloudformation.Input, len(templates))
		for i, t := range templates {
			inputs[i] = cloudformation.Input{Path: t.Template.Path, Account: t.Account, Region: t.Region}
			if inputs[i].Account == "" {
				inputs[i].Account = account
			}
			if t.Parameters != nil {
				inputs[i].Parameters = t.Parameters.Path
			}
		}
		var err error
		if e, _, err = cloudformation.LoadFiles(e, inputs); err != nil {
			return nil, err
		}
	}
	return e, nil
}

func planRefs(paths []string) []snapshot.PathRef {
	var out []snapshot.PathRef
	for _, p := range paths {
		out = append(out, snapshot.PathRef{Path: p, Where: "--plan"})
	}
	return out
}
