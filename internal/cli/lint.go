package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"github.com/iamwhy/iamwhy/inputfile"
	"io"
	"runtime/debug"
	"strings"

	"github.com/iamwhy/iamwhy/analyze"
	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/policy"
	"github.com/spf13/cobra"
)

// lintOptions are the typed flags of `iamwhy lint`.
type lintOptions struct {
	Files  []string
	Type   policy.Type
	Output string
	FailOn []analyze.Severity
}

func newLintCmd(s Streams) *cobra.Command {
	var typeName, failOn string
	opts := &lintOptions{}
	cmd := &cobra.Command{
		Use:   "lint FILE...",
		Short: "Validate policy documents (errors, security warnings, warnings, suggestions)",
		Long: `Validate IAM policy documents in the manner of IAM Access Analyzer's policy
validation: grammar and policy-type errors, unknown services, actions and condition keys,
malformed ARNs, wrong condition operators and values (ERROR); grants broader than
intended (SECURITY_WARNING); parts that can never apply (WARNING); simplifications
(SUGGESTION). Each finding has a code, a line:column and the AWS page it rests on.
"-" reads a document from standard input; an AWS managed policy's ARN lints its embedded
default version.

Exit status: 0 when no finding has a --fail-on severity, 1 when one has, 2 when a file
cannot be read or a flag is wrong.`,
		Example: `  iamwhy lint policy.json
  iamwhy lint --policy-type trust trust.json
  iamwhy lint --policy-type resource --output sarif bucket-policy.json > lint.sarif
  iamwhy lint --fail-on error,security-warning,warning *.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files = args
			t, err := policy.ParseType(typeName)
			if err != nil {
				return fmt.Errorf("--policy-type: %w", err)
			}
			opts.Type = t
			if opts.FailOn, err = parseFailOn(failOn); err != nil {
				return err
			}
			return runLint(s, opts)
		},
	}
	cmd.Flags().StringVar(&typeName, "policy-type", "identity", "how the documents are used: identity, resource, trust, boundary, session, scp, rcp or vpc_endpoint")
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "text", "output format: text, json or sarif")
	cmd.Flags().StringVar(&failOn, "fail-on", "error,security-warning", "severities that make the exit status 1 (comma-separated), or none")
	return cmd
}

func parseFailOn(s string) ([]analyze.Severity, error) {
	if strings.EqualFold(strings.TrimSpace(s), "none") {
		return nil, nil
	}
	var out []analyze.Severity
	for _, part := range strings.Split(s, ",") {
		sev, err := analyze.ParseSeverity(part)
		if err != nil {
			return nil, fmt.Errorf("--fail-on: %w", err)
		}
		out = append(out, sev)
	}
	return out, nil
}

func runLint(s Streams, opts *lintOptions) error {
	if opts.Output != "text" && opts.Output != "json" && opts.Output != "sarif" {
		return fmt.Errorf("--output %q: want text, json or sarif", opts.Output)
	}
	c := catalog.Default()
	var results []*analyze.Result
	for _, f := range opts.Files {
		data, err := readPolicyFile(s, c, f)
		if err != nil {
			return err
		}
		results = append(results, analyze.Lint(data, analyze.LintOptions{Type: opts.Type, Source: f, Catalog: c}))
	}
	w := bufio.NewWriter(s.Out)
	var err error
	switch opts.Output {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		err = enc.Encode(struct {
			Results []*analyze.Result `json:"results"`
		}{results})
	case "sarif":
		err = analyze.WriteSARIF(w, results, toolVersion())
	default:
		err = renderLintText(w, results)
	}
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		return err
	}
	for _, r := range results {
		if r.Has(opts.FailOn) {
			return silentExit(1)
		}
	}
	return nil
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
			where := r.Source
			if f.Line > 0 {
				where = fmt.Sprintf("%s:%d:%d", r.Source, f.Line, f.Col)
			}
			fmt.Fprintf(w, "%s: %s %s: %s\n", where, f.Severity, f.Code, f.Message)
			if f.Statement != "" {
				fmt.Fprintf(w, "    statement %s; see %s\n", f.Statement, f.Doc)
			} else {
				fmt.Fprintf(w, "    see %s\n", f.Doc)
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
