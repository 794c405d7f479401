package denial

import (
	"strings"
)

// A paste often holds more than one error: a script's log with a failure
// per call, the same error printed by the SDK and again by the program, a
// status line followed by the XML body it summarises. Each distinct
// access-denied error becomes its own Denial (the first at the top,
// the rest in Others); fields are never merged across errors.

// maxErrors bounds how many errors one paste is read into.
const maxErrors = 100

// segment is the text of one error candidate in a paste.
type segment struct {
	lines []pasteLine
}

func (s segment) text() string { return joinLines(s.lines) }

// errorStarts are line beginnings that start a new error (after the log
// prefix is removed).
var errorStarts = []string{
	"An error occurred (", "operation error ", "botocore.", "boto3.", "ClientError:",
	"User: ", "User arn:", "Traceback (", "Error: ", "error: ", "ERROR: ",
	"com.amazonaws.", "software.amazon.", "aws.sdk.kotlin.", "Amazon.", "Aws::",
	"<?xml", "<Error", "<ErrorResponse", "<Response", "{", "Principal [",
	"Access Denied", "AccessDenied", "Not authorized",
}

// startsError reports whether a repaired line begins a new error.
func startsError(l pasteLine) bool {
	if continuesRecord(l.text) {
		return false
	}
	if l.prefixed && !l.indented {
		return true
	}
	for _, p := range errorStarts {
		if strings.HasPrefix(l.text, p) {
			return true
		}
	}
	if strings.Contains(l.text, "An error occurred (") || strings.Contains(l.text, "User: arn:") {
		return true
	}
	// "CODE: message" (JS SDK, Go SDK v1, Terraform).
	if c := strings.Index(l.text, ": "); c > 0 && isCodeToken(l.text[:c]) {
		return true
	}
	return false
}

// continuesRecord reports whether a line continues the one before: a
// stack frame, a field of a printed object ("code: 'AccessDenied',"),
// closing brackets.
func continuesRecord(t string) bool {
	if strings.HasPrefix(t, "at ") || strings.HasPrefix(t, "}") || strings.HasPrefix(t, "]") || strings.HasPrefix(t, "File \"") {
		return true
	}
	i := 0
	for i < len(t) && (t[i] >= 'a' && t[i] <= 'z' || t[i] >= 'A' && t[i] <= 'Z' && i > 0 || t[i] >= '0' && t[i] <= '9' && i > 0) {
		i++
	}
	if i == 0 || i >= len(t) || t[i] != ':' || t[0] < 'a' || t[0] > 'z' {
		return false
	}
	switch t[:i] {
	case "error", "fatal", "warning", "https", "http":
		return false
	}
	return true
}

// splitSegments cuts the lines of a paste where a new error starts,
// except after a line that the next one continues (continuedFrom).
func splitSegments(lines []pasteLine) []segment {
	var segs []segment
	for i, l := range lines {
		if len(segs) == 0 || startsError(l) && !continuedFrom(lines[i-1]) {
			segs = append(segs, segment{})
		}
		last := &segs[len(segs)-1]
		last.lines = append(last.lines, l)
	}
	return segs
}

// continuedFrom reports whether the line after prev continues it: prev
// introduces it (ends with a colon), is cut mid-list (a comma), or was
// hard-wrapped by a terminal.
func continuedFrom(prev pasteLine) bool {
	return prev.hardWrap || strings.HasSuffix(prev.text, ":") || strings.HasSuffix(prev.text, ",")
}

// parseSegment reads one error candidate: an XML or JSON body when the
// text starts like one, free text otherwise.
func parseSegment(text string) (*Denial, bool) {
	d := &Denial{}
	if text == "" {
		return d, false
	}
	switch text[0] {
	case '<':
		if rec, ok := parseXML(text, d); ok {
			return d, rec
		}
		*d = Denial{}
	case '{', '[':
		if rec, err := parseJSON(text, d); err == nil {
			return d, rec
		}
		*d = Denial{}
	}
	return d, parseLine(text, d)
}

