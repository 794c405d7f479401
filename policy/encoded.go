package policy

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
)

// Encoding says how a policy document was written in what was read.
type Encoding uint8

const (
	// EncodingObject: a JSON object, the document itself or a member of
	// an AWS CLI output. Positions inside it are positions of the file.
	EncodingObject Encoding = iota
	// EncodingString: a JSON string holding the document text, as the
	// Policy field of get-bucket-policy, get-key-policy or lambda
	// get-policy returns it.
	EncodingString
	// EncodingURL: URL-encoded text (RFC 3986), as the IAM API returns
	// documents ("The policy document returned in this structure is
	// URL-encoded compliant with RFC 3986",
	// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRolePolicy.html);
	// the AWS CLI decodes them, other SDKs do not.
	EncodingURL
)

var encodingNames = [...]string{"object", "string", "url"}

func (e Encoding) String() string {
	if int(e) < len(encodingNames) {
		return encodingNames[e]
	}
	return fmt.Sprintf("Encoding(%d)", int(e))
}

// Wrapped is a policy document as found in what was read: the document
// itself, or a document held by the output of an AWS API or CLI call.
type Wrapped struct {
	// Text is the document's JSON text.
	Text []byte
	// Encoding says how Text was written in the input.
	Encoding Encoding
	// Start is where the document (EncodingObject) or the string holding
	// it starts in the input.
	Start Pos
	// Member is the path of the member of the output that held the
	// document ("PolicyVersion.Document"), "" when the input was the
	// document itself.
	Member string
}

// Options are the options to parse w.Text with as a policy of type typ:
// positions of an object are those of the input file; for a decoded text
// Source names the string's position and encoding, the positions count in
// the decoded text (no line of the file holds that text).
func (w Wrapped) Options(typ Type) Options {
	if w.Encoding == EncodingObject {
		return Options{Type: typ, Source: w.Start.File, Start: w.Start}
	}
	return Options{Type: typ, Source: DecodedSource(w.Start, w.Encoding)}
}

// DecodedSource names a document decoded from the string at p, for errors:
// "auth.json:12:7 (document in a JSON string)",
// "get-role-policy.json:3:21 (URL-encoded document)".
func DecodedSource(p Pos, e Encoding) string {
	switch e {
	case EncodingString:
		return p.String() + " (document in a JSON string)"
	case EncodingURL:
		return p.String() + " (URL-encoded document)"
	}
	return p.File
}

// wrapperMembers are the members of AWS outputs that hold a policy document,
// tried in order on an object that is not itself a document (it has neither
// Version nor Statement).
var wrapperMembers = [][]string{
	{"PolicyVersion", "Document"},        // iam get-policy-version
	{"PolicyDocument"},                   // iam get-role-policy, get-user-policy, get-group-policy
	{"Role", "AssumeRolePolicyDocument"}, // iam get-role (the trust policy)
	{"Policy", "Content"},                // organizations describe-policy (SCPs, RCPs)
	{"Policy"},                           // s3api get-bucket-policy, kms get-key-policy, lambda get-policy
	{"Attributes", "Policy"},             // sqs get-queue-attributes, sns get-topic-attributes
	{"policyText"},                       // ecr get-repository-policy
	{"ResourcePolicy"},                   // secretsmanager get-resource-policy
}

// Unwrap finds the policy document in data, the contents of file: the data
// itself when it is a document; the document held by an AWS output
// (wrapperMembers: {"PolicyVersion": {"Document": ...}}, {"Policy": "..."},
// ...); the text of a JSON string holding a document; URL-encoded text
// decoded. Anything else is returned as it is, for Parse to report. The
// error is for a wrapping that does not decode (a bad percent escape, a
// malformed JSON string).
func Unwrap(data []byte, file string) (Wrapped, error) {
	w := Wrapped{Text: data, Start: Pos{File: file, Line: 1, Col: 1, Offset: 0}}
	decoded := false
	for range 3 { // a string may hold an encoded document; bound the unwrapping
		i := skipLeading(w.Text)
		if i == len(w.Text) {
			return w, nil
		}
		switch w.Text[i] {
		case '"':
			n, serr := parseJSON(w.Text)
			if serr != nil {
				return w, ErrorList{{Source: sourceOf(w, decoded), Pos: serr.pos.In(sourceOf(w, decoded)), Msg: "invalid JSON: " + serr.msg}}
			}
			if !decoded {
				w.Start = n.pos.In(file)
			}
			w.Text, w.Encoding, decoded = []byte(n.text), EncodingString, true
			continue
		case '%':
			s, err := url.PathUnescape(string(bytes.TrimSpace(w.Text[i:])))
			if err != nil {
				return w, ErrorList{{Source: sourceOf(w, decoded), Msg: fmt.Sprintf("the document looks URL-encoded but does not decode: %v", err)}}
			}
			if !decoded {
				w.Start = lineColOf(w.Text, i, file)
			}
			w.Text, w.Encoding, decoded = []byte(s), EncodingURL, true
			continue
		case '{':
			if decoded {
				return w, nil
			}
			n, serr := parseJSON(w.Text)
			if serr != nil || n.kind != jsonObject || n.member("Version") != nil || n.member("Statement") != nil {
				w.Start = lineColOf(w.Text, i, file)
				return w, nil
			}
			v, path := wrapped(n)
			if v == nil {
				w.Start = lineColOf(w.Text, i, file)
				return w, nil
			}
			w.Member, w.Start = path, v.pos.In(file)
			if v.kind == jsonObject {
				w.Text = w.Text[v.pos.Offset:v.end]
				return w, nil
			}
			// A string member: its text is the document, possibly
			// URL-encoded (the IAM API's own responses).
			w.Text, w.Encoding, decoded = []byte(v.text), EncodingString, true
			if t := strings.TrimSpace(v.text); strings.HasPrefix(t, "%") || (strings.Contains(t, "%") && !strings.Contains(t, "{")) {
				s, err := url.PathUnescape(t)
				if err != nil {
					return w, ErrorList{{Source: sourceOf(w, true), Msg: fmt.Sprintf("the document looks URL-encoded but does not decode: %v", err)}}
				}
				w.Text, w.Encoding = []byte(s), EncodingURL
			}
			return w, nil
		}
		return w, nil
	}
	return w, nil
}

