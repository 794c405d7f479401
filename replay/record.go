package replay

import (
	"context"
	"fmt"
	"strings"

	"github.com/iamwhy/iamwhy/denial"
	"github.com/iamwhy/iamwhy/inputfile"
	"github.com/iamwhy/iamwhy/trail"
)

// FirstDenied reads text as CloudTrail records and returns the first
// access-denied one, or nil when text is not CloudTrail (or holds no
// denied record).
func FirstDenied(text string) *trail.Record {
	t := strings.TrimSpace(text)
	if !strings.HasPrefix(t, "{") && !strings.HasPrefix(t, "[") {
		return nil
	}
	if !strings.Contains(t, "eventSource") {
		return nil
	}
	var rec *trail.Record
	_, _ = trail.Read(context.Background(), []string{"-"}, trail.Options{Stdin: strings.NewReader(text), Serial: true, Filter: trail.Filter{DeniedOnly: true}}, func(r *trail.Record) error {
		if rec == nil {
			rec = r.Clone()
		}
		return nil
	})
	return rec
}

// FromEventFile rebuilds the request from the first access-denied record
// of a CloudTrail file. ErrNotAccessDenied is returned when the file's
// records hold none; an error when no record could be read.
func FromEventFile(ctx context.Context, path string, g Given, opts Options) (*Request, error) {
	// Only a regular file within the input size limit, as every input.
	f, err := inputfile.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	f.Close()
	if err != nil {
		return nil, err
	}
	var rec *trail.Record
	st, err := trail.Read(ctx, []string{path}, trail.Options{Serial: true}, func(r *trail.Record) error {
		if rec == nil && trail.IsAccessDenied(r.ErrorCode) {
			rec = r.Clone()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if rec == nil {
		if st.Records == 0 {
			return nil, fmt.Errorf("%s: no CloudTrail record could be read (%d bytes; %d problems)", path, fi.Size(), len(st.Problems))
		}
		return nil, ErrNotAccessDenied
	}
	r, err := FromRecord(rec, g, opts)
	if err != nil {
		return nil, err
	}
	// Fields of the wrong JSON type were left empty by the reader: the
	// replay runs without them, and says so (as trail denied reports them).
	for _, p := range st.Problems {
		r.Notes = append(r.Notes, "not used from the event: "+p.String())
	}
	return r, nil
}

// FromRecord rebuilds the request from a CloudTrail record: the first
// authorisation the call needs, with the record's context. The parts g
// gives replace the record's.
func FromRecord(rec *trail.Record, g Given, opts Options) (*Request, error) {
	rp := trail.ToReplay(rec, trail.RequestOptions{Actions: opts.EventActions})
	r := &Request{Source: &Source{Kind: "event", EventID: rec.EventID, EventTime: rec.EventTime}}
	if d, err := denial.Parse(rec.ErrorMessage, opts.Denial); err == nil && d.Recognized {
		r.Source.Deny, r.Source.PolicyType = string(d.Deny), string(d.PolicyType)
	}
	r.Unknown = rp.Unknown
	r.Notes = append(r.Notes, rp.Notes...)
	if len(rp.Requests) == 0 || rp.Requests[0].Principal == "" {
		return nil, fmt.Errorf("event %s: the record names no principal to replay", rec.EventID)
	}
	if len(rp.Requests) > 1 {
		r.Notes = append(r.Notes, fmt.Sprintf("the call needs %d authorisations; the first (%s on %s) is diagnosed", len(rp.Requests), rp.Requests[0].Action, rp.Requests[0].Resource))
	}
	req := rp.Requests[0]
	if g.Principal != "" {
		req.Principal = g.Principal
	}
	if g.Resource != "" {
		req.Resource = g.Resource
	}
	if g.ResourceAccount != "" {
		req.ResourceAccount = g.ResourceAccount
	}
	r.Request = req
	return r, nil
}
