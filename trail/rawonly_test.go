package trail

import (
	"reflect"
	"sort"
	"testing"
)

// TestRawOnly checks Options.RawOnly against a full decode over every
// shape and bad input of testdata: the same records (Raw and eventID) are
// delivered, the same duplicates and unreadable records counted, and the
// fields RawOnly skips are empty.
func TestRawOnly(t *testing.T) {
	paths := []string{"testdata/shapes", "testdata/bad", "testdata/org", "testdata/s3"}
	full, fst := collect(t, paths, Options{})
	raw, rst := collect(t, paths, Options{RawOnly: true})
	key := func(recs []*Record) []string {
		var ks []string
		for _, r := range recs {
			ks = append(ks, r.Path+"\x00"+r.EventID+"\x00"+r.EventTime+"\x00"+r.EventName+"\x00"+string(r.Raw))
		}
		sort.Strings(ks)
		return ks
	}
	if !reflect.DeepEqual(key(full), key(raw)) {
		t.Errorf("RawOnly delivered other records:\nfull %q\nraw  %q", key(full), key(raw))
	}
	if len(raw) == 0 {
		t.Fatal("no records read")
	}
	for _, r := range raw {
		if r.ErrorCode != "" || r.UserIdentity.ARN != "" || r.AWSRegion != "" || r.RequestParameters != nil {
			t.Errorf("%s record %d: RawOnly decoded a field it should skip: %+v", r.Path, r.Index, r)
		}
	}
	// Field errors are only reported for the fields RawOnly decodes.
	fst.FieldErrors, rst.FieldErrors = 0, 0
	fst.Problems, rst.Problems = nil, nil
	if !reflect.DeepEqual(fst, rst) {
		t.Errorf("stats differ:\nfull %+v\nraw  %+v", fst, rst)
	}

	// A filter needs the fields: RawOnly is ignored.
	f := Filter{DeniedOnly: true}
	want, _ := collect(t, paths, Options{Filter: f})
	got, _ := collect(t, paths, Options{Filter: f, RawOnly: true})
	if len(got) == 0 || len(got) != len(want) {
		t.Fatalf("RawOnly with a filter: %d records, want %d", len(got), len(want))
	}
	for _, r := range got {
		if r.ErrorCode == "" {
			t.Errorf("RawOnly with a filter: %s record %d not decoded", r.Path, r.Index)
		}
	}
}
