package cli

import (
	"github.com/iamwhy/iamwhy/check"
	"github.com/iamwhy/iamwhy/snapshot"
	"gopkg.in/yaml.v3"
)

// loadCheckEnvironment opens a check file's environment (its
// `environment:` block, or a path to an environment file) for environment
// mode.
func loadCheckEnvironment(node *yaml.Node, file string) (check.Environment, error) {
	spec, err := snapshot.DecodeSpec(node, file)
	if err != nil {
		return nil, err
	}
	return loadEnvironment(spec)
}
