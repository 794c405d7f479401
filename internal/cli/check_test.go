package cli

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/internal/report/junit"
)

func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(args, Streams{In: strings.NewReader(""), Out: &out, Err: &errb})
	return out.String(), errb.String(), code
}

// Exit statuses per spec/check-file.md.
func TestCheckExitStatus(t *testing.T) {
	for _, tc := range []struct {
		rule string
		args []string
		code int
		err  string
	}{
		{"all cases pass: 0", []string{"check", "../../examples/checks/guides.yaml"}, 0, ""},
		{"environment mode: 0", []string{"check", "../../examples/checks/environment.yaml"}, 0, ""},
		{"a Terraform plan as the environment: 0", []string{"check", "../../examples/iac/checks.yaml"}, 0, ""},
		{"a SAM template with parameters as the environment: 0", []string{"check", "../../examples/iac/cloudformation/checks.yaml"}, 0, ""},
		{"JSON is accepted as YAML", []string{"check", "testdata/check/json-form.json"}, 0, ""},
		{"a failing case: 1", []string{"check", "testdata/check/mixed.yaml"}, 1, ""},
		{"unknown top-level key: 2", []string{"check", "testdata/check/unknown-key.yaml"}, 2, `unknown-key.yaml:2:1: unknown top-level key "tests"`},
		{"case missing a required key: 2", []string{"check", "testdata/check/missing-key.yaml"}, 2, `case "no expectation": missing required key expect`},
		{"not YAML: 2", []string{"check", "testdata/check/not-yaml.yaml"}, 2, "not valid YAML"},
		{"unreadable file: 2", []string{"check", "testdata/check/does-not-exist.yaml"}, 2, "does-not-exist.yaml"},
		{"unknown output: 2", []string{"check", "-o", "xml", "testdata/check/json-form.json"}, 2, "unknown --output"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			_, stderr, code := runCLI(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d (stderr %q)", code, tc.code, stderr)
			}
			if !strings.Contains(stderr, tc.err) {
				t.Fatalf("stderr %q does not contain %q", stderr, tc.err)
			}
		})
	}
}

