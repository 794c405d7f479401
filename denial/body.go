package denial

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/iamwhy/iamwhy/policy"
)

// parseJSON reads JSON input: a CloudTrail record, a CloudTrail file
// ({"Records": [...]}) or array of records, a decoded authorization message
// (with or without the {"DecodedMessage": "..."} wrapper), or a JSON error
// body of any AWS protocol. The error names line and column of a syntax
// error.
func parseJSON(text string, d *Denial) (bool, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return false, jsonError(text, err)
	}
	if dec.More() {
		// Several JSON values: JSON lines, one log record or error body
		// per line.
		return parseJSONLines(text, v, dec, d)
	}
	return parseJSONValue(v, d, 0)
}

// maxJSONDepth bounds how deep parseJSONValue follows JSON held in
// string fields (a body inside a log record inside a Lambda error).
const maxJSONDepth = 4

// parseJSONLines reads a stream of JSON values; each is read as one
// input, and the distinct access-denied errors among them are kept.
func parseJSONLines(text string, first any, dec *json.Decoder, d *Denial) (bool, error) {
	vals := []any{first}
	for dec.More() && len(vals) <= maxErrors*10 {
		var v any
		if err := dec.Decode(&v); err != nil {
			return false, jsonError(text, err)
		}
		vals = append(vals, v)
	}
	var found []*Denial
	for _, v := range vals {
		p := &Denial{}
		if ok, err := parseJSONValue(v, p, 0); err == nil && ok {
			found = append(found, p)
		}
	}
	found = distinct(found)
	if len(found) == 0 {
		d.Format = "json-lines"
		d.Note = fmt.Sprintf("read %d JSON values, none is an access-denied error", len(vals))
		return false, nil
	}
	*d = *found[0]
	d.Others = found[1:]
	return true, nil
}

// parseJSONValue reads one decoded JSON value.
func parseJSONValue(v any, d *Denial, depth int) (bool, error) {
	switch t := v.(type) {
	case []any:
		return parseCloudTrailList(t, "array", d), nil
	case map[string]any:
		if recs, ok := t["Records"].([]any); ok {
			return parseCloudTrailList(recs, "Records", d), nil
		}
		if evs, ok := t["Events"].([]any); ok {
			// `aws cloudtrail lookup-events` output: each event holds
			// its record as the JSON string CloudTrailEvent
			// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_Event.html).
			return parseCloudTrailList(lookupEventRecords(evs), "Events", d), nil
		}
		if det, ok := t["detail"].(map[string]any); ok && isCloudTrailRecord(det) {
			// An EventBridge event carrying a CloudTrail record.
			return parseCloudTrail(det, d), nil
		}
		if s, ok := t["DecodedMessage"].(string); ok {
			return parseDecodedString(s, d)
		}
		if isDecodedMessage(t) {
			d.Format = "decoded-authorization"
			return parseDecoded(t, d), nil
		}
		if isCloudTrailRecord(t) {
			return parseCloudTrail(t, d), nil
		}
		if parseErrorBody(t, d) {
			return true, nil
		}
		return parseAnyField(t, d, depth)
	case string:
		if depth < maxJSONDepth {
			return parseStringValue(t, d, depth+1)
		}
	}
	d.Format = "json"
	return false, nil
}

// lookupEventRecords decodes the CloudTrailEvent strings of lookup-events
// output; an event without one is kept as it is (and skipped later, as it
// is no record).
func lookupEventRecords(evs []any) []any {
	out := make([]any, 0, len(evs))
	for _, e := range evs {
		m, ok := e.(map[string]any)
		if !ok {
			out = append(out, e)
			continue
		}
		if s, ok := m["CloudTrailEvent"].(string); ok {
			dec := json.NewDecoder(strings.NewReader(s))
			dec.UseNumber()
			var rec map[string]any
			if dec.Decode(&rec) == nil {
				out = append(out, rec)
				continue
			}
		}
		out = append(out, m)
	}
	return out
}

// parseStringValue reads a JSON string value as a paste of its own: JSON
// held in a string (an error body logged as a string) or text.
func parseStringValue(s string, d *Denial, depth int) (bool, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return false, nil
	}
	if t[0] == '{' || t[0] == '[' {
		dec := json.NewDecoder(strings.NewReader(t))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) == nil {
			return parseJSONValue(v, d, depth)
		}
	}
	p, ok := parseSegment(unwrapLines(t))
	*d = *p
	return ok, nil
}

