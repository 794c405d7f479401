package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/iamwhy/iamwhy/inputfile"

	"github.com/iamwhy/iamwhy/analyze"
	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/iac/cloudformation"
	"github.com/iamwhy/iamwhy/iac/terraform"
	"github.com/iamwhy/iamwhy/policy"
	"github.com/iamwhy/iamwhy/snapshot"
	"github.com/spf13/cobra"
)

// lintOptions are the typed flags of `iamwhy lint`.
type lintOptions struct {
	Files []string
	// Plans are Terraform plans whose policy documents are linted.
	Plans []string
	// Templates are CloudFormation/SAM templates or cdk.out directories
	// whose policy documents are linted, at their template lines.
	Templates    []string
	Parameters   string
	Account      string
	Region       string
	Type         policy.Type
	ResourceType string
	Output       string
	// FailOn is the lowest severity that makes the exit status 1; nil
	// for never.
	FailOn *analyze.Severity
	// Custom holds the offline custom checks (nil for none).
	Custom *analyze.CustomChecks
}

func newLintCmd(s Streams) *cobra.Command {
	var typeName, failOn string
	var custom analyze.CustomChecks
	opts := &lintOptions{}
	cmd := &cobra.Command{
		Use:   "lint FILE...",
		Short: "Validate policy documents (errors, security warnings, warnings, suggestions)",
		Long: `Validate IAM policy documents offline with the checks of IAM Access Analyzer's
policy validation (its policy check reference: errors, general warnings, security
warnings, suggestions), at the severities and with the issue codes Access Analyzer gives,
plus iamwhy's own checks (privilege escalation, impossible MFA conditions, actions that
fit none of the resources). Each finding has a severity, an issue code, a line:column,
the location path and the page documenting the check.
"-" reads a document from standard input; an AWS managed policy's ARN lints its embedded
default version. --output access-analyzer prints what
"aws accessanalyzer validate-policy" prints, one JSON object per document.

Exit status: 0 when no finding is at or above --fail-on (default security_warning), 1
when one is, 2 when a file cannot be read or a flag is wrong. A document that is not
JSON is an ERROR finding (JSON_SYNTAX_ERROR), not exit 2.`,
		Example: `  iamwhy lint policy.json
  iamwhy lint --policy-type trust trust.json
  iamwhy lint --policy-type resource --output sarif bucket-policy.json > lint.sarif
  iamwhy lint --policy-type resource --resource-type AWS::S3::Bucket bucket-policy.json
  iamwhy lint --output access-analyzer policy.json
  iamwhy lint --fail-on warning *.json
  iamwhy lint --check-access-not-granted iam:PassRole,s3:DeleteBucket policy.json
  iamwhy lint --policy-type resource --check-no-public-access bucket-policy.json`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files = args
			if len(args) == 0 && len(opts.Plans) == 0 && len(opts.Templates) == 0 {
				return fmt.Errorf("requires at least 1 arg (a policy file), --plan or --template")
			}
			t, err := policy.ParseType(typeName)
			if err != nil {
				return fmt.Errorf("--policy-type: %w", err)
			}
			opts.Type = t
			if opts.FailOn, err = parseFailOn(failOn); err != nil {
				return err
			}
			if len(custom.AccessNotGranted) > 0 || custom.NoPublicAccess {
				opts.Custom = &custom
			} else if len(custom.Resources) > 0 {
				return fmt.Errorf("--resources goes with --check-access-not-granted")
			}
			if opts.ResourceType != "" {
				if !analyze.KnownResourceType(opts.ResourceType) {
					return fmt.Errorf("--resource-type %q: want one of %s", opts.ResourceType, strings.Join(analyze.ResourceTypes(), ", "))
				}
				if t != policy.TypeResource && !cmd.Flags().Changed("policy-type") {
					opts.Type = policy.TypeResource
				}
			}
			return runLint(s, opts)
		},
	}
	cmd.Flags().StringArrayVar(&opts.Plans, "plan", nil, "a Terraform plan (terraform show -json PLANFILE): lint every policy it defines, each at its resource address (repeatable)")
	cmd.Flags().StringArrayVar(&opts.Templates, "template", nil, "a CloudFormation or SAM template `FILE`, or a CDK cdk.out directory: lint every policy it defines, at its FILE:LINE:COL (repeatable)")
	cmd.Flags().StringVar(&opts.Parameters, "parameters", "", "the templates' parameters `FILE` (see --template on iamwhy simulate)")
	cmd.Flags().StringVar(&opts.Account, "account", "", "the account `ID` templates deploy to (AWS::AccountId), and plans that name none")
	cmd.Flags().StringVar(&opts.Region, "region", "", "the `REGION` templates deploy to (AWS::Region)")
	cmd.Flags().StringVar(&typeName, "policy-type", "identity", "how the documents are used: identity, resource, trust, boundary, session, scp, rcp or vpc_endpoint")
	cmd.Flags().StringVar(&opts.ResourceType, "resource-type", "", "the resource a resource policy is attached to (AWS::S3::Bucket, AWS::KMS::Key, ...): enables the checks of its actions, ARNs, keys and size")
	cmd.Flags().StringSliceVar(&custom.AccessNotGranted, "check-access-not-granted", nil, "actions the policies must not grant (comma-separated or repeated): each grant is an ERROR (ACCESS_GRANTED), as Access Analyzer's CheckAccessNotGranted")
	cmd.Flags().StringSliceVar(&custom.Resources, "resources", nil, "with --check-access-not-granted: only requests on these resource ARNs count")
	cmd.Flags().BoolVar(&custom.NoPublicAccess, "check-no-public-access", false, "report statements that make a resource policy public (S3's meaning of public) as ERROR (PUBLIC_ACCESS), as Access Analyzer's CheckNoPublicAccess")
	outputFlag(cmd, &opts.Output, "text", "json", "sarif", "access-analyzer", "markdown")
	cmd.Flags().StringVar(&failOn, "fail-on", "security_warning", "the lowest severity that makes the exit status 1 (error, security_warning, warning, suggestion), or none")
	return cmd
}

