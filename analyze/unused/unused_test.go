package unused

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/policy"
	"github.com/iamwhy/iamwhy/snapshot"
	"github.com/iamwhy/iamwhy/trail"
)

const testTrail = "../generate/testdata/trail.json"

func loadEnv(t *testing.T) *snapshot.Environment {
	t.Helper()
	env, err := snapshot.LoadFile("testdata/env", snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func analyse(t *testing.T, o Options, paths ...string) *Result {
	t.Helper()
	if paths == nil {
		paths = []string{testTrail}
	}
	res, _, err := FromTrail(context.Background(), loadEnv(t), paths, trail.Options{Serial: true}, o)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func principal(t *testing.T, res *Result, arn string) *PrincipalReport {
	t.Helper()
	for i := range res.Principals {
		if res.Principals[i].Principal == arn {
			return &res.Principals[i]
		}
	}
	t.Fatalf("no report for %s", arn)
	return nil
}

func action(t *testing.T, p *PrincipalReport, name string) *ActionStatus {
	t.Helper()
	for i := range p.Actions {
		if p.Actions[i].Action == name {
			return &p.Actions[i]
		}
	}
	t.Fatalf("%s: %s not granted", p.Principal, name)
	return nil
}

const app = "arn:aws:iam::111122223333:role/app"

// Each status rule on the test environment and trail.
func TestStatuses(t *testing.T) {
	res := analyse(t, Options{})
	p := principal(t, res, app)
	tests := []struct {
		rule, action, status, lastUsed string
		grantedBy                      []string
	}{
		{"an authorised call needed it: used, last use", "s3:GetObject", StatusUsed, "2026-01-03T10:00:00Z", []string{app + "#app-inline"}},
		{"ListObjectsV2 uses s3:ListBucket", "s3:ListBucket", StatusUsed, "2026-01-02T10:00:00Z", nil},
		{"a call that passed a role used iam:PassRole", "iam:PassRole", StatusUsed, "2026-01-02T10:00:00Z", nil},
		{"a denied call does not use the action", "s3:DeleteObject", StatusUnused, "", nil},
		{"wildcard expanded per service: an unused expansion", "ecs:DescribeTasks", StatusUnused, "", []string{"arn:aws:iam::111122223333:policy/app-read"}},
		{"wildcard expanded per service: the used one", "ecs:DescribeServices", StatusUsed, "2026-01-02T10:00:00Z", nil},
		{"a call failing after authorisation (ResourceNotFound) used it", "dynamodb:DescribeTable", StatusUsed, "2026-01-02T10:00:00Z", nil},
		{"AWS managed policy grants are expanded", "sqs:ListQueues", StatusUnused, "", []string{"arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess"}},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			a := action(t, p, tt.action)
			if a.Status != tt.status {
				t.Errorf("%s is %s, want %s", tt.action, a.Status, tt.status)
			}
			if (a.LastUsed == nil) != (tt.lastUsed == "") || (a.LastUsed != nil && *a.LastUsed != tt.lastUsed) {
				t.Errorf("last used %v, want %q", a.LastUsed, tt.lastUsed)
			}
			if tt.grantedBy != nil && strings.Join(a.GrantedBy, ",") != strings.Join(tt.grantedBy, ",") {
				t.Errorf("granted by %v, want %v", a.GrantedBy, tt.grantedBy)
			}
		})
	}
	if p.Owner == nil || *p.Owner != "payments-team" {
		t.Errorf("owner %v", p.Owner)
	}
	if alice := principal(t, res, "arn:aws:iam::111122223333:user/alice"); alice.Owner == nil || *alice.Owner != "alice@example.com" {
		t.Errorf("owner tag is matched case-insensitively (Owner): %v", alice.Owner)
	}
	if idle := principal(t, res, "arn:aws:iam::111122223333:role/idle"); idle.Owner != nil {
		t.Errorf("no tag: owner %v, want null", *idle.Owner)
	}
}

// unknown when the trail cannot tell, with the reason.
func TestUnknownStatuses(t *testing.T) {
	// A trail with management events only (no data events): the records of
	// the test trail other than the data events.
	dir := t.TempDir()
	var all struct{ Records []map[string]any }
	data := mustRead(t, testTrail)
	if err := json.Unmarshal(data, &all); err != nil {
		t.Fatal(err)
	}
	var mgmt []map[string]any
	for _, r := range all.Records {
		if r["eventCategory"] != "Data" {
			mgmt = append(mgmt, r)
		}
	}
	path := writeJSON(t, dir, "mgmt.json", map[string]any{"Records": mgmt})
	res := analyse(t, Options{}, path)
	p := principal(t, res, app)
	for _, tt := range []struct{ rule, action, reason string }{
		{"a data event and the trail holds no S3 data events", "s3:PutObject", "data event"},
		{"SQS messages are data events", "sqs:SendMessage", "data event"},
	} {
		a := action(t, p, tt.action)
		if a.Status != StatusUnknown || a.Reason == nil || !strings.Contains(*a.Reason, tt.reason) {
			t.Errorf("%s: %s is %s (%v), want unknown: %s", tt.rule, tt.action, a.Status, a.Reason, tt.reason)
		}
	}
	if a := action(t, p, "sqs:DeleteQueue"); a.Status != StatusUnused {
		t.Errorf("a management write action is %s, want unused", a.Status)
	}

	// A trail of another account covers none of the principals.
	other := writeJSON(t, dir, "other.json", map[string]any{"Records": []map[string]any{{
		"eventVersion": "1.09", "eventTime": "2026-01-02T10:00:00Z", "eventSource": "s3.amazonaws.com", "eventName": "ListBuckets",
		"awsRegion": "us-east-1", "eventID": "00000000-0000-4000-8000-000000000999", "recipientAccountId": "999999999999",
		"userIdentity": map[string]any{"type": "IAMUser", "arn": "arn:aws:iam::999999999999:user/x", "accountId": "999999999999"}}}})
	res = analyse(t, Options{}, other)
	a := action(t, principal(t, res, app), "sqs:DeleteQueue")
	if a.Status != StatusUnknown || !strings.Contains(*a.Reason, "no events of account 111122223333") {
		t.Errorf("uncovered account: %s %v", a.Status, a.Reason)
	}
	if a := action(t, principal(t, analyse(t, Options{}), "arn:aws:iam::111122223333:role/app"), "iam:PassRole"); a.Status != StatusUsed {
		t.Errorf("PassRole %s", a.Status)
	}
}

func TestNotLogged(t *testing.T) {
	for _, a := range []string{"execute-api:Invoke", "rds-db:connect", "sts:TagSession", "es:ESHttpGet", "appsync:GraphQL"} {
		if _, ok := notLogged(a); !ok {
			t.Errorf("%s: CloudTrail does not log it", a)
		}
	}
	if _, ok := notLogged("s3:GetObject"); ok {
		t.Error("s3:GetObject is logged (as a data event)")
	}
}

func TestLastAccessed(t *testing.T) {
	la, err := ReadLastAccessed("testdata/last-accessed-idle.json")
	if err != nil {
		t.Fatal(err)
	}
	if la.Principal != "arn:aws:iam::111122223333:role/idle" {
		t.Fatalf("principal %s", la.Principal)
	}
	res := analyse(t, Options{LastAccessed: []*LastAccessed{la}, Principals: []string{"arn:aws:iam::111122223333:role/idle"}})
	p := principal(t, res, "arn:aws:iam::111122223333:role/idle")
	if a := action(t, p, "logs:PutLogEvents"); a.Status != StatusUsed || a.Source != "last_accessed" || *a.LastUsed != "2025-12-01T08:00:00Z" {
		t.Errorf("tracked action: %+v", a)
	}
	if a := action(t, p, "logs:CreateLogStream"); a.Status != StatusUnused {
		t.Errorf("untracked action of a used service, trail covering the account: %s", a.Status)
	}
	if len(res.Principals) != 1 {
		t.Errorf("--principal selects: %d reports", len(res.Principals))
	}

	_, err = ReadLastAccessed("testdata/last-accessed-bad.json")
	if err == nil || !strings.Contains(err.Error(), "last-accessed-bad.json:4:") {
		t.Errorf("bad report: %v (want file:line:col)", err)
	}
	if _, err := ReadLastAccessed("testdata"); err == nil {
		t.Error("a directory accepted")
	}
	if _, err := ParseLastAccessed("x", "", []byte(`{"JobStatus":"IN_PROGRESS"}`)); err == nil {
		t.Error("a job in progress accepted")
	}
}

// The removal proposal: each granting policy without its unused actions,
// used calls still allowed, removed actions denied, checked here with the
// engine independently of the package's own check.
func TestRemoval(t *testing.T) {
	res := analyse(t, Options{})
	p := principal(t, res, app)
	rm := p.Removal
	if rm == nil || !rm.Verified || rm.Checks.StillAllowed != rm.Checks.UsedCalls || rm.Checks.NowDenied != rm.Checks.RemovedActions || rm.Checks.UsedCalls == 0 {
		t.Fatalf("removal %+v", rm)
	}
	inline := rm.Policies[app+"#app-inline"]
	managed := rm.Policies["arn:aws:iam::111122223333:policy/app-read"]
	if inline == nil || managed == nil {
		t.Fatalf("policies %v", keys(rm.Policies))
	}
	if _, ok := rm.Replaces["arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess"]; !ok {
		t.Errorf("the unused AWS managed policy is not replaced: %v", rm.Replaces)
	}
	var pols []*eval.Policy
	for name, doc := range map[string][]byte{"inline": inline, "managed": managed} {
		c, err := eval.ParseAndCompile(name, doc, policy.TypeIdentity)
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, doc)
		}
		pols = append(pols, c)
	}
	layers := &eval.Layers{Identity: pols}
	for _, tt := range []struct {
		action, resource string
		allow            bool
	}{
		{"s3:GetObject", "arn:aws:s3:::data-bucket/x", true},
		{"s3:PutObject", "arn:aws:s3:::data-bucket/x", true},
		{"s3:DeleteObject", "arn:aws:s3:::data-bucket/x", false},
		{"sqs:DeleteQueue", "arn:aws:sqs:eu-west-1:111122223333:jobs", false},
		{"sqs:SendMessage", "arn:aws:sqs:eu-west-1:111122223333:jobs", true},
		{"ecs:DescribeServices", "*", true},
		{"ecs:DescribeTasks", "*", false},
		{"dynamodb:DeleteTable", "arn:aws:dynamodb:eu-west-1:111122223333:table/orders", false},
	} {
		req := &eval.Request{Principal: "arn:aws:sts::111122223333:assumed-role/app/s", Action: tt.action, Resource: tt.resource, Context: &eval.Context{}}
		req.FillPrincipalContext(app)
		if got := eval.Decide(req, layers).Outcome == eval.Allow; got != tt.allow {
			t.Errorf("proposal: %s on %s allowed %v, want %v", tt.action, tt.resource, got, tt.allow)
		}
	}
	if got := strings.Join(rm.Removed[app+"#app-inline"], ","); got != "s3:DeleteObject,sqs:DeleteQueue" {
		t.Errorf("removed from inline: %s", got)
	}
}