// parseAnyField finds the access-denied message in a JSON object whose
// shape is not a known error body: a structured log record ({"level":
// "error", "err": "..."}), an application's error response. Fields are
// read in key order, those whose name says error or message first; each
// distinct error found is kept.
func parseAnyField(m map[string]any, d *Denial, depth int) (bool, error) {
	if depth >= maxJSONDepth {
		return false, nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.SliceStable(keys, func(i, j int) bool {
		pi, pj := fieldRank(keys[i]), fieldRank(keys[j])
		if pi != pj {
			return pi < pj
		}
		return keys[i] < keys[j]
	})
	var found []*Denial
	for _, k := range keys {
		p := &Denial{}
		var ok bool
		switch v := m[k].(type) {
		case string:
			ok, _ = parseStringValue(v, p, depth+1)
		case map[string]any:
			ok, _ = parseJSONValue(v, p, depth+1)
		case []any:
			for _, e := range v {
				q := &Denial{}
				if r, _ := parseJSONValue(e, q, depth+1); r {
					found = append(found, q)
				}
			}
		}
		if ok {
			found = append(found, p)
		}
		if len(found) > maxErrors {
			break
		}
	}
	found = distinct(found)
	if len(found) == 0 {
		return false, nil
	}
	format := "json-field"
	*d = *found[0]
	d.Format = format + "+" + d.Format
	d.Others = append(d.Others, found[1:]...)
	return true, nil
}

// fieldRank orders JSON field names: error and message fields first.
func fieldRank(k string) int {
	lk := strings.ToLower(k)
	switch {
	case strings.Contains(lk, "message") || lk == "msg":
		return 0
	case strings.Contains(lk, "err") || strings.Contains(lk, "exception") || strings.Contains(lk, "cause") || strings.Contains(lk, "reason"):
		return 1
	case strings.Contains(lk, "detail") || strings.Contains(lk, "body") || strings.Contains(lk, "log") || strings.Contains(lk, "output"):
		return 2
	}
	return 3
}

// jsonError turns a decoding error into one naming line and column.
func jsonError(text string, err error) error {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		// Offset counts the bytes read, the offending one included.
		off = se.Offset - 1
	case errors.As(err, &te):
		off = te.Offset
	case errors.Is(err, io.ErrUnexpectedEOF):
		off = int64(len(text))
	}
	if off < 0 {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	line, col := lineCol(text, int(off))
	return fmt.Errorf("%s: invalid JSON: %w", policy.At("", line, col), err)
}

// lineCol converts a byte offset into a 1-based line and column.
func lineCol(text string, off int) (int, int) {
	if off > len(text) {
		off = len(text)
	}
	before := text[:off]
	line := strings.Count(before, "\n") + 1
	col := off - strings.LastIndexByte(before, '\n')
	return line, col
}

// str returns m[key] when it is a string.
func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// firstStr returns the first string value among keys.
func firstStr(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if s := str(m, k); s != "" {
			return s
		}
	}
	return ""
}

// parseErrorBody reads a JSON error body: {"__type": CODE, "message": MSG}
// (JSON protocols), {"Error": {"Code", "Message"}} (boto's response
// dictionary), {"code", "message"} and Lambda's {"errorMessage", ...}.
func parseErrorBody(m map[string]any, d *Denial) bool {
	code := firstStr(m, "__type", "code", "Code", "errorCode", "ErrorCode")
	msg := firstStr(m, "message", "Message", "errorMessage", "ErrorMessage")
	for _, k := range []string{"Error", "error"} {
		if e, ok := m[k].(map[string]any); ok {
			if code == "" {
				code = firstStr(e, "Code", "code")
			}
			if msg == "" {
				msg = firstStr(e, "Message", "message")
			}
		}
	}
	d.Format = "json-body"
	// Lambda's errorType is the exception class: the code only when it is
	// an access-denied one (KMSAccessDeniedException), not boto's
	// ClientError around the real code.
	if et := str(m, "errorType"); code == "" && isAccessDeniedCode(normalizeCode(et)) {
		code = et
	}
	if code != "" {
		d.ErrorCode = strp(normalizeCode(code))
	}
	if msg == "" {
		return d.ErrorCode != nil && isAccessDeniedCode(*d.ErrorCode)
	}
	format := d.Format
	recognized := parseText(msg, d)
	if d.Format == "" || d.Format == format {
		d.Format = format
	} else {
		d.Format = format + "+" + d.Format
	}
	return recognized
}

// isCloudTrailRecord reports whether m looks like one CloudTrail record.
func isCloudTrailRecord(m map[string]any) bool {
	_, src := m["eventSource"]
	_, name := m["eventName"]
	_, who := m["userIdentity"]
	return (src && name) || (who && (src || name))
}