// parseFailOn reads the lowest failing severity. A comma-separated list
// (the earlier form) means its lowest member.
func parseFailOn(s string) (*analyze.Severity, error) {
	if strings.EqualFold(strings.TrimSpace(s), "none") {
		return nil, nil
	}
	var low *analyze.Severity
	for _, part := range strings.Split(s, ",") {
		sev, err := analyze.ParseSeverity(part)
		if err != nil {
			return nil, fmt.Errorf("--fail-on: %w", err)
		}
		if low == nil || sev < *low {
			low = &sev
		}
	}
	return low, nil
}

func runLint(s Streams, opts *lintOptions) error {
	c := catalog.Default()
	var results []*analyze.Result
	for _, f := range opts.Files {
		data, err := readPolicyFile(s, c, f)
		if err != nil {
			return err
		}
		lo := analyze.LintOptions{Type: opts.Type, ResourceType: opts.ResourceType, Source: f, Catalog: c, Custom: opts.Custom}
		// A document inside an AWS CLI output, or encoded, is linted
		// itself; findings are placed in the file.
		if w, err := policy.Unwrap(data, f); err == nil && (w.Member != "" || w.Encoding != policy.EncodingObject) {
			data, lo.Start, lo.Decoded = w.Text, w.Start, w.Encoding != policy.EncodingObject
		}
		results = append(results, analyze.Lint(data, lo))
	}
	for _, p := range opts.Plans {
		env, _, err := terraform.LoadFiles(nil, []string{p}, terraform.Options{Account: opts.Account, Region: opts.Region})
		if err != nil {
			return err
		}
		for _, pp := range terraform.Policies(env, p) {
			if pp.Document.Unknown != "" {
				// Not linted, and said so: a document apply has not made yet.
				fmt.Fprintf(s.Err, "not linted: %s\n", pp.Document.Unknown)
				continue
			}
			results = append(results, analyze.Lint(pp.Document.JSON, analyze.LintOptions{Type: pp.Type, ResourceType: pp.ResourceType, Source: strings.TrimPrefix(pp.Document.Source, p+" "), Catalog: c, Custom: opts.Custom}))
		}
	}
	for _, t := range opts.Templates {
		rs, err := lintTemplate(s, c, opts, t)
		if err != nil {
			return err
		}
		results = append(results, rs...)
	}
	w := bufio.NewWriter(s.Out)
	if err := lintRenderers[opts.Output](w, results); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if opts.FailOn != nil {
		for _, r := range results {
			for _, f := range r.Findings {
				if f.Severity >= *opts.FailOn {
					return silentExit(1)
				}
			}
		}
	}
	return nil
}

