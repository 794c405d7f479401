package awssim

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/eval"
)

// TestKeyType: the simulator's ContextKeyType for each catalog key type
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_ContextEntry.html).
func TestKeyType(t *testing.T) {
	tests := []struct {
		t     catalog.KeyType
		multi bool
		want  string
	}{
		{catalog.KeyString, false, "string"},
		{catalog.KeyARN, false, "string"},
		{catalog.KeyNumeric, false, "numeric"},
		{catalog.KeyDate, false, "date"},
		{catalog.KeyBool, false, "boolean"},
		{catalog.KeyIPAddress, false, "ip"},
		{catalog.KeyBinary, false, "binary"},
		{catalog.KeyArrayOfString, false, "stringList"},
		{catalog.KeyArrayOfARN, false, "stringList"},
		{catalog.KeyArrayOfNumeric, false, "numericList"},
		{catalog.KeyUnknown, false, "string"},
		{catalog.KeyUnknown, true, "stringList"},
	}
	for _, tt := range tests {
		if got := string(KeyType(tt.t, tt.multi)); got != tt.want {
			t.Errorf("%s (multi %v): %s, want %s", tt.t, tt.multi, got, tt.want)
		}
	}
}

// TestCompare: agreement per decision word, and a difference explained by
// the layers the simulator does not model.
func TestCompare(t *testing.T) {
	rcpTrace := &eval.Trace{Layers: []eval.LayerTrace{{Layer: eval.LayerRCP, Applies: true}}}
	tests := []struct {
		rule    string
		ours    eval.Outcome
		aws     string
		facts   Facts
		agree   bool
		explain string
	}{
		{"allow agrees with allowed", eval.Allow, "allowed", Facts{}, true, ""},
		{"implicit deny agrees with implicitDeny", eval.ImplicitDeny, "implicitDeny", Facts{}, true, ""},
		{"explicit deny does not agree with implicitDeny", eval.ExplicitDeny, "implicitDeny", Facts{}, false, "no documented limit"},
		{"an RCP deny AWS does not see", eval.ExplicitDeny, "allowed", Facts{Trace: rcpTrace}, false, "resource control policies"},
		{"undetermined never agrees", eval.Undetermined, "allowed", Facts{}, false, "could not decide"},
		{"a session is simulated as its role", eval.ImplicitDeny, "allowed", Facts{EnvMode: true, PrincipalARN: "arn:aws:sts::111122223333:assumed-role/r/s"}, false, "not the session"},
	}
	for _, tt := range tests {
		c := Compare(tt.ours, Result{Decision: tt.aws}, tt.facts)
		if c.Agree != tt.agree || !strings.Contains(strings.Join(c.Explanations, "\n"), tt.explain) || (tt.agree && len(c.Explanations) > 0) {
			t.Errorf("%s: agree %v, explanations %q", tt.rule, c.Agree, c.Explanations)
		}
	}
}

// pagedAPI answers SimulatePrincipalPolicy in two pages.
type pagedAPI struct{ markers []string }

func (p *pagedAPI) SimulatePrincipalPolicy(_ context.Context, in *iam.SimulatePrincipalPolicyInput, _ ...func(*iam.Options)) (*iam.SimulatePrincipalPolicyOutput, error) {
	p.markers = append(p.markers, aws.ToString(in.Marker))
	if in.Marker == nil {
		return &iam.SimulatePrincipalPolicyOutput{IsTruncated: true, Marker: aws.String("page2"), EvaluationResults: []types.EvaluationResult{
			{EvalActionName: aws.String("s3:GetObject"), EvalDecision: types.PolicyEvaluationDecisionTypeAllowed}}}, nil
	}
	return &iam.SimulatePrincipalPolicyOutput{EvaluationResults: []types.EvaluationResult{
		{EvalActionName: aws.String("s3:PutObject"), EvalDecision: types.PolicyEvaluationDecisionTypeImplicitDeny,
			ResourceSpecificResults: []types.ResourceSpecificResult{{EvalResourceName: aws.String("arn:aws:s3:::b/k"), EvalResourceDecision: types.PolicyEvaluationDecisionTypeExplicitDeny}}}}}, nil
}

func (p *pagedAPI) SimulateCustomPolicy(context.Context, *iam.SimulateCustomPolicyInput, ...func(*iam.Options)) (*iam.SimulateCustomPolicyOutput, error) {
	return nil, errors.New("not expected")
}

// TestSimulatePages: every page is read; per-resource results win over
// the action's aggregate, which stands for each resource when AWS gives
// none.
func TestSimulatePages(t *testing.T) {
	api := &pagedAPI{}
	got, err := Simulate(context.Background(), api, Input{PolicySourceARN: "arn:aws:iam::111122223333:role/r",
		Actions: []string{"s3:GetObject", "s3:PutObject"}, Resources: []string{"arn:aws:s3:::b/k"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(api.markers) != 2 || api.markers[1] != "page2" {
		t.Errorf("markers %q", api.markers)
	}
	want := []string{"s3:GetObject arn:aws:s3:::b/k allowed", "s3:PutObject arn:aws:s3:::b/k explicitDeny"}
	if len(got) != len(want) {
		t.Fatalf("%+v", got)
	}
	for i, r := range got {
		if s := r.Action + " " + r.Resource + " " + r.Decision; s != want[i] {
			t.Errorf("%s, want %s", s, want[i])
		}
	}
}
