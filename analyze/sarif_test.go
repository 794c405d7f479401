package analyze

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/iamwhy/iamwhy/policy"
)

func TestWriteSARIF(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"},
{"Effect":"Allow","Action":"s3:GetObjekt","Resource":"*"}]}`
	res := Lint([]byte(doc), LintOptions{Type: policy.TypeIdentity, Source: "policies/app.json"})
	var buf bytes.Buffer
	if err := WriteSARIF(&buf, []*Result{res}, "1.0.0"); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string } `json:"artifactLocation"`
						Region           struct {
							StartLine, StartColumn int
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || len(log.Runs[0].Tool.Driver.Rules) != len(Checks) {
		t.Fatalf("log %+v", log)
	}
	run := log.Runs[0]
	if len(run.Results) != len(res.Findings) || len(run.Results) < 2 {
		t.Fatalf("%d results for %d findings", len(run.Results), len(res.Findings))
	}
	levels := map[string]string{}
	for _, r := range run.Results {
		if run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("ruleIndex %d does not name %s", r.RuleIndex, r.RuleID)
		}
		loc := r.Locations[0].PhysicalLocation
		if loc.ArtifactLocation.URI != "policies/app.json" || loc.Region.StartLine < 1 || loc.Region.StartColumn < 1 {
			t.Errorf("location %+v", loc)
		}
		levels[r.RuleID] = r.Level
	}
	if levels["INVALID_ACTION"] != "error" || levels["PASS_ROLE_WITH_STAR_IN_RESOURCE"] != "warning" {
		t.Errorf("levels %v", levels)
	}
}
