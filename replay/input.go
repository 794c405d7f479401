package replay

import (
	"context"

	"github.com/iamwhy/iamwhy/denial"
	"github.com/iamwhy/iamwhy/trail"
)

// Input is what a denied request is rebuilt from: a CloudTrail record, a
// CloudTrail file, pasted text (records or a message), a message already
// parsed, or only the parts Given states. The first of Record, EventFile,
// Denial and Text that is set is used.
type Input struct {
	// Record is a CloudTrail record of the denied call.
	Record *trail.Record
	// EventFile is a CloudTrail file whose first access-denied record is
	// taken.
	EventFile string
	// Denial is the message, already parsed (and perhaps decoded): the
	// request is rebuilt from it rather than by parsing Text again, unless
	// Text holds a denied CloudTrail record, whose context is richer.
	Denial *denial.Denial
	// Text is pasted text: CloudTrail records (the first denied one is
	// taken) or an access-denied message. Name names it in errors
	// ("input" when empty).
	Name, Text string
	// Given fills what the input does not name and replaces what a record
	// names; with no other input it is the request itself (a principal and
	// an action at least).
	Given Given
}

// Request rebuilds the request from the input. ErrNotAccessDenied is
// returned when the input is read but is not an access-denied error (nor a
// CloudTrail record of one).
func (in Input) Request(ctx context.Context, opts Options) (*Request, error) {
	switch {
	case in.Record != nil:
		return FromRecord(in.Record, in.Given, opts)
	case in.EventFile != "":
		return FromEventFile(ctx, in.EventFile, in.Given, opts)
	case in.Denial != nil:
		if rec := FirstDenied(in.Text); rec != nil {
			return FromRecord(rec, in.Given, opts)
		}
		if !in.Denial.Recognized {
			return nil, ErrNotAccessDenied
		}
		return FromDenial(in.Denial, in.Given)
	case in.Text == "" && in.Given.Principal != "" && in.Given.Action != "":
		return FromGiven(in.Given), nil
	}
	name := in.Name
	if name == "" {
		name = "input"
	}
	return FromText(name, in.Text, in.Given, opts)
}
