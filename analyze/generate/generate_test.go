package generate

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/policy"
	"github.com/iamwhy/iamwhy/trail"
)

const testTrail = "testdata/trail.json"

func run(t *testing.T, o Options) *Result {
	t.Helper()
	res, _, err := FromTrail(context.Background(), []string{testTrail}, trail.Options{Serial: true}, o)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// grants returns action -> resources (and the PassRole services) of a
// document.
func grants(d *Document) map[string][]string {
	m := map[string][]string{}
	for _, s := range d.Statement {
		for _, a := range s.Action {
			key := a
			if svc := s.Condition["StringEquals"]["iam:PassedToService"]; len(svc) > 0 {
				key += "@" + svc[0]
			}
			m[key] = append(m[key], s.Resource...)
		}
	}
	for k := range m {
		slices.Sort(m[k])
	}
	return m
}

// Each rule of the contract, on the records of testdata/trail.json.
func TestGenerateRules(t *testing.T) {
	res := run(t, Options{Principal: "arn:aws:iam::111122223333:role/app"})
	g := grants(res.Policy)
	tests := []struct {
		rule   string
		action string
		want   []string // nil: the action must not be granted
	}{
		{"an S3 object call is granted on the object ARNs alone, not the bucket", "s3:GetObject",
			[]string{"arn:aws:s3:::data-bucket/in/a.csv", "arn:aws:s3:::data-bucket/in/b.csv"}},
		{"a call with versionId needs the version action", "s3:GetObjectVersion", []string{"arn:aws:s3:::data-bucket/in/old.csv"}},
		{"ListObjectsV2 is s3:ListBucket on the bucket", "s3:ListBucket", []string{"arn:aws:s3:::data-bucket"}},
		{"an action without resource types is granted on *", "s3:ListAllMyBuckets", []string{"*"}},
		{"a call S3 made on the principal's behalf (invokedBy) is the principal's", "kms:Decrypt",
			[]string{"arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}},
		{"Lambda CreateFunction on the function ARN", "lambda:CreateFunction", []string{"arn:aws:lambda:eu-west-1:111122223333:function:etl"}},
		{"Lambda Invoke of a version on the qualified ARN", "lambda:InvokeFunction", []string{"arn:aws:lambda:eu-west-1:111122223333:function:etl:3"}},
		{"the Lambda function's role is passed to lambda.amazonaws.com", "iam:PassRole@lambda.amazonaws.com", []string{"arn:aws:iam::111122223333:role/etl-exec"}},
		{"ECS task roles are passed to ecs-tasks.amazonaws.com", "iam:PassRole@ecs-tasks.amazonaws.com",
			[]string{"arn:aws:iam::111122223333:role/ecs-exec", "arn:aws:iam::111122223333:role/web-task"}},
		{"ECS RunTask on the task definition revision", "ecs:RunTask", []string{"arn:aws:ecs:eu-west-1:111122223333:task-definition/web:7"}},
		{"ECS DescribeServices on the service of the cluster", "ecs:DescribeServices", []string{"arn:aws:ecs:eu-west-1:111122223333:service/prod/web"}},
		{"ECS RegisterTaskDefinition on the family's revisions", "ecs:RegisterTaskDefinition", []string{"arn:aws:ecs:eu-west-1:111122223333:task-definition/web:*"}},
		{"Secrets Manager secret named by ARN", "secretsmanager:GetSecretValue", []string{"arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf"}},
		{"a call that failed after authorisation (ResourceNotFound) counts", "dynamodb:DescribeTable", []string{"arn:aws:dynamodb:eu-west-1:111122223333:table/orders"}},
		{"another session of the role counts", "sqs:SendMessage", []string{"arn:aws:sqs:eu-west-1:111122223333:jobs"}},
		{"an access-denied call does not count", "s3:DeleteObject", nil},
		{"another principal's call does not count", "s3:DeleteBucket", nil},
		{"a call that needs no permission gets no statement", "sts:GetCallerIdentity", nil},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			if got := g[tt.action]; !slices.Equal(got, tt.want) {
				t.Errorf("%s granted on %v, want %v", tt.action, got, tt.want)
			}
		})
	}
	if res.Events.Counted != 18 || res.Events.OfPrincipal != 19 || res.Events.NotCovered != 1 || *res.Events.Read != 22 {
		t.Errorf("events %+v", res.Events)
	}
	if len(res.NotCovered) != 1 || res.NotCovered[0].EventName != "DoSomethingNew" || res.NotCovered[0].Reason == "" {
		t.Errorf("not covered %+v", res.NotCovered)
	}
	if !res.Verification.Verified || res.Verification.Allowed != res.Verification.Requests || res.Verification.Lint["ERROR"] != 0 {
		t.Errorf("verification %+v", res.Verification)
	}
	if res.Coverage.Scoped != res.Coverage.ResourceCapable {
		t.Errorf("coverage %+v: every resource-capable action should be scoped here", res.Coverage)
	}
	for _, s := range res.Policy.Statement {
		for _, a := range s.Action {
			if strings.Contains(a, "*") {
				t.Errorf("wildcard action %s without AllowWildcards", a)
			}
		}
	}
}

// The policy allows every observed call and denies what was not observed,
// checked with the engine independently of Result's own replay.
func TestGeneratedPolicyAllowsObservedDeniesOthers(t *testing.T) {
	res := run(t, Options{Principal: "arn:aws:iam::111122223333:role/app"})
	data, _ := json.Marshal(res.Policy)
	p, err := eval.ParseAndCompile("generated", data, policy.TypeIdentity)
	if err != nil {
		t.Fatal(err)
	}
	layers := &eval.Layers{Identity: []*eval.Policy{p}}
	principal := "arn:aws:sts::111122223333:assumed-role/app/i-1"
	for _, tt := range []struct {
		action, resource string
		allow            bool
	}{
		{"s3:GetObject", "arn:aws:s3:::data-bucket/in/a.csv", true},
		{"s3:GetObject", "arn:aws:s3:::data-bucket/in/c.csv", false},
		{"s3:GetObject", "arn:aws:s3:::data-bucket", false},
		{"s3:PutObject", "arn:aws:s3:::data-bucket/in/a.csv", false},
		{"s3:DeleteObject", "arn:aws:s3:::data-bucket/in/a.csv", false},
		{"lambda:InvokeFunction", "arn:aws:lambda:eu-west-1:111122223333:function:etl", false},
		{"iam:PassRole", "arn:aws:iam::111122223333:role/admin", false},
	} {
		req := &eval.Request{Principal: principal, Action: tt.action, Resource: tt.resource, Context: &eval.Context{}}
		req.FillPrincipalContext("arn:aws:iam::111122223333:role/app")
		if got := eval.Decide(req, layers).Outcome == eval.Allow; got != tt.allow {
			t.Errorf("%s on %s: allowed %v, want %v", tt.action, tt.resource, got, tt.allow)
		}
	}
	// PassRole only to the service it was passed to.
	req := &eval.Request{Principal: principal, Action: "iam:PassRole", Resource: "arn:aws:iam::111122223333:role/etl-exec", Context: &eval.Context{}}
	req.Context.Set("iam:PassedToService", "ec2.amazonaws.com")
	if eval.Decide(req, layers).Outcome == eval.Allow {
		t.Errorf("PassRole of etl-exec to ec2 allowed")
	}
}

func TestGenerateIncludeDenied(t *testing.T) {
	res := run(t, Options{Principal: "arn:aws:iam::111122223333:role/app", IncludeDenied: true})
	if got := grants(res.Policy)["s3:DeleteObject"]; !slices.Equal(got, []string{"arn:aws:s3:::data-bucket/in/a.csv"}) {
		t.Errorf("denied call with IncludeDenied: %v", got)
	}
	if res.Events.Counted != 19 {
		t.Errorf("counted %d", res.Events.Counted)
	}
}

// A session ARN selects that session only; a user ARN the user.
func TestGeneratePrincipalKinds(t *testing.T) {
	res := run(t, Options{Principal: "arn:aws:sts::111122223333:assumed-role/app/i-2"})
	if g := grants(res.Policy); len(g) != 1 || g["sqs:SendMessage"] == nil {
		t.Errorf("session i-2: %v", g)
	}
	res = run(t, Options{Principal: "arn:aws:iam::111122223333:user/alice"})
	g := grants(res.Policy)
	// IAM calls that name no user act on the caller.
	if !slices.Equal(g["iam:ListMFADevices"], []string{"arn:aws:iam::111122223333:user/alice"}) || len(g) != 1 {
		t.Errorf("user alice: %v", g)
	}
	if _, err := New(Options{Principal: "arn:aws:s3:::bucket"}); err == nil {
		t.Error("a bucket ARN accepted as principal")
	}
}

func TestGenerateDeterministic(t *testing.T) {
	var prev []byte
	for i := 0; i < 3; i++ {
		res, _, err := FromTrail(context.Background(), []string{testTrail}, trail.Options{Workers: 4}, Options{Principal: "arn:aws:iam::111122223333:role/app"})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(res)
		if prev != nil && string(b) != string(prev) {
			t.Fatalf("run %d differs", i)
		}
		prev = b
	}
}

// A policy beyond the size quota is split into documents that each fit
// and together grant the same.
func TestGenerateSplit(t *testing.T) {
	res := run(t, Options{Principal: "arn:aws:iam::111122223333:role/app", MaxPolicyChars: 600})
	if len(res.Policies) < 2 {
		t.Fatalf("%d documents", len(res.Policies))
	}
	union := &Document{}
	for _, d := range res.Policies {
		if d.chars() > 600 {
			t.Errorf("document of %d characters", d.chars())
		}
		union.Statement = append(union.Statement, d.Statement...)
	}
	want, got := grants(res.Policy), grants(union)
	for a, r := range want {
		if !slices.Equal(r, got[a]) {
			t.Errorf("%s: %v split, %v whole", a, got[a], r)
		}
	}
	if !res.Verification.Verified {
		t.Errorf("split policy not verified: %+v", res.Verification)
	}
	found := false
	for _, n := range res.Notes {
		found = found || strings.Contains(n, "split into")
	}
	if !found {
		t.Errorf("notes do not say the policy is split: %v", res.Notes)
	}
}

func TestGenerateGroupResources(t *testing.T) {
	res := run(t, Options{Principal: "arn:aws:iam::111122223333:role/app", GroupResources: true})
	if got := grants(res.Policy)["s3:GetObject"]; !slices.Equal(got, []string{"arn:aws:s3:::data-bucket/in/*"}) {
		t.Errorf("grouped: %v", got)
	}
	if got := groupResources([]string{"arn:aws:s3:::a", "arn:aws:s3:::b"}); len(got) != 2 {
		t.Errorf("a prefix ending in the account field must not be grouped: %v", got)
	}
}

func TestCollapseActions(t *testing.T) {
	res := run(t, Options{Principal: "arn:aws:iam::111122223333:role/app", AllowWildcards: true})
	for _, s := range res.Policy.Statement {
		for _, a := range s.Action {
			if strings.Contains(a, "*") {
				t.Errorf("collapsed %s though the trail does not use every action it matches", a)
			}
		}
	}
	g, _ := New(Options{Principal: "arn:aws:iam::111122223333:role/app"})
	all := []string{}
	for _, a := range g.c.MatchActions("sqs:Get*") {
		all = append(all, a.FullName)
	}
	if got := collapseActions(g.c, append(all, "sqs:SendMessage")); !slices.Equal(got, []string{"sqs:Get*", "sqs:SendMessage"}) {
		t.Errorf("collapse: %v", got)
	}
}

func TestGenerateSharedSamples(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "cloudtrail")
	res, _, err := FromTrail(context.Background(), []string{dir}, trail.Options{}, Options{Principal: "arn:aws:iam::123837392027:user/benjamin"})
	if err != nil {
		if strings.Contains(err.Error(), "no such file") {
			t.Skip("shared samples absent")
		}
		t.Fatal(err)
	}
	if res.Events.Counted == 0 || !res.Verification.Verified || res.Events.NotCovered != 0 {
		t.Errorf("%+v %+v", res.Events, res.Verification)
	}
}

