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
	"github.com/iamwhy/iamwhy/analyze/iaclint"
	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/policy"
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
	var notLinted []iaclint.NotLinted
	iacOpts := iaclint.Options{Account: opts.Account, Region: opts.Region, Parameters: opts.Parameters,
		Lint: analyze.LintOptions{Catalog: c, Custom: opts.Custom}}
	for _, p := range opts.Plans {
		r, err := iaclint.Plan(p, iacOpts)
		if err != nil {
			return err
		}
		results, notLinted = append(results, r.Results...), append(notLinted, r.NotLinted...)
	}
	for _, t := range opts.Templates {
		r, err := iaclint.Template(t, iacOpts)
		if err != nil {
			return err
		}
		results, notLinted = append(results, r.Results...), append(notLinted, r.NotLinted...)
	}
	// A document a deploy has not decided yet is not linted, and said so
	// whatever the output: a lint that passes has read every policy.
	for _, n := range notLinted {
		fmt.Fprintf(s.Err, "not linted: %s\n", n.Reason)
	}
	report := lintReport{Results: results, NotLinted: notLinted}
	w := bufio.NewWriter(s.Out)
	if err := lintRenderers[opts.Output](w, report); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if opts.FailOn != nil {
		if len(notLinted) > 0 {
			fmt.Fprintf(s.Err, "%s not linted: the result is not clean\n", plural(len(notLinted), "policy document"))
			return silentExit(1)
		}
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
var lintRenderers = map[string]func(io.Writer, lintReport) error{
	"json": func(w io.Writer, r lintReport) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			FormatVersion int                 `json:"format_version"`
			Results       []*analyze.Result   `json:"results"`
			NotLinted     []iaclint.NotLinted `json:"not_linted"`
		}{1, emptyList(r.Results), emptyList(r.NotLinted)})
	},
	// access-analyzer: one document per policy, as validate-policy prints.
	"access-analyzer": func(w io.Writer, rep lintReport) error {
		for _, r := range rep.Results {
			if err := analyze.WriteAccessAnalyzer(w, r); err != nil {
				return err
			}
		}
		return nil
	},
	"sarif": func(w io.Writer, r lintReport) error {
		return analyze.WriteSARIF(w, r.Results, toolVersion())
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

// lintReport is what lint renders: the results, and the documents of
// plans and templates it could not lint.
type lintReport struct {
	Results   []*analyze.Result
	NotLinted []iaclint.NotLinted
}

func renderLintText(w io.Writer, rep lintReport) error {
	for _, n := range rep.NotLinted {
		fmt.Fprintf(w, "%s: not linted: %s\n", n.Source, n.Reason)
	}
	for _, r := range rep.Results {
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
