package trail

import (
	"context"
	"sync"
	"testing"
)

// sharedData is the project's shared test data (../shared/data from the
// repository root).
const sharedData = "../../shared/data/cloudtrail"

// collect reads paths with opts and returns clones of the records.
func collect(t *testing.T, paths []string, opts Options) ([]*Record, Stats) {
	t.Helper()
	var (
		mu   sync.Mutex
		recs []*Record
	)
	st, err := Read(context.Background(), paths, opts, func(r *Record) error {
		c := r.Clone()
		mu.Lock()
		recs = append(recs, c)
		mu.Unlock()
		return nil
	})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return recs, st
}

func countDenied(recs []*Record) int {
	n := 0
	for _, r := range recs {
		if IsAccessDenied(r.ErrorCode) {
			n++
		}
	}
	return n
}

// TestSharedData checks the record and denial counts of the real samples
// documented in ../shared/data/README.md.
func TestSharedData(t *testing.T) {
	for _, tc := range []struct {
		name            string
		path            string
		records, denied int
		files, skipped  int64
	}{
		{"S3 layout of .json.gz Records files", sharedData + "/invictus-sigma-aws", 2900, 60, 0, 1},
		{"bare arrays in .json files", sharedData + "/stratus-red-team", 310, 51, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs, st := collect(t, []string{tc.path}, Options{})
			if len(recs) != tc.records || st.Records != int64(tc.records) {
				t.Errorf("records = %d (stats %d), want %d", len(recs), st.Records, tc.records)
			}
			if d := countDenied(recs); d != tc.denied {
				t.Errorf("denied = %d, want %d", d, tc.denied)
			}
			if st.FilesFailed != 0 || st.RecordsFailed != 0 || len(st.Problems) != 0 {
				t.Errorf("problems: %+v", st)
			}
			if st.FilesSkipped != tc.skipped { // the LICENSE file
				t.Errorf("skipped = %d, want %d", st.FilesSkipped, tc.skipped)
			}
			_, dst := collect(t, []string{tc.path}, Options{Filter: Filter{DeniedOnly: true}})
			if dst.Delivered() != int64(tc.denied) || dst.Filtered != int64(tc.records-tc.denied) {
				t.Errorf("DeniedOnly: delivered %d filtered %d, want %d and %d", dst.Delivered(), dst.Filtered, tc.denied, tc.records-tc.denied)
			}
		})
	}
}
