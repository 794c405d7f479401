package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/reproduce/reproducetest"
)

// recordedIAM answers the SDK's IAM requests with one recorded response
// and keeps each request, so a test checks what was asked. No request
// reaches AWS.
func recordedIAM(t *testing.T, file string) *reproducetest.AWS {
	return &reproducetest.AWS{T: t, Dir: filepath.Join("testdata", "simulate_aws"), Answers: map[string]string{"iam": file}}
}

// TestSimulateVerifyWithAWS: the simulator's recorded answers, compared
// per action and resource; the request AWS receives carries the role (for
// a session), the resource policy and typed context entries.
func TestSimulateVerifyWithAWS(t *testing.T) {
	awsTestEnv(t)
	dir := t.TempDir()
	readOnly := filepath.Join(dir, "read.json")
	if err := os.WriteFile(readOnly, []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		rule     string
		record   string
		opts     simulateOptions
		agree    bool
		explains string            // a substring of the explanations of a difference
		form     map[string]string // parameters AWS must receive
	}{
		{
			rule:   "agreement: a session resolves to its role as policy source; the bucket policy goes along with its owner",
			record: "principal-allowed.xml",
			opts: simulateOptions{envFlags: envFlags{Env: "../../examples/env"}, Principal: "arn:aws:sts::111122223333:assumed-role/config-reader/config-loader",
				Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::example-data-config/app/settings.json"},
				Context: []string{"aws:RequestedRegion=eu-west-1", "aws:SecureTransport=true"}},
			agree: true,
			form: map[string]string{"Action": "SimulatePrincipalPolicy",
				"PolicySourceArn": "arn:aws:iam::111122223333:role/service-role/config-reader",
				"CallerArn":       "arn:aws:iam::111122223333:role/service-role/config-reader",
				"ResourceOwner":   "arn:aws:iam::444455556666:root"},
		},
		{
			rule:   "difference explained: AWS takes session policies as additional identity policies",
			record: "principal-session-allowed.xml",
			opts: simulateOptions{envFlags: envFlags{Env: "../../examples/env"}, Principal: "arn:aws:sts::111122223333:assumed-role/developer/alice",
				Actions: []string{"lambda:CreateFunction"}, Resources: []string{"arn:aws:lambda:eu-west-1:111122223333:function:dev-fn"},
				Context: []string{"aws:RequestedRegion=eu-west-1"}, Session: []string{readOnly}},
			agree: false, explains: "session policies as additional identity-based policies",
			form: map[string]string{"Action": "SimulatePrincipalPolicy", "PolicySourceArn": "arn:aws:iam::111122223333:role/developer"},
		},
		{
			rule:   "custom mode: SimulateCustomPolicy with the policy files",
			record: "custom-implicit-deny.xml",
			opts: simulateOptions{Principal: "arn:aws:iam::111122223333:user/alice", Actions: []string{"s3:PutObject"},
				Resources: []string{"arn:aws:s3:::cfg/settings.json"}, Identity: []string{readOnly}},
			agree: true,
			form:  map[string]string{"Action": "SimulateCustomPolicy", "CallerArn": "arn:aws:iam::111122223333:user/alice"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			fake := recordedIAM(t, tt.record)
			o := tt.opts
			o.VerifyWithAWS, o.Output, o.httpClient = true, "json", fake
			var out bytes.Buffer
			if err := runSimulate(Streams{Out: &out, Err: io.Discard}, &o); err != nil {
				t.Fatal(err)
			}
			var got struct{ Results []SimulationResult }
			if err := json.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if len(got.Results) != 1 || got.Results[0].AWS == nil {
				t.Fatalf("results: %s", out.String())
			}
			c := got.Results[0].AWS
			if c.Skipped != "" || c.Agree != tt.agree {
				t.Errorf("agree = %v (skipped %q), want %v: %+v", c.Agree, c.Skipped, tt.agree, c.Comparison)
			}
			if tt.explains != "" && !strings.Contains(strings.Join(c.Explanations, "\n"), tt.explains) {
				t.Errorf("explanations %q lack %q", c.Explanations, tt.explains)
			}
			reqs := fake.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			for k, v := range tt.form {
				if g := reqs[0].Form.Get(k); g != v {
					t.Errorf("%s = %q, want %q", k, g, v)
				}
			}
		})
	}
}

