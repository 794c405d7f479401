package trail

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Reliability rules of the reader: nothing is lost without being counted
// and reported, and the counts add up (Records = RecordsFailed is separate;
// Delivered + Filtered + Duplicates = Records).

func record(id string) string {
	return fmt.Sprintf(`{"eventVersion":"1.08","eventID":%q,"eventTime":"2024-01-20T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","errorCode":"AccessDenied","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/a"}}`, id)
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func ids(recs []*Record) string {
	var out []string
	for _, r := range recs {
		out = append(out, r.EventID)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func TestReliabilityReader(t *testing.T) {
	huge := `{"eventID":"huge","errorMessage":"` + strings.Repeat("x", maxValue+1024) + `"}`
	for _, tc := range []struct {
		name       string
		content    string
		wantIDs    string
		wantFailed int64
		wantLine   int // line of the first problem
	}{
		{"a truncated JSON line loses only itself",
			record("a1") + "\n" + `{"eventVersion":"1.08","eventID":"cut","eventTi` + "\n" + record("a2") + "\n" + record("a3") + "\n",
			"a1,a2,a3", 1, 2},
		{"a truncated last line",
			record("a1") + "\n" + `{"eventID":"cut","eventTi`,
			"a1", 1, 2},
		{"a garbage line between records",
			record("a1") + "\nnot json\n" + record("a2") + "\n",
			"a1,a2", 1, 2},
		{"concatenated documents",
			`{"Records":[` + record("b1") + `]}{"Records":[` + record("b2") + "]}\n" + record("b3"),
			"b1,b2,b3", 0, 0},
		{"a string larger than a record may be, then good records",
			huge + "\n" + record("c1") + "\n" + record("c2") + "\n",
			"c1,c2", 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), "t.jsonl", tc.content)
			recs, st := collect(t, []string{p}, Options{Workers: 1})
			if got := ids(recs); got != tc.wantIDs {
				t.Errorf("records %s, want %s", got, tc.wantIDs)
			}
			if st.RecordsFailed != tc.wantFailed {
				t.Errorf("RecordsFailed %d, want %d (%v)", st.RecordsFailed, tc.wantFailed, st.Problems)
			}
			if st.Delivered()+st.Filtered+st.Duplicates != st.Records || int64(len(recs)) != st.Delivered() {
				t.Errorf("counts do not add up: %+v, %d delivered", st, len(recs))
			}
			if tc.wantLine > 0 && (len(st.Problems) == 0 || st.Problems[0].Line != tc.wantLine) {
				t.Errorf("problems %v, want the first on line %d", st.Problems, tc.wantLine)
			}
		})
	}
}

// Rule: a record a time bound drops only because its eventTime is not a
// time is counted and reported, not silently filtered.
func TestReliabilityUnreadableTimeCounted(t *testing.T) {
	bad := strings.Replace(record("d2"), "2024-01-20T00:00:00Z", "yesterday", 1)
	p := writeFile(t, t.TempDir(), "t.jsonl", record("d1")+"\n"+bad+"\n")
	recs, st := collect(t, []string{p}, Options{Filter: Filter{Since: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}})
	if ids(recs) != "d1" || st.Filtered != 1 || st.FilteredBadTime != 1 {
		t.Fatalf("records %s, stats %+v", ids(recs), st)
	}
	if len(st.Problems) != 1 || st.Problems[0].Record != 1 || !strings.Contains(st.Problems[0].Message, `"yesterday"`) {
		t.Fatalf("problems %v", st.Problems)
	}
	// Out of range for another reason: not reported.
	_, st = collect(t, []string{p}, Options{Filter: Filter{Since: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), EventNames: []string{"PutObject"}}})
	if st.FilteredBadTime != 0 || len(st.Problems) != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// Rule: special files in a trail directory are skipped and counted (a
// FIFO would block the reader for ever), empty files are counted, and a
// device named explicitly is refused.
func TestReliabilitySpecialAndEmptyFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "a.json", record("e1"))
	writeFile(t, dir, "empty.json", "")
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.json"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero.json")); err != nil {
		t.Fatal(err)
	}
	recs, st := collect(t, []string{dir}, Options{})
	if ids(recs) != "e1" || st.Skipped[SkipSpecial] != 2 || st.EmptyFiles != 1 || st.Files != 2 {
		t.Fatalf("records %s, stats %+v", ids(recs), st)
	}
	_, st = collect(t, []string{"/dev/zero"}, Options{})
	if st.FilesFailed != 1 || !st.NoInput() {
		t.Fatalf("/dev/zero: %+v", st)
	}
}

// Rule: no input is not "no records": NoInput tells a missing path, an
// empty directory and only skipped files from logs without records.
func TestReliabilityNoInput(t *testing.T) {
	empty := t.TempDir()
	onlyDigest := t.TempDir()
	writeFile(t, onlyDigest, "111122223333_CloudTrail-Digest_us-east-1_x.json.gz", "x")
	withEmpty := t.TempDir()
	writeFile(t, withEmpty, "e.json", "")
	for _, tc := range []struct {
		path string
		want bool
	}{
		{filepath.Join(empty, "missing"), true},
		{empty, true},
		{onlyDigest, true},
		{withEmpty, false},
	} {
		_, st := collect(t, []string{tc.path}, Options{})
		if st.NoInput() != tc.want {
			t.Errorf("%s: NoInput %v, want %v (%+v)", tc.path, st.NoInput(), tc.want, st)
		}
	}
}
