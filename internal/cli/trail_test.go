package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/iamwhy/iamwhy/internal/golden"
)

const (
	trailShared = "../../testdata/cloudtrail"
	trailShapes = "../../trail/testdata/shapes"
)

func runTrailCLI(t *testing.T, term bool, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(args, Streams{In: strings.NewReader(""), Out: &out, Err: &errb, IsTerminal: term})
	return out.String(), errb.String(), code
}

// TestTrailDeniedJSON checks the counts on the shared samples: 60 + 51
// denials in 2,900 + 310 records.
func TestTrailDeniedJSON(t *testing.T) {
	out, stderr, code := runTrailCLI(t, false, "trail", "denied", "--output", "json", trailShared)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var d struct {
		Total  int64
		Groups []struct {
			Count     int64
			Principal string
			Action    string
			Histogram []int64
		}
		Stats struct {
			Files         int64
			FilesSkipped  int64 `json:"files_skipped"`
			Records       int64
			RecordsFailed int64 `json:"records_failed"`
			Duplicates    int64
		}
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	if d.Total != 111 || d.Stats.Records != 3210 || d.Stats.Files != 90 || d.Stats.FilesSkipped != 2 {
		t.Errorf("total %d, stats %+v", d.Total, d.Stats)
	}
	var sum int64
	for _, g := range d.Groups {
		sum += g.Count
	}
	if sum != 111 {
		t.Errorf("group counts sum to %d", sum)
	}
	// Each sample set alone.
	for path, want := range map[string]int64{trailShared + "/invictus-sigma-aws": 60, trailShared + "/stratus-red-team": 51} {
		out, _, _ := runTrailCLI(t, false, "trail", "denied", "-o", "json", path)
		var one struct{ Total int64 }
		json.Unmarshal([]byte(out), &one)
		if one.Total != want {
			t.Errorf("%s: %d denials, want %d", path, one.Total, want)
		}
	}
}

func TestTrailDeniedCSV(t *testing.T) {
	out, stderr, code := runTrailCLI(t, false, "trail", "denied", "-o", "csv", trailShapes)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[0][0] != "count" || rows[1][3] != "s3:GetObject" {
		t.Errorf("rows: %q", rows)
	}
	if !strings.Contains(stderr, "read 6 files") {
		t.Errorf("stderr lacks the read summary: %q", stderr)
	}
}

// TestTrailDeniedText compares the text rendering with a golden file
// (go test ./internal/cli -run TrailDeniedText -update rewrites it).
func TestTrailDeniedText(t *testing.T) {
	out, stderr, code := runTrailCLI(t, false, "trail", "denied", trailShapes)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	golden.Check(t, "testdata/trail_denied.golden", []byte(out))
}

// TestTrailDeniedExitCodes: 1 when inputs could not all be read (the
// summary still printed), 2 when the command cannot run.
func TestTrailDeniedExitCodes(t *testing.T) {
	out, stderr, code := runTrailCLI(t, false, "trail", "denied", "-o", "json", "../../trail/testdata/bad/invalid.json", trailShapes)
	if code != 1 || !strings.Contains(stderr, "invalid.json:3:57: invalid character") || !strings.Contains(out, `"total": 3`) {
		t.Errorf("bad input: exit %d, stderr %q", code, stderr)
	}
	for _, args := range [][]string{
		{"trail", "denied", "-o", "yaml", trailShapes},
		{"trail", "denied", "--since", "yesterday", trailShapes},
		{"trail", "denied"},
	} {
		if _, _, code := runTrailCLI(t, false, args...); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}

// TestTrailDeniedFilters passes the filter flags through.
func TestTrailDeniedFilters(t *testing.T) {
	out, _, _ := runTrailCLI(t, false, "trail", "denied", "-o", "json", "--since", "2024-01-15T10:05:00Z", "--until", "2024-01-15T10:10:30Z", trailShapes)
	var d struct{ Total int64 }
	json.Unmarshal([]byte(out), &d)
	if d.Total != 2 {
		t.Errorf("time window: %d denials, want 2 (10:05 and 10:10)", d.Total)
	}
	out, _, _ = runTrailCLI(t, false, "trail", "denied", "-o", "json", "--error-code", "AccessDenied", trailShapes)
	json.Unmarshal([]byte(out), &d)
	if d.Total != 1 {
		t.Errorf("--error-code: %d denials, want 1", d.Total)
	}
}

// TestTrailProgress draws the bar only on a terminal and erases it.
func TestTrailProgress(t *testing.T) {
	_, stderr, _ := runTrailCLI(t, true, "trail", "denied", "-o", "csv", trailShapes)
	if !strings.Contains(stderr, "\r[") || !strings.Contains(stderr, "\r\x1b[K") {
		t.Errorf("no progress bar on a terminal: %q", stderr)
	}
	_, stderr, _ = runTrailCLI(t, false, "trail", "denied", "-o", "csv", trailShapes)
	if strings.Contains(stderr, "\r") {
		t.Errorf("progress bar drawn off a terminal: %q", stderr)
	}
}

func TestParseTimeFlag(t *testing.T) {
	now := time.Date(2024, 1, 15, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"2024-01-14":           time.Date(2024, 1, 14, 0, 0, 0, 0, time.UTC),
		"2024-01-14T08:30":     time.Date(2024, 1, 14, 8, 30, 0, 0, time.UTC),
		"2024-01-14T08:30:00Z": time.Date(2024, 1, 14, 8, 30, 0, 0, time.UTC),
		"36h":                  now.Add(-36 * time.Hour),
		"7d":                   now.Add(-7 * 24 * time.Hour),
	} {
		got, err := parseTimeFlag("--since", in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseTimeFlag(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}

func TestDurationWord(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Minute: "minute", 5 * time.Minute: "5 minutes", 3 * time.Hour: "3 hours",
		24 * time.Hour: "day", 7 * 24 * time.Hour: "7 days", 90 * time.Second: "1m30s",
	} {
		if got := durationWord(d); got != want {
			t.Errorf("durationWord(%s) = %q, want %q", d, got, want)
		}
	}
}

// TestTrailDeniedStdin reads "-" from the command's standard input.
func TestTrailDeniedStdin(t *testing.T) {
	data, err := os.ReadFile(trailShapes + "/lookup-events.json")
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := Main([]string{"trail", "denied", "-o", "json", "-"}, Streams{In: bytes.NewReader(data), Out: &out, Err: &errb})
	var d struct{ Total int64 }
	if err := json.Unmarshal(out.Bytes(), &d); err != nil || code != 0 || d.Total != 1 {
		t.Errorf("exit %d, total %d, err %v, stderr %s", code, d.Total, err, errb.String())
	}
}