// parseCloudTrailList reads the first access-denied record of a list and
// notes how many records there were.
func parseCloudTrailList(recs []any, shape string, d *Denial) bool {
	n := 0
	for i, r := range recs {
		m, ok := r.(map[string]any)
		if !ok || !isCloudTrailRecord(m) {
			continue
		}
		n++
		code := normalizeCode(str(m, "errorCode"))
		if code == "" {
			continue
		}
		probe := &Denial{}
		if parseCloudTrail(m, probe) {
			*d = *probe
			d.Note = fmt.Sprintf("CloudTrail record %d of %d (%s): the first access-denied record", i+1, len(recs), shape)
			return true
		}
	}
	d.Format = "cloudtrail"
	d.Note = fmt.Sprintf("read %d CloudTrail records (%d entries in %s), none is an access-denied error", n, len(recs), shape)
	return false
}

// parseCloudTrail reads one CloudTrail record
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html):
// errorCode and errorMessage carry the denial; userIdentity, eventSource,
// eventName and resources fill what the message leaves out.
func parseCloudTrail(m map[string]any, d *Denial) bool {
	d.Format = "cloudtrail"
	if c := normalizeCode(str(m, "errorCode")); c != "" {
		d.ErrorCode = strp(c)
	}
	if op := str(m, "eventName"); op != "" {
		d.Operation = strp(op)
	}
	if p := eventSourcePrefix(str(m, "eventSource")); p != "" {
		d.Service = strp(p)
	}
	recognized := false
	if msg := str(m, "errorMessage"); msg != "" {
		recognized = parseMessage(unwrapLines(msg), d)
	}
	if d.ErrorCode == nil {
		// A record without errorCode is a call that succeeded.
		return false
	}
	if isAccessDeniedCode(*d.ErrorCode) {
		recognized = true
	}
	if ui, ok := m["userIdentity"].(map[string]any); ok && d.Principal == nil {
		arn := str(ui, "arn")
		switch str(ui, "type") {
		case "AWSAccount":
			if str(ui, "principalId") == "ANONYMOUS_PRINCIPAL" {
				d.Principal, d.PrincipalType = strp("anonymous"), PrincipalAnonymous
			}
		case "AWSService":
			if svc := str(ui, "invokedBy"); svc != "" {
				d.Principal, d.PrincipalType = strp(svc), PrincipalService
			}
		}
		if d.Principal == nil && validPrincipalARN(arn) {
			d.Principal = strp(arn)
			d.PrincipalType = principalTypeOf(arn)
			d.Account = accountOf(arn)
		}
		if d.Account == nil && d.Principal != nil && d.PrincipalType != PrincipalAnonymous {
			if a := str(ui, "accountId"); isAccountID(a) {
				d.Account = strp(a)
			}
		}
	}
	if d.Resource == nil {
		if rs, ok := m["resources"].([]any); ok && len(rs) == 1 {
			if r, ok := rs[0].(map[string]any); ok {
				if arn := firstStr(r, "ARN", "arn"); arn != "" {
					d.Resource = strp(arn)
				}
			}
		}
	}
	return recognized
}

// parseXML reads an XML error body: S3's <Error><Code/><Message/></Error>,
// the query protocol's <ErrorResponse><Error>...</Error></ErrorResponse>
// and EC2's <Response><Errors><Error>...</Error></Errors></Response>. ok is
// false when the input has no Code or Message element.
func parseXML(text string, d *Denial) (recognized, ok bool) {
	dec := xml.NewDecoder(strings.NewReader(text))
	dec.Strict = false
	var code, msg, cur string
	var buf bytes.Buffer
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			cur = t.Name.Local
			buf.Reset()
		case xml.CharData:
			buf.Write(t)
		case xml.EndElement:
			switch {
			case t.Name.Local == "Code" && cur == "Code" && code == "":
				code = strings.TrimSpace(buf.String())
			case t.Name.Local == "Message" && cur == "Message" && msg == "":
				msg = strings.TrimSpace(buf.String())
			}
			cur = ""
		}
	}
	if code == "" && msg == "" {
		return false, false
	}
	d.Format = "xml-body"
	if code != "" {
		d.ErrorCode = strp(normalizeCode(code))
	}
	recognized = parseMessage(unwrapLines(msg), d)
	if d.ErrorCode != nil && isAccessDeniedCode(*d.ErrorCode) {
		recognized = true
	}
	return recognized, true
}

// isDecodedMessage reports whether m is the JSON inside a decoded
// authorization message: {"allowed": ..., "explicitDeny": ..., "context": {...}}.
func isDecodedMessage(m map[string]any) bool {
	_, a := m["allowed"]
	_, c := m["context"]
	return a && c
}

// parseDecodedString reads the DecodedMessage string of
// `aws sts decode-authorization-message` output.
func parseDecodedString(s string, d *Denial) (bool, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var inner map[string]any
	if err := dec.Decode(&inner); err != nil {
		return false, fmt.Errorf("DecodedMessage: %w", jsonError(s, err))
	}
	d.Format = "decoded-authorization"
	return parseDecoded(inner, d), nil
}

