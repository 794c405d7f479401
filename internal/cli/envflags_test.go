package cli

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// envCommands are the commands that take an environment; each must take
// the one set of environment flags.
var envCommands = []string{
	"simulate", "who-can", "can", "diagnose", "explain", "trail diagnose", "unused",
	"trust", "reproduce", "mcp", "serve", "generate",
}

func walkCommands(c *cobra.Command, f func(*cobra.Command)) {
	f(c)
	for _, sub := range c.Commands() {
		walkCommands(sub, f)
	}
}

// The rule: every command that takes an environment takes the same flags,
// with the same help, so a user learns them once.
func TestEnvFlagsSameOnEveryCommand(t *testing.T) {
	root := NewRoot(Streams{})
	want := map[string]string{
		"env": envHelp.env, "authorization-details": envHelp.authz, "organization": envHelp.org,
		"resource-policies": envHelp.resources, "plan": envHelp.plan,
	}
	seen := map[string]bool{}
	walkCommands(root, func(c *cobra.Command) {
		if c.Flags().Lookup("env") == nil {
			return
		}
		name := strings.TrimPrefix(c.CommandPath(), "iamwhy ")
		seen[name] = true
		for flag, help := range want {
			f := c.Flags().Lookup(flag)
			if f == nil {
				t.Errorf("%s: has --env but no --%s", name, flag)
				continue
			}
			if f.Usage != help {
				t.Errorf("%s --%s: help %q, want the shared %q", name, flag, f.Usage, help)
			}
		}
		if f := c.Flags().Lookup("context"); f != nil && f.Usage != contextHelp {
			t.Errorf("%s --context: help %q, want the shared %q", name, f.Usage, contextHelp)
		}
	})
	for _, name := range envCommands {
		if !seen[name] {
			t.Errorf("%s takes no --env", name)
		}
	}
}

// args gives back the flags that were parsed, so serve and mcp pass the
// same environment to every command they run.
func TestEnvFlagsArgsRoundTrip(t *testing.T) {
	in := []string{"--env", "e", "--plan", "p1.json", "--plan", "p2.json"}
	alt := []string{"--authorization-details", "a.json", "--authorization-details", "b.json",
		"--organization", "org.yaml", "--resource-policies", "r/", "--plan", "p.json"}
	for _, args := range [][]string{in, alt, nil} {
		var f envFlags
		cmd := &cobra.Command{Use: "x"}
		f.register(cmd)
		if err := cmd.Flags().Parse(args); err != nil {
			t.Fatal(err)
		}
		got := f.args()
		if strings.Join(got, " ") != strings.Join(args, " ") {
			t.Errorf("args() = %q, want %q", got, args)
		}
		if f.given() != (len(args) > 0) {
			t.Errorf("given() = %v for %q", f.given(), args)
		}
	}
}

func TestEnvFlagsLoad(t *testing.T) {
	for _, tc := range []struct {
		rule  string
		flags envFlags
		env   bool
		err   string
	}{
		{"nothing given: no environment, no error", envFlags{}, false, ""},
		{"an environment directory", envFlags{Env: "../../examples/env"}, true, ""},
		{"the keys of an environment file as flags", envFlags{AuthorizationDetails: []string{
			"../../examples/env/accounts/111122223333/authorization-details.json"}, Organization: "../../examples/env/organization.yaml"}, true, ""},
		{"a plan alone", envFlags{Plans: []string{"../../examples/iac/plan.json"}}, true, ""},
		{"a plan over an environment", envFlags{Env: "../../examples/env", Plans: []string{"../../examples/iac/plan.json"}}, true, ""},
		{"a template alone", envFlags{Templates: templateFlags{Templates: []string{"../../examples/iac/cloudformation/template.yaml"},
			Parameters: "../../examples/iac/cloudformation/parameters.json", Account: "111122223333"}}, true, ""},
		{"a template over a plan", envFlags{Plans: []string{"../../examples/iac/plan.json"},
			Templates: templateFlags{Templates: []string{"../../examples/iac/cloudformation/template.yaml"}, Parameters: "../../examples/iac/cloudformation/parameters.json"}}, true, ""},
		{"a template whose parameter file is missing is an error", envFlags{Templates: templateFlags{Templates: []string{"../../examples/iac/cloudformation/template.yaml"}, Parameters: "nope.json"}}, false, "nope.json"},
		{"--env and its keys together are refused", envFlags{Env: "../../examples/env", Organization: "org.yaml"}, false, "not both"},
		{"a missing file is an error", envFlags{Env: "testdata/no-such-env"}, false, "no-such-env"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			t.Setenv("IAMWHY_CACHE_DIR", "off")
			env, err := tc.flags.load()
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one naming %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (env != nil) != tc.env {
				t.Fatalf("environment loaded = %v, want %v", env != nil, tc.env)
			}
		})
	}
	var none envFlags
	if _, err := none.require("the environment to replay in"); err == nil || !strings.Contains(err.Error(), "--env is required: the environment to replay in") {
		t.Errorf("require without flags: %v", err)
	}
}

// Commands that had only --env now take the environment's keys as flags
// and plans too.
func TestEnvFlagsOnCommands(t *testing.T) {
	t.Setenv("IAMWHY_CACHE_DIR", "off")
	for _, tc := range []struct {
		rule string
		args []string
		code int
		out  string
	}{
		{"who-can on --authorization-details", []string{"who-can", "s3:GetObject", "arn:aws:s3:::example-data-config/app/settings.json",
			"--authorization-details", "../../examples/env/accounts/111122223333/authorization-details.json",
			"--authorization-details", "../../examples/env/accounts/444455556666/authorization-details.json",
			"--resource-policies", "../../examples/env/resources/"}, 0, "role/config-reader"},
		{"who-can on a plan alone", []string{"who-can", "sqs:SendMessage", "arn:aws:sqs:eu-west-1:111122223333:jobs", "--plan", "../../examples/iac/plan.json"}, 0, "role/app"},
		{"who-can without an environment: 2", []string{"who-can", "s3:GetObject", "arn:aws:s3:::b/k"}, 2, ""},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			out, errOut, code := runCLI(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tc.code, out, errOut)
			}
			if !strings.Contains(out, tc.out) {
				t.Errorf("output lacks %q:\n%s", tc.out, out)
			}
		})
	}
}
