package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/iamwhy/iamwhy/inputfile"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/cobra"

	"github.com/iamwhy/iamwhy/denial"
	"github.com/iamwhy/iamwhy/denial/awsdecode"
	"github.com/iamwhy/iamwhy/replay"
)

// explainOptions are the typed flags of `iamwhy explain` and the
// dependencies it runs with.
type explainOptions struct {
	explainDeps
	Output  string
	File    string
	Decode  bool
	Message string // the MESSAGE arguments, joined; "" or "-" reads stdin
	// The environment, when given, replays the request there and names
	// the root cause.
	envFlags
	Context []string
}

// explainDeps are what explain needs from outside; tests replace them.
type explainDeps struct {
	// parseOptions gives the denial parser its catalog hooks.
	parseOptions denial.Options
	// newSTS builds the STS client used by --decode.
	newSTS func(ctx context.Context) (awsdecode.API, error)
}

func newExplainCmd(s Streams) *cobra.Command {
	return newExplainCmdWith(s, explainDeps{newSTS: defaultSTS, parseOptions: catalogDenialOptions()})
}

// defaultSTS loads credentials and Region the way the AWS CLI does.
func defaultSTS(ctx context.Context) (awsdecode.API, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	return sts.NewFromConfig(cfg), nil
}

func newExplainCmdWith(s Streams, deps explainDeps) *cobra.Command {
	o := &explainOptions{explainDeps: deps}
	cmd := &cobra.Command{
		Use:   "explain [MESSAGE | --file F | -]",
		Short: "Tell what an access-denied error says and what to check next",
		Long: `Reads an access-denied error as you paste it: the whole AWS CLI or SDK error
text, a JSON or XML error body, just the message, a CloudTrail record (or a
CloudTrail file, whose first access-denied record is read), or the output of
aws sts decode-authorization-message. With no MESSAGE or with '-', reads stdin.

With an environment (--env, or the other environment flags), it also replays the request
there and names the root cause, as iamwhy diagnose does.

Exit status: 0 when the input is an access-denied error, 3 when it was read
but is not one, 2 when explain could not run.`,
		Example: `  iamwhy explain 'User: arn:aws:iam::111122223333:user/alice is not authorized to perform:
    s3:GetObject on resource: "arn:aws:s3:::example-data-config/app/settings.json"'
  aws s3 cp s3://example-data-config/app/settings.json - 2>&1 | iamwhy explain
  iamwhy explain --file error.log --env examples/env -o json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Message = strings.Join(args, " ")
			return runExplain(cmd.Context(), s, o)
		},
	}
	outputFlag(cmd, &o.Output, "text", "json")
	cmd.Flags().StringVarP(&o.File, "file", "f", "", "read the error from this file (gzip is read too)")
	cmd.Flags().BoolVar(&o.Decode, "decode", false, "decode an encoded authorization failure message through AWS STS (uses your AWS credentials)")
	o.envFlags.register(cmd)
	contextFlag(cmd, &o.Context)
	return cmd
}

func runExplain(ctx context.Context, s Streams, o *explainOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	name, input, err := readExplainInput(s, o.File, o.Message)
	if err != nil {
		return err
	}
	parse := replay.DefaultOptions()
	parse.Denial = o.parseOptions
	eopts := replay.ExplainOptions{Options: parse}
	if o.Decode {
		eopts.Decode = func(ctx context.Context, d *denial.Denial) error {
			if o.newSTS == nil {
				return errors.New("no STS client")
			}
			api, err := o.newSTS(ctx)
			if err != nil {
				return err
			}
			return awsdecode.Decode(ctx, api, d, o.parseOptions)
		}
	}
	if o.envFlags.given() {
		// With an environment, go on to replay the request and name the
		// root cause (spec/explain.md), as diagnose does.
		dopts, err := diagnoseReplayOptions(&o.envFlags, o.Context, "", "")
		if err != nil {
			return err
		}
		dopts.Options = parse
		eopts.Diagnose = dopts
	}
	ex, err := replay.Explain(ctx, name, input, eopts)
	if err != nil {
		return err
	}
	if ex.DecodeProblem != nil {
		fmt.Fprintln(s.Err, "iamwhy: --decode:", ex.DecodeProblem)
	}
	if err := explainRenderers[o.Output](s.Out, ex); err != nil {
		return err
	}
	if !ex.Denial.Recognized {
		return silentExit(3)
	}
	return nil
}

// explainRenderers are explain's outputs, by --output format.
var explainRenderers = map[string]func(io.Writer, *replay.Explanation) error{
	"json": writeExplainJSON,
	"text": renderExplainText,
}

// explainJSON is explain's JSON document: the contract's fields in its
// order (recognized first), format_version right after recognized, and
// the diagnosis (null without an environment). Each error of others has
// the same shape: its own format_version, others [] and diagnosis null
// (only the first error is replayed).
type explainJSON struct {
	Recognized    bool `json:"recognized"`
	FormatVersion int  `json:"format_version"`
	*denial.Denial
	Others    []explainJSON     `json:"others"`
	Diagnosis *replay.Diagnosis `json:"diagnosis"`
}

func newExplainJSON(d *denial.Denial, diag *replay.Diagnosis) explainJSON {
	doc := explainJSON{Recognized: d.Recognized, FormatVersion: 1, Denial: d, Others: []explainJSON{}, Diagnosis: diag}
	for _, o := range d.Others {
		doc.Others = append(doc.Others, newExplainJSON(o, nil))
	}
	return doc
}

func writeExplainJSON(w io.Writer, ex *replay.Explanation) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // next steps hold <placeholders> and quotes
	return enc.Encode(newExplainJSON(ex.Denial, ex.Diagnosis))
}

func renderExplainText(w io.Writer, ex *replay.Explanation) error {
	if err := renderDenialText(w, ex.Denial); err != nil {
		return err
	}
	if ex.Diagnosis != nil {
		fmt.Fprintln(w, "\nReplayed in the environment:")
		return renderDiagnoseText(w, ex.Diagnosis)
	}
	return nil
}

// readExplainInput returns the input's name (for errors) and its text:
// the file, the message, or stdin when the message is "" or "-".
func readExplainInput(s Streams, file, message string) (string, string, error) {
	var r io.Reader
	name := "stdin"
	switch {
	case file != "" && message != "":
		return "", "", errors.New("give the error either as MESSAGE or with --file, not both")
	case file != "":
		f, err := inputfile.Open(file)
		if err != nil {
			return "", "", err
		}
		defer f.Close()
		r, name = f, file
	case message != "" && message != "-":
		return "argument", message, nil
	default:
		r = s.In
	}
	b, err := inputfile.ReadAllFrom(r, name)
	if err != nil {
		return "", "", err
	}
	if len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return "", "", fmt.Errorf("%s: %w", name, err)
		}
		// Over the limit once decompressed is an error, never a
		// silently truncated input.
		b, err = inputfile.ReadAllFrom(zr, name+" (decompressed)")
		if err != nil {
			return "", "", err
		}
	}
	return name, string(b), nil
}

// renderDenialText writes the human form of a Denial.
func renderDenialText(w io.Writer, d *denial.Denial) error {
	var b strings.Builder
	if !d.Recognized {
		b.WriteString("Not an access-denied error.\n")
		if d.ErrorCode != nil {
			fmt.Fprintf(&b, "  error code      %s\n", *d.ErrorCode)
		}
		if d.Message != "" {
			fmt.Fprintf(&b, "  message         %s\n", shorten(d.Message, 300))
		}
		if d.Reason != nil {
			fmt.Fprintf(&b, "  what it is      %s\n", *d.Reason)
		}
		if d.Note != "" && (d.Reason == nil || *d.Reason != d.Note) {
			fmt.Fprintf(&b, "  note            %s\n", d.Note)
		}
		_, err := io.WriteString(w, b.String())
		return err
	}
	if len(d.Others) > 0 {
		fmt.Fprintf(&b, "The input holds %d distinct access-denied errors; each is read on its own.\n\nError 1 of %d\n", 1+len(d.Others), 1+len(d.Others))
	}
	fmt.Fprintf(&b, "Access denied: %s\n", denialHeadline(d))
	field := func(label, value string) { fmt.Fprintf(&b, "  %-15s %s\n", label, value) }
	missing := "(not in the message)"
	principal := missing
	if d.Principal != nil {
		principal = *d.Principal
		var extra []string
		if d.PrincipalType != denial.PrincipalUnknown {
			extra = append(extra, d.PrincipalType.String())
		}
		if d.Account != nil {
			extra = append(extra, "account "+*d.Account)
		}
		if len(extra) > 0 {
			principal += " (" + strings.Join(extra, ", ") + ")"
		}
	}
	field("principal", principal)
	field("action", deref(d.Action, missing))
	resource := missing
	if d.Resource != nil {
		resource = *d.Resource
	}
	field("resource", resource)
	field("deny", string(d.Deny))
	field("policy type", string(d.PolicyType))
	if d.PolicyARN != nil {
		field("policy", *d.PolicyARN)
	}
	cross := "unknown"
	if d.CrossAccount != nil {
		cross = map[bool]string{true: "yes", false: "no"}[*d.CrossAccount]
	}
	field("cross-account", cross)
	if d.ErrorCode != nil || d.Operation != nil {
		v := deref(d.ErrorCode, "-")
		if d.Operation != nil {
			v += " (operation " + *d.Operation + ")"
		}
		field("error code", v)
	}
	if d.Encoded {
		v := "yes"
		if d.Decoded != nil {
			v = "yes, decoded"
		}
		field("encoded", v)
	}
	if d.Decoded != nil {
		for _, c := range d.Decoded.Conditions {
			field("context", c.Key+" = "+strings.Join(c.Values, ", "))
		}
	}
	if d.AuthorizationID != nil {
		field("authorization", *d.AuthorizationID)
	}
	if d.Reason != nil {
		field("reason", *d.Reason)
	}
	if d.Note != "" {
		field("note", d.Note)
	}
	if len(d.NextSteps) > 0 {
		b.WriteString("\nNext steps:\n")
		for i, s := range d.NextSteps {
			fmt.Fprintf(&b, "  %d. %s\n", i+1, s)
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	for i, o := range d.Others {
		if _, err := fmt.Fprintf(w, "\nError %d of %d\n", i+2, 1+len(d.Others)); err != nil {
			return err
		}
		if err := renderDenialText(w, o); err != nil {
			return err
		}
	}
	return nil
}

// denialHeadline says in one line what the message reports.
func denialHeadline(d *denial.Denial) string {
	switch {
	case d.BlockPublicAccess != "":
		return "rejected by S3 Block Public Access (" + d.BlockPublicAccess + ")"
	case d.KMSCiphertext:
		return "KMS could not use the key of the ciphertext (missing, in another Region, or not allowed)"
	case d.Deny == denial.DenyExplicit && d.PolicyType != denial.PolicyUnknown:
		h := "explicit deny in " + article(d.PolicyType.Description())
		if d.Via != denial.PolicyUnknown && d.Via != "" {
			h += ", reached through " + article(d.Via.Description())
		}
		return h
	case d.Deny == denial.DenyExplicit:
		return "explicit deny (the message does not say in which policy)"
	case d.Deny == denial.DenyImplicit && d.PolicyType != denial.PolicyUnknown:
		return "implicit deny: no " + d.PolicyType.Description() + " allows it"
	case d.Deny == denial.DenyImplicit:
		return "implicit deny"
	case d.PolicyType != denial.PolicyUnknown:
		return "denied by " + article(d.PolicyType.Description()) + " (explicit or implicit: the message does not say)"
	}
	return "the message does not say which policy denied it"
}

func deref(p *string, def string) string {
	if p == nil {
		return def
	}
	return *p
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// article puts "a" or "an" before a noun phrase.
func article(s string) string {
	if s != "" && strings.ContainsRune("aeiouAEIOU", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}
