package cli

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/iamwhy/iamwhy/snapshot"
)

// templateFlags are the CloudFormation, SAM and CDK inputs of the
// environment flags: --template (repeatable) with --parameters, --account
// and --region applying to the templates (--account also to plans that
// name no account). envFlags calls these methods at fixed points: register
// with the other flags, given to know whether an environment was named,
// args when serve and mcp pass the flags on, and overlay after the
// environment and its plans are loaded.
type templateFlags struct {
	Templates  []string
	Parameters string
	Account    string
	Region     string
	cmd        *cobra.Command
}

var templateHelp = struct{ template, parameters, account, region string }{
	template:   "a CloudFormation or SAM template `FILE` (JSON or YAML), or a CDK cdk.out directory, laid over the environment or alone (repeatable)",
	parameters: "the templates' parameters `FILE`: the AWS CLI's [{ParameterKey, ParameterValue}] list, {\"Parameters\": {...}}, or KEY=VALUE lines",
	account:    "the account `ID` templates deploy to (AWS::AccountId), and plans that name none",
	region:     "the `REGION` templates deploy to (AWS::Region; default us-east-1)",
}

// register declares the flags. --account and --region are persistent
// flags of cmd: a command that declares its own --account or --region
// (trust's and trail diagnose's filters, simulate's --region) keeps its
// flag, and templates then take that flag's value (see accountRegion).
func (t *templateFlags) register(cmd *cobra.Command) {
	t.cmd = cmd
	fl := cmd.Flags()
	fl.StringArrayVar(&t.Templates, "template", nil, templateHelp.template)
	fl.StringVar(&t.Parameters, "parameters", "", templateHelp.parameters)
	pf := cmd.PersistentFlags()
	pf.StringVar(&t.Account, "account", "", templateHelp.account)
	pf.StringVar(&t.Region, "region", "", templateHelp.region)
}

func (t *templateFlags) given() bool { return len(t.Templates) > 0 }

func (t *templateFlags) args() []string {
	var a []string
	for _, p := range t.Templates {
		a = append(a, "--template", p)
	}
	if t.Parameters != "" {
		a = append(a, "--parameters", t.Parameters)
	}
	acct, region := t.accountRegion()
	if acct != "" && t.own("account") {
		a = append(a, "--account", acct)
	}
	if region != "" && t.own("region") {
		a = append(a, "--region", region)
	}
	return a
}

// own reports whether the flag name is the template flag (not a flag of
// the command's own that shadows it).
func (t *templateFlags) own(name string) bool {
	if t.cmd == nil {
		return true
	}
	mine := t.cmd.PersistentFlags().Lookup(name)
	got := t.cmd.Flags().Lookup(name)
	return got == nil || got == mine
}

// accountRegion are the account and region for templates: the template
// flags, or the command's own --account/--region when it declares them (a
// single value).
func (t *templateFlags) accountRegion() (string, string) {
	acct, region := t.Account, t.Region
	if t.cmd == nil {
		return acct, region
	}
	other := func(name string) string {
		if t.own(name) {
			return ""
		}
		f := t.cmd.Flags().Lookup(name)
		switch v := f.Value.(type) {
		case pflag.SliceValue:
			if s := v.GetSlice(); len(s) == 1 {
				return s[0]
			}
			return ""
		default:
			return strings.TrimSpace(f.Value.String())
		}
	}
	if acct == "" {
		acct = other("account")
	}
	if region == "" {
		region = other("region")
	}
	return acct, region
}

// refs are the templates as an environment file's templates: key names
// them.
func (t *templateFlags) refs() []snapshot.TemplateRef {
	acct, region := t.accountRegion()
	var out []snapshot.TemplateRef
	for _, p := range t.Templates {
		ref := snapshot.TemplateRef{Template: snapshot.PathRef{Path: p, Where: "--template"}, Account: acct, Region: region}
		if t.Parameters != "" {
			ref.Parameters = &snapshot.PathRef{Path: t.Parameters, Where: "--parameters"}
		}
		out = append(out, ref)
	}
	return out
}

// overlay lays the templates over env (nil when only templates were
// given) and returns the result.
func (t *templateFlags) overlay(env *snapshot.Environment) (*snapshot.Environment, error) {
	if !t.given() {
		return env, nil
	}
	acct, region := t.accountRegion()
	return iacLoad(env, nil, t.refs(), acct, region)
}
