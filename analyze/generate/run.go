package generate

import (
	"context"

	"github.com/iamwhy/iamwhy/trail"
)

// FromTrail reads the CloudTrail inputs (every input trail.Read takes:
// directories in a trail's S3 layout, files, s3:// URIs, "-") and returns
// the verified policy for o.Principal, with the reader's statistics. The
// reader's filter keeps only the principal's records (its other criteria
// still apply: a window, accounts, regions). A *VerificationError comes
// with the Result.
func FromTrail(ctx context.Context, paths []string, ro trail.Options, o Options) (*Result, trail.Stats, error) {
	g, err := New(o)
	if err != nil {
		return nil, trail.Stats{}, err
	}
	prev := ro.Filter.Match
	ro.Filter.Match = func(r *trail.Record) bool {
		return g.Matches(r) && (prev == nil || prev(r))
	}
	prevRaw := ro.Filter.RawMatch
	ro.Filter.RawMatch = func(raw []byte) bool {
		return g.rawMatch(raw) && (prevRaw == nil || prevRaw(raw))
	}
	st, err := trail.Read(ctx, paths, ro, func(r *trail.Record) error {
		g.Add(r)
		return nil
	})
	if err != nil {
		return nil, st, err
	}
	// Records filtered out are those of other principals (and outside the
	// window); every decoded record was read.
	read := st.Records
	res, err := g.Result(&read, ro.Filter.Since, ro.Filter.Until)
	return res, st, err
}