func TestRewriteKeepsUntouchedPatterns(t *testing.T) {
	a, err := New(loadEnv(t), Options{Principals: []string{app}})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:*","sns:Get*"],"Resource":"*"},
	 {"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}`), policy.Options{Type: policy.TypeIdentity})
	if err != nil {
		t.Fatal(err)
	}
	d := &policyDoc{name: "p", doc: doc}
	d.stmtActions = []map[string]bool{}
	for i := range doc.Statements {
		d.stmtActions = append(d.stmtActions, a.expand(doc.Statements[i].Action))
	}
	nd, taken := a.rewrite(d, map[string]bool{"sqs:DeleteQueue": true})
	b, _ := json.Marshal(nd)
	s := string(b)
	if !strings.Contains(s, `"sns:Get*"`) || strings.Contains(s, `"sqs:*"`) || strings.Contains(s, "sqs:DeleteQueue") || !strings.Contains(s, "sqs:SendMessage") {
		t.Errorf("rewrite: %s", s)
	}
	if strings.Contains(s, "NotAction") || !strings.Contains(s, `"s3:*"`) {
		t.Errorf("NotAction statement is rewritten per service (s3:* kept whole): %.300s", s)
	}
	if len(taken) != 1 {
		t.Errorf("taken %v", taken)
	}
}

func TestUnknownPrincipal(t *testing.T) {
	if _, err := New(loadEnv(t), Options{Principals: []string{"arn:aws:iam::111122223333:role/nosuch"}}); err == nil {
		t.Error("a principal the environment does not hold accepted")
	}
}

func TestWindow(t *testing.T) {
	res := analyse(t, Options{})
	if res.Window.From == nil || *res.Window.From != "2026-01-02T10:00:00Z" || *res.Window.To != "2026-01-03T10:00:00Z" {
		t.Errorf("window %v %v", res.Window.From, res.Window.To)
	}
	a, _ := New(loadEnv(t), Options{})
	r, _ := a.Result(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Time{})
	if *r.Window.From != "2026-01-01T00:00:00Z" || r.Window.To != nil {
		t.Errorf("asked window %v %v", *r.Window.From, r.Window.To)
	}
}
