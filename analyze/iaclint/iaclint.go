// Package iaclint lints the policy documents that infrastructure as code
// defines: every policy of a Terraform plan (named by resource address and
// attribute) and of a CloudFormation, SAM or CDK template (placed at the
// template's lines).
//
// A document the plan or template cannot know before a deploy (a value
// Terraform marks after_unknown, an import, a parameter without a value)
// is not linted, and is returned in NotLinted with the reason: a lint
// that passes must have read every policy, so callers report them and do
// not treat the run as clean.
package iaclint

import (
	"strings"

	"github.com/iamwhy/iamwhy/analyze"
	"github.com/iamwhy/iamwhy/iac/cloudformation"
	"github.com/iamwhy/iamwhy/iac/terraform"
	"github.com/iamwhy/iamwhy/snapshot"
)

// Options are what the plan or template does not say itself, and the
// lint options every document gets.
type Options struct {
	// Account and Region resolve AWS::AccountId, AWS::Region and the
	// ARNs the plan leaves to the provider.
	Account, Region string
	// Parameters is a template's parameter file (the AWS CLI's
	// [{"ParameterKey": .., "ParameterValue": ..}] form), "" for none.
	Parameters string
	// Lint is the base of each document's lint options; Type,
	// ResourceType and Source are set per document.
	Lint analyze.LintOptions
}

// NotLinted is a policy document that could not be linted.
type NotLinted struct {
	// Source names the document: the plan's resource address and
	// attribute, or the template's FILE:LINE:COL.
	Source string `json:"source"`
	// Reason says what is unknown until a deploy.
	Reason string `json:"reason"`
}

// Report is the lint of one plan or template.
type Report struct {
	Results   []*analyze.Result
	NotLinted []NotLinted
}

// Plan lints every policy document of a Terraform plan (`terraform show
// -json` output).
func Plan(path string, o Options) (Report, error) {
	env, _, err := terraform.LoadFiles(nil, []string{path}, terraform.Options{Account: o.Account, Region: o.Region})
	if err != nil {
		return Report{}, err
	}
	var r Report
	for _, pp := range terraform.Policies(env, path) {
		d := pp.Document
		source := strings.TrimPrefix(d.Source, path+" ")
		if d.Unknown != "" {
			r.NotLinted = append(r.NotLinted, NotLinted{Source: source, Reason: d.Unknown})
			continue
		}
		lo := o.Lint
		lo.Type, lo.ResourceType, lo.Source = pp.Type, pp.ResourceType, source
		r.Results = append(r.Results, analyze.Lint(d.JSON, lo))
	}
	return r, nil
}

// Template lints every policy a CloudFormation or SAM template (or a CDK
// cloud assembly directory) defines; each finding's line and column are
// the template's.
func Template(path string, o Options) (Report, error) {
	stacks, err := cloudformation.Input{Path: path, Parameters: o.Parameters, Account: o.Account, Region: o.Region}.Stacks()
	if err != nil {
		return Report{}, err
	}
	var r Report
	for _, st := range stacks {
		applied, err := cloudformation.Apply(snapshot.New(snapshot.Options{}), st.Template, st.Options)
		if err != nil {
			return Report{}, err
		}
		for _, p := range applied.Policies {
			d := p.Document
			if d.Unknown != "" {
				r.NotLinted = append(r.NotLinted, NotLinted{Source: p.Where(0, 0), Reason: d.Unknown})
				continue
			}
			lo := o.Lint
			lo.Type, lo.ResourceType, lo.Source = p.Type, p.ResourceType, d.Source
			res := analyze.Lint(d.JSON, lo)
			for i := range res.Findings {
				f := &res.Findings[i]
				// The finding's line is one of the policy's JSON text;
				// the template line of the element that starts there
				// replaces it, else the policy element's own.
				line, col := d.Line, d.Col
				if f.Line > 0 && f.Line < len(p.Lines) && p.Lines[f.Line].IsValid() {
					line, col = p.Lines[f.Line].Line, p.Lines[f.Line].Col
				}
				f.Line, f.Col = line, col
			}
			r.Results = append(r.Results, res)
		}
	}
	return r, nil
}
