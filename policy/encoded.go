package policy

import (
	"bytes"
	"fmt"
	"net/url"
)

// ParseJSONOrString parses a policy document that may arrive wrapped the way
// AWS tools hand it out:
//
//   - as a JSON string whose text is the document ("{\"Version\": ...}"),
//     as saved from an API field that holds the policy as a string;
//   - as the output of `aws s3api get-bucket-policy`, an object with the
//     single member "Policy" holding that string;
//   - URL-encoded ("%7B%22Version%22..."), as IAM returns policy documents
//     ("The policy document returned in this structure is URL-encoded
//     compliant with RFC 3986",
//     https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRolePolicy.html);
//     the AWS CLI decodes them but other SDKs do not.
//
// A plain document is parsed as by Parse. For a wrapped one, the positions in
// errors and in the model refer to the decoded text, which is the document a
// user sees after unwrapping; errors in the wrapping itself refer to the
// input.
func ParseJSONOrString(data []byte, opts Options) (*Policy, error) {
	for range 3 { // a string may hold an encoded document; bound the unwrapping
		inner, wrapped, err := unwrap(data, opts.Source)
		if err != nil {
			return nil, err
		}
		if !wrapped {
			break
		}
		data = inner
	}
	return Parse(data, opts)
}

// unwrap removes one layer of wrapping, reporting whether there was one.
func unwrap(data []byte, source string) ([]byte, bool, error) {
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")), " \t\r\n")
	if len(trimmed) == 0 {
		return data, false, nil
	}
	switch trimmed[0] {
	case '"':
		n, serr := parseJSON(data)
		if serr != nil {
			return nil, false, ErrorList{{Source: source, Pos: serr.pos, Msg: "invalid JSON: " + serr.msg}}
		}
		return []byte(n.text), true, nil
	case '%':
		s, err := url.PathUnescape(string(trimmed))
		if err != nil {
			return nil, false, ErrorList{{Source: source, Msg: fmt.Sprintf("the document looks URL-encoded but does not decode: %v", err)}}
		}
		return []byte(s), true, nil
	case '{':
		// {"Policy": "<document>"} from aws s3api get-bucket-policy.
		n, serr := parseJSON(data)
		if serr != nil || n.kind != jsonObject || len(n.members) != 1 {
			return data, false, nil
		}
		if m := n.members[0]; m.key == "Policy" && m.val.kind == jsonString {
			return []byte(m.val.text), true, nil
		}
	}
	return data, false, nil
}
