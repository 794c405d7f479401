package check

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"gopkg.in/yaml.v3"

	"github.com/iamwhy/iamwhy/reproduce"
	"github.com/iamwhy/iamwhy/reproduce/reproducetest"
	"github.com/iamwhy/iamwhy/snapshot"
)

const liveReader = `
    principal: arn:aws:sts::111122223333:assumed-role/config-reader/config-loader
    action: s3:GetObject
    resource: "arn:aws:s3:::example-data-config/app/settings.json"
    context:
      aws:RequestedRegion: eu-west-1
      aws:SecureTransport: "true"`

// TestLive: each case's request is performed through the SDK (recorded
// answers), and AWS's answer is compared with the expectation and with the
// simulator; cases that cannot be performed safely or faithfully are
// skipped with the reason and counted.
func TestLive(t *testing.T) {
	for _, tc := range []struct {
		rule         string
		cases        string
		answers      map[string]string
		dryRunWrites bool
		pass         bool
		skipped      string // a substring of the reason; "" when performed
		errw         string // a substring of the live error
		decision     string // AWS's answer as a decision
		expected     *bool  // agrees with the expectation
		simulator    *bool  // agrees with the simulator
		requests     int
	}{
		{rule: "AWS allows what the case expects and iamwhy decides: pass",
			cases:   "  - name: reads" + liveReader + "\n    expect: allow",
			answers: map[string]string{"sts": "sts.AssumeRole.xml", "s3": "s3.GetObject.txt"},
			pass:    true, decision: "allow", expected: ptr(true), simulator: ptr(true), requests: 2},
		{rule: "AWS denies what both expect allowed: a failure with both answers",
			cases:   "  - name: reads" + liveReader + "\n    expect: allow",
			answers: map[string]string{"sts": "sts.AssumeRole.xml", "s3": "s3.GetObject.403.xml"},
			pass:    false, decision: "implicit-deny", expected: ptr(false), simulator: ptr(false), requests: 2},
		{rule: "the kind of deny counts: AWS's explicit deny against an expected implicit one",
			cases: "  - name: reads" + strings.Replace(liveReader, "eu-west-1", "ap-southeast-2", 1) + "\n    expect: deny",
			// The region guard (an SCP) denies explicitly offline too.
			answers: map[string]string{"sts": "sts.AssumeRole.xml", "s3": "s3.GetObject.explicit.403.xml"},
			pass:    true, decision: "explicit-deny", expected: ptr(true), simulator: ptr(true), requests: 2},
		{rule: "an answer that is not an authorization decision is inconclusive, not a failure",
			cases:   "  - name: reads" + liveReader + "\n    expect: allow",
			answers: map[string]string{"sts": "sts.AssumeRole.xml", "s3": "s3.GetObject.404.xml"},
			pass:    true, decision: "undetermined", requests: 2},
		{rule: "a role that cannot be assumed fails the case",
			cases:   "  - name: reads" + liveReader + "\n    expect: allow",
			answers: map[string]string{"sts": "sts.AssumeRole.403.xml"},
			pass:    false, errw: "sts assume-role arn:aws:iam::111122223333:role/service-role/config-reader", requests: 1},
		{rule: "a write is never performed",
			cases: "  - name: writes" + strings.Replace(liveReader, "s3:GetObject", "s3:PutObject", 1) + "\n    expect: implicit-deny",
			pass:  true, skipped: "s3:PutObject is not read-only (Write)"},
		{rule: "an EC2 write is checked by its dry run, and AWS's allow fails the case",
			cases: `  - name: stops
    principal: arn:aws:sts::111122223333:assumed-role/config-reader/config-loader
    action: ec2:StopInstances
    resource: arn:aws:ec2:eu-west-1:111122223333:instance/i-0123456789abcdef0
    context: {aws:RequestedRegion: eu-west-1}
    expect: implicit-deny`,
			answers:      map[string]string{"sts": "sts.AssumeRole.xml", "ec2": "ec2.DryRunOperation.412.xml"},
			dryRunWrites: true, pass: false, decision: "allow", expected: ptr(false), simulator: ptr(false), requests: 2},
		{rule: "an EC2 write is skipped when dry runs are not allowed",
			cases: `  - name: stops
    principal: arn:aws:sts::111122223333:assumed-role/config-reader/config-loader
    action: ec2:StopInstances
    resource: arn:aws:ec2:eu-west-1:111122223333:instance/i-0123456789abcdef0
    context: {aws:RequestedRegion: eu-west-1}
    expect: implicit-deny`,
			pass: true, skipped: "pass --allow-writes"},
		{rule: "a context key the live call cannot carry skips the case",
			cases: "  - name: from an IP" + liveReader + "\n      aws:SourceIp: 203.0.113.7\n    expect: allow",
			pass:  true, skipped: "context key aws:SourceIp"},
		{rule: "a service principal's credentials cannot be had",
			cases: `  - name: service
    principal: lambda.amazonaws.com
    action: s3:GetObject
    resource: "arn:aws:s3:::example-data-config/app/settings.json"
    expect: implicit-deny`,
			pass: true, skipped: "not a role"},
		{rule: "custom mode is not the account's policies",
			cases: `  - name: custom
    principal: arn:aws:iam::111122223333:role/x
    action: s3:GetObject
    resource: "arn:aws:s3:::b/k"
    layers: {identity: [{Version: "2012-10-17", Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}]}
    expect: allow`,
			pass: true, skipped: "custom mode"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			env, err := filepath.Abs("../examples/env/environment.yaml")
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "live.yaml")
			if err := os.WriteFile(path, []byte("version: 1\nenvironment: "+env+"\ncases:\n"+tc.cases+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := LoadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			fake := &reproducetest.AWS{T: t, Dir: "testdata/live", Answers: tc.answers}
			live := &Live{Runner: &reproduce.Runner{SessionName: "iamwhy-check", DryRunWrites: tc.dryRunWrites, Config: aws.Config{
				Credentials: credentials.NewStaticCredentialsProvider("AKIACALLERCREDENTIAL", "secret", ""),
				HTTPClient:  fake, RetryMaxAttempts: 1}}}
			r := &Runner{LoadEnvironment: loadTestEnvironment, Live: func(c *Case, res *Result, env Environment) { live.Apply(t.Context(), c, res, env) }}
			var rep Report
			r.Run(f, &rep)
			if len(rep.Results) != 1 {
				t.Fatalf("%d results", len(rep.Results))
			}
			res := rep.Results[0]
			l := res.Live
			if l == nil {
				t.Fatal("no live outcome")
			}
			if res.Pass != tc.pass {
				t.Errorf("pass %v, want %v: %s", res.Pass, tc.pass, res.Explanation)
			}
			if got := deref(l.Skipped); tc.skipped == "" && got != "" || !strings.Contains(got, tc.skipped) {
				t.Errorf("skipped %q, want %q", got, tc.skipped)
			}
			if got := deref(l.Error); tc.errw == "" && got != "" || !strings.Contains(got, tc.errw) {
				t.Errorf("error %q, want %q", got, tc.errw)
			}
			if deref(l.Decision) != tc.decision || !same(l.AgreesWithExpected, tc.expected) || !same(l.AgreesWithSimulator, tc.simulator) {
				t.Errorf("decision %q agrees (expected %v, simulator %v), want %q (%v, %v); %s", deref(l.Decision),
					l.AgreesWithExpected, l.AgreesWithSimulator, tc.decision, tc.expected, tc.simulator, res.Explanation)
			}
			reqs := fake.Requests()
			if len(reqs) != tc.requests {
				t.Fatalf("%d requests, want %d: %+v", len(reqs), tc.requests, reqs)
			}
			if len(reqs) > 0 && (reqs[0].Form.Get("RoleArn") != "arn:aws:iam::111122223333:role/service-role/config-reader" || reqs[0].Form.Get("RoleSessionName") != "iamwhy-check") {
				t.Errorf("assume-role %v: want the session's role with its path, from the environment", reqs[0].Form)
			}
			if len(reqs) > 1 && strings.Contains(reqs[1].URL, "ec2.") && (reqs[1].Form.Get("DryRun") != "true" || reqs[1].Form.Get("InstanceId.1") != "i-0123456789abcdef0") {
				t.Errorf("an EC2 call without DryRun: %v", reqs[1].Form)
			}
			s := rep.Summary.Live
			if s == nil || s.Performed+s.Skipped+s.Errors != 1 {
				t.Errorf("live summary %+v", s)
			}
		})
	}
}

func loadTestEnvironment(node *yaml.Node, file string) (Environment, error) {
	spec, err := snapshot.DecodeSpec(node, file)
	if err != nil {
		return nil, err
	}
	return snapshot.Load(spec, snapshot.Options{})
}

func ptr(b bool) *bool { return &b }

func same(a, b *bool) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
