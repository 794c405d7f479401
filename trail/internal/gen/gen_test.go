package gen

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestGenerate checks the layout, that every record is valid JSON with the
// fields a CloudTrail record has, the denied share, and determinism.
func TestGenerate(t *testing.T) {
	run := func(dir string) Result {
		res, err := Generate(Options{Dir: dir, Bytes: 600 << 10, RecordsPerFile: 200, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	a, b := t.TempDir(), t.TempDir()
	ra, rb := run(a), run(b)
	if ra != rb {
		t.Errorf("not deterministic: %+v vs %+v", ra, rb)
	}
	files, _ := filepath.Glob(filepath.Join(a, "AWSLogs", "*", "CloudTrail", "*", "2025", "03", "01", "*_CloudTrail_*.json.gz"))
	if int64(len(files)) != ra.Files || ra.Files < 2 {
		t.Fatalf("%d files in the S3 layout, result says %d", len(files), ra.Files)
	}
	var records, denied int64
	for _, f := range files {
		zb, _ := os.ReadFile(f)
		other, _ := os.ReadFile(filepath.Join(b, f[len(a):]))
		if !bytes.Equal(zb, other) {
			t.Errorf("%s differs between runs", f)
		}
		zr, err := gzip.NewReader(bytes.NewReader(zb))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(zr)
		var doc struct {
			Records []struct {
				EventID, EventTime, EventSource, EventName, ErrorCode string
				UserIdentity                                          struct{ Type string }
			}
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, r := range doc.Records {
			records++
			if r.EventID == "" || r.EventTime == "" || r.EventSource == "" || r.EventName == "" || r.UserIdentity.Type == "" {
				t.Fatalf("incomplete record %+v", r)
			}
			switch r.ErrorCode {
			case "AccessDenied", "AccessDeniedException", "Client.UnauthorizedOperation", "AuthorizationError":
				denied++
			}
		}
	}
	if records != ra.Records || denied != ra.Denied {
		t.Errorf("read %d records, %d denied; result says %d, %d", records, denied, ra.Records, ra.Denied)
	}
	if share := float64(denied) / float64(records); share < 0.01 || share > 0.03 {
		t.Errorf("denied share %.3f, want about 0.02", share)
	}
}