// DecodeString is the document text held by a JSON string value s (already
// unquoted): URL-encoded text is decoded (it starts with '%' once leading
// space is trimmed, or holds a '%' and no '{'), anything else is the JSON
// text itself. PathUnescape, not QueryUnescape: '+' is a literal plus in
// IAM's encoding, a space is written %20.
func DecodeString(s string) ([]byte, Encoding, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil, EncodingString, fmt.Errorf("empty policy document")
	}
	if strings.HasPrefix(t, "{") {
		return []byte(s), EncodingString, nil
	}
	if strings.HasPrefix(t, "%") || (strings.Contains(t, "%") && !strings.Contains(t, "{")) {
		dec, err := url.PathUnescape(t)
		if err != nil {
			return nil, EncodingURL, fmt.Errorf("URL-encoded policy document: %v", err)
		}
		return []byte(dec), EncodingURL, nil
	}
	return []byte(s), EncodingString, nil
}

// sourceOf is the Source for errors about w's text.
func sourceOf(w Wrapped, decoded bool) string {
	if !decoded {
		return w.Start.File
	}
	return DecodedSource(w.Start, w.Encoding)
}

// wrapped returns the member of an AWS output that holds the document, and
// its path.
func wrapped(n *jsonNode) (*jsonNode, string) {
	for _, path := range wrapperMembers {
		v := n
		for _, k := range path {
			if v.kind != jsonObject {
				v = nil
				break
			}
			if v = v.member(k); v == nil {
				break
			}
		}
		if v != nil && (v.kind == jsonObject || v.kind == jsonString) {
			return v, strings.Join(path, ".")
		}
	}
	return nil, ""
}

// member is the value of the object's member named key (the last one when
// it is given twice, as AWS reads it), nil when there is none.
func (n *jsonNode) member(key string) *jsonNode {
	var v *jsonNode
	for i := range n.members {
		if n.members[i].key == key {
			v = n.members[i].val
		}
	}
	return v
}

// skipLeading is the offset of the first byte after a UTF-8 byte order mark
// and white space.
func skipLeading(data []byte) int {
	i := 0
	if bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
		i = 3
	}
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n') {
		i++
	}
	return i
}

// lineColOf is the position of byte offset off in data.
func lineColOf(data []byte, off int, file string) Pos {
	line, start := 1, 0
	for i := 0; i < off; i++ {
		if data[i] == '\n' {
			line++
			start = i + 1
		}
	}
	return Pos{File: file, Line: line, Col: off - start + 1, Offset: off}
}

// ParseJSONOrString parses a policy document that may arrive wrapped the way
// AWS tools hand it out (Unwrap): the document itself, an AWS CLI or API
// output holding it ({"PolicyVersion": {"Document": ...}} from
// get-policy-version, {"Policy": "..."} from get-bucket-policy, ...), a JSON
// string holding its text, or URL-encoded text.
//
// For a document held as an object, positions in errors and in the model
// are those of the input; for a decoded one, opts.Source is replaced by
// the position and encoding of the string that held it
// ("x.json:3:13 (document in a JSON string)") and positions count in the
// decoded text, the document a user sees after unwrapping.
func ParseJSONOrString(data []byte, opts Options) (*Policy, error) {
	w, err := Unwrap(data, opts.Source)
	if err != nil {
		return nil, err
	}
	if w.Encoding == EncodingObject && w.Member == "" {
		return Parse(data, opts)
	}
	o := w.Options(opts.Type)
	if opts.Start.IsValid() && w.Encoding == EncodingObject {
		o.Start = opts.Start.Inside(w.Start)
	}
	return Parse(w.Text, o)
}
