package replay

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/denial"
	"github.com/iamwhy/iamwhy/diagnose"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/snapshot"
)

// exampleEnv loads examples/env, counting the loads.
func exampleEnv(t *testing.T, loads *int) func() (*snapshot.Environment, error) {
	return func() (*snapshot.Environment, error) {
		*loads++
		return snapshot.LoadFile("../examples/env", snapshot.Options{})
	}
}

func diagnoseOptions(env func() (*snapshot.Environment, error)) DiagnoseOptions {
	return DiagnoseOptions{
		Options:     DefaultOptions(),
		Replay:      diagnose.ReplayOptions{Options: diagnose.Options{Actions: catalog.Default().ServiceActions}, Reference: catalog.Default()},
		Environment: env,
	}
}

// A message is replayed with the keys it cannot carry unknown and its own
// deny kind and policy type as evidence: examples/env's SCP Region guard
// (StringNotEquals aws:RequestedRegion, which a message never carries) is
// not the root cause of "no resource-based policy allows".
func TestDiagnoseMessage(t *testing.T) {
	loads := 0
	d, err := Diagnose(context.Background(), Input{Name: "argument", Text: kmsMessage}, diagnoseOptions(exampleEnv(t, &loads)))
	if err != nil {
		t.Fatal(err)
	}
	if d.Decision != "implicit-deny" || d.RootCause == nil || d.RootCause.Layer != "resource" {
		t.Fatalf("decision %s, root cause %+v", d.Decision, d.RootCause)
	}
	if !strings.Contains(strings.Join(d.MissingKeys, " "), "aws:RequestedRegion") {
		t.Errorf("missing_context_keys %v lacks aws:RequestedRegion", d.MissingKeys)
	}
	if d.MessageCheck == nil || d.MessageCheck.Agrees == nil || !*d.MessageCheck.Agrees {
		t.Errorf("message_check %+v", d.MessageCheck)
	}
	if d.Input == nil || d.Input.Kind != "message" || d.Input.PolicyType != "resource" || loads != 1 {
		t.Errorf("input %+v, %d loads", d.Input, loads)
	}
}

// Context the user gives is added to the rebuilt request and decides.
func TestDiagnoseContextOverrides(t *testing.T) {
	loads := 0
	opts := diagnoseOptions(exampleEnv(t, &loads))
	opts.Context = &eval.Context{}
	opts.Context.Set("aws:RequestedRegion", "ap-southeast-2")
	msg := "User: arn:aws:sts::111122223333:assumed-role/config-reader/config-loader is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::example-data-config/app/settings.json with an explicit deny in a service control policy"
	d, err := Diagnose(context.Background(), Input{Text: msg}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if d.Decision != "explicit-deny" || d.RootCause == nil || d.RootCause.Layer != "scp" {
		t.Fatalf("decision %s, root cause %+v", d.Decision, d.RootCause)
	}
	if v := d.Request.Context["aws:RequestedRegion"]; len(v) != 1 || v[0] != "ap-southeast-2" {
		t.Errorf("context %v", d.Request.Context)
	}
}

// The environment is not loaded for an input that is not an access-denied
// error: it is reported as such, whatever the environment.
func TestDiagnoseNotDenied(t *testing.T) {
	broken := func() (*snapshot.Environment, error) { return nil, errors.New("broken environment") }
	_, err := Diagnose(context.Background(), Input{Text: "ThrottlingException: Rate exceeded"}, diagnoseOptions(broken))
	if !errors.Is(err, ErrNotAccessDenied) {
		t.Fatalf("err %v, want ErrNotAccessDenied", err)
	}
	g := Given{Principal: "arn:aws:iam::111122223333:user/alice", Action: "s3:GetObject"}
	if _, err := Diagnose(context.Background(), Input{Given: g}, diagnoseOptions(broken)); err == nil || err.Error() != "broken environment" {
		t.Fatalf("err %v, want the environment's", err)
	}
	if _, err := Diagnose(context.Background(), Input{Given: g}, DiagnoseOptions{Options: DefaultOptions()}); err == nil {
		t.Fatal("no environment: no error")
	}
}

// A record is replayed with its context; a second environment is loaded
// only when asked for, and its load error stops the diagnosis.
func TestDiagnoseRecordAndCompare(t *testing.T) {
	loads := 0
	opts := diagnoseOptions(exampleEnv(t, &loads))
	d, err := Diagnose(context.Background(), Input{EventFile: "testdata/region-denied-event.json"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if d.Input.Kind != "event" || d.MessageCheck != nil || d.RootCause == nil || d.RootCause.Layer != "scp" {
		t.Fatalf("input %+v, message check %+v, root cause %+v", d.Input, d.MessageCheck, d.RootCause)
	}
	if len(d.Unknown) == 0 {
		t.Error("a record cannot carry tags: unknown_context_keys must say so")
	}
	opts.Compare = func() (*snapshot.Environment, error) { return nil, errors.New("no staging") }
	if _, err := Diagnose(context.Background(), Input{EventFile: "testdata/region-denied-event.json"}, opts); err == nil || err.Error() != "no staging" {
		t.Fatalf("compare load error: %v", err)
	}
}

// Explain reads the message; with an environment it replays the denial it
// read (a decoded message, not the encoded text), and a problem decoding
// is reported beside the explanation, not as an error.
func TestExplain(t *testing.T) {
	ex, err := Explain(context.Background(), "argument", kmsMessage, ExplainOptions{Options: DefaultOptions()})
	if err != nil || !ex.Denial.Recognized || ex.Diagnosis != nil || ex.DecodeProblem != nil {
		t.Fatalf("%+v, %v", ex, err)
	}
	decode := func(context.Context, *denial.Denial) error {
		t.Error("decode called without an encoded message")
		return nil
	}
	ex, err = Explain(context.Background(), "argument", kmsMessage, ExplainOptions{Options: DefaultOptions(), Decode: decode})
	if err != nil || !errors.Is(ex.DecodeProblem, ErrNothingToDecode) {
		t.Fatalf("decode problem %v, err %v", ex.DecodeProblem, err)
	}

	encoded, err := os.ReadFile("../denial/testdata/corpus/ec2-encoded-only-cli.txt")
	if err != nil {
		t.Fatal(err)
	}
	const caller = "arn:aws:sts::111122223333:assumed-role/developer/alice"
	decode = func(_ context.Context, d *denial.Denial) error {
		// What awsdecode.Decode fills from STS's answer.
		p, a, r := caller, "ec2:StopInstances", "arn:aws:ec2:eu-west-1:111122223333:instance/i-0123456789abcdef0"
		d.Principal, d.Action, d.Resource, d.Deny = &p, &a, &r, denial.DenyExplicit
		return nil
	}
	loads := 0
	dopts := diagnoseOptions(exampleEnv(t, &loads))
	ex, err = Explain(context.Background(), "file", string(encoded), ExplainOptions{Options: DefaultOptions(), Decode: decode, Diagnose: &dopts})
	if err != nil {
		t.Fatal(err)
	}
	if ex.Diagnosis == nil || ex.Diagnosis.Request.Principal != caller || ex.Diagnosis.Request.Action != "ec2:StopInstances" {
		t.Fatalf("diagnosis %+v", ex.Diagnosis)
	}

	ex, err = Explain(context.Background(), "argument", "NoSuchBucket: The specified bucket does not exist", ExplainOptions{Options: DefaultOptions(), Diagnose: &dopts})
	if err != nil || ex.Denial.Recognized || ex.Diagnosis != nil {
		t.Fatalf("not a denial: %+v, %v", ex, err)
	}
}
