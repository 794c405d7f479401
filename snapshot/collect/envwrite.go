package collect

import (
	"encoding/json"
	"path/filepath"
	"time"

	"gopkg.in/yaml.v3"
)

// environmentFile is the environment file collect writes: the contract's
// keys and a "collected" block that says when, where, by what and what
// could not be read.
type environmentFile struct {
	Version              int       `yaml:"version" json:"version"`
	AuthorizationDetails []string  `yaml:"authorization_details" json:"authorization_details"`
	Organization         string    `yaml:"organization,omitempty" json:"organization,omitempty"`
	ResourcePolicies     []string  `yaml:"resource_policies,omitempty" json:"resource_policies,omitempty"`
	Collected            collected `yaml:"collected" json:"collected"`
}

type collected struct {
	WrittenBy string   `yaml:"written_by" json:"written_by"`
	At        string   `yaml:"at" json:"at"`
	Regions   []string `yaml:"regions" json:"regions"`
	Accounts  []string `yaml:"accounts" json:"accounts"`
	Problems  []string `yaml:"problems" json:"problems"`
}

// writeEnvironment writes the environment file naming what was collected
// into the collection's directory and returns its path. Its paths are
// relative to where the file will be: the output directory, or beside
// the parts' directory when the output is a file.
func (c *collector) writeEnvironment(org *orgTree) (string, error) {
	env := environmentFile{Version: 1, AuthorizationDetails: []string{}}
	for _, p := range c.authFiles {
		env.AuthorizationDetails = append(env.AuthorizationDetails, c.layout.prefix+p)
	}
	if c.sum.Resources > 0 {
		env.ResourcePolicies = []string{c.layout.prefix + "resources/"}
	}
	if org != nil {
		p, err := c.writeOrganization(org)
		if err != nil {
			return "", err
		}
		env.Organization = c.layout.prefix + c.rel(p)
	}
	env.Collected = collected{WrittenBy: writtenBy, At: c.opts.Now().UTC().Format(time.RFC3339),
		Regions: c.opts.Regions, Accounts: c.sum.Accounts, Problems: c.sum.Problems}
	if env.Collected.Problems == nil {
		env.Collected.Problems = []string{}
	}
	var data []byte
	if c.layout.json {
		js, err := json.MarshalIndent(env, "", "  ")
		if err != nil {
			return "", err
		}
		data = append(js, '\n')
	} else {
		y, err := yaml.Marshal(env)
		if err != nil {
			return "", err
		}
		data = append([]byte(envHeader+" (docs/environment.md, docs/environment-collect.md).\n"), y...)
	}
	p := filepath.Join(c.out, "environment.yaml")
	return p, writeFile(p, data)
}
