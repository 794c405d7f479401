package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestAccessDiffEnvironments(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"an environment against itself is no new access", []string{"access-diff", "--env", "../../examples/env", "--env-new", "../../examples/env"}, 0, "No new access"},
		{"a plan laid over the environment is new access", []string{"access-diff", "--env", "../../examples/env", "--plan", "../../examples/iac/plan.json"}, 1,
			"sts:AssumeRole on arn:aws:iam::111122223333:role/app\n    for lambda.amazonaws.com; the other side: absent"},
		{"the plan's new role reads its bucket", []string{"access-diff", "--env", "../../examples/env", "--plan", "../../examples/iac/plan.json", "-o", "csv"}, 1,
			"new,arn:aws:iam::111122223333:role/app,s3:GetObject,arn:aws:s3:::example-data/*"},
		{"no new state", []string{"access-diff", "--env", "../../examples/env"}, 2, ""},
		{"policies and an environment", []string{"access-diff", "--env", "../../examples/env", "--env-new", "../../examples/env", "a.json", "b.json"}, 2, ""},
		{"an unreadable new environment", []string{"access-diff", "--env", "../../examples/env", "--env-new", "no-such-dir"}, 2, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := Main(tc.args, Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
			if code != tc.code || !strings.Contains(out.String(), tc.want) {
				t.Errorf("%v: exit %d (want %d), output %q, stderr %q", tc.args, code, tc.code, out.String(), errb.String())
			}
		})
	}
	var out, errb bytes.Buffer
	code := Main([]string{"access-diff", "--env", "../../examples/env", "--plan", "../../examples/iac/plan.json", "-o", "json"}, Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
	var res struct {
		FormatVersion int `json:"format_version"`
		NewAccess     []struct {
			Principal  string            `json:"principal"`
			Action     string            `json:"action"`
			Resource   string            `json:"resource"`
			Conditions []json.RawMessage `json:"conditions"`
			GrantedBy  *struct {
				Policy, Statement, Location string
			} `json:"granted_by"`
		} `json:"new_access"`
		RemovedAccess []json.RawMessage `json:"removed_access"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || code != 1 || res.FormatVersion != 1 || res.RemovedAccess == nil {
		t.Fatalf("exit %d, %v: %s", code, err, errb.String())
	}
	found := false
	for _, a := range res.NewAccess {
		if a.Principal == "arn:aws:iam::111122223333:role/app" && a.Action == "sqs:SendMessage" {
			found = a.GrantedBy != nil && strings.Contains(a.GrantedBy.Location, "plan.json") && a.Conditions != nil
		}
	}
	if !found {
		t.Errorf("the role's queue access is not new access granted in the plan: %s", out.String())
	}
}
