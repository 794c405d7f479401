package denial

import (
	"errors"
	"strings"
)

// ErrEmpty is returned by Parse for input with nothing but white space.
var ErrEmpty = errors.New("no input: expected an access-denied error message, error body or CloudTrail record")

// Parse reads an access-denied error as a user pastes it: the whole AWS CLI,
// boto, Go, Java or JavaScript SDK error text, a JSON or XML error body,
// the message alone (line-wrapped or not), a CloudTrail record (or a
// {"Records": [...]} file or array of records, whose first access-denied
// record is read), or a decoded authorization message.
//
// Input that is read but is not an access-denied error gives a Denial with
// Recognized false and a nil error. The error is non-nil only when the
// input cannot be read at all: empty input, or JSON with a syntax error
// that no text reading recognises (the error then names line and column).
func Parse(text string, opts Options) (*Denial, error) {
	trimmed := strings.TrimSpace(strings.TrimPrefix(text, "\uFEFF"))
	if trimmed == "" {
		return nil, ErrEmpty
	}
	d := &Denial{}
	var recognized bool
	switch trimmed[0] {
	case '{', '[':
		var err error
		recognized, err = parseJSON(trimmed, d)
		if err != nil {
			// A pasted message may start with a brace without being
			// JSON ("[ERROR] ..." from a Lambda log, a JavaScript
			// object): read it as text, recognised or not. Text that
			// looks like JSON is read as text only when it names a
			// principal, an action or a code (a broken CloudTrail file
			// that merely contains "AccessDenied" is an error).
			d2, ok := parseTextInput(trimmed, opts)
			if !looksLikeJSON(trimmed) || ok && (d2.Principal != nil || d2.Action != nil || d2.ErrorCode != nil) {
				d2.Note = "input is not valid JSON (" + err.Error() + "); read as text"
				return d2, nil
			}
			return nil, err
		}
	case '<':
		var ok bool
		recognized, ok = parseXML(trimmed, d)
		if !ok {
			d, _ = parseTextInput(trimmed, opts)
			return d, nil
		}
	default:
		d, _ = parseTextInput(trimmed, opts)
		return d, nil
	}
	return finish(d, recognized, opts), nil
}

// parseTextInput reads a paste that is not one JSON or XML document: it
// repairs it, reads each error it holds when it holds several, and
// otherwise reads it whole.
func parseTextInput(text string, opts Options) (*Denial, bool) {
	lines := repairLines(text)
	found := parseSeveral(lines)
	switch {
	case len(found) >= 2:
		found[0].Others = found[1:]
		return finish(found[0], true, opts), true
	case len(found) == 1:
		return finish(found[0], true, opts), true
	}
	d, recognized := parseSegment(joinLines(lines))
	return finish(d, recognized, opts), recognized
}

// finish canonicalises what was read, derives the fields that follow from
// others (service from the action, cross-account from the two accounts)
// and writes the next steps.
func finish(d *Denial, recognized bool, opts Options) *Denial {
	d.Recognized = recognized
	if d.Others == nil {
		d.Others = []*Denial{}
	}
	for _, o := range d.Others {
		finish(o, true, opts)
	}
	if d.Deny == "" {
		d.Deny = DenyUnknown
	}
	if d.PolicyType == "" {
		d.PolicyType = PolicyUnknown
	}
	if d.Via == "" {
		d.Via = PolicyUnknown
	}
	if !recognized {
		// Nothing of an access denial was read: keep only what names
		// the error, so that no field suggests more.
		*d = Denial{
			ErrorCode:     d.ErrorCode,
			Operation:     d.Operation,
			Service:       d.Service,
			PrincipalType: PrincipalUnknown,
			Deny:          DenyUnknown,
			PolicyType:    PolicyUnknown,
			Via:           PolicyUnknown,
			NextSteps:     []string{},
			Others:        []*Denial{},
			Reason:        notDeniedReason(d),
			Message:       d.Message,
			Format:        d.Format,
			Note:          d.Note,
		}
		return d
	}
	if d.Action != nil {
		act := *d.Action
		i := strings.IndexByte(act, ':')
		act = strings.ToLower(act[:i]) + act[i:]
		if opts.ActionCanonicalizer != nil {
			if c, ok := opts.ActionCanonicalizer(act); ok {
				act = c
			}
		}
		d.Action = strp(act)
		d.Service = strp(act[:strings.IndexByte(act, ':')])
	} else if d.Operation != nil && opts.OperationAction != nil {
		// With no service named (the AWS CLI's "when calling the
		// HeadObject operation"), OperationAction gets "" and answers
		// only when one service has the operation.
		if act, ok := opts.OperationAction(serviceHint(d), *d.Operation); ok && isActionToken(act) {
			d.Action = strp(act)
			if d.Service == nil {
				d.Service = strp(act[:strings.IndexByte(act, ':')])
			}
		}
	}
	if d.CrossAccount == nil && d.Account != nil && d.Resource != nil {
		if ra := accountOf(*d.Resource); ra != nil {
			d.CrossAccount = boolp(*ra != *d.Account)
		}
	}
	d.NextSteps = nextSteps(d)
	return d
}

// normalizeCode strips the decorations error codes come with: a JSON
// protocol namespace ("com.amazon.coral.service#AccessDeniedException"),
// CloudTrail's EC2 prefix ("Client.UnauthorizedOperation") and a trailing
// colon.
func normalizeCode(code string) string {
	code = strings.TrimSpace(code)
	if i := strings.LastIndexByte(code, '#'); i >= 0 {
		code = code[i+1:]
	}
	if i := strings.IndexByte(code, ':'); i >= 0 {
		code = code[:i]
	}
	code = strings.TrimPrefix(code, "Client.")
	code = strings.TrimPrefix(code, "Server.")
	return code
}

// serviceHint is the service an input's code or wording belongs to when
// it names none: EC2 alone answers UnauthorizedOperation, SNS alone
// AuthorizationError, and S3's generic answer is exactly "Access Denied"
// with code AccessDenied, or a bodiless 403 (Troubleshoot access denied
// (403 Forbidden) errors in Amazon S3).
func serviceHint(d *Denial) string {
	if d.Service != nil {
		return *d.Service
	}
	code := strings.ToLower(deref(d.ErrorCode, ""))
	switch code {
	case "unauthorizedoperation":
		return "ec2"
	case "authorizationerror":
		return "sns"
	}
	msg := strings.TrimRight(strings.TrimSpace(d.Message), ".")
	if (code == "accessdenied" || code == "vpceaccessdenied") && msg == "Access Denied" {
		return "s3"
	}
	return ""
}

// looksLikeJSON reports whether text that failed to decode was meant to
// be JSON (a truncated CloudTrail file), rather than text that starts
// with a bracket ("[ERROR] ...", "{ [AccessDenied: ...] message: ...").
func looksLikeJSON(text string) bool {
	if _, p, _ := stripLogPrefix(text); p {
		return false
	}
	rest := strings.TrimLeft(text[1:], " \t\r\n")
	if rest == "" || strings.ContainsRune(`"{[]}-`, rune(rest[0])) || rest[0] >= '0' && rest[0] <= '9' {
		return true
	}
	// An array of literals.
	return text[0] == '[' && (strings.HasPrefix(rest, "true") || strings.HasPrefix(rest, "false") || strings.HasPrefix(rest, "null"))
}