// boolish reads a JSON boolean that STS may also print as a string ("false"
// in the API reference example).
func boolish(v any) (bool, bool) {
	switch t := v.(type) {
	case bool:
		return t, true
	case string:
		b, err := strconv.ParseBool(t)
		return b, err == nil
	}
	return false, false
}

// items unwraps STS's {"items": [...]} lists; a plain array is accepted too.
func items(v any) []any {
	switch t := v.(type) {
	case []any:
		return t
	case map[string]any:
		if l, ok := t["items"].([]any); ok {
			return l
		}
	}
	return nil
}

// parseDecoded reads a decoded authorization message
// (https://docs.aws.amazon.com/STS/latest/APIReference/API_DecodeAuthorizationMessage.html):
// allowed, explicitDeny, matchedStatements and the request context with
// principal, action, resource and condition values.
func parseDecoded(m map[string]any, d *Denial) bool {
	dm := &DecodedMessage{}
	allowed, okA := boolish(m["allowed"])
	explicit, okE := boolish(m["explicitDeny"])
	dm.Allowed, dm.ExplicitDeny = allowed, explicit
	dm.MatchedStatements = len(items(m["matchedStatements"]))
	d.Decoded = dm
	applyDecoded(m, d)
	if okA && allowed {
		d.Note = "the decoded message says the request was allowed"
		return false
	}
	switch {
	case okE && explicit:
		d.Deny = DenyExplicit
	case okE && okA:
		d.Deny = DenyImplicit
	}
	return okA
}

// applyDecoded fills principal, action, resource and conditions from the
// context of a decoded message, where the message itself left them empty.
func applyDecoded(m map[string]any, d *Denial) {
	ctx, _ := m["context"].(map[string]any)
	if ctx == nil {
		return
	}
	if p, ok := ctx["principal"].(map[string]any); ok && d.Principal == nil {
		if arn := str(p, "arn"); validPrincipalARN(arn) {
			d.Principal = strp(arn)
			d.PrincipalType = principalTypeOf(arn)
			d.Account = accountOf(arn)
		}
	}
	if act := str(ctx, "action"); d.Action == nil && isActionToken(act) {
		d.Action = strp(act)
	}
	if res := str(ctx, "resource"); d.Resource == nil && res != "" {
		d.Resource = strp(res)
	}
	for _, it := range items(ctx["conditions"]) {
		e, ok := it.(map[string]any)
		if !ok {
			continue
		}
		// Entries are {"key": K, "values": {"items": [{"value": V}]}}, or
		// {"item": {"key": K, "values": [V]}} in the API reference.
		if inner, ok := e["item"].(map[string]any); ok {
			e = inner
		}
		key := str(e, "key")
		if key == "" {
			continue
		}
		cv := ContextValue{Key: key}
		for _, v := range items(e["values"]) {
			switch t := v.(type) {
			case string:
				cv.Values = append(cv.Values, t)
			case map[string]any:
				if s := str(t, "value"); s != "" {
					cv.Values = append(cv.Values, s)
				}
			}
		}
		d.Decoded.Conditions = append(d.Decoded.Conditions, cv)
	}
}

// MergeDecoded adds what a decoded authorization message (the DecodedMessage
// string STS returns) says to d: principal, action, resource and
// conditions where d has none, and the deny kind. Use it after calling
// STS DecodeAuthorizationMessage for d.EncodedMessage.
func MergeDecoded(d *Denial, decoded string, opts Options) error {
	dec := json.NewDecoder(strings.NewReader(decoded))
	dec.UseNumber()
	var inner map[string]any
	if err := dec.Decode(&inner); err != nil {
		return fmt.Errorf("DecodedMessage: %w", jsonError(decoded, err))
	}
	if !isDecodedMessage(inner) {
		return errors.New("DecodedMessage: not a decoded authorization message (no \"allowed\" and \"context\")")
	}
	tmp := &Denial{Principal: d.Principal, Action: d.Action, Resource: d.Resource, PrincipalType: d.PrincipalType, Account: d.Account}
	parseDecoded(inner, tmp)
	d.Principal, d.PrincipalType, d.Account = tmp.Principal, tmp.PrincipalType, tmp.Account
	d.Action, d.Resource = tmp.Action, tmp.Resource
	d.Decoded = tmp.Decoded
	if d.Deny == DenyUnknown || d.Deny == "" {
		if tmp.Deny != "" {
			d.Deny = tmp.Deny
		}
	}
	finish(d, d.Recognized, opts)
	return nil
}
