package sqltable_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/trail"
	"github.com/iamwhy/iamwhy/trail/sqltable"
)

// sharedData is the project's real CloudTrail samples (see
// testdata/README.md at the repository root).
const sharedData = "../../testdata/cloudtrail"

// loadPaths reads paths with trail.Read into a new table and returns the
// table and the records Read delivered, keyed by eventID.
func loadPaths(t *testing.T, paths ...string) (*sqltable.DB, map[string]*trail.Record) {
	t.Helper()
	ctx := context.Background()
	db, err := sqltable.Open(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	l, err := db.NewLoader(ctx, sqltable.LoaderOptions{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	recs := map[string]*trail.Record{}
	st, err := trail.Read(ctx, paths, trail.Options{Serial: true}, func(r *trail.Record) error {
		recs[r.EventID] = r.Clone()
		return l.Add(r.Raw)
	})
	if err != nil {
		t.Fatal(err)
	}
	ls, err := l.Close()
	if err != nil {
		t.Fatal(err)
	}
	if st.FilesFailed != 0 || st.RecordsFailed != 0 {
		t.Fatalf("reading %v: %+v", paths, st)
	}
	if ls.Inserted != st.Delivered() || ls.Rejected != 0 {
		t.Fatalf("%d records delivered, load stats %+v", st.Delivered(), ls)
	}
	return db, recs
}

// TestEveryShapeFeedsTheTable checks, for every input shape the reader
// accepts, that each record's row holds what the reader decoded: rule
// "every input shape the trail reader accepts feeds the same table".
func TestEveryShapeFeedsTheTable(t *testing.T) {
	shapes, _ := filepath.Glob("../testdata/shapes/*")
	inputs := append(shapes, sharedData)
	if _, err := os.Stat(sharedData); err != nil {
		t.Fatalf("shared data: %v", err)
	}
	for _, in := range inputs {
		t.Run(filepath.Base(in), func(t *testing.T) {
			db, recs := loadPaths(t, in)
			if len(recs) == 0 {
				t.Fatal("no records")
			}
			rows, err := db.Query(context.Background(), `SELECT eventid, eventtime, eventname, eventsource, awsregion,
				errorcode, useridentity.arn, useridentity.sessioncontext.sessionissuer.arn, recipientaccountid,
				requestparameters, len(resources), readonly, tlsdetails.tlsversion FROM cloudtrail_logs`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			n := 0
			for rows.Next() {
				n++
				v := rows.Values()
				r := recs[str(v[0])]
				if r == nil {
					t.Fatalf("row for eventid %v that Read did not deliver", v[0])
				}
				got := []string{str(v[1]), str(v[2]), str(v[3]), str(v[4]), str(v[5]), str(v[6]), str(v[7]), str(v[8]), str(v[11])}
				want := []string{r.EventTime, r.EventName, r.EventSource, r.AWSRegion, r.ErrorCode, r.UserIdentity.ARN,
					r.UserIdentity.SessionContext.SessionIssuer.ARN, r.RecipientAccountID, r.ReadOnly}
				if strings.Join(got, "|") != strings.Join(want, "|") {
					t.Errorf("%s:\nrow    %q\nrecord %q", r.EventID, got, want)
				}
				if !sameJSON(str(v[9]), r.RequestParameters) {
					t.Errorf("%s: requestparameters %s, record %s", r.EventID, str(v[9]), r.RequestParameters)
				}
				if nres, _ := v[10].(int64); int(nres) != len(r.Resources) {
					t.Errorf("%s: %v resources, record %d", r.EventID, v[10], len(r.Resources))
				}
				if tls := str(v[12]); r.TLSDetails != nil && tls != r.TLSDetails.TLSVersion {
					t.Errorf("%s: tlsversion %q, record %q", r.EventID, tls, r.TLSDetails.TLSVersion)
				}
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if n != len(recs) {
				t.Errorf("%d rows for %d records", n, len(recs))
			}
		})
	}
}

// TestGuideQueryOnSharedData runs the contract's query verbatim on the real
// samples and checks it returns the access-denied records after the cut-off,
// newest first.
func TestGuideQueryOnSharedData(t *testing.T) {
	db, recs := loadPaths(t, sharedData)
	var want []string
	for _, r := range recs {
		if r.ErrorCode == "AccessDenied" && r.EventTime > "2024-01-15T00:00:00Z" {
			want = append(want, r.EventTime+" "+r.EventName)
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(want)))
	if len(want) > 50 {
		want = want[:50]
	}
	rows, err := db.Query(context.Background(), `SELECT eventtime, eventsource, eventname, useridentity, requestparameters, errorcode, errormessage
FROM cloudtrail_logs
WHERE errorcode = 'AccessDenied'
  AND eventtime > '2024-01-15T00:00:00Z'
ORDER BY eventtime DESC
LIMIT 50;`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		v := rows.Values()
		got = append(got, str(v[0])+" "+str(v[2]))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// sameJSON compares a JSON text column with the record's raw value; an
// absent or null value is NULL in the table.
func sameJSON(col string, raw json.RawMessage) bool {
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return col == ""
	}
	var a, b any
	if json.Unmarshal([]byte(col), &a) != nil || json.Unmarshal(raw, &b) != nil {
		return false
	}
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}
