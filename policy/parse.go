package policy

import (
	"cmp"
	"fmt"
	"slices"
)

// Options say how a document is parsed.
type Options struct {
	// Type selects the per-type rules (Principal required or forbidden,
	// which elements are allowed). TypeAny checks only the grammar.
	Type Type
	// ResourceType is the CloudFormation type of the resource a TypeResource
	// document is attached to ("AWS::S3::Bucket", "AWS::ECR::Repository"):
	// it decides whether statements need Resource (ResourceElementRule).
	// Empty means not known: Resource is then optional.
	ResourceType string
	// Source names the document in errors and traces; it is the File of
	// every position Parse reports.
	Source string
	// Start is where the document begins in Source, when it is embedded in
	// a larger file (a policy inside an AWS CLI output): positions are then
	// those of the file. The zero Start means the data is the whole file.
	Start Pos
	// Lines, when set, maps each line of the data to the position in
	// Source of what is written on it: the data was converted from another
	// notation (FromYAML), and positions are those of the original.
	Lines SourceMap
}

// Parse reads one policy document. When the document is malformed or breaks a
// rule AWS enforces for opts.Type, Parse returns a nil Policy and an ErrorList
// holding every problem found, in source order, each naming opts.Source and
// the line:column of the offending element.
//
// What is checked is the grammar of "Grammar of the IAM JSON policy
// language" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html)
// plus the element rules of the policy type (see Policy.Validate). Limits
// such as document size, and checks that need knowledge of the account
// (whether a principal exists), are not the parser's business.
func Parse(data []byte, opts Options) (*Policy, error) {
	root, serr := parseJSONIn(data, opts)
	if serr != nil {
		return nil, ErrorList{{Source: opts.Source, Pos: serr.pos, Msg: "invalid JSON: " + serr.msg}}
	}
	b := &builder{source: opts.Source}
	p := b.policy(root)
	if p != nil {
		b.errs = append(b.errs, validate(p, opts.Type, opts.ResourceType, &b.flags)...)
	}
	if len(b.errs) > 0 {
		sortErrors(b.errs)
		return nil, truncateErrors(b.errs)
	}
	return p, nil
}

// MaxErrors bounds the errors Parse reports for one document: past it, the
// list ends with one error that counts the rest, so that a hostile or
// mangled input cannot produce an unbounded report.
const MaxErrors = 100

func truncateErrors(errs ErrorList) ErrorList {
	if len(errs) <= MaxErrors {
		return errs
	}
	rest := len(errs) - MaxErrors
	errs = errs[:MaxErrors:MaxErrors]
	return append(errs, &Error{Source: errs[0].Source, Pos: errs[MaxErrors-1].Pos,
		Msg: fmt.Sprintf("%d more problems not shown", rest)})
}

// ParseString is Parse for a string.
func ParseString(s string, opts Options) (*Policy, error) {
	return Parse([]byte(s), opts)
}

// sortErrors orders errors by position; errors without a position come first
// (they concern the whole document). The sort is stable so that two problems
// at one position keep the order in which they were found.
func sortErrors(errs ErrorList) {
	slices.SortStableFunc(errs, func(a, b *Error) int {
		if c := cmp.Compare(a.Pos.Line, b.Pos.Line); c != 0 {
			return c
		}
		return cmp.Compare(a.Pos.Col, b.Pos.Col)
	})
}