func TestCheckJSONShape(t *testing.T) {
	stdout, _, code := runCLI(t, "check", "--output", "json", "testdata/check/mixed.yaml")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	var rep struct {
		Results []map[string]any `json:"results"`
		Summary map[string]int   `json:"summary"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout)
	}
	if rep.Summary["cases"] != 5 || rep.Summary["passed"] != 2 || rep.Summary["failed"] != 3 {
		t.Fatalf("summary %v", rep.Summary)
	}
	byName := map[string]map[string]any{}
	for _, r := range rep.Results {
		for _, k := range []string{"file", "name", "principal", "action", "resource", "decision", "expected", "pass", "decided_by", "error", "explanation"} {
			if _, ok := r[k]; !ok {
				t.Fatalf("result lacks %q: %v", k, r)
			}
		}
		byName[r["name"].(string)] = r
	}
	want := map[string][3]any{ // decision, decided_by, pass
		"reads config": {"allow", "identity", true},
		"wrong expectation [s3:GetObject arn:aws:s3:::cfg/a.json]": {"allow", "identity", true},
		"wrong expectation [s3:PutObject arn:aws:s3:::cfg/a.json]": {"implicit-deny", "identity", false},
		"invalid policy":                   {"undetermined", "none", false},
		"unknown operator is undetermined": {"undetermined", "none", false},
	}
	for name, w := range want {
		r, ok := byName[name]
		if !ok {
			t.Fatalf("no result named %q; have %v", name, byName)
		}
		if r["decision"] != w[0] || r["decided_by"] != w[1] || r["pass"] != w[2] {
			t.Errorf("%s: decision %v decided_by %v pass %v, want %v", name, r["decision"], r["decided_by"], r["pass"], w)
		}
	}
	if e, _ := byName["invalid policy"]["error"].(string); !strings.Contains(e, "mixed.yaml:13:9") || !strings.Contains(e, "Permit") {
		t.Errorf("invalid policy error should name the YAML line:col of Effect: %q", e)
	}
	if e, _ := byName["unknown operator is undetermined"]["error"].(string); !strings.Contains(e, "StringSoundsLike") {
		t.Errorf("undetermined error should name the operator: %q", e)
	}
	if byName["reads config"]["error"] != nil {
		t.Errorf("error must be null for a decided case")
	}
}

func TestCheckJUnitAndSARIF(t *testing.T) {
	stdout, _, _ := runCLI(t, "check", "--output", "junit", "testdata/check/mixed.yaml")
	var suites junit.Suites
	if err := xml.Unmarshal([]byte(stdout), &suites); err != nil {
		t.Fatalf("junit: %v", err)
	}
	// The counts of the whole report agree with the suites': a case that
	// could not be evaluated is an error, not a failure.
	if suites.Tests != 5 || suites.Failures != 1 || suites.Errors != 2 || len(suites.Suites) != 1 || suites.Suites[0].Errors != 2 || suites.Suites[0].Failures != 1 {
		t.Fatalf("junit counts: %+v", suites)
	}
	stdout, _, _ = runCLI(t, "check", "--output", "sarif", "testdata/check/mixed.yaml")
	var sarif struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Locations []struct {
					PhysicalLocation struct {
						Region struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(stdout), &sarif); err != nil {
		t.Fatal(err)
	}
	if sarif.Version != "2.1.0" || len(sarif.Runs[0].Results) != 3 || sarif.Runs[0].Results[0].Locations[0].PhysicalLocation.Region.StartLine != 33 {
		t.Fatalf("sarif: %+v", sarif)
	}
}

func TestSimulateNearMiss(t *testing.T) {
	stdout, stderr, code := runCLI(t, "simulate", "--principal", "arn:aws:iam::111122223333:user/ops-alice", "--action", "ec2:DescribeInstances",
		"--policy", "file://../../examples/checks/policies/ec2-us-east-1-only.json", "--context", "aws:RequestedRegion=eu-west-1", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var out struct {
		Results []SimulationResult `json:"results"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	r := out.Results[0]
	if r.Decision != "implicit-deny" || r.DecidedBy != "identity" {
		t.Fatalf("%+v", r)
	}
	miss := r.Trace.Layers[0].Statements[0].Failed[0]
	if miss.Key != "aws:RequestedRegion" || miss.Expected[0] != "us-east-1" || miss.Actual[0] != "eu-west-1" || miss.Pos.Line != 9 {
		t.Fatalf("near miss %+v", miss)
	}
}

// Environment mode: a principal that cannot be found is an error in that
// case (spec/check-file.md), never a silent deny.
func TestCheckEnvironmentUnknownPrincipal(t *testing.T) {
	stdout, _, code := runCLI(t, "check", "-o", "json", "testdata/check/env-unknown.yaml")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	var rep struct {
		Results []struct {
			Name     string  `json:"name"`
			Decision string  `json:"decision"`
			Pass     bool    `json:"pass"`
			Error    *string `json:"error"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 2 {
		t.Fatalf("%+v", rep.Results)
	}
	if r := rep.Results[0]; r.Pass || r.Error == nil || !strings.Contains(*r.Error, "no-such-role") || r.Decision != "undetermined" {
		t.Fatalf("unknown principal: %+v", r)
	}
	if r := rep.Results[1]; !r.Pass || r.Decision != "allow" {
		t.Fatalf("inline environment: %+v", r)
	}
}

// check --output markdown: a summary line and a table of the failing
// cases, cells escaped, for a pull request comment or a step summary.
func TestCheckMarkdown(t *testing.T) {
	stdout, stderr, code := runCLI(t, "check", "--output", "markdown", "testdata/iac/markdown-checks.yaml")
	if code != 1 {
		t.Fatalf("exit %d, want 1: %s %s", code, stdout, stderr)
	}
	for _, want := range []string{
		"**iamwhy check: 1 of 2 cases failed** (1 passed)",
		"| case | principal | action | resource | expected | got | why |",
		"`testdata/iac/markdown-checks.yaml:11` writes \\| nothing | `arn:aws:iam::111122223333:role/app` | `s3:PutObject` |",
		"| allow | implicit-deny (identity) |",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "reads its config") {
		t.Errorf("a passing case is listed:\n%s", stdout)
	}
	stdout, _, code = runCLI(t, "check", "--output", "markdown", "../../examples/iac/cloudformation/checks.yaml")
	if code != 0 || strings.TrimSpace(stdout) != "**iamwhy check: all 10 cases passed**" {
		t.Errorf("exit %d: %q", code, stdout)
	}
}