// parseSeveral reads each segment of a paste that holds more than one
// and returns the distinct access-denied errors found, in order; nil when
// the paste is one segment.
func parseSeveral(lines []pasteLine) []*Denial {
	segs := splitSegments(lines)
	if len(segs) < 2 {
		return nil
	}
	var found []*Denial
	var carry []pasteLine
	for i, s := range segs {
		carried := len(carry) > 0
		if carried {
			s.lines = append(carry, s.lines...)
			carry = nil
		}
		d, ok := parseSegment(s.text())
		if ok && !carried && d.Message == "" && d.Principal == nil && d.Action == nil && i+1 < len(segs) {
			// A wrapper whose message was cut off by a line break
			// ("...when calling the GetObject" / "operation: User: ...")
			// belongs to the next segment.
			carry = s.lines
			continue
		}
		if !ok {
			continue
		}
		d.Recognized = true
		found = append(found, d)
		if len(found) > maxErrors {
			break
		}
	}
	return distinct(found)
}

// distinct drops repeats (a retried call, an error printed twice) and a
// bare status line ("403 Forbidden", "Access Denied") right next to the
// fuller error it summarises.
func distinct(ds []*Denial) []*Denial {
	var out []*Denial
	for i, d := range ds {
		if statusOnly(d) {
			if i+1 < len(ds) && !statusOnly(ds[i+1]) || i > 0 && !statusOnly(ds[i-1]) {
				continue
			}
		} else if isBare(d) {
			if i+1 < len(ds) && !isBare(ds[i+1]) || i > 0 && !isBare(ds[i-1]) && sameCall(ds[i-1], d) {
				continue
			}
		}
		dup := false
		for j, o := range out {
			if sameError(o, d) {
				// Keep the fuller of two prints of one error (the
				// program's summary and the SDK's own text).
				if detail(d) > detail(o) {
					out[j] = d
				}
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, d)
		}
	}
	return out
}

// detail counts the fields a parse filled.
func detail(d *Denial) int {
	n := 0
	for _, p := range []*string{d.ErrorCode, d.Operation, d.Principal, d.Action, d.Resource, d.Service, d.PolicyARN} {
		if p != nil {
			n++
		}
	}
	if d.Deny != "" && d.Deny != DenyUnknown {
		n++
	}
	if d.PolicyType != "" && d.PolicyType != PolicyUnknown {
		n++
	}
	return n
}

// statusOnly reports whether d is a status line and nothing else ("403
// Forbidden", "BotoServerError: 403 Forbidden"): the summary of the error
// body printed next to it.
func statusOnly(d *Denial) bool {
	if !isBare(d) {
		return false
	}
	m := strings.ToLower(strings.TrimSpace(d.Message))
	m = strings.TrimPrefix(m, "403")
	m = strings.TrimSpace(strings.TrimRight(m, "."))
	return m == "" || m == "forbidden" || m == "null" || m == "access denied"
}

// isBare reports whether d names nothing but its code or status.
func isBare(d *Denial) bool {
	return d.Principal == nil && d.Action == nil && d.Resource == nil && d.Operation == nil &&
		d.PolicyType == "" && !d.Encoded
}

// sameCall reports whether a bare error may be the status of the call
// described by full (same service, or none named).
func sameCall(full, bare *Denial) bool {
	return bare.Service == nil || full.Service != nil && *full.Service == *bare.Service
}

// sameError reports whether two parses describe the same error.
func sameError(a, b *Denial) bool {
	if a.Principal == nil && a.Action == nil && b.Principal == nil && b.Action == nil {
		return eqs(a.ErrorCode, b.ErrorCode) && eqs(a.Operation, b.Operation) && a.Message == b.Message
	}
	return eqs(a.Principal, b.Principal) && eqs(a.Action, b.Action) && eqs(a.Resource, b.Resource) &&
		a.Deny == b.Deny && a.PolicyType == b.PolicyType && eqs(a.PolicyARN, b.PolicyARN)
}

func eqs(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
