package cli

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/iac/cloudformation"
	"github.com/iamwhy/iamwhy/iac/terraform"
	"github.com/iamwhy/iamwhy/snapshot"
)

// envFlags are the one set of environment flags: every command that
// takes an environment registers them with register, so they have the
// same names, the same help and the same loading (the environment cache)
// everywhere. An environment is --env (an environment file or a directory
// holding environment.yaml: docs/environment.md), or the three keys of an
// environment file as flags; Terraform plans (--plan) and templates
// (templateFlags) are laid over it, or stand alone (docs/iac.md).
type envFlags struct {
	Env                  string
	AuthorizationDetails []string
	Organization         string
	ResourcePolicies     []string
	// Plans are Terraform plan JSON files laid over the environment (or
	// standing alone).
	Plans []string
	// Templates are the infrastructure-as-code templates laid over the
	// environment after the plans.
	Templates templateFlags
}

// envHelp is the help of each environment flag, the same on every command.
var envHelp = struct{ env, authz, org, resources, plan string }{
	env:       "the environment: a `PATH` to an environment file or a directory holding environment.yaml",
	authz:     "instead of --env: a `FILE` printed by aws iam get-account-authorization-details (repeatable, one per account)",
	org:       "instead of --env: the organisation `FILE`",
	resources: "instead of --env: a `PATH` to resource-policy records, a file or a directory (repeatable)",
	plan:      "a Terraform plan `FILE` (terraform show -json PLANFILE) laid over the environment, or alone (repeatable)",
}

// register declares the environment flags on cmd.
func (f *envFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.Env, "env", "", envHelp.env)
	fl.StringArrayVar(&f.AuthorizationDetails, "authorization-details", nil, envHelp.authz)
	fl.StringVar(&f.Organization, "organization", "", envHelp.org)
	fl.StringArrayVar(&f.ResourcePolicies, "resource-policies", nil, envHelp.resources)
	fl.StringArrayVar(&f.Plans, "plan", nil, envHelp.plan)
	f.Templates.register(cmd)
}

// given reports whether any environment flag was given.
func (f *envFlags) given() bool {
	return f.Env != "" || len(f.AuthorizationDetails) > 0 || f.Organization != "" || len(f.ResourcePolicies) > 0 ||
		len(f.Plans) > 0 || f.Templates.given()
}

// require loads the environment, which the command needs: why says what
// for, in the error when no flag names one.
func (f *envFlags) require(why string) (*snapshot.Environment, error) {
	if !f.given() {
		return nil, fmt.Errorf("--env is required: %s", why)
	}
	return f.load()
}

// load reads the environment the flags name; nil (and no error) when none
// is given.
func (f *envFlags) load() (*snapshot.Environment, error) {
	if !f.given() {
		return nil, nil
	}
	spec, err := f.spec()
	if err != nil {
		return nil, err
	}
	var env *snapshot.Environment
	if f.Env != "" || len(f.AuthorizationDetails) > 0 || f.Organization != "" || len(f.ResourcePolicies) > 0 || len(f.Plans) > 0 {
		if env, err = loadEnvironment(spec); err != nil {
			return nil, err
		}
	}
	return f.Templates.overlay(env)
}

// spec is the environment the flags name, as a check file's environment
// block would name it.
func (f *envFlags) spec() (snapshot.Spec, error) {
	if f.Env != "" && (len(f.AuthorizationDetails) > 0 || f.Organization != "" || len(f.ResourcePolicies) > 0) {
		return snapshot.Spec{}, errors.New("give --env, or --authorization-details/--organization/--resource-policies, not both")
	}
	acct, region := f.Templates.accountRegion()
	spec := snapshot.Spec{File: f.Env, Plans: planRefs(f.Plans), Account: acct, Region: region}
	for _, p := range f.AuthorizationDetails {
		spec.AuthorizationDetails = append(spec.AuthorizationDetails, snapshot.PathRef{Path: p, Where: "--authorization-details"})
	}
	if f.Organization != "" {
		spec.Organization = &snapshot.PathRef{Path: f.Organization, Where: "--organization"}
	}
	for _, p := range f.ResourcePolicies {
		spec.ResourcePolicies = append(spec.ResourcePolicies, snapshot.PathRef{Path: p, Where: "--resource-policies"})
	}
	return spec, nil
}