// lintRenderers are lint's outputs, by --output format.
var lintRenderers = map[string]func(io.Writer, []*analyze.Result) error{
	"json": func(w io.Writer, results []*analyze.Result) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			FormatVersion int               `json:"format_version"`
			Results       []*analyze.Result `json:"results"`
		}{1, emptyList(results)})
	},
	// access-analyzer: one document per policy, as validate-policy prints.
	"access-analyzer": func(w io.Writer, results []*analyze.Result) error {
		for _, r := range results {
			if err := analyze.WriteAccessAnalyzer(w, r); err != nil {
				return err
			}
		}
		return nil
	},
	"sarif": func(w io.Writer, results []*analyze.Result) error {
		return analyze.WriteSARIF(w, results, toolVersion())
	},
	"markdown": renderLintMarkdown,
	"text":     renderLintText,
}

// readPolicyFile reads a file, standard input ("-"), or the embedded
// document of an AWS managed policy named by ARN.
func readPolicyFile(s Streams, c *catalog.Catalog, name string) ([]byte, error) {
	if name == "-" {
		return inputfile.ReadAllFrom(s.In, "standard input")
	}
	if strings.HasPrefix(name, "arn:") {
		doc, _, ok := c.ManagedPolicy(name)
		if !ok {
			return nil, fmt.Errorf("%s is not an AWS managed policy of the embedded catalog (version %s)", name, c.Info().ManagedPoliciesVersion)
		}
		return doc, nil
	}
	return inputfile.Read(name)
}

func toolVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return ""
}

func renderLintText(w io.Writer, results []*analyze.Result) error {
	for _, r := range results {
		for _, f := range r.Findings {
			where := policy.At(r.Source, f.Line, f.Col).String()
			fmt.Fprintf(w, "%s: ", where)
			paint(w, severityStyle(f.Severity), f.Severity.String())
			fmt.Fprintf(w, " %s: %s\n", f.IssueCode, f.Message)
			if f.Statement != "" {
				fmt.Fprintf(w, "    statement %s; see %s\n", f.Statement, f.LearnMoreLink)
			} else {
				fmt.Fprintf(w, "    see %s\n", f.LearnMoreLink)
			}
		}
		if len(r.Findings) == 0 {
			fmt.Fprintf(w, "%s: no findings (%s policy)\n", r.Source, r.Type)
			continue
		}
		fmt.Fprintf(w, "%s: %s, %s, %s, %s (%s policy)\n", r.Source,
			plural(r.Count(analyze.SeverityError), "error"),
			plural(r.Count(analyze.SeveritySecurityWarning), "security warning"),
			plural(r.Count(analyze.SeverityWarning), "warning"),
			plural(r.Count(analyze.SeveritySuggestion), "suggestion"), r.Type)
	}
	return nil
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// lintTemplate lints every policy a template (or cloud assembly) defines;
// findings name the template's lines.
func lintTemplate(s Streams, c *catalog.Catalog, opts *lintOptions, path string) ([]*analyze.Result, error) {
	stacks, err := cloudformation.Input{Path: path, Parameters: opts.Parameters, Account: opts.Account, Region: opts.Region}.Stacks()
	if err != nil {
		return nil, err
	}
	var out []*analyze.Result
	for _, st := range stacks {
		r, err := cloudformation.Apply(snapshot.New(snapshot.Options{}), st.Template, st.Options)
		if err != nil {
			return nil, err
		}
		for _, p := range r.Policies {
			d := p.Document
			if d.Unknown != "" {
				fmt.Fprintf(s.Err, "not linted: %s\n", d.Unknown)
				continue
			}
			res := analyze.Lint(d.JSON, analyze.LintOptions{Type: p.Type, ResourceType: p.ResourceType, Source: d.Source, Catalog: c, Custom: opts.Custom})
			for i := range res.Findings {
				f := &res.Findings[i]
				line, col := d.Line, d.Col
				if f.Line > 0 && f.Line < len(p.Lines) && p.Lines[f.Line].IsValid() {
					line, col = p.Lines[f.Line].Line, p.Lines[f.Line].Col
				}
				f.Line, f.Col = line, col
			}
			out = append(out, res)
		}
	}
	return out, nil
}
