package replay

import (
	"context"
	"errors"
	"fmt"

	"github.com/iamwhy/iamwhy/denial"
)

// ErrNothingToDecode is an Explanation's DecodeProblem when decoding was
// asked for but the message carries no encoded authorization failure
// message.
var ErrNothingToDecode = errors.New("the message carries no encoded authorization failure message")

// Explanation is what `iamwhy explain` tells of an input: the denial it
// reads and, with an environment, the replay of the request there.
type Explanation struct {
	Denial *denial.Denial
	// Diagnosis is the replay of the input's (first) error in the
	// environment; nil without one, or when the input is not an
	// access-denied error.
	Diagnosis *Diagnosis
	// DecodeProblem says why an encoded authorization message asked to be
	// decoded was not (ErrNothingToDecode, or the decoder's error); nil
	// when it was, or when decoding was not asked.
	DecodeProblem error
}

// ExplainOptions configure Explain.
type ExplainOptions struct {
	// Options give the message parser its reference data.
	Options
	// Decode decodes the encoded authorization failure message a denial
	// carries into it (through AWS STS: awsdecode.Decode); nil: not asked.
	Decode func(ctx context.Context, d *denial.Denial) error
	// Diagnose, when set, replays the request in its environment and
	// names the root cause, as Diagnose does.
	Diagnose *DiagnoseOptions
}

// Explain reads text as an access-denied error (denial.Parse), decodes
// its encoded authorization message when asked, and, with an environment,
// replays the request. name names the input in errors. A problem decoding
// is not an error (the message is explained without it): it is the
// Explanation's DecodeProblem. An error means the text could not be read,
// or the replay could not run.
func Explain(ctx context.Context, name, text string, opts ExplainOptions) (*Explanation, error) {
	d, err := denial.Parse(text, opts.Denial)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	ex := &Explanation{Denial: d}
	if !d.Recognized {
		return ex, nil
	}
	if opts.Decode != nil {
		if !d.Encoded || d.EncodedMessage == "" {
			ex.DecodeProblem = ErrNothingToDecode
		} else if err := opts.Decode(ctx, d); err != nil {
			ex.DecodeProblem = err
		}
	}
	if opts.Diagnose != nil {
		// The parsed (and decoded) denial is what is replayed: a decoded
		// message names the caller and action the encoded one hides.
		if ex.Diagnosis, err = Diagnose(ctx, Input{Denial: d, Name: name, Text: text}, *opts.Diagnose); err != nil {
			return nil, err
		}
	}
	return ex, nil
}
