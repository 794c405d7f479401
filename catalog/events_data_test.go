package catalog

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharedCloudTrail is the project's bundled CloudTrail samples (see
// testdata/README.md at the repository root).
const sharedCloudTrail = "../testdata/cloudtrail"

// TestEventActionsOnRealRecords maps every (eventSource, eventName) of the
// shared CloudTrail records (3,210 records from two public data sets) and
// requires each to resolve, except the events listed here, which the
// service reference has no action for.
func TestEventActionsOnRealRecords(t *testing.T) {
	if _, err := os.Stat(sharedCloudTrail); err != nil {
		t.Skip("shared CloudTrail data not present")
	}
	// Every event of the samples resolves (the exception table holds the
	// two that do not derive: SharedSnapshotVolumeCreated, a service
	// event, and the S3 console's GetStorageLensDashboardDataInternal).
	unresolvable := map[string]string{}
	events := map[string]bool{}
	err := filepath.WalkDir(sharedCloudTrail, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") && !strings.HasSuffix(path, ".json.gz") {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		var r io.Reader = f
		if strings.HasSuffix(path, ".gz") {
			if r, err = gzip.NewReader(f); err != nil {
				return err
			}
		}
		data, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		type record struct{ EventSource, EventName string }
		var wrapped struct{ Records []record }
		var bare []record
		if err := json.Unmarshal(data, &wrapped); err != nil || wrapped.Records == nil {
			if err := json.Unmarshal(data, &bare); err != nil {
				return nil // not a record file (a licence, a README)
			}
			wrapped.Records = bare
		}
		for _, rec := range wrapped.Records {
			events[rec.EventSource+"/"+rec.EventName] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) < 100 {
		t.Fatalf("only %d distinct events read", len(events))
	}
	c := Default()
	kinds := map[EventKind]int{}
	for e := range events {
		source, name, _ := strings.Cut(e, "/")
		_, m := c.EventActions(source, name)
		kinds[m.Kind]++
		_, expected := unresolvable[e]
		if (m.Kind == EventUnknown) != expected {
			t.Errorf("%s: kind %v (%s)", e, m.Kind, m.Note)
		}
	}
	t.Logf("%d distinct events: %v", len(events), kinds)
}
