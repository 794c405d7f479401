package cli

import (
	"github.com/spf13/cobra"

	"github.com/iamwhy/iamwhy/snapshot"
)

// templateFlags are the CloudFormation, SAM and CDK inputs of the
// environment flags (--template and what applies to templates). envFlags
// calls these four methods at fixed points, so template input reaches
// every environment command at once: register with the other flags,
// given to know whether an environment was named, args when serve and mcp
// pass the flags on, and overlay after the environment and its plans are
// loaded. With no template flags declared yet they add nothing.
type templateFlags struct{}

func (t *templateFlags) register(*cobra.Command) {}

func (t *templateFlags) given() bool { return false }

func (t *templateFlags) args() []string { return nil }

// overlay lays the templates over env (nil when only templates were
// given) and returns the result.
func (t *templateFlags) overlay(env *snapshot.Environment) (*snapshot.Environment, error) {
	return env, nil
}