// args are the flags given, as a command line: serve and mcp pass them on
// to every command they run.
func (f *envFlags) args() []string {
	var a []string
	if f.Env != "" {
		a = append(a, "--env", f.Env)
	}
	for _, p := range f.AuthorizationDetails {
		a = append(a, "--authorization-details", p)
	}
	if f.Organization != "" {
		a = append(a, "--organization", f.Organization)
	}
	for _, p := range f.ResourcePolicies {
		a = append(a, "--resource-policies", p)
	}
	for _, p := range f.Plans {
		a = append(a, "--plan", p)
	}
	return append(a, f.Templates.args()...)
}

// name names the environment in messages.
func (f *envFlags) name() string {
	switch {
	case f.Env != "":
		return f.Env
	case len(f.AuthorizationDetails) > 0:
		return f.AuthorizationDetails[0]
	case len(f.Plans) > 0:
		return f.Plans[0]
	case len(f.Templates.Templates) > 0:
		return f.Templates.Templates[0]
	}
	return "the environment"
}

// cacheVerboseEnv, when set to anything but "" or "0", makes commands say on
// standard error what the environment cache did: a hit, a miss, and why a
// cache file was ignored (damaged, truncated, stale) or not written.
const cacheVerboseEnv = "IAMWHY_CACHE_VERBOSE"

func reportCache(info snapshot.CacheInfo) {
	if v := os.Getenv(cacheVerboseEnv); v == "" || v == "0" || info.Path == "" {
		return
	}
	what := "miss, loaded from the files"
	if info.Hit {
		what = "hit"
	}
	if info.Problem != "" {
		what += "; " + info.Problem
	}
	fmt.Fprintf(os.Stderr, "iamwhy: environment cache %s: %s\n", info.Path, what)
}

// loadEnvironment loads an environment through the environment cache
// (snapshot.LoadCached in snapshot.CacheDir(); IAMWHY_CACHE_DIR=off turns it
// off; see docs/environment-cache.md): a repeated command on the same files
// reads one binary file instead of decoding them again.
//
// Terraform plans (spec.Plans, and an environment file's plan: key) are laid
// over the loaded environment by package iac/terraform, or stand alone.
func loadEnvironment(spec snapshot.Spec) (*snapshot.Environment, error) {
	defer lessGC()()
	// The service reference (AWS managed policies, action names) is
	// decoded on the other core while the environment is read.
	go catalog.Default()
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
			inner.Account, inner.Region = spec.Account, spec.Region
			spec = inner
		}
	}
	spec.Plans, spec.Templates = nil, nil
	if len(plans) == 0 && len(templates) == 0 {
		e, info, err := snapshot.LoadCached(spec, snapshot.Options{}, snapshot.CacheDir())
		reportCache(info)
		return e, err
	}
	var base *snapshot.Environment
	if spec.File != "" || len(spec.AuthorizationDetails) > 0 || spec.Organization != nil || spec.OrganizationNode != nil || len(spec.ResourcePolicies) > 0 {
		var err error
		var info snapshot.CacheInfo
		base, info, err = snapshot.LoadCached(spec, snapshot.Options{}, snapshot.CacheDir())
		reportCache(info)
		if err != nil {
			return nil, err
		}
	}
	return iacLoad(base, plans, templates, spec.Account, spec.Region)
}

// iacLoad lays plans, then templates, over base (nil: standing alone);
// account and region are those of plans and templates that name none.
func iacLoad(base *snapshot.Environment, plans []snapshot.PathRef, templates []snapshot.TemplateRef, account, region string) (*snapshot.Environment, error) {
	e := base
	if len(plans) > 0 {
		paths := make([]string, len(plans))
		for i, p := range plans {
			paths[i] = p.Path
		}
		var err error
		if e, _, err = terraform.LoadFiles(e, paths, terraform.Options{Account: account, Region: region}); err != nil {
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
			if inputs[i].Region == "" {
				inputs[i].Region = region
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
