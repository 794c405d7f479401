package cli

import (
	"errors"

	"github.com/spf13/cobra"

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
}

func (f *envFlags) register(cmd *cobra.Command, what string) {
	fl := cmd.Flags()
	fl.StringVar(&f.Env, "env", "", what+": an environment file or a directory holding environment.yaml")
	fl.StringArrayVar(&f.AuthorizationDetails, "authorization-details", nil, "instead of --env: an `aws iam get-account-authorization-details` output (repeatable, one per account)")
	fl.StringVar(&f.Organization, "organization", "", "instead of --env: the organisation file")
	fl.StringArrayVar(&f.ResourcePolicies, "resource-policies", nil, "instead of --env: a resource-policy record file or directory (repeatable)")
}

func (f *envFlags) given() bool {
	return f.Env != "" || len(f.AuthorizationDetails) > 0 || f.Organization != "" || len(f.ResourcePolicies) > 0
}

// load reads the environment the flags name.
func (f *envFlags) load() (*snapshot.Environment, error) {
	switch {
	case f.Env != "" && (len(f.AuthorizationDetails) > 0 || f.Organization != "" || len(f.ResourcePolicies) > 0):
		return nil, errors.New("give --env, or --authorization-details/--organization/--resource-policies, not both")
	case f.Env != "":
		return loadEnvironment(snapshot.Spec{File: f.Env})
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
	return loadEnvironment(spec)
}

// loadEnvironment loads an environment through the environment cache
// (snapshot.LoadCached in snapshot.CacheDir(); IAMWHY_CACHE_DIR=off turns it
// off; see docs/environment-cache.md): a repeated command on the same files
// reads one binary file instead of decoding them again.
func loadEnvironment(spec snapshot.Spec) (*snapshot.Environment, error) {
	e, _, err := snapshot.LoadCached(spec, snapshot.Options{}, snapshot.CacheDir())
	return e, err
}
