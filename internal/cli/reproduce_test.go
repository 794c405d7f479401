package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/reproduce/reproducetest"
)

// reproduceAWS answers --run's requests with recorded responses from
// testdata/reproduce: STS's AssumeRole, then the call. Nothing reaches AWS.
func reproduceAWS(t *testing.T, call string) *reproducetest.AWS {
	return &reproducetest.AWS{T: t, Dir: "testdata/reproduce", Answers: map[string]string{"sts": "sts.AssumeRole.xml", "s3": call}}
}

// TestReproduceRun: --run performs the plan through the SDK, reports
// AWS's answer next to iamwhy's offline decision, and exits by the
// documented statuses.
func TestReproduceRun(t *testing.T) {
	awsTestEnv(t)
	for _, tc := range []struct {
		rule   string
		opts   reproduceOptions
		call   string
		code   int
		want   []string // substrings of stdout
		errw   string   // a substring of the error
		called int      // requests sent
	}{
		{rule: "AWS denies as iamwhy decides from the environment (the SCP's explicit deny): 0",
			opts: reproduceOptions{Event: "testdata/diagnose/region-denied-event.json", envFlags: envFlags{Env: "../../examples/env"}},
			call: "s3.GetObject.403.xml", code: 0, called: 2,
			want: []string{"AWS       denied: AccessDenied", "Offline   explicit-deny", "AWS still denies the call; iamwhy's offline decision (explicit-deny) agrees",
				"Ran       s3:GetObject as arn:aws:sts::111122223333:assumed-role/config-reader/iamwhy-reproduce (ap-southeast-2)"}},
		{rule: "AWS allows what iamwhy denies: 1",
			opts: reproduceOptions{Event: "testdata/diagnose/region-denied-event.json", envFlags: envFlags{Env: "../../examples/env"}},
			call: "s3.GetObject.txt", code: 1, called: 2, want: []string{"AWS       allowed", "DISAGREES"}},
		{rule: "no environment: AWS's answer alone, 0",
			opts: reproduceOptions{Event: "testdata/diagnose/region-denied-event.json"},
			call: "s3.GetObject.txt", code: 0, called: 2, want: []string{"AWS allows the call now"}},
		{rule: "a write is refused without --allow-writes: 2, nothing sent",
			opts: reproduceOptions{Event: "../../examples/trail/cloudtrail.json"},
			code: 2, errw: "pass --allow-writes", called: 0},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			fake := reproduceAWS(t, tc.call)
			o := tc.opts
			o.Run, o.Output, o.httpClient = true, "text", fake
			var out, errb bytes.Buffer
			err := runReproduce(t.Context(), Streams{In: strings.NewReader(""), Out: &out, Err: &errb}, &o)
			if code := exitCode(err); code != tc.code {
				t.Fatalf("exit %d (err %v), want %d; out %s", code, err, tc.code, out.String())
			}
			if tc.errw != "" && (err == nil || !strings.Contains(err.Error(), tc.errw)) {
				t.Errorf("error %v, want %q", err, tc.errw)
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			if len(fake.Requests()) != tc.called {
				t.Errorf("%d requests (%v), want %d", len(fake.Requests()), fake.Requests(), tc.called)
			}
		})
	}
}

// TestReproduceRunJSON: the JSON form carries the run, and null without
// --run.
func TestReproduceRunJSON(t *testing.T) {
	awsTestEnv(t)
	o := reproduceOptions{Event: "testdata/diagnose/region-denied-event.json", envFlags: envFlags{Env: "../../examples/env"}, Output: "json"}
	var out bytes.Buffer
	if err := runReproduce(t.Context(), Streams{In: strings.NewReader(""), Out: &out, Err: io.Discard}, &o); err != nil {
		t.Fatal(err)
	}
	var plain map[string]json.RawMessage
	if err := json.Unmarshal(out.Bytes(), &plain); err != nil || string(plain["run"]) != "null" || plain["api"] == nil {
		t.Fatalf("without --run: run %s api %s (%v)", plain["run"], plain["api"], err)
	}
	out.Reset()
	o.Run, o.httpClient = true, reproduceAWS(t, "s3.GetObject.403.xml")
	if err := runReproduce(t.Context(), Streams{In: strings.NewReader(""), Out: &out, Err: io.Discard}, &o); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Run struct {
			Answer     string `json:"answer"`
			ErrorCode  string `json:"error_code"`
			Deny       string `json:"deny"`
			Comparison struct {
				Agree       *bool  `json:"agree"`
				StillDenied *bool  `json:"still_denied"`
				Offline     string `json:"offline"`
			} `json:"comparison"`
		} `json:"run"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	r := got.Run
	if r.Answer != "denied" || r.ErrorCode != "AccessDenied" || r.Deny != "explicit" || r.Comparison.Offline != "explicit-deny" ||
		r.Comparison.Agree == nil || !*r.Comparison.Agree || r.Comparison.StillDenied == nil || !*r.Comparison.StillDenied {
		t.Errorf("run %+v\n%s", r, out.String())
	}
}

// exitCode is the status Main gives an error a command returned.
func exitCode(err error) int {
	var ee *ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.Code
	}
	return 2
}
