package trail

import (
	"bytes"
	"errors"
	"fmt"
	"hash/maphash"
	"strings"
	"time"
)

// recordDecoder picks the fields iamwhy needs out of one record's JSON
// object. One decoder belongs to one goroutine.
type recordDecoder struct {
	scan     scanner
	intern   internCache
	embedded []byte // unescaped CloudTrailEvent text
	// err is the record's first field of an unexpected JSON type: the
	// field is left empty and the record still delivered, as Athena's
	// table shows such a value as NULL.
	err error
	// rawOnly decodes only the members that identify a record and its
	// shape (Options.RawOnly).
	rawOnly bool
	// members, when set, are the only members decoded besides the
	// identifying ones (Options.Members).
	members *memberSet
	// spans, when set, are the offsets of the members of the next record
	// decoded (scanner.members), found by the scan that validated it.
	spans []int
}

func (d *recordDecoder) setErr(err error) {
	if d.err == nil {
		d.err = err
	}
}

func newRecordDecoder() *recordDecoder {
	return &recordDecoder{intern: internCache{seed: maphash.MakeSeed()}}
}

// internCache shares the strings of low-cardinality fields (event source
// and name, region, account, principal), which repeat in nearly every
// record, so they are allocated once. It is direct-mapped: a value takes
// the slot its hash names, replacing what was there, so the cache keeps
// the values seen lately in fixed memory, and a field that differs in
// every record (a session name) costs one hash and one allocation, not a
// search of a large table that no longer takes new values.
type internCache struct {
	seed  maphash.Seed
	slots [internSlots]string
}

// internSlots is the cache's size: 64 KB of string headers per decoder.
const internSlots = 1 << 12

func (c *internCache) get(b []byte) string {
	i := maphash.Bytes(c.seed, b) & (internSlots - 1)
	if s := c.slots[i]; s == string(b) {
		return s
	}
	s := string(b)
	c.slots[i] = s
	return s
}

// errNotRecord marks a JSON value that is not a CloudTrail record.
var errNotRecord = errors.New("not a CloudTrail record")

// fieldError is a record field with an unexpected JSON type.
type fieldError struct {
	field string
	got   string
}

func (e *fieldError) Error() string {
	return fmt.Sprintf("field %s: expected a string, got %s", e.field, e.got)
}

// decode fills r from raw, a complete JSON value (validated by
// scanner.skipValue). It recognises, besides a plain record, an element
// of `aws cloudtrail lookup-events` output (the record is the
// CloudTrailEvent string) and an EventBridge event whose detail-type says
// it came via CloudTrail (the record is its detail).
func (d *recordDecoder) decode(raw []byte, r *Record) error {
	return d.decodeDepth(raw, r, 0)
}

