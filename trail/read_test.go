package trail

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// sharedData is the project's bundled CloudTrail samples (testdata/cloudtrail at the
// repository root).
const sharedData = "../testdata/cloudtrail"

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
// documented in testdata/README.md.
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

func eventIDs(recs []*Record) map[string]bool {
	m := map[string]bool{}
	for _, r := range recs {
		m[r.EventID] = true
	}
	return m
}

func uuidN(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }

// TestShapes checks that every input shape yields its records with the
// fields decoded.
func TestShapes(t *testing.T) {
	for _, tc := range []struct {
		rule  string
		path  string
		ids   []int
		check func(t *testing.T, r *Record)
	}{
		{"{Records:[...]} object as CloudTrail writes it", "testdata/shapes/records.json", []int{1, 2, 3}, nil},
		{"gzip detected from the magic bytes", "testdata/shapes/records.json.gz", []int{4, 5}, nil},
		{"bare array, pretty-printed", "testdata/shapes/bare-array.json", []int{6, 7}, nil},
		{"JSON lines", "testdata/shapes/lines.jsonl", []int{8, 9}, nil},
		{"lookup-events output: the record is the CloudTrailEvent string", "testdata/shapes/lookup-events.json", []int{10}, func(t *testing.T, r *Record) {
			if r.ErrorCode != "Client.UnauthorizedOperation" || r.EventTime != "2024-01-15T10:10:00Z" || r.Raw[0] != '{' {
				t.Errorf("lookup event decoded as %+v", r)
			}
		}},
		{"EventBridge envelope: the record is detail", "testdata/shapes/eventbridge.json", []int{11}, func(t *testing.T, r *Record) {
			if len(r.Resources) != 1 || r.Resources[0].ARN != "arn:aws:s3:::data/k11" {
				t.Errorf("resources = %+v, want detail's, not the envelope's", r.Resources)
			}
		}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			recs, st := collect(t, []string{tc.path}, Options{})
			if st.FilesFailed+st.RecordsFailed != 0 {
				t.Fatalf("problems: %v", st.Problems)
			}
			got := eventIDs(recs)
			if len(recs) != len(tc.ids) {
				t.Errorf("got %d records, want %d", len(recs), len(tc.ids))
			}
			for _, id := range tc.ids {
				if !got[uuidN(id)] {
					t.Errorf("record %d missing", id)
				}
			}
			for _, r := range recs {
				if r.Path != tc.path || r.EventSource != "s3.amazonaws.com" || r.Time.IsZero() ||
					r.UserIdentity.SessionContext.SessionIssuer.ARN != "arn:aws:iam::111122223333:role/app" {
					t.Errorf("fields not decoded: %+v", r)
				}
				if tc.check != nil {
					tc.check(t, r)
				}
			}
		})
	}
}

