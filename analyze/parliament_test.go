package analyze

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/policy"
)

// parliamentCase is one policy of parliament's unit tests
// (testdata/parliament: github.com/duo-labs/parliament tests/unit, BSD
// 3-Clause, its LICENSE beside the cases) with the finding ids parliament
// expects. Subset marks a test that asserts only that the ids are among
// parliament's findings.
type parliamentCase struct {
	File              string   `json:"file"`
	Test              string   `json:"test"`
	Policy            string   `json:"policy"`
	Parliament        []string `json:"parliament"`
	CommunityAuditors bool     `json:"community_auditors"`
	Subset            bool     `json:"subset"`
}

// parliamentCodes maps parliament's finding ids to the lint checks that
// find the same problem.
var parliamentCodes = map[string][]string{
	"MALFORMED_JSON":                       {"JSON_SYNTAX_ERROR"},
	"MALFORMED":                            {"UNSUPPORTED_ELEMENT_COMBINATION", "MISSING_ACTION", "MISSING_STATEMENT", "INVALID_POLICY_ELEMENT", "MISSING_EFFECT", "MISSING_RESOURCE"},
	"INVALID_SID":                          {"UNSUPPORTED_SID"},
	"UNKNOWN_ACTION":                       {"INVALID_ACTION"},
	"UNKNOWN_CONDITION_FOR_ACTION":         {"INVALID_CONDITION_KEY_FORMAT", "INVALID_SERVICE_CONDITION_KEY", "INVALID_GLOBAL_CONDITION_KEY", "INVALID_SERVICE", "UNSUPPORTED_ACTION_FOR_CONDITION_KEY"},
	"MISMATCHED_TYPE":                      {"TYPE_MISMATCH", "TYPE_MISMATCH_DATE", "TYPE_MISMATCH_NUMBER", "TYPE_MISMATCH_BOOLEAN", "TYPE_MISMATCH_STRING", "TYPE_MISMATCH_IP_RANGE", "INVALID_DATE_VALUE"},
	"MISMATCHED_TYPE_BUT_USABLE":           {"ARN_KEY_WITH_STRING_OPERATOR", "STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS"},
	"UNKNOWN_OPERATOR":                     {"INVALID_CONDITION_OPERATOR"},
	"DUPLICATE_SID":                        {"UNIQUE_SIDS_REQUIRED", "UNIQUE_SIDS_RECOMMENDED"},
	"INVALID_ARN":                          {"DATA_TYPE_MISMATCH", "INVALID_ARN_PREFIX", "MISSING_ARN_FIELD", "INVALID_ARN_RESOURCE", "INVALID_ARN_ACCOUNT"},
	"BAD_PATTERN_FOR_MFA":                  {"IMPOSSIBLE_MFA_CONDITION"},
	"RESOURCE_MISMATCH":                    {"ACTION_RESOURCE_MISMATCH"},
	"RESOURCE_STAR":                        {"RESOURCE_STAR"},
	"RESOURCE_EFFECTIVELY_STAR":            {"RESOURCE_EFFECTIVELY_STAR"},
	"RESOURCE_POLICY_PRIVILEGE_ESCALATION": {"RESOURCE_POLICY_PRIVILEGE_ESCALATION"},
}

// parliamentMisses are the expected findings lint does not report, each
// with the reason (keyed "test FINDING").
var parliamentMisses = map[string]string{
	// parliament's community auditors are Cloudsplaining-style lists of
	// sensitive actions; lint's counterpart is PRIVILEGE_ESCALATION, which
	// names escalation paths, not every action that returns credentials
	// or manages permissions.
	"test_analyze_policy_string_enable_community CREDENTIALS_EXPOSURE":           "community auditor: lint has no list of credential-returning actions",
	"test_analyze_policy_string_enable_community PERMISSIONS_MANAGEMENT_ACTIONS": "community auditor: lint has no list of permissions-management actions",
	// iam:ResourceTag/status with ec2:* and s3:*: Access Analyzer does not
	// judge wildcard actions for Unsupported action for condition key, and
	// lint follows it.
	"test_condition_mismatch UNKNOWN_CONDITION_FOR_ACTION": "the actions are wildcards, which Access Analyzer's check skips",
	// parliament also reports a type mismatch for an operator it does not
	// know; an unknown operator has no type to mismatch.
	"test_condition_operator#2 MISMATCHED_TYPE": "a consequence of the unknown operator, reported as INVALID_CONDITION_OPERATOR",
	// s3:*Bucket* on bucket ARNs also matches s3:ListAllMyBuckets, which
	// needs "*"; lint reports a wildcard only when none of the actions it
	// matches works on the resources, since the others are what it grants.
	"test_resource_policy_privilege_escalation_at_bucket_level#2 RESOURCE_MISMATCH": "a wildcard that also covers an action needing \"*\" is not a mismatch",
}

// parliamentCleanErrors are policies parliament finds clean and lint gives
// an error, with why lint is right.
var parliamentCleanErrors = map[string]string{
	// Access Analyzer: "Identity policies and other resource-based
	// policies don't support a federated identity provider in the
	// Principal element ... you can't use a SAML principal in an Amazon S3
	// bucket policy" (Federated principal not supported).
	"test_policy_with_principal#5": "FEDERATED_PRINCIPAL_NOT_SUPPORTED: a bucket policy cannot name a federated principal",
}

// TestParliament runs parliament's policy test cases: every finding
// parliament expects is reported under the mapped lint check or listed in
// parliamentMisses with a reason, and the policies parliament finds clean
// get no error from lint. go test -v prints the tally.
func TestParliament(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "parliament", "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases []parliamentCase `json:"cases"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	expected, reported, clean := 0, 0, 0
	for _, c := range file.Cases {
		typ := policy.TypeIdentity
		if strings.Contains(c.Policy, `"Principal"`) {
			typ = policy.TypeResource
		}
		res := Lint([]byte(c.Policy), LintOptions{Type: typ, Source: c.Test})
		got := map[string]bool{}
		var codes []string
		for _, f := range res.Findings {
			if !got[f.IssueCode] {
				codes = append(codes, f.IssueCode)
			}
			got[f.IssueCode] = true
		}
		sort.Strings(codes)
		if len(c.Parliament) == 0 {
			clean++
			_, known := parliamentCleanErrors[c.Test]
			if res.Counts["ERROR"] > 0 && !known {
				t.Errorf("%s (%s): parliament finds nothing, lint reports an error: %v", c.Test, c.File, codes)
			}
			if res.Counts["ERROR"] == 0 && known {
				t.Errorf("%s: no error any more: remove it from parliamentCleanErrors", c.Test)
			}
		}
		for _, id := range c.Parliament {
			expected++
			mapped, ok := parliamentCodes[id]
			found := false
			for _, code := range mapped {
				if got[code] {
					found = true
				}
			}
			key := c.Test + " " + id
			why, miss := parliamentMisses[key]
			switch {
			case !ok && !miss:
				t.Errorf("%s: parliament finding %s has no lint check mapped", c.Test, id)
			case found && miss:
				t.Errorf("%s: %s is reported now (%v): remove it from parliamentMisses (%s)", c.Test, id, codes, why)
			case !found && !miss:
				t.Errorf("%s (%s): parliament expects %s, lint reports %v", c.Test, c.File, id, codes)
			}
			if found {
				reported++
			}
		}
	}
	t.Logf("parliament: %d cases, %d expected findings, %d reported by lint, %d clean policies", len(file.Cases), expected, reported, clean)
}
