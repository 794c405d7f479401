package iaclint_test

import (
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/analyze"
	"github.com/iamwhy/iamwhy/analyze/iaclint"
	"github.com/iamwhy/iamwhy/catalog"
)

func options() iaclint.Options {
	return iaclint.Options{Lint: analyze.LintOptions{Catalog: catalog.Default()}}
}

// A plan's documents are named by resource address and attribute; the one
// apply has not made is returned as not linted, not dropped.
func TestPlan(t *testing.T) {
	r, err := iaclint.Plan("../../examples/iac/plan.json", options())
	if err != nil {
		t.Fatal(err)
	}
	sources := map[string]bool{}
	for _, res := range r.Results {
		sources[res.Source] = true
	}
	for _, want := range []string{"module.app.aws_iam_role_policy.read.policy", "module.app.aws_iam_role.app.assume_role_policy", "aws_s3_bucket_policy.data.policy"} {
		if !sources[want] {
			t.Errorf("no result for %s (have %v)", want, sources)
		}
	}
	if len(r.NotLinted) != 1 || r.NotLinted[0].Source != "aws_iam_role_policy.exporter_export.policy" || !strings.Contains(r.NotLinted[0].Reason, "known only after apply") {
		t.Errorf("not linted = %+v", r.NotLinted)
	}
}

// A template's findings carry the template's line and column, not the
// line inside the policy's JSON text.
func TestTemplateLines(t *testing.T) {
	r, err := iaclint.Template("../../internal/cli/testdata/iac/lint-template.yaml", options())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, res := range r.Results {
		for _, f := range res.Findings {
			if f.Severity == analyze.SeverityError && f.Line == 17 && f.Col == 25 {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("no ERROR at the template's 17:25: %+v", r.Results)
	}
}

// A template document known only at deploy is not linted, with the
// template position and the reason.
func TestTemplateUnknown(t *testing.T) {
	o := options()
	o.Parameters = "../../examples/iac/cloudformation/parameters.json"
	r, err := iaclint.Template("../../examples/iac/cloudformation/template.yaml", o)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.NotLinted) != 1 || !strings.HasPrefix(r.NotLinted[0].Source, "../../examples/iac/cloudformation/template.yaml:") || !strings.Contains(r.NotLinted[0].Reason, "Fn::ImportValue") {
		t.Errorf("not linted = %+v", r.NotLinted)
	}
	if len(r.Results) == 0 {
		t.Error("no results")
	}
}

// An unreadable plan is an error, not an empty report.
func TestPlanUnreadable(t *testing.T) {
	if _, err := iaclint.Plan("testdata/does-not-exist.json", options()); err == nil {
		t.Error("no error for a missing plan")
	}
}
