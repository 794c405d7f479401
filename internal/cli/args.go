package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/inputfile"
	"github.com/iamwhy/iamwhy/policy"
)

// The arguments several commands share: request context entries and
// policy arguments, read one way everywhere.

// contextHelp is the help of --context, the same on every command.
const contextHelp = "request context key KEY=VALUE, or KEY=[V1,V2] for several values (repeatable; a key given twice has both values)"

// contextFlag declares --context on cmd.
func contextFlag(cmd *cobra.Command, p *[]string) {
	cmd.Flags().StringArrayVar(p, "context", nil, contextHelp)
}

// levels reads the policies of organisation levels: each level a
// comma-separated list of policy arguments.
func (a *argSource) levels(levels []string, t policy.Type) ([][]*eval.Policy, error) {
	if len(levels) == 0 {
		return nil, nil
	}
	out := [][]*eval.Policy{}
	for _, lvl := range levels {
		ps := []*eval.Policy{}
		for _, p := range strings.Split(lvl, ",") {
			if p = strings.TrimSpace(p); p == "" {
				continue
			}
			cp, err := a.policy(p, t)
			if err != nil {
				return nil, err
			}
			ps = append(ps, cp)
		}
		out = append(out, ps)
	}
	return out, nil
}

// policy reads a policy argument: inline JSON, a path, or (as the AWS
// CLI writes them) file://PATH, fileb://PATH or - for standard input. The
// document may also be a JSON string holding the policy, as some tools
// print it.
func (a *argSource) policy(arg string, t policy.Type) (*eval.Policy, error) {
	name, data, err := a.policyText(arg)
	if err != nil {
		return nil, err
	}
	doc, err := policy.ParseJSONOrString(data, policy.Options{Type: t, Source: name})
	if err != nil {
		return nil, err
	}
	return eval.Compile(name, doc), nil
}

// policyText is a policy argument's text and its name ("inline" for a
// document given on the command line).
func (a *argSource) policyText(arg string) (name string, data []byte, err error) {
	switch {
	case isFileArg(arg):
		return a.value(arg)
	case strings.HasPrefix(strings.TrimSpace(arg), "{"):
		return "inline", []byte(arg), nil
	}
	data, err = inputfile.Read(arg)
	return arg, data, err
}

// parseContextFlags reads KEY=VALUE and KEY=[V1,V2] entries; a key given
// more than once becomes multivalued (eval.ParseContextEntries).
func parseContextFlags(entries []string) (*eval.Context, error) {
	parsed, err := eval.ParseContextEntries(entries)
	if err != nil {
		return nil, fmt.Errorf("--context: %w", err)
	}
	return eval.ContextOf(parsed), nil
}
