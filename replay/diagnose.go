package replay

import (
	"context"
	"errors"

	"github.com/iamwhy/iamwhy/diagnose"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/internal/jsonenc"
	"github.com/iamwhy/iamwhy/snapshot"
)

// Diagnosis is the diagnosis of a denied request rebuilt from its input:
// the report, and what the input said and the rebuild could not know. Its
// JSON form is the document `iamwhy diagnose --output json` prints (after
// its format_version): the report's fields, then input, warnings,
// unknown_context_keys and replay_notes, every one present.
type Diagnosis struct {
	*diagnose.Report
	// Input says what the request was rebuilt from.
	Input *Source
	// Warnings are the engine's warnings about the request.
	Warnings []string
	// Unknown lists the context keys the input cannot carry but that
	// policies often test.
	Unknown []string
	// ReplayNotes say what the rebuild and the replay assumed.
	ReplayNotes []string
}

// MarshalJSON writes the report's fields, then the extensions, lists
// without entries as [].
func (d Diagnosis) MarshalJSON() ([]byte, error) {
	rep, err := jsonenc.Marshal(d.Report)
	if err != nil {
		return nil, err
	}
	ext, err := jsonenc.Marshal(struct {
		Input       *Source  `json:"input"`
		Warnings    []string `json:"warnings"`
		Unknown     []string `json:"unknown_context_keys"`
		ReplayNotes []string `json:"replay_notes"`
	}{d.Input, jsonenc.List(d.Warnings), jsonenc.List(d.Unknown), jsonenc.List(d.ReplayNotes)})
	if err != nil {
		return nil, err
	}
	return jsonenc.Merge(rep, ext)
}

// DiagnoseOptions configure Diagnose.
type DiagnoseOptions struct {
	// Options give the input parsers their reference data.
	Options
	// Replay configures the replay (reference data, the second
	// environment's principal); its Compare and Message are set by
	// Diagnose.
	Replay diagnose.ReplayOptions
	// Context adds or replaces request context keys (what the user
	// states: a message carries no region, IP or time).
	Context *eval.Context
	// Environment loads the environment to replay in. It is called only
	// once the input is known to be an access-denied error, so that an
	// input that is not one is reported as such.
	Environment func() (*snapshot.Environment, error)
	// Compare, when set, loads a second environment where the request
	// works (staging, say): the findings then say which difference
	// explains the denial.
	Compare func() (*snapshot.Environment, error)
}

// Diagnose rebuilds the request from the input, adds opts.Context,
// replays it in the environment and diagnoses it (diagnose.Replay). A
// request rebuilt from a message carries none of the context a message
// cannot carry: those keys are unknown, and the message's deny kind and
// policy type are the evidence the replay must agree with.
// ErrNotAccessDenied is returned when the input is read but is not an
// access-denied error.
func Diagnose(ctx context.Context, in Input, opts DiagnoseOptions) (*Diagnosis, error) {
	rr, err := in.Request(ctx, opts.Options)
	if err != nil {
		return nil, err
	}
	req := rr.Request
	if opts.Context != nil {
		for _, k := range opts.Context.Keys() {
			v, _ := opts.Context.Get(k)
			req.Context.Set(k, v...)
		}
	}
	if opts.Environment == nil {
		return nil, errors.New("no environment to replay the request in")
	}
	env, err := opts.Environment()
	if err != nil {
		return nil, err
	}
	ropts := opts.Replay
	if opts.Compare != nil {
		if ropts.Compare, err = opts.Compare(); err != nil {
			return nil, err
		}
	}
	stated := rr.Source != nil && rr.Source.Kind == "request"
	switch {
	case rr.Source != nil && rr.Source.Kind == "message":
		ropts.Message = &diagnose.Evidence{Deny: rr.Source.Deny, PolicyType: rr.Source.PolicyType}
	case stated:
		// A request stated by its fields carries no Region, source IP,
		// time, TLS or tags either, beyond what --context gives: those
		// keys are unknown, as for a message, and only the denial itself
		// is evidence.
		ropts.Message = &diagnose.Evidence{Deny: "unknown", PolicyType: "unknown", Stated: true}
	}
	out, err := diagnose.Replay(env, req, ropts)
	if err != nil {
		return nil, err
	}
	if stated {
		// There is no message to check the replay against.
		out.Report.MessageCheck = nil
	}
	return &Diagnosis{Report: out.Report, Input: rr.Source, Warnings: out.Warnings, Unknown: rr.Unknown,
		ReplayNotes: append(rr.Notes, out.Notes...)}, nil
}
