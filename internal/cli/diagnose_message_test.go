package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestDiagnoseMessageHonestReplay checks the replay of a message against
// examples/env, whose SCP denies every Region but eu-west-1 and us-east-1
// (StringNotEquals on aws:RequestedRegion, which a message never carries)
// and whose bucket policy denies requests without TLS. The Region and TLS
// are unknown: the message's own deny kind and policy type decide which
// replays count, and a decision that stays open is undetermined.
func TestDiagnoseMessageHonestReplay(t *testing.T) {
	const reader = "User: arn:aws:sts::111122223333:assumed-role/config-reader/config-loader is not authorized to perform: "
	const obj = `"arn:aws:s3:::example-data-config/app/settings.json"`
	cases := []struct {
		rule      string
		args      []string
		code      int
		decision  string
		layer     string
		missing   []string
		agrees    string // "true", "false", "null"
		noFinding string
	}{
		{"a message saying no resource-based policy allows is not explained by the SCP Region guard",
			[]string{reader + "kms:Decrypt on resource: arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab because no resource-based policy allows the kms:Decrypt action"},
			0, "implicit-deny", "resource", []string{"aws:RequestedRegion", "kms:ViaService"}, "true", ""},
		{"a message the environment cannot reproduce under any Region or TLS is undetermined and says so",
			[]string{reader + "s3:GetObject on resource: " + obj + " because no resource-based policy allows the s3:GetObject action"},
			4, "undetermined", "", []string{"aws:RequestedRegion", "aws:SecureTransport"}, "false", ""},
		{"a legacy message (no deny kind, no policy type) with the decision open is undetermined",
			[]string{reader + "s3:GetObject on resource: " + obj},
			4, "undetermined", "", []string{"aws:RequestedRegion", "aws:SecureTransport"}, "null", ""},
		{"an SCP message is replayed in the resource's Region",
			[]string{"User: arn:aws:sts::111122223333:assumed-role/developer/alice is not authorized to perform: lambda:CreateFunction on resource: arn:aws:lambda:ap-southeast-2:111122223333:function:dev-fn with an explicit deny in a service control policy"},
			0, "explicit-deny", "scp", []string{"aws:RequestedRegion"}, "true", ""},
		{"given context decides, and TLS given as true is no tls finding",
			[]string{"--context", "aws:RequestedRegion=eu-west-1", "--context", "aws:SecureTransport=true", reader + "s3:PutObject on resource: " + obj + " because no identity-based policy allows the s3:PutObject action"},
			0, "implicit-deny", "resource", nil, "true", "tls-condition"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			args := append([]string{"diagnose", "--env", "../../examples/env", "-o", "json"}, c.args...)
			out, errOut, code := runCLI(t, args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d; stderr %s\n%s", code, c.code, errOut, out)
			}
			var r struct {
				Decision  string `json:"decision"`
				RootCause *struct {
					Layer string `json:"layer"`
				} `json:"root_cause"`
				Missing  []string `json:"missing_context_keys"`
				Findings []struct {
					Code string `json:"code"`
				} `json:"findings"`
				MessageCheck struct {
					Agrees *bool  `json:"agrees"`
					Note   string `json:"note"`
				} `json:"message_check"`
			}
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if r.Decision != c.decision {
				t.Errorf("decision %s, want %s", r.Decision, c.decision)
			}
			if (r.RootCause == nil) != (c.layer == "") || r.RootCause != nil && r.RootCause.Layer != c.layer {
				t.Errorf("root cause %+v, want layer %q", r.RootCause, c.layer)
			}
			if strings.Join(r.Missing, ",") != strings.Join(c.missing, ",") {
				t.Errorf("missing_context_keys %v, want %v", r.Missing, c.missing)
			}
			agrees := "null"
			if r.MessageCheck.Agrees != nil {
				agrees = map[bool]string{true: "true", false: "false"}[*r.MessageCheck.Agrees]
			}
			if agrees != c.agrees || r.MessageCheck.Note == "" {
				t.Errorf("message_check agrees %s (want %s), note %q", agrees, c.agrees, r.MessageCheck.Note)
			}
			for _, f := range r.Findings {
				if c.noFinding != "" && f.Code == c.noFinding {
					t.Errorf("finding %s reported", f.Code)
				}
			}
		})
	}
}