// TestRecordFields checks every decoded field of one record.
func TestRecordFields(t *testing.T) {
	recs, _ := collect(t, []string{"testdata/shapes/records.json"}, Options{Filter: Filter{EventNames: []string{"GetObject"}, DeniedOnly: true}})
	if len(recs) != 1 {
		t.Fatalf("got %d records, want 1", len(recs))
	}
	r := recs[0]
	want := Record{
		EventVersion: "1.09", EventID: uuidN(2), EventTime: "2024-01-15T10:02:00Z", EventSource: "s3.amazonaws.com",
		EventName: "GetObject", AWSRegion: "us-east-1", SourceIPAddress: "203.0.113.2", UserAgent: "aws-cli/2.15.0",
		ErrorCode: "AccessDenied", RequestID: "REQ2", EventType: "AwsApiCall", EventCategory: "Data",
		RecipientAccountID: "111122223333", ReadOnly: "true", ManagementEvent: "false",
	}
	for _, f := range []struct{ name, got, want string }{
		{"eventVersion", r.EventVersion, want.EventVersion}, {"eventID", r.EventID, want.EventID},
		{"eventTime", r.EventTime, want.EventTime}, {"eventSource", r.EventSource, want.EventSource},
		{"eventName", r.EventName, want.EventName}, {"awsRegion", r.AWSRegion, want.AWSRegion},
		{"sourceIPAddress", r.SourceIPAddress, want.SourceIPAddress}, {"userAgent", r.UserAgent, want.UserAgent},
		{"errorCode", r.ErrorCode, want.ErrorCode}, {"requestID", r.RequestID, want.RequestID},
		{"eventType", r.EventType, want.EventType}, {"eventCategory", r.EventCategory, want.EventCategory},
		{"recipientAccountId", r.RecipientAccountID, want.RecipientAccountID}, {"readOnly", r.ReadOnly, want.ReadOnly},
		{"managementEvent", r.ManagementEvent, want.ManagementEvent},
		{"userIdentity.type", r.UserIdentity.Type, "AssumedRole"},
		{"userIdentity.arn", r.UserIdentity.ARN, "arn:aws:sts::111122223333:assumed-role/app/s2"},
		{"mfaAuthenticated", r.UserIdentity.SessionContext.MFAAuthenticated, "false"},
		{"creationDate", r.UserIdentity.SessionContext.CreationDate, "2024-01-15T09:00:00Z"},
		{"sessionIssuer.userName", r.UserIdentity.SessionContext.SessionIssuer.UserName, "app"},
		{"errorMessage (escaped quotes decoded)", r.ErrorMessage, `User: arn:aws:sts::111122223333:assumed-role/app/s2 is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::data/k2" because no identity-based policy allows the s3:GetObject action`},
		{"requestParameters", string(r.RequestParameters), `{"bucketName": "data", "key": "k2"}`},
		{"responseElements", string(r.ResponseElements), `null`},
		{"tlsDetails.tlsVersion", r.TLSDetails.TLSVersion, "TLSv1.3"},
		{"resources[0].ARN", r.Resources[0].ARN, "arn:aws:s3:::data/k2"},
		{"Time", r.Time.Format(time.RFC3339), "2024-01-15T10:02:00Z"},
	} {
		if f.got != f.want {
			t.Errorf("%s = %q, want %q", f.name, f.got, f.want)
		}
	}
}

// TestLayout checks directory walking: organisation trail layout, digest
// and Insights files skipped and counted, other names skipped, duplicates
// across files removed.
func TestLayout(t *testing.T) {
	recs, st := collect(t, []string{"testdata/org", "testdata/shapes/records.json"}, Options{})
	if len(recs) != 4 || st.Records != 5 || st.Duplicates != 1 {
		t.Errorf("records delivered %d, read %d, duplicates %d; want 4, 5, 1", len(recs), st.Records, st.Duplicates)
	}
	want := map[string]int64{SkipDigest: 1, SkipInsight: 1, SkipNotJSON: 1}
	for k, v := range want {
		if st.Skipped[k] != v {
			t.Errorf("skipped[%q] = %d, want %d", k, st.Skipped[k], v)
		}
	}
	if st.FilesSkipped != 3 || st.Files != 2 {
		t.Errorf("files %d skipped %d, want 2 and 3", st.Files, st.FilesSkipped)
	}
	_, st = collect(t, []string{"testdata/org", "testdata/shapes/records.json"}, Options{KeepDuplicates: true})
	if st.Duplicates != 0 || st.Delivered() != 5 {
		t.Errorf("KeepDuplicates: delivered %d, duplicates %d", st.Delivered(), st.Duplicates)
	}
	// A digest file named explicitly is still skipped.
	_, st = collect(t, []string{"testdata/org/AWSLogs/o-aa111bb222/111122223333/CloudTrail-Digest/eu-west-1/2024/01/15/111122223333_CloudTrail-Digest_eu-west-1_org_eu-west-1_20240115T101500Z.json.gz"}, Options{})
	if st.Skipped[SkipDigest] != 1 || st.Files != 0 {
		t.Errorf("explicit digest file: %+v", st)
	}
}

