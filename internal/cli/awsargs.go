package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/inputfile"
)

// The AWS CLI's ways of writing arguments, for the commands that take its
// parameter names as aliases (simulate, as aws iam simulate-custom-policy
// and simulate-principal-policy spell them):
// https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-parameters-types.html
// https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-shorthand.html
// https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-parameters-file.html

// listAnnotation marks a flag that takes a list the AWS CLI way: several
// values after one flag (--action-names a b c), up to the next flag.
const listAnnotation = "iamwhy_aws_list"

// listFlag marks the flag name of cmd as a list flag.
func listFlag(cmd *cobra.Command, name string) {
	_ = cmd.Flags().SetAnnotation(name, listAnnotation, []string{"true"})
}

// expandListArgs rewrites the AWS CLI's list arguments (--flag v1 v2 v3)
// of the command args name into one flag per value (--flag v1 --flag v2
// --flag v3), which the flag parser reads. Values run to the next argument
// that starts with "-" (a lone "-", standard input, is a value) or "--".
func expandListArgs(root *cobra.Command, args []string) []string {
	cmd, _, err := root.Find(args)
	if err != nil || cmd == nil {
		return args
	}
	isList := func(arg string) (string, bool) {
		name, _, _ := strings.Cut(strings.TrimPrefix(arg, "--"), "=")
		if !strings.HasPrefix(arg, "--") || name == "" {
			return "", false
		}
		f := cmd.Flags().Lookup(name)
		return name, f != nil && len(f.Annotations[listAnnotation]) > 0
	}
	isValue := func(arg string) bool { return arg == "-" || !strings.HasPrefix(arg, "-") }
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		name, ok := isList(a)
		if !ok {
			out = append(out, a)
			continue
		}
		out = append(out, a)
		if !strings.Contains(a, "=") && i+1 < len(args) {
			i++
			out = append(out, args[i])
		}
		for i+1 < len(args) && isValue(args[i+1]) {
			i++
			out = append(out, "--"+name, args[i])
		}
	}
	return out
}

// argSource reads argument values the AWS CLI way: file://PATH and
// fileb://PATH are the file's contents, "-" is standard input (read once),
// anything else the value itself.
type argSource struct {
	in    io.Reader
	stdin []byte
	read  bool
}

// isFileArg reports whether arg names its value's source rather than
// being the value.
func isFileArg(arg string) bool {
	return arg == "-" || strings.HasPrefix(arg, "file://") || strings.HasPrefix(arg, "fileb://")
}

// value returns the value arg stands for and a name for it in messages.
func (a *argSource) value(arg string) (name string, data []byte, err error) {
	switch {
	case arg == "-":
		if !a.read {
			if a.in == nil {
				return "", nil, fmt.Errorf("-: no standard input")
			}
			if a.stdin, err = inputfile.ReadAllFrom(a.in, "standard input"); err != nil {
				return "", nil, err
			}
			a.read = true
		}
		return "standard input", a.stdin, nil
	case strings.HasPrefix(arg, "fileb://"):
		path := strings.TrimPrefix(arg, "fileb://")
		data, err = inputfile.Read(path)
		return path, data, err
	case strings.HasPrefix(arg, "file://"):
		path := strings.TrimPrefix(arg, "file://")
		data, err = inputfile.Read(path)
		return path, data, err
	}
	return "", []byte(arg), nil
}

// onlyOneStdin refuses two arguments that both read standard input.
func onlyOneStdin(flags map[string][]string) error {
	var seen []string
	for name, vals := range flags {
		for _, v := range vals {
			if v == "-" {
				seen = append(seen, "--"+name)
			}
		}
	}
	if len(seen) > 1 {
		return fmt.Errorf("standard input (-) can be read once, but %s all name it", strings.Join(seen, ", "))
	}
	return nil
}

// contextEntry is one ContextEntry of IAM's simulator API:
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ContextEntry.html
type contextEntry struct {
	ContextKeyName   string
	ContextKeyValues []string
	ContextKeyType   string
}

// contextKeyTypes are ContextEntry's ContextKeyType values, each with
// whether it is a list type (a multivalued key).
var contextKeyTypes = map[string]bool{
	"string": false, "stringList": true, "numeric": false, "numericList": true,
	"boolean": false, "booleanList": true, "ip": false, "ipList": true,
	"binary": false, "binaryList": true, "date": false, "dateList": true,
}

