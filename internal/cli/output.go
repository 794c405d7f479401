package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/iamwhy/iamwhy/internal/jsonenc"
)

// formatsAnnotation is the flag annotation that lists the formats an
// --output flag accepts; checkFlags refuses any other value before the
// command runs, and shell completion offers them.
const formatsAnnotation = "iamwhy_output_formats"

// outputFlag registers the command's --output (-o) flag: the formats it
// writes, the first being the default. Every command declares its output
// this one way, so the value is checked when flags are parsed, the same
// way everywhere, and completion knows the formats.
func outputFlag(cmd *cobra.Command, p *string, formats ...string) {
	cmd.Flags().StringVarP(p, "output", "o", formats[0], "output format: "+orList(formats))
	_ = cmd.Flags().SetAnnotation("output", formatsAnnotation, formats)
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
}

// orList joins words as "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// checkOutput refuses an --output value the command does not write.
func checkOutput(got string, allowed ...string) error {
	for _, a := range allowed {
		if got == a {
			return nil
		}
	}
	return usageErrorf("unknown --output %q: want %s", got, orList(allowed))
}

// checkFlags checks the flags whose values are known when parsed (today
// --output) for the command about to run.
func checkFlags(cmd *cobra.Command) error {
	f := cmd.Flags().Lookup("output")
	if f == nil {
		return nil
	}
	if formats := f.Annotations[formatsAnnotation]; len(formats) > 0 {
		return checkOutput(f.Value.String(), formats...)
	}
	return nil
}

// wantsJSON reports whether the command was asked for --output json.
func wantsJSON(cmd *cobra.Command) bool {
	if cmd == nil {
		return false
	}
	f := cmd.Flags().Lookup("output")
	return f != nil && f.Value.String() == "json"
}

// argsAskJSON reports whether the command line asks cmd for JSON output
// (-o json, -ojson, -o=json, --output json, --output=json) before any
// "--": a flag error stops parsing before a later --output is read, and
// its error must still be JSON. Only a command whose --output is a format
// with json among them counts (collect's -o is a path).
func argsAskJSON(cmd *cobra.Command, args []string) bool {
	if cmd == nil {
		return false
	}
	f := cmd.Flags().Lookup("output")
	if f == nil || !slices.Contains(f.Annotations[formatsAnnotation], "json") {
		return false
	}
	for i, a := range args {
		switch {
		case a == "--":
			return false
		case a == "-o" || a == "--output":
			if i+1 < len(args) && args[i+1] == "json" {
				return true
			}
		case a == "-ojson" || a == "-o=json" || a == "--output=json":
			return true
		}
	}
	return false
}

// usageError is an error in the command line itself (an unknown flag, a
// wrong number of arguments, a value no format names): Main shows the
// command's usage after it.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// markUsageErrors makes every flag and argument error of the tree a
// usageError, so each command shows its usage with them.
func markUsageErrors(root *cobra.Command) {
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if args := c.Args; args != nil {
			c.Args = func(cmd *cobra.Command, a []string) error {
				if err := args(cmd, a); err != nil {
					return &usageError{err}
				}
				return nil
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// writeJSONError writes {"error": {"message": ...}} for --output json.
func writeJSONError(w io.Writer, err error) {
	writeJSONErrorStatus(w, err, 2)
}

// writeJSONErrorStatus writes the error document of --output json with
// the exit status the command ends with.
func writeJSONErrorStatus(w io.Writer, err error, status int) {
	b, _ := json.Marshal(struct {
		FormatVersion int `json:"format_version"`
		Error         struct {
			Message    string `json:"message"`
			ExitStatus int    `json:"exit_status"`
		} `json:"error"`
	}{FormatVersion: 1, Error: struct {
		Message    string `json:"message"`
		ExitStatus int    `json:"exit_status"`
	}{err.Error(), status}})
	fmt.Fprintf(w, "%s\n", b)
}

// jsonErrors writes an error that stopped a command as {"error": ...} on
// standard output when the output is JSON (exit status 2); errors that
// carry their own exit status pass through. Main does the same for every
// command that printed nothing; this remains for commands that call it
// themselves.
func jsonErrors(s Streams, asJSON bool, err error) error {
	var ee *ExitError
	if err == nil || !asJSON || errors.As(err, &ee) {
		return err
	}
	writeJSONError(s.Out, err)
	return silentExit(2)
}

// countingWriter counts what went through it, so Main knows whether a
// command printed its own document before it failed.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// writeVersionedJSON writes v, a value that encodes as a JSON object, as
// an indented document whose first key is "format_version": 1, the version
// of the document's shape that programs reading it can check. HTML is not
// escaped: policies and next steps hold < > & as they are.
func writeVersionedJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b := buf.Bytes()
	switch {
	case bytes.HasPrefix(b, []byte("{\n")):
		if _, err := io.WriteString(w, "{\n  \"format_version\": 1,\n"); err != nil {
			return err
		}
		b = b[2:]
	case bytes.HasPrefix(b, []byte("{}")):
		b = []byte("{\n  \"format_version\": 1\n}\n")
	default:
		return fmt.Errorf("internal error: a JSON document must be an object, not %.20q", b)
	}
	_, err := w.Write(b)
	return err
}

// nullString is s, or nil (JSON null) when s is empty: the convention
// that a field without a value is present as null (docs/cli-conventions.md).
func nullString(s string) *string { return jsonenc.Null(s) }

// marshalNoEscape is json.Marshal without HTML escaping, for MarshalJSON
// methods of values written by writeVersionedJSON (which keeps < > & as
// they are).
func marshalNoEscape(v any) ([]byte, error) { return jsonenc.Marshal(v) }

// emptyList is l, or an empty list when l is nil, for JSON lists that are
// always present.
func emptyList[T any](l []T) []T { return jsonenc.List(l) }
