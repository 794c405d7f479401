package cli

import (
	"encoding/json"
	"slices"
	"testing"
)

type unknownKeyDiagnosis struct {
	Decision  string `json:"decision"`
	RootCause *struct {
		Layer     string  `json:"layer"`
		Statement *string `json:"statement"`
	} `json:"root_cause"`
	MissingKeys []string `json:"missing_context_keys"`
	Findings    []struct {
		Code string `json:"code"`
	} `json:"findings"`
	MessageCheck *struct {
		Agrees *bool `json:"agrees"`
	} `json:"message_check"`
	Diagnosis *unknownKeyDiagnosis `json:"diagnosis"`
}

func (d *unknownKeyDiagnosis) finding(code string) bool {
	return slices.ContainsFunc(d.Findings, func(f struct {
		Code string `json:"code"`
	}) bool {
		return f.Code == code
	})
}

// A request stated by its fields, like a message, carries no Region or
// TLS: the example environment's region guard (an SCP) and its bucket's
// TLS rule depend on keys the user did not give, so the replay names them
// and decides only once they are given.
func TestDiagnoseStatedRequestKeysUnknown(t *testing.T) {
	t.Setenv("IAMWHY_CACHE_DIR", "off")
	base := []string{"diagnose", "--env", exampleEnvDir, "-o", "json", "--principal", "arn:aws:iam::111122223333:role/service-role/config-reader",
		"--action", "s3:GetObject", "--resource", exampleObject}
	for _, c := range []struct {
		name        string
		context     []string
		code        int
		decision    string
		layer       string // of the root cause; "" for none
		missing     []string
		notFindings []string
	}{
		{"no region, no TLS", nil, 4, "undetermined", "", []string{"aws:RequestedRegion", "aws:SecureTransport"}, []string{"scp", "tls-condition"}},
		{"region inside the guard, no TLS", []string{"aws:RequestedRegion=eu-west-1"}, 0, "explicit-deny", "resource", []string{"aws:SecureTransport"}, []string{"scp"}},
		{"region outside the guard over TLS", []string{"aws:RequestedRegion=ap-southeast-2", "aws:SecureTransport=true"}, 0, "explicit-deny", "scp", nil, []string{"tls-condition"}},
		{"region outside the guard, no TLS", []string{"aws:RequestedRegion=ap-southeast-2"}, 0, "explicit-deny", "scp", nil, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{}, base...)
			for _, kv := range c.context {
				args = append(args, "--context", kv)
			}
			out, errs, code := runCLI(t, args...)
			var d unknownKeyDiagnosis
			if err := json.Unmarshal([]byte(out), &d); err != nil {
				t.Fatalf("%v: %s%s", err, out, errs)
			}
			if code != c.code || d.Decision != c.decision {
				t.Errorf("exit %d, decision %s; want %d, %s", code, d.Decision, c.code, c.decision)
			}
			switch {
			case c.layer == "" && d.RootCause != nil:
				t.Errorf("root cause %+v, want none", d.RootCause)
			case c.layer != "" && (d.RootCause == nil || d.RootCause.Layer != c.layer):
				t.Errorf("root cause %+v, want layer %s", d.RootCause, c.layer)
			}
			for _, k := range c.missing {
				if !slices.Contains(d.MissingKeys, k) {
					t.Errorf("missing_context_keys %v lacks %s", d.MissingKeys, k)
				}
			}
			for _, k := range c.context {
				if slices.ContainsFunc(d.MissingKeys, func(m string) bool { return len(k) > len(m) && k[:len(m)] == m }) {
					t.Errorf("missing_context_keys %v names a key given: %s", d.MissingKeys, k)
				}
			}
			for _, f := range c.notFindings {
				if d.finding(f) {
					t.Errorf("finding %s reported: %+v", f, d.Findings)
				}
			}
			if d.MessageCheck != nil {
				t.Errorf("message_check for a stated request: %+v", d.MessageCheck)
			}
		})
	}
}

// A message that says "no resource-based policy allows" is not explained
// by the region guard's explicit deny: the replay, through diagnose and
// through explain --env, names aws:RequestedRegion and says it does not
// agree, rather than reporting the SCP. A message of an explicit deny by
// a resource policy, replayed with aws:SecureTransport=true, gets no
// tls-condition finding and not the bucket's TLS statement as the cause.
func TestMessageReplayKeysUnknown(t *testing.T) {
	t.Setenv("IAMWHY_CACHE_DIR", "off")
	const implicit = `User: arn:aws:sts::111122223333:assumed-role/config-reader/config-loader is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::example-data-config/app/settings.json" because no resource-based policy allows the s3:GetObject action`
	const explicit = `User: arn:aws:sts::111122223333:assumed-role/config-reader/config-loader is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::example-data-config/app/settings.json" with an explicit deny in a resource-based policy`
	for _, args := range [][]string{
		{"diagnose", "--env", exampleEnvDir, "-o", "json", implicit},
		{"explain", "--env", exampleEnvDir, "-o", "json", implicit},
		{"diagnose", "--env", exampleEnvDir, "-o", "json", "--context", "aws:SecureTransport=true", explicit},
		{"explain", "--env", exampleEnvDir, "-o", "json", "--context", "aws:SecureTransport=true", explicit},
	} {
		out, errs, _ := runCLI(t, args...)
		var d unknownKeyDiagnosis
		if err := json.Unmarshal([]byte(out), &d); err != nil {
			t.Fatalf("%v: %v: %s%s", args[:4], err, out, errs)
		}
		if d.Diagnosis != nil {
			d = *d.Diagnosis
		}
		if d.RootCause != nil && (d.RootCause.Layer == "scp" || d.RootCause.Statement != nil && *d.RootCause.Statement == "DenyInsecureTransport") {
			t.Errorf("%v: root cause %+v contradicts the message", args[:5], d.RootCause)
		}
		if d.RootCause == nil && d.Decision != "undetermined" {
			t.Errorf("%v: decision %s without a root cause", args[:5], d.Decision)
		}
		if !slices.Contains(d.MissingKeys, "aws:RequestedRegion") {
			t.Errorf("%v: missing_context_keys %v lacks aws:RequestedRegion", args[:5], d.MissingKeys)
		}
		if slices.Contains(d.MissingKeys, "aws:SecureTransport") && slices.Contains(args, "aws:SecureTransport=true") {
			t.Errorf("%v: missing_context_keys %v names the key given", args[:5], d.MissingKeys)
		}
		if d.finding("tls-condition") || d.finding("scp") {
			t.Errorf("%v: findings %+v", args[:5], d.Findings)
		}
		if d.MessageCheck == nil || d.MessageCheck.Agrees == nil || *d.MessageCheck.Agrees {
			t.Errorf("%v: message_check %+v, want agrees false", args[:5], d.MessageCheck)
		}
	}
}
