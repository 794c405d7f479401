package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/iamwhy/iamwhy/catalog"
)

// policyTypeNames are the --policy-type values completion offers (the
// names policy.ParseType reads).
var policyTypeNames = []string{"identity", "resource", "trust", "boundary", "session", "scp", "rcp", "vpc_endpoint"}

// registerCompletions teaches cobra's shell completion (`iamwhy
// completion bash|zsh|fish|powershell`) the values of the flags every
// command shares by name: action names from the IAM service reference,
// policy types and (in outputFlag) output formats.
func registerCompletions(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, name := range []string{"action", "action-names"} {
			if c.Flags().Lookup(name) != nil {
				_ = c.RegisterFlagCompletionFunc(name, completeActions)
			}
		}
		if c.Flags().Lookup("policy-type") != nil {
			_ = c.RegisterFlagCompletionFunc("policy-type", cobra.FixedCompletions(policyTypeNames, cobra.ShellCompDirectiveNoFileComp))
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// completeActions completes "s3:Get" to the actions of the catalog that
// start so (case-insensitively, as IAM compares action names), and a bare
// prefix to the service prefixes.
func completeActions(_ *cobra.Command, _ []string, typed string) ([]string, cobra.ShellCompDirective) {
	cat := catalog.Default()
	prefix, name, hasColon := strings.Cut(typed, ":")
	var out []string
	if !hasColon {
		for _, svc := range cat.Services() {
			if strings.HasPrefix(svc.Prefix, strings.ToLower(prefix)) {
				out = append(out, svc.Prefix+":")
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
	svc, ok := cat.Service(strings.ToLower(prefix))
	if !ok {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	lname := strings.ToLower(name)
	for _, a := range svc.Actions {
		_, an, _ := strings.Cut(a.FullName, ":")
		if strings.HasPrefix(strings.ToLower(an), lname) {
			out = append(out, a.FullName)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