func TestRawMatch(t *testing.T) {
	g, _ := New(Options{Principal: "arn:aws:iam::111122223333:role/App"})
	for _, tt := range []struct {
		raw  string
		want bool
	}{
		{`{"arn":"arn:aws:sts::111122223333:assumed-role/app/s"}`, true},
		{`{"arn":"arn:aws:sts::111122223333:assumed-role/other/s"}`, false},
		{`{"arn":"arn:aws:sts::444455556666:assumed-role/app/s"}`, false},
		{`{"arn":"arn:aws:sts::111122223333:assumed-role\/x"}`, true},
	} {
		if got := g.rawMatch([]byte(tt.raw)); got != tt.want {
			t.Errorf("%s: %v", tt.raw, got)
		}
	}
}

// A principal whose calls need no permission gets an empty policy, said
// so, and verification passes (there is nothing to replay).
func TestGenerateNothingNeeded(t *testing.T) {
	dir := t.TempDir()
	rec := `{"Records":[{"eventVersion":"1.09","eventID":"00000000-0000-4000-8000-000000000001","eventTime":"2026-01-01T00:00:00Z","eventSource":"sts.amazonaws.com","eventName":"GetCallerIdentity","awsRegion":"us-east-1",
	 "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/bob","accountId":"111122223333"}}]}`
	path := filepath.Join(dir, "t.json")
	if err := os.WriteFile(path, []byte(rec), 0o644); err != nil {
		t.Fatal(err)
	}
	res, _, err := FromTrail(context.Background(), []string{path}, trail.Options{}, Options{Principal: "arn:aws:iam::111122223333:user/bob"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Policy.Statement) != 0 || res.Events.Counted != 1 || !res.Verification.Verified {
		t.Errorf("%+v %+v", res.Policy, res.Verification)
	}
}

// Assuming a role in the account: replayed with a trust policy trusting
// the account, so the identity policy decides.
func TestGenerateAssumeRole(t *testing.T) {
	dir := t.TempDir()
	rec := `{"Records":[{"eventVersion":"1.09","eventID":"00000000-0000-4000-8000-000000000001","eventTime":"2026-01-01T00:00:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","awsRegion":"us-east-1",
	 "requestParameters":{"roleArn":"arn:aws:iam::111122223333:role/deploy","roleSessionName":"s"},
	 "resources":[{"ARN":"arn:aws:iam::111122223333:role/deploy","accountId":"111122223333","type":"AWS::IAM::Role"}],
	 "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/bob","accountId":"111122223333"}}]}`
	path := filepath.Join(dir, "t.json")
	if err := os.WriteFile(path, []byte(rec), 0o644); err != nil {
		t.Fatal(err)
	}
	res, _, err := FromTrail(context.Background(), []string{path}, trail.Options{}, Options{Principal: "arn:aws:iam::111122223333:user/bob"})
	if err != nil {
		t.Fatal(err)
	}
	if got := grants(res.Policy)["sts:AssumeRole"]; !slices.Equal(got, []string{"arn:aws:iam::111122223333:role/deploy"}) {
		t.Errorf("%v", got)
	}
}
