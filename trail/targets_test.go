package trail

import (
	"context"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/trail/internal/gen"
)

// TestReplayTargetsMatchToReplay checks that the targets of a record read
// with only TargetMembers are, one by one and in order, the actions,
// resources and passed services of ToReplay's requests on the whole
// record: callers that key requests by target rely on it.
func TestReplayTargetsMatchToReplay(t *testing.T) {
	dir := t.TempDir()
	if _, err := gen.Generate(gen.Options{Dir: dir, Bytes: 2 << 20, Seed: 3, Roles: 30}); err != nil {
		t.Fatal(err)
	}
	// Keeping only the first ARN for an action makes Resources matter,
	// as catalog.ScopeResources does.
	opts := RequestOptions{
		Resources: func(action string, arns []string) []string {
			if strings.HasPrefix(action, "s3:") && len(arns) > 1 {
				return arns[len(arns)-1:]
			}
			return arns
		},
		PassRole: true,
	}
	// Serial: the counters below are shared by every call.
	n, passed, multi := 0, 0, 0
	_, err := Read(context.Background(), []string{dir, "../testdata/cloudtrail"}, Options{Members: TargetMembers, Serial: true}, func(r *Record) error {
		targets, fromResponse := ReplayTargets(r, opts)
		if err := r.DecodeAll(); err != nil {
			t.Fatal(err)
		}
		rp := ToReplay(r, opts)
		if rp.FromResponse != fromResponse {
			t.Errorf("%s %s: FromResponse %v, targets say %v", r.EventSource, r.EventName, rp.FromResponse, fromResponse)
		}
		if len(rp.Requests) != len(targets) {
			t.Fatalf("%s %s: %d requests, %d targets", r.EventSource, r.EventName, len(rp.Requests), len(targets))
		}
		for i, req := range rp.Requests {
			pt := ""
			if v, ok := req.Context.Get("iam:PassedToService"); ok && len(v) == 1 {
				pt = v[0]
				passed++
			}
			if tg := targets[i]; tg.Action != req.Action || tg.Resource != req.Resource || tg.PassedTo != pt {
				t.Errorf("%s %s: target %d is %+v, request %s on %s passed to %q", r.EventSource, r.EventName, i, tg, req.Action, req.Resource, pt)
			}
		}
		if len(targets) > 1 {
			multi++
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 1000 || passed == 0 || multi == 0 {
		t.Fatalf("%d records, %d passed roles, %d with several targets: the inputs do not exercise targets", n, passed, multi)
	}
}