func (d *recordDecoder) decodeDepth(raw []byte, r *Record, depth int) error {
	spans := d.spans
	d.spans = nil
	if n := len(raw); depth > 0 || len(spans)%4 != 0 || n == 0 || raw[0] != '{' || raw[n-1] != '}' {
		spans = nil
	}
	raw = bytes.TrimSpace(raw)
	path, index := r.Path, r.Index
	r.reset()
	r.Path, r.Index = path, index
	if len(raw) == 0 {
		return fmt.Errorf("%w: empty value", errNotRecord)
	}
	if raw[0] != '{' {
		return fmt.Errorf("%w: a JSON %s, not an object", errNotRecord, kindOf(raw[0]))
	}
	r.Raw = raw
	d.err = nil
	var (
		detailType string
		detail     []byte
		hasDetailT bool
	)
	it := objIter{b: raw, i: 1, spans: spans}
	for {
		k, v, ok := it.next()
		if !ok {
			break
		}
		m := topMemberOf(k[1 : len(k)-1])
		if d.rawOnly && !identifyingMembers.has(m) {
			continue
		}
		if d.members != nil && !identifyingMembers.has(m) && !d.members.wants(m, k) {
			r.partial = true
			continue
		}
		if d.members != nil && d.members.identity != nil && m == memUserIdentity {
			r.partial = true
		}
		switch m {
		case memEventVersion:
			r.EventVersion = d.str(v, "eventVersion", true)
		case memEventID:
			r.EventID = d.str(v, "eventID", false)
		case memEventTime:
			r.EventTime = d.str(v, "eventTime", false)
		case memEventSource:
			r.EventSource = d.str(v, "eventSource", true)
		case memEventName:
			r.EventName = d.str(v, "eventName", true)
		case memAWSRegion:
			r.AWSRegion = d.str(v, "awsRegion", true)
		case memSourceIPAddress:
			r.SourceIPAddress = d.str(v, "sourceIPAddress", true)
		case memUserAgent:
			r.UserAgent = d.str(v, "userAgent", true)
		case memErrorCode:
			r.ErrorCode = d.str(v, "errorCode", true)
		case memErrorMessage:
			r.ErrorMessage = d.str(v, "errorMessage", false)
		case memRequestID:
			r.RequestID = d.str(v, "requestID", false)
		case memEventType:
			r.EventType = d.str(v, "eventType", true)
		case memEventCategory:
			r.EventCategory = d.str(v, "eventCategory", true)
		case memRecipientAccountID:
			r.RecipientAccountID = d.str(v, "recipientAccountId", true)
		case memSharedEventID:
			r.SharedEventID = d.str(v, "sharedEventID", false)
		case memVPCEndpointID:
			r.VPCEndpointID = d.str(v, "vpcEndpointId", true)
		case memVPCEndpointAccountID:
			r.VPCEndpointAccount = d.str(v, "vpcEndpointAccountId", true)
		case memReadOnly:
			r.ReadOnly = d.str(v, "readOnly", true)
		case memManagementEvent:
			r.ManagementEvent = d.str(v, "managementEvent", true)
		case memSessionCredentialFromConsole:
			r.SessionCredentialFromConsole = d.str(v, "sessionCredentialFromConsole", true)
		case memUserIdentity:
			d.userIdentity(v, &r.UserIdentity)
		case memResources:
			d.resources(v, r)
		case memTLSDetails:
			d.tlsDetails(v, r)
		case memRequestParameters:
			r.RequestParameters = v
		case memResponseElements:
			r.ResponseElements = v
		case memAdditionalEventData:
			r.AdditionalEventData = v
		case memCloudTrailEvent:
			// lookup-events output: the record is this embedded JSON text.
			// https://docs.aws.amazon.com/cli/latest/reference/cloudtrail/lookup-events.html
			if v[0] == '"' && depth == 0 {
				return d.decodeEmbedded(v, r)
			}
		case memDetailType:
			hasDetailT = true
			detailType = d.str(v, "detail-type", true)
		case memDetail:
			detail = v
		}
	}
	if hasDetailT && detail != nil && depth == 0 {
		// EventBridge delivers CloudTrail events with detail-type "AWS API
		// Call via CloudTrail" (and "AWS Console Sign In via CloudTrail",
		// "AWS Service Event via CloudTrail", ...); detail is the record.
		// https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-cloudtrail.html
		if !strings.Contains(detailType, "CloudTrail") {
			return fmt.Errorf("%w: EventBridge event of detail-type %q", errNotRecord, detailType)
		}
		return d.decodeDepth(detail, r, depth+1)
	}
	if r.EventTime == "" && r.EventName == "" && r.EventSource == "" && r.EventID == "" {
		return fmt.Errorf("%w: no eventTime, eventSource, eventName or eventID", errNotRecord)
	}
	r.Time = parseEventTime(r.EventTime)
	return nil
}

// decodeEmbedded decodes a record held as a JSON string (lookup-events'
// CloudTrailEvent).
func (d *recordDecoder) decodeEmbedded(v []byte, r *Record) error {
	d.embedded = appendUnquoted(d.embedded[:0], v)
	end, err := d.scan.skipValue(d.embedded, 0, true)
	if err != nil {
		var se *syntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("CloudTrailEvent string, offset %d: %s", se.off+1, se.msg)
		}
		return fmt.Errorf("CloudTrailEvent string: %w", err)
	}
	if rest := skipWS(d.embedded, end); rest != len(d.embedded) {
		return fmt.Errorf("CloudTrailEvent string, offset %d: invalid %s after top-level value", rest+1, describe(d.embedded[rest]))
	}
	return d.decodeDepth(d.embedded[:end], r, 1)
}

// JSONKind names the kind of JSON value that starts with byte c, for
// messages about a value of the wrong type.
func JSONKind(c byte) string { return kindOf(c) }

