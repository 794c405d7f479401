package snapshot

import (
	"bytes"
	"fmt"

	"github.com/iamwhy/iamwhy/policy"
)

// Encoding says how a policy document was written where it was read.
type Encoding uint8

const (
	// EncodingObject: a JSON object inside the file, as the AWS CLI prints
	// it. Document.JSON holds the exact bytes of the file, so a line:column
	// inside the document maps to a line:column of the file.
	EncodingObject Encoding = iota
	// EncodingString: a JSON string holding the document text, as the
	// Policy field of get-bucket-policy, get-key-policy or lambda
	// get-policy returns it.
	EncodingString
	// EncodingURL: a URL-encoded string (RFC 3986), as the IAM API itself
	// returns documents (the AWS CLI decodes them, other SDKs do not).
	EncodingURL
	// EncodingYAML: a YAML mapping converted to JSON (organisation files
	// and records written in YAML); Document.Lines places each element of
	// that JSON in the YAML file.
	EncodingYAML
	// EncodingCatalog: an AWS managed policy taken from the embedded
	// catalog because the file attached it without including it.
	EncodingCatalog
)

var encodingNames = [...]string{"object", "string", "url", "yaml", "catalog"}

func (e Encoding) String() string {
	if int(e) < len(encodingNames) {
		return encodingNames[e]
	}
	return fmt.Sprintf("Encoding(%d)", int(e))
}

// Document is one policy document as read: its JSON text, where it came from
// and what it is. It is parsed by package policy on first use (Policy).
type Document struct {
	// JSON is the document text. For EncodingObject these are the bytes of
	// the file, whitespace included.
	JSON []byte
	// Source is the file the document was read from; for catalog
	// documents the policy ARN.
	Source string
	// Line and Col (1-based; Col counts bytes) are where the document, or
	// the string holding it, starts in Source. Zero when unknown.
	Line, Col int
	// Encoding says how the document was written in Source.
	Encoding Encoding
	// Lines, for EncodingYAML, maps each line of JSON to the position in
	// Source of the YAML written there (policy.FromYAML), so that parse
	// errors and the positions of the parsed policy are those of the YAML
	// file. Nil for other encodings.
	Lines policy.SourceMap
	// Name says what the document is, for people: "inline policy s3-read
	// of role app", "SCP p-region", "bucket policy of arn:aws:s3:::cfg".
	Name string
	// ID names the document as results do (spec/explain.md): a managed
	// policy's or SCP's ARN or id, OWNER_ARN#name for an inline policy, the
	// resource's ARN for a resource-based or trust policy. Set when the
	// environment is finished; "" for documents built alone.
	ID string
	// Unknown, when not empty, says why the document's text is not known
	// (a value a Terraform plan computes only at apply, a template
	// parameter without a value): the policy exists, so Layers lists its
	// layer in eval.Layers.Unknown with this reason instead of evaluating
	// it, and Policy fails with it. JSON is then empty.
	Unknown string

	parsed parsedPolicy
}

// Pos is where the document, or the string holding it, starts in Source
// (not valid when unknown).
func (d *Document) Pos() policy.Pos { return policy.At(d.Source, d.Line, d.Col) }

// Where returns "file:line:col" of the document's start, or the source alone
// when the position is unknown.
func (d *Document) Where() string { return d.Pos().String() }

// FilePos maps a 1-based line:column inside JSON to a line:column of Source.
// ok is false when the mapping does not exist: the document was decoded from
// a string or converted from YAML, so its text is not the file's text.
func (d *Document) FilePos(line, col int) (fileLine, fileCol int, ok bool) {
	if d.Encoding != EncodingObject || d.Line <= 0 || line <= 0 {
		return 0, 0, false
	}
	if line == 1 {
		return d.Line, d.Col + col - 1, true
	}
	return d.Line + line - 1, col, true
}

// decodeStringDocument turns the text of a policy written as a string into
// JSON (policy.DecodeString: URL-encoded text is decoded).
func decodeStringDocument(s string) ([]byte, Encoding, error) {
	text, enc, err := policy.DecodeString(s)
	return text, encodingOf(enc), err
}

// encodingOf is the Encoding of a document package policy unwrapped.
func encodingOf(e policy.Encoding) Encoding {
	switch e {
	case policy.EncodingString:
		return EncodingString
	case policy.EncodingURL:
		return EncodingURL
	}
	return EncodingObject
}

// newDocumentFromJSONValue builds a Document from the raw JSON value found
// at file offset (line, col): an object is kept as is, a string is decoded
// (JSON string, then URL-encoding).
func newDocumentFromJSONValue(raw []byte, source string, line, col int, name string) (*Document, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, fmt.Errorf("%s: %s: empty policy document", policy.At(source, line, col), name)
	}
	switch raw[0] {
	case '{':
		return &Document{JSON: raw, Source: source, Line: line, Col: col, Encoding: EncodingObject, Name: name}, nil
	case '"':
		s, err := unquoteJSONString(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %v", policy.At(source, line, col), name, err)
		}
		text, enc, err := decodeStringDocument(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %v", policy.At(source, line, col), name, err)
		}
		return &Document{JSON: text, Source: source, Line: line, Col: col, Encoding: enc, Name: name}, nil
	case 'n':
		return nil, nil
	}
	return nil, fmt.Errorf("%s: %s: a policy document must be a JSON object or a string, found %s", policy.At(source, line, col), name, describeJSONValue(raw))
}

func describeJSONValue(raw []byte) string {
	switch raw[0] {
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}
