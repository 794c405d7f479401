package diagnose

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/snapshot"
	"github.com/iamwhy/iamwhy/trail"
)

func loadEnv(t *testing.T, dir string) *snapshot.Environment {
	t.Helper()
	env, err := snapshot.LoadFile(dir, snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// eventRequest is the first authorisation the first denied record of
// file needs, with the record's context. (Package replay does this for
// the commands; it imports this package, so the test reads the record
// itself.)
func eventRequest(t *testing.T, file string) *eval.Request {
	t.Helper()
	var rec *trail.Record
	if _, err := trail.Read(context.Background(), []string{file}, trail.Options{Serial: true}, func(r *trail.Record) error {
		if rec == nil && trail.IsAccessDenied(r.ErrorCode) {
			rec = r.Clone()
		}
		return nil
	}); err != nil || rec == nil {
		t.Fatalf("%s: no denied record (%v)", file, err)
	}
	rp := trail.ToReplay(rec, trail.RequestOptions{Actions: eventActions})
	if len(rp.Requests) == 0 {
		t.Fatalf("%s: no request", file)
	}
	return rp.Requests[0]
}

// eventActions are the IAM actions a CloudTrail event needs.
func eventActions(source, name string) []string {
	a, _ := catalog.Default().EventActions(source, name)
	return a
}

var replayOpts = ReplayOptions{Options: Options{Actions: testActions}, Reference: catalog.Default()}

// The permissions boundary denies; the fix goes into the boundary.
func TestReplayBoundary(t *testing.T) {
	env := loadEnv(t, "../examples/env")
	req := &eval.Request{Principal: "arn:aws:sts::111122223333:assumed-role/developer/alice", Action: "iam:CreateRole",
		Resource: "arn:aws:iam::111122223333:role/app/new-role", Context: &eval.Context{}}
	req.Context.Set("aws:RequestedRegion", "us-east-1")
	out, err := Replay(env, req, replayOpts)
	if err != nil {
		t.Fatal(err)
	}
	rc := out.Report.RootCause
	if rc == nil || rc.Layer != "boundary" || rc.Policy != "arn:aws:iam::111122223333:policy/DeveloperBoundary" {
		t.Fatalf("root cause %+v", rc)
	}
	if len(out.Report.Fixes) != 1 || !out.Report.Fixes[0].Verified {
		t.Fatalf("fixes %+v", out.Report.Fixes)
	}
}

// A caller the environment does not hold is an error, not a guess.
func TestReplayUnknownPrincipal(t *testing.T) {
	env := loadEnv(t, "../examples/env")
	req := &eval.Request{Principal: "arn:aws:iam::111122223333:user/nobody", Action: "s3:GetObject", Resource: "*", Context: &eval.Context{}}
	if _, err := Replay(env, req, replayOpts); err == nil {
		t.Fatal("want an error")
	}
}

// Eventual consistency: a role created a minute before the denied call
// that the replay allows is the first candidate.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_general.html#troubleshoot_general_eventual-consistency
func TestReplayEventualConsistency(t *testing.T) {
	env := loadEnv(t, "../examples/env")
	out, err := Replay(env, eventRequest(t, "testdata/just-created-event.json"), replayOpts)
	if err != nil {
		t.Fatal(err)
	}
	if out.Report.Decision != "allow" || len(out.Report.Candidates) == 0 || !strings.Contains(out.Report.Candidates[0], "eventual consistency") {
		t.Fatalf("%s %q", out.Report.Decision, out.Report.Candidates)
	}
}

func TestRecentChange(t *testing.T) {
	env := loadEnv(t, "../examples/env")
	req := eventRequest(t, "testdata/just-created-event.json")
	p, err := env.Principal(req.Principal)
	if err != nil || p.Role == nil || p.Role.CreateDate.IsZero() {
		t.Fatalf("fixture: %v %+v", err, p)
	}
	created := p.Role.CreateDate
	for _, tc := range []struct {
		name string
		at   time.Time
		want string
	}{
		{"a minute after creation", created.Add(time.Minute), "eventual consistency"},
		{"just inside the window", created.Add(recentWindow - time.Second), "eventual consistency"},
		{"long after", created.Add(recentWindow), ""},
		{"before creation: the snapshot is newer", created.Add(-time.Hour), "the snapshot is newer than the event"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req.Context.Set("aws:CurrentTime", tc.at.UTC().Format(time.RFC3339))
			got := RecentChange(env, req)
			if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Fatalf("RecentChange = %q, want %q", got, tc.want)
			}
		})
	}
	req.Context.Set("aws:CurrentTime", "not a time")
	if got := RecentChange(env, req); got != "" {
		t.Fatalf("an unreadable time: %q", got)
	}
}

// Staging holds the same role without the boundary: swapping that layer in
// explains the denial.
func TestCompareEnvironments(t *testing.T) {
	env := loadEnv(t, "../examples/env")
	staging := loadEnv(t, "testdata/staging")
	req := &eval.Request{Principal: "arn:aws:sts::111122223333:assumed-role/developer/alice", Action: "iam:CreateRole",
		Resource: "arn:aws:iam::111122223333:role/app/new-role", Context: &eval.Context{}}
	req.Context.Set("aws:RequestedRegion", "us-east-1")
	opts := replayOpts
	opts.Compare = staging
	out, err := Replay(env, req, opts)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range out.Report.Findings {
		found = found || f.Code == "environment-difference" && strings.Contains(f.Message, "boundary layer explains it")
	}
	if !found {
		t.Fatalf("findings %+v", out.Report.Findings)
	}
	if got := Counterpart(staging, "arn:aws:iam::999999999999:role/nowhere"); got != "arn:aws:iam::999999999999:role/nowhere" {
		t.Fatalf("a principal with no counterpart is kept: %q", got)
	}
}

// Events of the same request are replayed once and counted together;
// events that cannot be replayed are grouped by the reason.
func TestGroupDenials(t *testing.T) {
	env := loadEnv(t, "../examples/env")
	var records []*trail.Record
	for _, f := range []string{"testdata/region-denied-event.json", "testdata/region-denied-event.json", "testdata/allowed-event.json"} {
		_, err := trail.Read(context.Background(), []string{f}, trail.Options{Serial: true, Filter: trail.Filter{DeniedOnly: true}}, func(r *trail.Record) error {
			records = append(records, r.Clone())
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	records = append(records, &trail.Record{EventID: "anon", EventSource: "s3.amazonaws.com", EventName: "GetObject", ErrorCode: "AccessDenied"})
	out := GroupDenials(env, records, DenialsOptions{Options: Options{Actions: testActions}, Request: trail.RequestOptions{Actions: eventActions}})
	if out.Events != 4 || out.Distinct != 2 {
		t.Fatalf("events %d distinct %d", out.Events, out.Distinct)
	}
	byDecision := map[string]*Group{}
	for _, g := range out.Groups {
		byDecision[g.Decision] = g
	}
	deny := byDecision["explicit-deny"]
	if deny == nil || deny.Count != 2 || deny.RootCause == nil || deny.RootCause.Layer != "scp" || len(deny.EventIDs) != 2 {
		t.Fatalf("explicit deny group %+v", deny)
	}
	if g := byDecision["allow"]; g == nil || g.Reason == "" || len(g.Candidates) == 0 {
		t.Fatalf("allow group %+v", g)
	}
	if g := byDecision["not-replayed"]; g == nil || g.Count != 1 {
		t.Fatalf("not replayed group %+v", g)
	}
	if out.Groups[0] != deny {
		t.Fatal("groups are sorted by count, largest first")
	}
}
