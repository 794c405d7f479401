package cli

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
)

func TestTrustOutputs(t *testing.T) {
	for _, format := range []string{"text", "json", "dot", "mermaid", "graphml", "html"} {
		var out, errb bytes.Buffer
		code := Main([]string{"trust", "--env", "../../examples/s3kms-env", "-o", format}, Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", format, code, errb.String())
		}
		s := out.String()
		switch format {
		case "json":
			var g struct {
				FormatVersion int               `json:"format_version"`
				Nodes         []json.RawMessage `json:"nodes"`
				Edges         []json.RawMessage `json:"edges"`
			}
			if err := json.Unmarshal(out.Bytes(), &g); err != nil || g.FormatVersion != 1 || len(g.Nodes) == 0 {
				t.Errorf("json: %v %+v", err, g)
			}
		case "graphml":
			var v struct{}
			if err := xml.Unmarshal(out.Bytes(), &v); err != nil {
				t.Errorf("graphml is not XML: %v", err)
			}
		case "dot":
			if !strings.HasPrefix(s, "digraph trust {") || !strings.Contains(s, "->") {
				t.Errorf("dot: %s", s)
			}
		case "mermaid":
			if !strings.HasPrefix(s, "flowchart LR") || !strings.Contains(s, "-->") {
				t.Errorf("mermaid: %s", s)
			}
		case "html":
			if !strings.Contains(s, "<table>") || strings.Contains(s, "<script") || strings.Contains(s, "http") && !strings.Contains(s, "http-equiv") {
				t.Errorf("html page not self-contained")
			}
		case "text":
			if !strings.Contains(s, "trust edges") {
				t.Errorf("text: %s", s)
			}
		}
	}
	var out, errb bytes.Buffer
	if code := Main([]string{"trust", "--env", "../../examples/env", "-o", "svg"}, Streams{In: strings.NewReader(""), Out: &out, Err: &errb}); code != 2 {
		t.Errorf("an unknown format: exit %d", code)
	}
}

func TestAccessDiffCommand(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"access-diff", "../../examples/access-diff/old.json", "../../examples/access-diff/new.json"}, 1, "s3:PutObject on arn:aws:s3:::data/uploads/*"},
		{[]string{"access-diff", "../../examples/access-diff/old.json", "../../examples/access-diff/old.json"}, 0, "No new access"},
		{[]string{"access-diff", "-o", "markdown", "../../examples/access-diff/old.json", "../../examples/access-diff/new.json"}, 1, "| `s3:PutObject` |"},
		{[]string{"access-diff", "-o", "yaml", "a", "b"}, 2, ""},
		{[]string{"access-diff", "../../examples/access-diff/old.json", "no-such-file.json"}, 2, ""},
	} {
		var out, errb bytes.Buffer
		code := Main(tc.args, Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
		if code != tc.code || !strings.Contains(out.String(), tc.want) {
			t.Errorf("%v: exit %d (want %d), output %q, stderr %q", tc.args, code, tc.code, out.String(), errb.String())
		}
	}
}

func TestReproduceCommand(t *testing.T) {
	var out, errb bytes.Buffer
	code := Main([]string{"reproduce", "--env", "../../examples/env", "--event", "testdata/diagnose/region-denied-event.json"}, Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
	if code != 0 || !strings.Contains(out.String(), "aws s3api get-object --bucket example-data-config --key app/settings.json /dev/null --region ap-southeast-2") ||
		!strings.Contains(out.String(), "role/service-role/config-reader") {
		t.Errorf("exit %d: %s %s", code, out.String(), errb.String())
	}
	out.Reset()
	if code := Main([]string{"reproduce", "hello world"}, Streams{In: strings.NewReader(""), Out: &out, Err: &errb}); code != 3 {
		t.Errorf("not a denial: exit %d", code)
	}
}
