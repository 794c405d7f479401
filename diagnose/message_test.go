package diagnose

import (
	"testing"

	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/policy"
)

func mustPolicy(t *testing.T, name, typ, doc string) *eval.Policy {
	t.Helper()
	pt := policy.TypeIdentity
	if typ == "resource" {
		pt = policy.TypeResource
	}
	d, err := policy.Parse([]byte(doc), policy.Options{Type: pt, Source: name})
	if err != nil {
		t.Fatal(err)
	}
	return eval.Compile(name, d)
}

// TestDiagnoseMessageUnknownKeys checks the rules of a replay from a
// message: a key the message cannot carry is tried with the values the
// policies test; only replays that agree with the message's deny kind and
// policy type count; a key every request carries is never replayed absent.
func TestDiagnoseMessageUnknownKeys(t *testing.T) {
	identity := mustPolicy(t, "arn:aws:iam::111122223333:policy/app", "identity", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"},
		{"Sid":"OnlyFromCorp","Effect":"Deny","Action":"sqs:*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}`)
	req := func() *eval.Request {
		return &eval.Request{Principal: "arn:aws:iam::111122223333:user/app", Action: "sqs:SendMessage",
			Resource: "arn:aws:sqs:eu-west-1:111122223333:q", Context: &eval.Context{}}
	}
	layers := &eval.Layers{Identity: []*eval.Policy{identity}}
	cases := []struct {
		rule     string
		ev       Evidence
		decision string
		agrees   string
	}{
		{"an explicit identity deny in the message is settled by the source-IP guard", Evidence{Deny: "explicit", PolicyType: "identity"}, "explicit-deny", "true"},
		{"an implicit deny the policies cannot give is undetermined, and says the replay disagrees", Evidence{Deny: "implicit", PolicyType: "identity"}, "undetermined", "false"},
		{"a message naming nothing leaves one deny: the guard", Evidence{Deny: "unknown", PolicyType: "unknown"}, "explicit-deny", "null"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			rep := DiagnoseMessage(req(), layers, c.ev, Options{})
			if rep.Decision != c.decision {
				t.Errorf("decision %s, want %s (%+v)", rep.Decision, c.decision, rep.MessageCheck)
			}
			got := "null"
			if a := rep.MessageCheck.Agrees; a != nil {
				got = map[bool]string{true: "true", false: "false"}[*a]
			}
			if got != c.agrees {
				t.Errorf("agrees %s, want %s: %s", got, c.agrees, rep.MessageCheck.Note)
			}
			if len(rep.MissingKeys) != 1 || rep.MissingKeys[0] != "aws:SourceIp" {
				t.Errorf("missing_context_keys %v", rep.MissingKeys)
			}
		})
	}
	// A key the request gives is not unknown.
	r := req()
	r.Context.Set("aws:SourceIp", "203.0.113.7")
	rep := DiagnoseMessage(r, layers, Evidence{Deny: "explicit", PolicyType: "identity"}, Options{})
	if rep.Decision != "allow" || len(rep.MissingKeys) != 0 || rep.MessageCheck.Agrees == nil || *rep.MessageCheck.Agrees {
		t.Errorf("with the key given: decision %s missing %v check %+v", rep.Decision, rep.MissingKeys, rep.MessageCheck)
	}
}

// TestTLSFindingNeedsInsecureTransport checks that a near miss on
// aws:SecureTransport is no tls-condition finding when the request used TLS.
func TestTLSFindingNeedsInsecureTransport(t *testing.T) {
	bucket := mustPolicy(t, "arn:aws:s3:::b", "resource", `{"Version":"2012-10-17","Statement":[
		{"Sid":"DenyInsecure","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`)
	for _, tls := range []string{"true", "false"} {
		req := &eval.Request{Principal: "arn:aws:iam::111122223333:user/u", Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k", ResourceAccount: "444455556666", Context: &eval.Context{}}
		req.Context.Set("aws:SecureTransport", tls)
		rep := Diagnose(req, &eval.Layers{Resource: bucket}, Options{})
		found := false
		for _, f := range rep.Findings {
			found = found || f.Code == "tls-condition"
		}
		if found != (tls == "false") {
			t.Errorf("aws:SecureTransport=%s: tls-condition finding %v (%+v)", tls, found, rep.Findings)
		}
	}
}