// parseContextEntries reads --context-entries values: each the AWS CLI's
// shorthand (ContextKeyName=k,ContextKeyValues=v1,v2,ContextKeyType=t)
// or JSON (a ContextEntry object or a list of them), given inline or as
// file://, fileb:// or -. A value that cannot be read is an error.
func parseContextEntries(values []string, src *argSource) ([]contextEntry, error) {
	var out []contextEntry
	for _, v := range values {
		name, data, err := src.value(v)
		if err != nil {
			return nil, fmt.Errorf("--context-entries: %w", err)
		}
		where := "--context-entries"
		if name != "" {
			where += " " + name
		}
		text := strings.TrimSpace(string(data))
		var entries []contextEntry
		if strings.HasPrefix(text, "[") || strings.HasPrefix(text, "{") {
			entries, err = contextEntriesJSON(text)
		} else {
			var e contextEntry
			e, err = contextEntryShorthand(text)
			entries = []contextEntry{e}
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		for _, e := range entries {
			if err := e.check(); err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
		}
		out = append(out, entries...)
	}
	return out, nil
}

func contextEntriesJSON(text string) ([]contextEntry, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	var entries []contextEntry
	var err error
	if strings.HasPrefix(text, "{") {
		var e contextEntry
		err = dec.Decode(&e)
		entries = []contextEntry{e}
	} else {
		err = dec.Decode(&entries)
	}
	if err != nil {
		return nil, fmt.Errorf("not a ContextEntry JSON list: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("text after the JSON value")
	}
	return entries, nil
}

// check refuses an entry the simulator would not read: no name, no
// values, an unknown type, several values for a single-valued type, or a
// value that is not of its type.
func (e contextEntry) check() error {
	if e.ContextKeyName == "" {
		return fmt.Errorf("an entry without ContextKeyName")
	}
	if len(e.ContextKeyValues) == 0 {
		return fmt.Errorf("%s: no ContextKeyValues", e.ContextKeyName)
	}
	typ := e.ContextKeyType
	if typ == "" {
		typ = "string"
	}
	list, ok := contextKeyTypes[typ]
	if !ok {
		return fmt.Errorf("%s: unknown ContextKeyType %q (want string, numeric, boolean, ip, binary or date, or one of them with List)", e.ContextKeyName, e.ContextKeyType)
	}
	if !list && len(e.ContextKeyValues) > 1 {
		return fmt.Errorf("%s: %d values for the single-valued ContextKeyType %s (use %sList for a multivalued key)", e.ContextKeyName, len(e.ContextKeyValues), typ, typ)
	}
	for _, v := range e.ContextKeyValues {
		if !valueOfType(strings.TrimSuffix(typ, "List"), v) {
			return fmt.Errorf("%s: %q is not a %s value", e.ContextKeyName, v, strings.TrimSuffix(typ, "List"))
		}
	}
	return nil
}

// valueOfType reports whether v reads as a value of the simulator's type:
// IAM's condition operators' forms (numbers, true/false, an IPv4 or IPv6
// address or CIDR block, base64, an ISO 8601 date or epoch seconds).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
func valueOfType(typ, v string) bool {
	switch typ {
	case "numeric":
		_, err := strconv.ParseFloat(v, 64)
		return err == nil
	case "boolean":
		return strings.EqualFold(v, "true") || strings.EqualFold(v, "false")
	case "ip":
		if _, err := netip.ParsePrefix(v); err == nil {
			return true
		}
		_, err := netip.ParseAddr(v)
		return err == nil
	case "binary":
		_, err := base64.StdEncoding.DecodeString(v)
		return err == nil
	case "date":
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			return true
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
			if _, err := time.Parse(layout, v); err == nil {
				return true
			}
		}
		return false
	}
	return true
}

// apply adds the entries to ctx; a key given twice is an error.
func applyContextEntries(ctx *eval.Context, entries []contextEntry) error {
	for _, e := range entries {
		if ctx.Has(e.ContextKeyName) {
			return fmt.Errorf("context key %s is given twice (--context and --context-entries, or two entries)", e.ContextKeyName)
		}
		if contextKeyTypes[e.ContextKeyType] {
			ctx.SetMulti(e.ContextKeyName, e.ContextKeyValues...)
		} else {
			ctx.Set(e.ContextKeyName, e.ContextKeyValues...)
		}
	}
	return nil
}

// contextEntryShorthand reads one ContextEntry in the AWS CLI's shorthand
// syntax: comma-separated KEY=VALUE pairs, where a value is a word, a
// quoted string ('...' or "...", with \' \" \\ escapes), an explicit list
// [a,b], or comma-separated words up to the next KEY= (so
// ContextKeyValues=a,b,ContextKeyType=stringList has two values); \,
// escapes a comma in a word.
func contextEntryShorthand(s string) (contextEntry, error) {
	p := &shorthand{s: s}
	var e contextEntry
	seen := map[string]bool{}
	for {
		p.space()
		key := p.key()
		if key == "" {
			return e, p.errorf("a key (ContextKeyName, ContextKeyValues or ContextKeyType)")
		}
		p.space()
		if !p.eat('=') {
			return e, p.errorf("'=' after " + key)
		}
		if seen[key] {
			return e, fmt.Errorf("%s given twice", key)
		}
		seen[key] = true
		vals, list, err := p.values()
		if err != nil {
			return e, err
		}
		switch key {
		case "ContextKeyName", "ContextKeyType":
			if list || len(vals) != 1 {
				return e, fmt.Errorf("%s takes one value, not %d", key, len(vals))
			}
			if key == "ContextKeyName" {
				e.ContextKeyName = vals[0]
			} else {
				e.ContextKeyType = vals[0]
			}
		case "ContextKeyValues":
			e.ContextKeyValues = vals
		default:
			return e, fmt.Errorf("unknown key %q (want ContextKeyName, ContextKeyValues or ContextKeyType)", key)
		}
		p.space()
		if p.done() {
			return e, nil
		}
		if !p.eat(',') {
			return e, p.errorf("','")
		}
	}
}

// shorthand is a cursor over one shorthand value.
type shorthand struct {
	s string
	i int
}

func (p *shorthand) done() bool { return p.i >= len(p.s) }

func (p *shorthand) peek() byte {
	if p.done() {
		return 0
	}
	return p.s[p.i]
}

func (p *shorthand) eat(c byte) bool {
	if p.peek() == c && !p.done() {
		p.i++
		return true
	}
	return false
}

func (p *shorthand) space() {
	for !p.done() && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *shorthand) errorf(want string) error {
	got := "the end"
	if !p.done() {
		got = strconv.Quote(p.s[p.i : p.i+1])
	}
	return fmt.Errorf("shorthand %q: want %s at column %d, found %s", p.s, want, p.i+1, got)
}

// key reads [A-Za-z0-9]+.
func (p *shorthand) key() string {
	start := p.i
	for !p.done() {
		c := p.s[p.i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			break
		}
		p.i++
	}
	return p.s[start:p.i]
}

// nextIsKey reports whether a KEY= starts at the cursor.
func (p *shorthand) nextIsKey() bool {
	save := p.i
	defer func() { p.i = save }()
	p.space()
	if p.key() == "" {
		return false
	}
	p.space()
	return p.peek() == '='
}

// values reads the value of a key: a list when written [..] or as
// several comma-separated words.
func (p *shorthand) values() (vals []string, list bool, err error) {
	p.space()
	if p.eat('[') {
		for {
			p.space()
			if p.eat(']') {
				return vals, true, nil
			}
			v, err := p.value(true)
			if err != nil {
				return nil, false, err
			}
			vals = append(vals, v)
			p.space()
			if p.eat(']') {
				return vals, true, nil
			}
			if !p.eat(',') {
				return nil, false, p.errorf("',' or ']' in the list")
			}
		}
	}
	v, err := p.value(true)
	if err != nil {
		return nil, false, err
	}
	vals = append(vals, v)
	for {
		save := p.i
		p.space()
		if !p.eat(',') || p.nextIsKey() {
			p.i = save
			return vals, len(vals) > 1, nil
		}
		p.space()
		v, err := p.value(false)
		if err != nil {
			return nil, false, err
		}
		vals = append(vals, v)
	}
}

// value reads one word or quoted string. A word may hold '=' (base64
// padding) except as its first character, and except in the second and
// later words of a comma-separated list, where KEY= starts the next pair.
func (p *shorthand) value(first bool) (string, error) {
	if q := p.peek(); q == '\'' || q == '"' {
		p.i++
		var b strings.Builder
		for !p.done() {
			c := p.s[p.i]
			switch {
			case c == '\\' && p.i+1 < len(p.s) && (p.s[p.i+1] == q || p.s[p.i+1] == '\\'):
				b.WriteByte(p.s[p.i+1])
				p.i += 2
			case c == q:
				p.i++
				return b.String(), nil
			default:
				b.WriteByte(c)
				p.i++
			}
		}
		return "", fmt.Errorf("shorthand %q: a quoted value is not closed", p.s)
	}
	var b bytes.Buffer
	for !p.done() {
		c := p.s[p.i]
		if c == '\\' && p.i+1 < len(p.s) && p.s[p.i+1] == ',' {
			b.WriteByte(',')
			p.i += 2
			continue
		}
		if c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ']' || c == '[' || c == '\'' || c == '"' ||
			c == '=' && (!first || b.Len() == 0) {
			break
		}
		b.WriteByte(c)
		p.i++
	}
	if b.Len() == 0 {
		return "", p.errorf("a value")
	}
	return b.String(), nil
}
