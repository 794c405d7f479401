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
			// JSON; read it as text before giving up, but only when the
			// text names a principal or an action (a broken CloudTrail
			// file that merely contains "AccessDenied" is an error).
			d2 := &Denial{}
			if parseText(trimmed, d2) && (d2.Principal != nil || d2.Action != nil) {
				d2.Note = "input is not valid JSON (" + err.Error() + "); read as text"
				return finish(d2, true, opts), nil
			}
			return nil, err
		}
	case '<':
		var ok bool
		recognized, ok = parseXML(trimmed, d)
		if !ok {
			*d = Denial{}
			recognized = parseText(trimmed, d)
		}
	default:
		recognized = parseText(trimmed, d)
	}
	return finish(d, recognized, opts), nil
}

// finish canonicalises what was read, derives the fields that follow from
// others (service from the action, cross-account from the two accounts)
// and writes the next steps.
func finish(d *Denial, recognized bool, opts Options) *Denial {
	d.Recognized = recognized
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
	} else if d.Operation != nil && d.Service != nil && opts.OperationAction != nil {
		if act, ok := opts.OperationAction(*d.Service, *d.Operation); ok && isActionToken(act) {
			d.Action = strp(act)
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

// accessDeniedCodes are the error codes AWS services use for an
// authorization failure, lower-cased.
var accessDeniedCodes = map[string]bool{
	"accessdenied":                true,
	"accessdeniedexception":       true,
	"unauthorizedoperation":       true,
	"authorizationerror":          true,
	"authorizationerrorexception": true,
	"unauthorizedaccess":          true,
	"unauthorizedaccessexception": true,
	"kmsaccessdeniedexception":    true,
	"kms.accessdeniedexception":   true,
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

// isAccessDeniedCode reports whether an error code means access denied.
func isAccessDeniedCode(code string) bool {
	return accessDeniedCodes[strings.ToLower(code)]
}
