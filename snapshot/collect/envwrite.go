package collect

import (
	"path/filepath"
	"time"

	"gopkg.in/yaml.v3"
)

// writeEnvironment writes environment.yaml naming what was collected, with a
// "collected" block that says when, where and what could not be read.
func (c *collector) writeEnvironment(org *orgTree) error {
	env := struct {
		Version              int      `yaml:"version"`
		AuthorizationDetails []string `yaml:"authorization_details"`
		Organization         string   `yaml:"organization,omitempty"`
		ResourcePolicies     []string `yaml:"resource_policies,omitempty"`
		Collected            struct {
			At       string   `yaml:"at"`
			Regions  []string `yaml:"regions"`
			Accounts []string `yaml:"accounts"`
			Problems []string `yaml:"problems"`
		} `yaml:"collected"`
	}{Version: 1, AuthorizationDetails: c.authFiles}
	if c.sum.Resources > 0 {
		env.ResourcePolicies = []string{"resources/"}
	}
	if env.AuthorizationDetails == nil {
		env.AuthorizationDetails = []string{}
	}
	if org != nil {
		p, err := c.writeOrganization(org)
		if err != nil {
			return err
		}
		env.Organization = c.rel(p)
	}
	env.Collected.At = c.opts.Now().UTC().Format(time.RFC3339)
	env.Collected.Regions = c.opts.Regions
	env.Collected.Accounts = c.sum.Accounts
	env.Collected.Problems = c.sum.Problems
	if env.Collected.Problems == nil {
		env.Collected.Problems = []string{}
	}
	data, err := yaml.Marshal(env)
	if err != nil {
		return err
	}
	p := filepath.Join(c.out, "environment.yaml")
	return writeFile(p, append([]byte(envHeader+" (docs/environment.md, docs/environment-collect.md).\n"), data...))
}
