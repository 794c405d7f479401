package cli

import (
	"errors"

	"github.com/iamwhy/iamwhy/check"
	"gopkg.in/yaml.v3"
)

// loadCheckEnvironment opens a check file's environment for environment
// mode. Environments arrive with the snapshot package.
func loadCheckEnvironment(node *yaml.Node, dir string) (check.Environment, error) {
	return nil, errors.New("environment mode needs the snapshot loader, which this build does not include yet")
}
