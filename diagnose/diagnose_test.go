package diagnose

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/policy"
)

func examplePolicy(t *testing.T, file string, typ policy.Type) *eval.Policy {
	t.Helper()
	path := filepath.Join("..", "examples", "checks", "policies", file)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := eval.ParseAndCompile(file, data, typ)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// A small stand-in for the catalog's action list, enough to show that a
// fix grants nothing else of the service.
func testActions(service string) []string {
	return map[string][]string{
		"s3":  {"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:GetObjectAcl"},
		"kms": {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ScheduleKeyDeletion"},
		"ec2": {"ec2:DescribeInstances", "ec2:RunInstances", "ec2:TerminateInstances"},
		"iam": {"iam:CreateUser", "iam:DeleteUser", "iam:PassRole"},
	}[service]
}

func req(principal, action, resource string, kv ...string) *eval.Request {
	r := &eval.Request{Principal: principal, Action: action, Resource: resource, Context: &eval.Context{}}
	for i := 0; i+1 < len(kv); i += 2 {
		r.Context.Set(kv[i], kv[i+1])
	}
	r.FillPrincipalContext("")
	return r
}

const lambdaSession = "arn:aws:sts::111122223333:assumed-role/config-reader/config-loader-fn"

func TestDiagnoseGuideScenarios(t *testing.T) {
	for _, tc := range []struct {
		name       string
		req        *eval.Request
		layers     func() *eval.Layers
		decision   string
		layer      string
		condKey    string
		finding    string
		fixLayers  []string
		verified   bool
		noFix      bool
		fixContain string
	}{
		{
			name: "cross-account bucket policy does not name the role",
			req: func() *eval.Request {
				r := req(lambdaSession, "s3:GetObject", "arn:aws:s3:::shared-config-444455556666/app/settings.json")
				r.ResourceAccount = "444455556666"
				return r
			}(),
			layers: func() *eval.Layers {
				return &eval.Layers{Identity: []*eval.Policy{examplePolicy(t, "lambda-role.json", policy.TypeIdentity)},
					Resource: examplePolicy(t, "bucket-names-other-role.json", policy.TypeResource)}
			},
			decision: "implicit-deny", layer: "resource", finding: "cross-account",
			fixLayers: []string{"resource"}, verified: true, fixContain: `"AWS":"arn:aws:iam::111122223333:role/config-reader"`,
		},
		{
			name: "region condition",
			req:  req("arn:aws:iam::111122223333:user/ops-alice", "ec2:DescribeInstances", "*", "aws:RequestedRegion", "eu-west-1"),
			layers: func() *eval.Layers {
				return &eval.Layers{Identity: []*eval.Policy{examplePolicy(t, "ec2-us-east-1-only.json", policy.TypeIdentity)}}
			},
			decision: "implicit-deny", layer: "identity", condKey: "aws:RequestedRegion", finding: "region-condition",
			fixLayers: []string{"identity"}, verified: true,
		},
		{
			name: "KMS key policy does not grant the role",
			req:  req(lambdaSession, "kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
			layers: func() *eval.Layers {
				return &eval.Layers{Identity: []*eval.Policy{examplePolicy(t, "lambda-role.json", policy.TypeIdentity)},
					Resource: examplePolicy(t, "key-policy-admins-only.json", policy.TypeResource)}
			},
			decision: "implicit-deny", layer: "resource", finding: "kms-key-policy",
			fixLayers: []string{"resource"}, verified: true, fixContain: `"Resource":"*"`,
		},
		{
			name: "session policy from the pipeline",
			req:  req("arn:aws:sts::111122223333:assumed-role/deploy/run-42", "s3:PutObject", "arn:aws:s3:::artifacts-111122223333/b.zip"),
			layers: func() *eval.Layers {
				return &eval.Layers{Identity: []*eval.Policy{examplePolicy(t, "deploy-role.json", policy.TypeIdentity)},
					Session: []*eval.Policy{examplePolicy(t, "session-s3-read-only.json", policy.TypeSession)}}
			},
			decision: "implicit-deny", layer: "session", finding: "session-policy", fixLayers: []string{"session"}, verified: true,
		},
		{
			name: "SCP region guardrail: no fix, the organisation must act",
			req:  req("arn:aws:sts::111122223333:assumed-role/Admin/alice", "ec2:RunInstances", "*", "aws:RequestedRegion", "ap-southeast-2"),
			layers: func() *eval.Layers {
				full := examplePolicy(t, "scp-full-access.json", policy.TypeSCP)
				return &eval.Layers{Identity: []*eval.Policy{examplePolicy(t, "developer-admin.json", policy.TypeIdentity)},
					SCP: [][]*eval.Policy{{full}, {full, examplePolicy(t, "scp-region-guardrail.json", policy.TypeSCP)}}}
			},
			decision: "explicit-deny", layer: "scp", condKey: "aws:RequestedRegion", finding: "guardrail", noFix: true,
		},
		{
			name: "permissions boundary",
			req:  req("arn:aws:sts::111122223333:assumed-role/team-dev/bob", "iam:CreateUser", "arn:aws:iam::111122223333:user/new-hire"),
			layers: func() *eval.Layers {
				return &eval.Layers{Identity: []*eval.Policy{examplePolicy(t, "developer-admin.json", policy.TypeIdentity)},
					Boundary: examplePolicy(t, "boundary-no-iam.json", policy.TypeBoundary)}
			},
			decision: "implicit-deny", layer: "boundary", finding: "permissions-boundary", fixLayers: []string{"boundary"}, verified: true,
		},
		{
			name: "cross-account with neither side allowing needs two fixes",
			req: func() *eval.Request {
				r := req(lambdaSession, "s3:PutObject", "arn:aws:s3:::shared-config-444455556666/app/out.json")
				r.ResourceAccount = "444455556666"
				return r
			}(),
			layers: func() *eval.Layers {
				return &eval.Layers{Identity: []*eval.Policy{examplePolicy(t, "lambda-role.json", policy.TypeIdentity)},
					Resource: examplePolicy(t, "bucket-names-other-role.json", policy.TypeResource)}
			},
			decision: "implicit-deny", layer: "resource", finding: "cross-account", fixLayers: []string{"resource", "identity"}, verified: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := Diagnose(tc.req, tc.layers(), Options{Actions: testActions})
			if rep.Decision != tc.decision || rep.RootCause == nil || rep.RootCause.Layer != tc.layer {
				t.Fatalf("decision %s root cause %+v", rep.Decision, rep.RootCause)
			}
			if tc.condKey != "" && (rep.RootCause.Condition == nil || rep.RootCause.Condition.Key != tc.condKey) {
				t.Fatalf("condition %+v", rep.RootCause.Condition)
			}
			if tc.decision == "explicit-deny" && rep.RootCause.Statement == nil {
				t.Fatalf("explicit deny must name the statement")
			}
			if !hasFinding(rep, tc.finding) {
				t.Fatalf("finding %s missing: %+v", tc.finding, rep.Findings)
			}
			if tc.noFix {
				if len(rep.Fixes) != 0 {
					t.Fatalf("no fix expected: %+v", rep.Fixes)
				}
				return
			}
			if len(rep.Fixes) != len(tc.fixLayers) {
				t.Fatalf("fixes %+v", rep.Fixes)
			}
			for i, f := range rep.Fixes {
				if f.Layer != tc.fixLayers[i] || f.Verified != tc.verified || f.GrantsBeyondRequest {
					t.Fatalf("fix %d: %+v", i, f)
				}
				var doc map[string]any
				if err := json.Unmarshal(f.Document, &doc); err != nil || doc["Statement"] == nil {
					t.Fatalf("fix document %s: %v", f.Document, err)
				}
			}
			if tc.fixContain != "" && !strings.Contains(string(rep.Fixes[0].Document), tc.fixContain) {
				t.Fatalf("fix document %s lacks %s", rep.Fixes[0].Document, tc.fixContain)
			}
		})
	}
}

func hasFinding(rep *Report, code string) bool {
	for _, f := range rep.Findings {
		if f.Code == code {
			return true
		}
	}
	return false
}

// A fix that widens a near-miss's scope is reported as granting beyond the
// request: here the only editable identity policy already allows
// s3:Get*-like reads elsewhere, and a wildcard resource would leak; the
// narrow statement the diagnosis adds does not.
func TestGrantsBeyondDetectsWiderAccess(t *testing.T) {
	r := req("arn:aws:iam::111122223333:user/bob", "s3:GetObject", "arn:aws:s3:::b/k")
	before := &eval.Layers{Identity: []*eval.Policy{}}
	wide, err := eval.ParseAndCompile("wide", []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`), policy.TypeIdentity)
	if err != nil {
		t.Fatal(err)
	}
	after := &eval.Layers{Identity: []*eval.Policy{wide}}
	extra := grantsBeyond(r, before, after, Options{Actions: testActions})
	if len(extra) == 0 {
		t.Fatal("s3:* on * must be reported as granting beyond the request")
	}
}

func TestReplayAllowedListsCandidates(t *testing.T) {
	r := req("arn:aws:iam::111122223333:user/ops-alice", "ec2:DescribeInstances", "*", "aws:RequestedRegion", "us-east-1")
	rep := Diagnose(r, &eval.Layers{Identity: []*eval.Policy{examplePolicy(t, "ec2-us-east-1-only.json", policy.TypeIdentity)}}, Options{})
	if rep.Decision != "allow" || rep.RootCause != nil || len(rep.Candidates) < 3 || len(rep.Fixes) != 0 {
		t.Fatalf("%+v", rep)
	}
	if !strings.Contains(strings.Join(rep.Candidates, "\n"), "eventually consistent") {
		t.Fatalf("candidates: %v", rep.Candidates)
	}
}

func TestRootCauseJSONPolicyNull(t *testing.T) {
	b, _ := json.Marshal(RootCause{Layer: "identity", Summary: "s"})
	if string(b) != `{"layer":"identity","policy":null,"statement":null,"condition":null,"summary":"s","location":null}` {
		t.Fatal(string(b))
	}
	b, _ = json.Marshal(&RootCause{Layer: "resource", Policy: "arn:aws:s3:::b", Summary: "s"})
	if !strings.Contains(string(b), `"policy":"arn:aws:s3:::b"`) {
		t.Fatal(string(b))
	}
}