// TestBadInputs checks that unreadable inputs are counted and placed,
// and that the records before a fault are kept.
func TestBadInputs(t *testing.T) {
	for _, tc := range []struct {
		rule                     string
		path                     string
		records, recFailed       int64
		filesFailed, linesSkiped int64
		problems                 []string // Problem.String() suffixes, in order
	}{
		{"truncated gzip keeps the records before the cut", "testdata/bad/truncated.json.gz", 18, 0, 1, 0,
			[]string{":1:12499: reading after 18 records: input truncated (unexpected EOF)"}},
		{"a syntax error in Records fails the file at line:col", "testdata/bad/invalid.json", 1, 0, 1, 1,
			[]string{":3:57: invalid character '}' in literal true (expecting 'e')",
				":4:1: skipped 1 line(s) not starting with { or [ after the error"}},
		{"JSON lines resume after a bad line", "testdata/bad/lines-one-bad.jsonl", 2, 1, 0, 1,
			[]string{":2:1: record 1: invalid character '}' looking for beginning of object key string (at 2:56)",
				":3:1: skipped 1 line(s) not starting with { or [ after the error"}},
		{"values that are not records; a wrong-typed field is left empty", "testdata/bad/not-records.json", 2, 2, 0, 0,
			[]string{":1:1226: record 1: not a CloudTrail record: a JSON string, not an object",
				":1:1242: record 2: not a CloudTrail record: no eventTime, eventSource, eventName or eventID",
				": record 3: field eventTime: expected a string, got object (field left empty)"}},
		{"empty file has no records and no error", "testdata/bad/empty.json", 0, 0, 0, 0, nil},
		{"gzip magic without a gzip stream", "testdata/bad/garbage.json.gz", 0, 0, 1, 0, []string{": gzip: invalid header"}},
		{"missing file", "testdata/bad/no-such-file.json", 0, 0, 1, 0, []string{": stat testdata/bad/no-such-file.json: no such file or directory"}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			_, st := collect(t, []string{tc.path}, Options{})
			if st.Records != tc.records || st.RecordsFailed != tc.recFailed || st.FilesFailed != tc.filesFailed || st.LinesSkipped != tc.linesSkiped {
				t.Errorf("records %d failed %d, files failed %d, lines skipped %d; want %d %d %d %d",
					st.Records, st.RecordsFailed, st.FilesFailed, st.LinesSkipped, tc.records, tc.recFailed, tc.filesFailed, tc.linesSkiped)
			}
			if len(st.Problems) != len(tc.problems) {
				t.Fatalf("problems %v, want %d", st.Problems, len(tc.problems))
			}
			for i, p := range st.Problems {
				if got := p.String(); !strings.HasPrefix(got, tc.path) || !strings.HasSuffix(got, tc.problems[i]) {
					t.Errorf("problem %d = %q, want %s%s", i, got, tc.path, tc.problems[i])
				}
			}
		})
	}
}

// TestFilter checks each filter criterion on the shapes fixtures (11
// records, ids 1-11, times 2024-01-15T10:01..10:11).
func TestFilter(t *testing.T) {
	for _, tc := range []struct {
		rule string
		f    Filter
		want int
	}{
		{"no filter keeps all", Filter{}, 11},
		{"since is inclusive", Filter{Since: time.Date(2024, 1, 15, 10, 10, 0, 0, time.UTC)}, 2},
		{"until is exclusive", Filter{Until: time.Date(2024, 1, 15, 10, 2, 0, 0, time.UTC)}, 1},
		{"account", Filter{Accounts: []string{"111122223333"}}, 11},
		{"other account", Filter{Accounts: []string{"444455556666"}}, 0},
		{"region", Filter{Regions: []string{"us-*"}}, 11},
		{"principal by session ARN glob", Filter{Principals: []string{"arn:aws:sts::111122223333:assumed-role/app/s1?"}}, 2},
		{"principal by role ARN selects its sessions", Filter{Principals: []string{"arn:aws:iam::111122223333:role/app"}}, 11},
		{"event source", Filter{EventSources: []string{"s3.amazonaws.com"}}, 11},
		{"event name", Filter{EventNames: []string{"Put*"}}, 0},
		{"error code", Filter{ErrorCodes: []string{"AccessDenied*"}}, 2},
		{"denied only", Filter{DeniedOnly: true}, 3},
		{"match func", Filter{Match: func(r *Record) bool { return r.SourceIPAddress == "203.0.113.7" }}, 1},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			recs, st := collect(t, []string{"testdata/shapes"}, Options{Filter: tc.f})
			if len(recs) != tc.want || st.Filtered != st.Records-int64(tc.want) {
				t.Errorf("got %d (filtered %d of %d), want %d", len(recs), st.Filtered, st.Records, tc.want)
			}
		})
	}
	if _, err := Read(context.Background(), nil, Options{Filter: Filter{Since: time.Unix(10, 0), Until: time.Unix(5, 0)}}, nil); err == nil {
		t.Error("until before since: no error")
	}
}