func kindOf(c byte) string {
	switch c {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// str decodes a scalar as text: strings unquoted, null as "", booleans
// and numbers as written. Objects and arrays are a field error.
func (d *recordDecoder) str(v []byte, field string, intern bool) string {
	switch v[0] {
	case '"':
		inner := v[1 : len(v)-1]
		if bytes.IndexByte(inner, '\\') >= 0 {
			return string(appendUnquoted(nil, v))
		}
		if intern {
			return d.interned(inner)
		}
		return string(inner)
	case 'n':
		return ""
	case '{', '[':
		d.setErr(&fieldError{field: field, got: kindOf(v[0])})
		return ""
	}
	return d.interned(v)
}

func (d *recordDecoder) interned(b []byte) string { return d.intern.get(b) }

// identityPaths are the userIdentity fields a projected decode can ask
// for one by one, lower-cased, in the order userIdentity's ids use.
var identityPaths = [...]string{
	"useridentity.type", "useridentity.principalid", "useridentity.arn", "useridentity.accountid",
	"useridentity.accesskeyid", "useridentity.username", "useridentity.invokedby", "useridentity.identityprovider",
	"useridentity.credentialid", "useridentity.sessioncontext.sourceidentity", "useridentity.sessioncontext.ec2roledelivery",
	"useridentity.sessioncontext.attributes.mfaauthenticated", "useridentity.sessioncontext.attributes.creationdate",
	"useridentity.sessioncontext.sessionissuer.type", "useridentity.sessioncontext.sessionissuer.principalid",
	"useridentity.sessioncontext.sessionissuer.arn", "useridentity.sessioncontext.sessionissuer.accountid",
	"useridentity.sessioncontext.sessionissuer.username",
}

// lowerKey returns the key (a raw JSON string with quotes) lower-cased in
// dst, since Athena's JSON SerDe matches keys case-insensitively. Long or
// escaped keys are returned as is: no field iamwhy reads has one.
func lowerKey(dst, k []byte) []byte {
	k = k[1 : len(k)-1]
	if len(k) > cap(dst) {
		return k
	}
	for _, c := range k {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// objIter walks the members of an already validated JSON object; i starts
// just after the opening brace.
type objIter struct {
	b []byte
	i int
	// spans, when not nil, are the members' offsets (recordDecoder.spans):
	// next takes them instead of scanning.
	spans []int
}

func (it *objIter) next() (key, val []byte, ok bool) {
	if it.spans != nil {
		if len(it.spans) < 4 {
			return nil, nil, false
		}
		sp := it.spans[:4]
		it.spans = it.spans[4:]
		return it.b[sp[0]:sp[1]], it.b[sp[2]:sp[3]], true
	}
	b := it.b
	i := skipWS(b, it.i)
	if i < len(b) && b[i] == ',' {
		i = skipWS(b, i+1)
	}
	if i >= len(b) || b[i] != '"' {
		it.i = len(b)
		return nil, nil, false
	}
	ke := skipValid(b, i)
	key = b[i:ke]
	i = skipWS(b, ke)
	if i >= len(b) || b[i] != ':' {
		it.i = len(b)
		return nil, nil, false
	}
	i = skipWS(b, i+1)
	if i >= len(b) {
		it.i = len(b)
		return nil, nil, false
	}
	ve := skipValid(b, i)
	if ve <= i {
		it.i = len(b)
		return nil, nil, false
	}
	it.i = ve
	return key, b[i:ve], true
}

// arrIter walks the elements of an already validated JSON array.
type arrIter struct {
	b []byte
	i int
}

func (it *arrIter) next() ([]byte, bool) {
	b := it.b
	i := skipWS(b, it.i)
	if i < len(b) && b[i] == ',' {
		i = skipWS(b, i+1)
	}
	if i >= len(b) || b[i] == ']' {
		it.i = len(b)
		return nil, false
	}
	e := skipValid(b, i)
	if e <= i {
		it.i = len(b)
		return nil, false
	}
	it.i = e
	return b[i:e], true
}

// skipValid returns the end of the value at b[i], assuming it is valid
// JSON (the stream scanner has checked it). On malformed input it returns
// a position within b and never panics.
func skipValid(b []byte, i int) int {
	if i >= len(b) {
		return len(b)
	}
	switch b[i] {
	case '"':
		j, err := skipString(b, i)
		if err != nil {
			return len(b)
		}
		return j
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch c := b[i]; c {
			case '"':
				j, err := skipString(b, i)
				if err != nil {
					return len(b)
				}
				i = j
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return len(b)
	}
	// Scalar: runs to the next delimiter.
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\n', '\r', '\t':
			return i
		}
		i++
	}
	return i
}

// parseEventTime parses CloudTrail's eventTime, which is always written
// as yyyy-MM-ddTHH:mm:ssZ in UTC; other RFC 3339 forms are accepted
// through time.Parse. An unparseable time gives the zero time.
func parseEventTime(s string) time.Time {
	if len(s) == 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' && s[16] == ':' && s[19] == 'Z' {
		n := func(a, b int) (int, bool) {
			v := 0
			for k := a; k < b; k++ {
				c := s[k]
				if c < '0' || c > '9' {
					return 0, false
				}
				v = v*10 + int(c-'0')
			}
			return v, true
		}
		y, ok1 := n(0, 4)
		mo, ok2 := n(5, 7)
		dd, ok3 := n(8, 10)
		h, ok4 := n(11, 13)
		mi, ok5 := n(14, 16)
		se, ok6 := n(17, 19)
		if ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && mo >= 1 && mo <= 12 && dd >= 1 && dd <= 31 && h < 24 && mi < 60 && se < 61 {
			t := time.Date(y, time.Month(mo), dd, h, mi, se, 0, time.UTC)
			if t.Day() == dd {
				return t
			}
			return time.Time{}
		}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