// TestVerifyContextEntryTypes: context entries reach AWS typed as the
// catalog types their keys.
func TestVerifyContextEntryTypes(t *testing.T) {
	awsTestEnv(t)
	fake := recordedIAM(t, "principal-allowed.xml")
	o := simulateOptions{envFlags: envFlags{Env: "../../examples/env"}, Principal: "arn:aws:sts::111122223333:assumed-role/config-reader/config-loader",
		Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::example-data-config/app/settings.json"},
		Context:       []string{"aws:RequestedRegion=eu-west-1", "aws:SecureTransport=true", "aws:SourceIp=192.0.2.1", "aws:MultiFactorAuthAge=30", "aws:CurrentTime=2026-01-01T00:00:00Z", "aws:TagKeys=[a,b]"},
		VerifyWithAWS: true, Output: "json", awsFlags: awsFlags{httpClient: fake}}
	if err := runSimulate(Streams{Out: io.Discard, Err: io.Discard}, &o); err != nil {
		t.Fatal(err)
	}
	types := map[string]string{}
	reqs := fake.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	f := reqs[0].Form
	for i := 1; f.Get("ContextEntries.member."+itoa(i)+".ContextKeyName") != ""; i++ {
		p := "ContextEntries.member." + itoa(i) + "."
		types[f.Get(p+"ContextKeyName")] = f.Get(p + "ContextKeyType")
	}
	want := map[string]string{"aws:RequestedRegion": "string", "aws:SecureTransport": "boolean", "aws:SourceIp": "ip",
		"aws:MultiFactorAuthAge": "numeric", "aws:CurrentTime": "date", "aws:TagKeys": "stringList",
		"aws:PrincipalArn": "string"}
	for k, v := range want {
		if types[k] != v {
			t.Errorf("%s: type %q, want %q (all: %v)", k, types[k], v, types)
		}
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// TestVerifySkipsRoot: AWS's simulator cannot simulate the root user; the
// comparison says so instead of calling.
func TestVerifySkipsRoot(t *testing.T) {
	awsTestEnv(t)
	fake := recordedIAM(t, "principal-allowed.xml")
	o := simulateOptions{envFlags: envFlags{Env: "../../examples/env"}, Principal: "arn:aws:iam::111122223333:root", Actions: []string{"sqs:SendMessage"},
		Resources: []string{"arn:aws:sqs:eu-west-1:111122223333:config-events"}, VerifyWithAWS: true, Output: "text", awsFlags: awsFlags{httpClient: fake}}
	var out bytes.Buffer
	if err := runSimulate(Streams{Out: &out, Err: io.Discard}, &o); err != nil {
		t.Fatal(err)
	}
	if len(fake.Requests()) != 0 || !strings.Contains(out.String(), "AWS's simulator: not asked: AWS's simulator simulates users, groups and roles only") {
		t.Errorf("%d calls; output:\n%s", len(fake.Requests()), out.String())
	}
}

// TestVerifySkippedComparisonHasEveryField: a comparison AWS was not asked
// about carries the fields of one it answered, null where AWS said
// nothing, so a program reads both the same way.
func TestVerifySkippedComparisonHasEveryField(t *testing.T) {
	awsTestEnv(t)
	var docs []any
	for _, o := range []simulateOptions{
		{envFlags: envFlags{Env: "../../examples/env"}, Principal: "arn:aws:iam::111122223333:root", Actions: []string{"sqs:SendMessage"},
			Resources: []string{"arn:aws:sqs:eu-west-1:111122223333:config-events"}},
		{envFlags: envFlags{Env: "../../examples/env"}, Principal: "arn:aws:sts::111122223333:assumed-role/config-reader/config-loader",
			Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::example-data-config/app/settings.json"},
			Context: []string{"aws:RequestedRegion=eu-west-1", "aws:SecureTransport=true"}},
	} {
		o.VerifyWithAWS, o.Output, o.httpClient = true, "json", recordedIAM(t, "principal-allowed.xml")
		var out bytes.Buffer
		if err := runSimulate(Streams{Out: &out, Err: io.Discard}, &o); err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), `"aws": {`) {
			t.Fatalf("no comparison: %s", out.String())
		}
		docs = append(docs, doc)
	}
	if bad := unstableShapes(docs...); len(bad) > 0 {
		t.Errorf("fields sometimes absent:\n  %s", strings.Join(bad, "\n  "))
	}
}
