package replay

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/diagnose"

	"github.com/iamwhy/iamwhy/reproduce"
	"github.com/iamwhy/iamwhy/reproduce/reproducetest"
	"github.com/iamwhy/iamwhy/snapshot"
)

func loadExampleEnv() (*snapshot.Environment, error) {
	return snapshot.LoadFile("../examples/env", snapshot.Options{})
}

// recordedRunner answers with the recorded responses of
// reproduce/testdata/run; nothing reaches AWS.
func recordedRunner(t *testing.T, answers map[string]string) func(context.Context) (*reproduce.Runner, error) {
	f := &reproducetest.AWS{T: t, Dir: "../reproduce/testdata/run", Answers: answers}
	return func(context.Context) (*reproduce.Runner, error) {
		return &reproduce.Runner{Config: aws.Config{
			Credentials:      credentials.NewStaticCredentialsProvider("AKIACALLERCREDENTIAL", "secret", ""),
			HTTPClient:       f,
			RetryMaxAttempts: 1,
		}}, nil
	}
}

func reproduceOptions() ReproduceOptions {
	return ReproduceOptions{Parse: DefaultOptions(),
		Replay: diagnose.ReplayOptions{Options: diagnose.Options{Actions: catalog.Default().ServiceActions}, Reference: catalog.Default()}}
}

// A message gives a plan; the environment gives the session's role its
// path; an input that is not a denial is ErrNotAccessDenied, and
// the environment is then not loaded.
func TestReproduceMessage(t *testing.T) {
	const msg = "User: arn:aws:sts::111122223333:assumed-role/config-reader/config-loader is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::example-data-config/app/settings.json"
	opts := reproduceOptions()
	r, err := Reproduce(context.Background(), ReproduceInput{Text: msg}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if r.Plan.Role == nil || *r.Plan.Role != "arn:aws:iam::111122223333:role/config-reader" || r.Run != nil {
		t.Fatalf("without an environment: role %v, run %+v", r.Plan.Role, r.Run)
	}
	loads := 0
	opts.Environment = func() (*snapshot.Environment, error) { loads++; return loadExampleEnv() }
	if r, err = Reproduce(context.Background(), ReproduceInput{Text: msg}, opts); err != nil {
		t.Fatal(err)
	}
	if *r.Plan.Role != "arn:aws:iam::111122223333:role/service-role/config-reader" {
		t.Errorf("role %s: want the environment's, with its path", *r.Plan.Role)
	}
	for _, n := range r.Plan.Notes {
		if strings.Contains(n, "path is not in the session ARN") {
			t.Errorf("note kept after the environment gave the path: %s", n)
		}
	}
	_, err = Reproduce(context.Background(), ReproduceInput{Text: "NoSuchKey: The specified key does not exist."}, opts)
	if !errors.Is(err, ErrNotAccessDenied) || loads != 1 {
		t.Fatalf("not a denial: %v (%d loads)", err, loads)
	}
	_, err = Reproduce(context.Background(), ReproduceInput{EventFile: "../reproduce/testdata/run/sts.AssumeRole.xml"}, opts)
	if !errors.Is(err, ErrNotAccessDenied) || !strings.Contains(err.Error(), "holds no access-denied CloudTrail record") {
		t.Fatalf("a file without a denied record: %v", err)
	}
}

// With a Runner the plan is performed and AWS's answer compared with the
// offline decision from the environment: examples/env's SCP denies
// ap-southeast-2 explicitly, the recorded answer is an implicit deny.
func TestReproduceRun(t *testing.T) {
	opts := reproduceOptions()
	opts.Environment = loadExampleEnv
	opts.Runner = recordedRunner(t, map[string]string{"sts": "sts.AssumeRole.xml", "s3": "s3.GetObject.403.xml"})
	r, err := Reproduce(context.Background(), ReproduceInput{EventFile: "testdata/region-denied-event.json"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	c := r.Run.Comparison
	if r.Run.Answer != reproduce.AnswerDenied || c == nil || c.Offline == nil || *c.Offline != "explicit-deny" || c.Agree == nil || *c.Agree {
		t.Fatalf("run %+v, comparison %+v", r.Run, c)
	}
	opts.Runner = func(context.Context) (*reproduce.Runner, error) { return nil, errors.New("no credentials") }
	if _, err := Reproduce(context.Background(), ReproduceInput{Text: "not a denial"}, opts); !errors.Is(err, ErrNotAccessDenied) {
		t.Fatalf("no runner is made for an input that is not a denial: %v", err)
	}
	if _, err := Reproduce(context.Background(), ReproduceInput{EventFile: "testdata/region-denied-event.json"}, opts); err == nil || err.Error() != "no credentials" {
		t.Fatalf("runner error: %v", err)
	}
}

// The JSON form writes every field: a message's unknown Region as null,
// no arguments as [], no run as null.
func TestReproductionJSON(t *testing.T) {
	r, err := Reproduce(context.Background(), ReproduceInput{Text: "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:ListAllMyBuckets"}, reproduceOptions())
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Region json.RawMessage `json:"region"`
		Call   struct {
			Args json.RawMessage `json:"args"`
		} `json:"call"`
		Run   json.RawMessage `json:"run"`
		Notes json.RawMessage `json:"notes"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if string(doc.Region) != "null" || string(doc.Call.Args) != "[]" || string(doc.Run) != "null" || len(doc.Notes) < 3 {
		t.Errorf("%s", b)
	}
}