// TestStdin reads "-" from Options.Stdin.
func TestStdin(t *testing.T) {
	data, err := os.ReadFile("testdata/shapes/records.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	recs, st := collect(t, []string{"-"}, Options{Stdin: bytes.NewReader(data)})
	if len(recs) != 2 || recs[0].Path != "-" || st.Files != 1 {
		t.Errorf("stdin: %d records, %+v", len(recs), st)
	}
}

// TestCallbackError stops reading and returns the callback's error.
func TestCallbackError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	_, err := Read(context.Background(), []string{"testdata/shapes"}, Options{Serial: true}, func(*Record) error {
		n++
		return stop
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("err %v after %d calls, want stop after 1", err, n)
	}
}

// TestLargeValueStreams reads one file much larger than the initial
// buffer, whose records straddle buffer refills, in input order.
func TestLargeValueStreams(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`{"Records": [`)
	const n = 3000
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"eventTime":"2024-01-15T10:00:00Z","eventName":"E","eventID":"%s","requestParameters":{"pad":"%s"}}`, uuidN(i), strings.Repeat("x", i%500))
	}
	b.WriteString("]}")
	dir := t.TempDir()
	p := filepath.Join(dir, "big.json")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	i := 0
	st, err := Read(context.Background(), []string{p}, Options{Workers: 1}, func(r *Record) error {
		if r.EventID != uuidN(i) || r.Index != i {
			t.Fatalf("record %d: got %s index %d", i, r.EventID, r.Index)
		}
		i++
		return nil
	})
	if err != nil || i != n || st.TextBytes != int64(b.Len()) {
		t.Errorf("read %d records, %d bytes: %v", i, st.TextBytes, err)
	}
}

// TestSkipBeforeSince: files CloudTrail delivered (by their name) more
// than the clock-skew allowance before --since are not opened.
func TestSkipBeforeSince(t *testing.T) {
	for _, tc := range []struct {
		since   time.Time
		skipped int64
	}{
		{time.Date(2024, 1, 15, 11, 10, 0, 0, time.UTC), 0}, // delivered 10:10, within the hour's allowance
		{time.Date(2024, 1, 15, 11, 12, 0, 0, time.UTC), 1},
	} {
		_, st := collect(t, []string{"testdata/org"}, Options{Filter: Filter{Since: tc.since}})
		if st.Skipped[SkipBefore] != tc.skipped {
			t.Errorf("since %s: skipped %d, want %d", tc.since, st.Skipped[SkipBefore], tc.skipped)
		}
	}
}

// TestCancel returns the caller's context error.
func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Read(ctx, []string{"testdata/shapes"}, Options{}, func(*Record) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// TestProgress ends with every input byte counted against the total.
func TestProgress(t *testing.T) {
	var mu sync.Mutex
	var lastDone, lastTotal int64
	calls := 0
	st, err := Read(context.Background(), []string{"testdata/shapes"}, Options{Progress: func(done, total int64) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		lastDone, lastTotal = done, total
	}}, func(*Record) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 || lastDone != lastTotal || lastDone != st.Bytes {
		t.Errorf("%d calls, last %d/%d, stats bytes %d", calls, lastDone, lastTotal, st.Bytes)
	}
}

// TestClone keeps a record valid after the read buffer is reused.
func TestClone(t *testing.T) {
	var kept []*Record
	var raws []string
	_, err := Read(context.Background(), []string{"testdata/shapes/records.json"}, Options{Workers: 1}, func(r *Record) error {
		kept = append(kept, r.Clone())
		raws = append(raws, string(r.Raw))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range kept {
		if string(r.Raw) != raws[i] || !bytes.Contains(r.Raw, r.RequestParameters) || !json.Valid(r.RequestParameters) {
			t.Errorf("clone %d changed", i)
		}
		// The clone's JSON fields share its own Raw, nothing else.
		for j := range r.Raw {
			r.Raw[j] = 'x'
		}
		if strings.Trim(string(r.RequestParameters), "x") != "" {
			t.Errorf("clone %d: requestParameters not within its own Raw", i)
		}
		if i+1 < len(kept) && !json.Valid(kept[i+1].RequestParameters) {
			t.Errorf("overwriting clone %d changed clone %d", i, i+1)
		}
	}
}
