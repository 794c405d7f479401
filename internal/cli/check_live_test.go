package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/reproduce/reproducetest"
)

// TestCheckLive: --live performs the cases AWS can answer faithfully
// (recorded answers), skips the others with the reason, counts both, and
// fails the run when AWS disagrees.
func TestCheckLive(t *testing.T) {
	awsTestEnv(t)
	for _, tc := range []struct {
		rule   string
		s3     string
		output string
		code   int
		want   []string
	}{
		{"AWS agrees: 0", "s3.GetObject.txt", "text", 0, []string{
			"live: AWS allowed: agrees",
			"live: skipped: s3:PutObject is not read-only (Write)",
			"live: skipped: the live call cannot carry the case's context key aws:SourceIp",
			"live: 1 performed (1 agreed, 0 disagreed, 0 inconclusive), 2 skipped, 0 could not run"}},
		{"AWS denies what iamwhy allows: 1, with both answers", "s3.GetObject.403.xml", "text", 1, []string{
			"FAIL", "DISAGREES: expected allow, iamwhy decided allow, AWS implicit-deny",
			"live: 1 performed (0 agreed, 1 disagreed, 0 inconclusive), 2 skipped, 0 could not run"}},
		{"JSON carries the live outcome and its summary", "s3.GetObject.403.xml", "json", 1, []string{
			`"agrees_with_simulator": false`, `"answer": "denied"`, `"error_code": "AccessDenied"`, `"disagreed": 1`}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			fake := &reproducetest.AWS{T: t, Dir: "testdata/check_live", Answers: map[string]string{"sts": "sts.AssumeRole.xml", "s3": tc.s3}}
			o := &checkOptions{Output: tc.output, Files: []string{"testdata/check_live/live.yaml"}}
			o.Live.Enabled, o.Live.httpClient = true, fake
			var out bytes.Buffer
			err := runCheck(t.Context(), Streams{In: strings.NewReader(""), Out: &out, Err: &bytes.Buffer{}}, o)
			if code := exitCode(err); code != tc.code {
				t.Fatalf("exit %d (%v), want %d:\n%s", code, err, tc.code, out.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			if tc.output == "json" && !json.Valid(out.Bytes()) {
				t.Errorf("not JSON:\n%s", out.String())
			}
			if n := len(fake.Requests()); n != 2 {
				t.Errorf("%d requests, want the assume-role and one call", n)
			}
		})
	}
}

// TestCheckLiveFlags: --profile and --region belong to --live.
func TestCheckLiveFlags(t *testing.T) {
	_, stderr, code := runCLI(t, "check", "--profile", "p", "testdata/check_live/live.yaml")
	if code != 2 || !strings.Contains(stderr, "--profile and --region are for --live") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
