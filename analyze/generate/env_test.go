package generate

import (
	"context"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/snapshot"
	"github.com/iamwhy/iamwhy/trail"
)

// The repository's example environment and the trail that matches it.
const (
	exampleEnv   = "../../examples/env"
	exampleTrail = "../../examples/trail/cloudtrail.json"
)

func generateInEnv(t *testing.T, principal string) *Result {
	t.Helper()
	env, err := snapshot.LoadFile(exampleEnv, snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, _, err := FromTrail(context.Background(), []string{exampleTrail}, trail.Options{Serial: true},
		Options{Principal: principal, IncludeDenied: true, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// With an environment, each call is replayed under the environment's
// other layers too: what a boundary, an SCP or a resource policy still
// refuses is listed with the layer, and the policy itself still verifies.
func TestGenerateEnvironmentReplay(t *testing.T) {
	tests := []struct {
		rule, principal, wantPrincipal string
		// want: action -> layer that still refuses it ("" = allowed)
		want map[string]string
	}{
		{"a bare role name is looked up, path included; a cross-account call the resource policy does not allow is refused by it",
			"config-reader", "arn:aws:iam::111122223333:role/service-role/config-reader",
			map[string]string{"s3:GetObject": "", "sqs:SendMessage": "", "s3:PutObject": "resource", "kms:Decrypt": "resource"}},
		{"the permissions boundary and the region-guard SCP refuse what the policy grants",
			"arn:aws:iam::111122223333:role/developer", "arn:aws:iam::111122223333:role/developer",
			map[string]string{"iam:CreateRole": "boundary", "lambda:CreateFunction": "scp"}},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			res := generateInEnv(t, tt.principal)
			if res.Principal != tt.wantPrincipal {
				t.Errorf("principal %s, want %s", res.Principal, tt.wantPrincipal)
			}
			er := res.Verification.Environment
			if er == nil || !res.Verification.Verified {
				t.Fatalf("verification %+v", res.Verification)
			}
			got := map[string]string{}
			for _, s := range res.Policy.Statement {
				for _, a := range s.Action {
					got[a] = ""
				}
			}
			for _, n := range er.NotAllowed {
				if n.Outcome != "deny" || n.Reason == "" {
					t.Errorf("%+v", n)
				}
				got[n.Action] = n.Layer
			}
			for a, layer := range tt.want {
				if l, ok := got[a]; !ok || l != layer {
					t.Errorf("%s: refused by %q (granted %v), want %q", a, l, ok, layer)
				}
			}
			if er.Requests != len(tt.want) || er.Allowed+er.Denied+er.Undetermined != er.Requests {
				t.Errorf("counts %+v", er)
			}
			noted := false
			for _, n := range res.Notes {
				noted = noted || strings.Contains(n, "in the environment")
			}
			if !noted {
				t.Errorf("notes do not say: %v", res.Notes)
			}
		})
	}
}

// A principal the environment does not hold is refused, and a name
// naming none is said so.
func TestGenerateEnvironmentPrincipal(t *testing.T) {
	env, err := snapshot.LoadFile(exampleEnv, snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"arn:aws:iam::111122223333:role/nobody", "nobody", "arn:aws:iam::999999999999:user/x"} {
		if _, err := New(Options{Principal: p, Env: env}); err == nil {
			t.Errorf("%s accepted", p)
		}
	}
	// A session of a role of the environment is that session.
	g, err := New(Options{Principal: "arn:aws:sts::111122223333:assumed-role/developer/alice", Env: env})
	if err != nil || g.kind != kindSession {
		t.Errorf("session: %v", err)
	}
	// A role ARN without its path is not the environment's role.
	if got := entityARN(env, "arn:aws:iam::111122223333:role/config-reader"); got != "arn:aws:iam::111122223333:role/service-role/config-reader" {
		t.Errorf("entity ARN %s", got)
	}
	if got := entityARN(env, "arn:aws:iam::111122223333:role/unknown"); got != "arn:aws:iam::111122223333:role/unknown" {
		t.Errorf("unknown entity ARN %s", got)
	}
}
