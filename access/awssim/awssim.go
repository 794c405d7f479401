// Package awssim asks AWS's IAM policy simulator (iam:SimulatePrincipalPolicy
// and iam:SimulateCustomPolicy, through the AWS SDK for Go v2) the question
// iamwhy answered offline, and compares the answers. A difference is
// explained by what AWS's simulator does not model, not just flagged.
//
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_testing-policies.html
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
package awssim

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/internal/jsonenc"
)

// API is the part of the IAM client the simulator calls; *iam.Client
// implements it.
type API interface {
	SimulatePrincipalPolicy(context.Context, *iam.SimulatePrincipalPolicyInput, ...func(*iam.Options)) (*iam.SimulatePrincipalPolicyOutput, error)
	SimulateCustomPolicy(context.Context, *iam.SimulateCustomPolicyInput, ...func(*iam.Options)) (*iam.SimulateCustomPolicyOutput, error)
}

// Input is one simulation: several actions, each on every resource.
type Input struct {
	// PolicySourceARN selects SimulatePrincipalPolicy: the user or role
	// whose policies AWS looks up itself. Empty selects
	// SimulateCustomPolicy with PolicyInputs.
	PolicySourceARN string
	// PolicyInputs are identity-based policy documents (JSON text):
	// the policies themselves for SimulateCustomPolicy, additional ones
	// for SimulatePrincipalPolicy.
	PolicyInputs []string
	// Boundaries are permissions boundary documents.
	Boundaries []string
	// SCPLevels are SCP documents per organisation level, root first
	// (SimulateCustomPolicy only).
	SCPLevels [][]string
	// ResourcePolicy, ResourceOwner (an account id) and CallerARN add a
	// resource-based policy; AWS needs a user or role as caller for it.
	ResourcePolicy string
	ResourceOwner  string
	CallerARN      string
	Actions        []string
	Resources      []string
	// Context is the request context; each key's type comes from the
	// catalog.
	Context *eval.Context
}

// Result is AWS's decision for one action on one resource.
type Result struct {
	Action   string `json:"action"`
	Resource string `json:"resource"`
	// Decision is AWS's word: allowed, explicitDeny or implicitDeny.
	Decision          string   `json:"decision"`
	MatchedStatements []string `json:"matched_statements"`
	// MissingContext lists keys AWS's policies test that the request
	// did not give.
	MissingContext []string `json:"missing_context"`
	// AllowedByOrganizations and AllowedByBoundary are AWS's details,
	// nil (JSON null) when it gave none.
	AllowedByOrganizations *bool `json:"allowed_by_organizations"`
	AllowedByBoundary      *bool `json:"allowed_by_boundary"`
}

// MarshalJSON writes every field of the result, a list without entries
// as [].
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result // without this method
	p := plain(r)
	p.MatchedStatements = jsonenc.List(p.MatchedStatements)
	p.MissingContext = jsonenc.List(p.MissingContext)
	return jsonenc.Marshal(p)
}

// Simulate calls the simulator (all pages) and returns one Result per
// action and resource.
func Simulate(ctx context.Context, api API, in Input) ([]Result, error) {
	entries := ContextEntries(in.Context)
	resources := in.Resources
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	var out []Result
	var marker *string
	for {
		var res []types.EvaluationResult
		var truncated bool
		var next *string
		if in.PolicySourceARN != "" {
			o, err := api.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{
				PolicySourceArn: aws.String(in.PolicySourceARN), ActionNames: in.Actions, ResourceArns: resources,
				PolicyInputList: in.PolicyInputs, PermissionsBoundaryPolicyInputList: in.Boundaries,
				ResourcePolicy: optional(in.ResourcePolicy), ResourceOwner: owner(in), CallerArn: optional(in.CallerARN),
				ContextEntries: entries, Marker: marker,
			})
			if err != nil {
				return nil, fmt.Errorf("iam:SimulatePrincipalPolicy: %w", err)
			}
			res, truncated, next = o.EvaluationResults, o.IsTruncated, o.Marker
		} else {
			levels := make([]types.OrderedOrganizationPolicyType, len(in.SCPLevels))
			for i, l := range in.SCPLevels {
				levels[i] = types.OrderedOrganizationPolicyType{ServiceControlPolicyInputList: l}
			}
			o, err := api.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{
				PolicyInputList: in.PolicyInputs, ActionNames: in.Actions, ResourceArns: resources,
				PermissionsBoundaryPolicyInputList: in.Boundaries, OrderedOrganizationPolicyInputList: levels,
				ResourcePolicy: optional(in.ResourcePolicy), ResourceOwner: owner(in), CallerArn: optional(in.CallerARN),
				ContextEntries: entries, Marker: marker,
			})
			if err != nil {
				return nil, fmt.Errorf("iam:SimulateCustomPolicy: %w", err)
			}
			res, truncated, next = o.EvaluationResults, o.IsTruncated, o.Marker
		}
		for i := range res {
			out = append(out, results(&res[i], resources)...)
		}
		if !truncated || next == nil {
			return out, nil
		}
		marker = next
	}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// owner is the ResourceOwner parameter: an account's root ARN.
func owner(in Input) *string {
	if in.ResourceOwner == "" || in.ResourcePolicy == "" {
		return nil
	}
	return aws.String("arn:aws:iam::" + in.ResourceOwner + ":root")
}

// results reads one action's evaluation: per resource from
// ResourceSpecificResults, else the top-level decision for each resource
// (AWS returns no per-resource results for "*").
func results(r *types.EvaluationResult, resources []string) []Result {
	action := aws.ToString(r.EvalActionName)
	top := Result{Action: action, Decision: string(r.EvalDecision), MatchedStatements: statementIDs(r.MatchedStatements),
		MissingContext: r.MissingContextValues}
	if r.OrganizationsDecisionDetail != nil {
		top.AllowedByOrganizations = aws.Bool(r.OrganizationsDecisionDetail.AllowedByOrganizations)
	}
	if r.PermissionsBoundaryDecisionDetail != nil {
		top.AllowedByBoundary = aws.Bool(r.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary)
	}
	if len(r.ResourceSpecificResults) == 0 {
		out := make([]Result, len(resources))
		for i, res := range resources {
			out[i] = top
			out[i].Resource = res
		}
		return out
	}
	out := make([]Result, 0, len(r.ResourceSpecificResults))
	for _, rs := range r.ResourceSpecificResults {
		x := top
		x.Resource = aws.ToString(rs.EvalResourceName)
		x.Decision = string(rs.EvalResourceDecision)
		x.MatchedStatements = statementIDs(rs.MatchedStatements)
		x.MissingContext = rs.MissingContextValues
		if rs.PermissionsBoundaryDecisionDetail != nil {
			x.AllowedByBoundary = aws.Bool(rs.PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary)
		}
		out = append(out, x)
	}
	return out
}

func statementIDs(ss []types.Statement) []string {
	var out []string
	for _, s := range ss {
		id := aws.ToString(s.SourcePolicyId)
		if id == "" {
			id = string(s.SourcePolicyType)
		}
		out = append(out, id)
	}
	return out
}

// ContextEntries maps a request context to the simulator's entries, each
// typed as the catalog types its key: String and ARN keys are "string",
// Numeric "numeric", Date "date", Bool "boolean", IPAddress "ip", Binary
// "binary", and the ArrayOf types and multivalued keys the "...List"
// forms. A key the catalog does not know is a string (list).
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ContextEntry.html
func ContextEntries(ctx *eval.Context) []types.ContextEntry {
	if ctx == nil {
		return nil
	}
	keys := ctx.Keys()
	sort.Strings(keys)
	out := make([]types.ContextEntry, 0, len(keys))
	cat := catalog.Default()
	for _, k := range keys {
		vals, _ := ctx.Get(k)
		kt, _ := cat.KeyType(k)
		out = append(out, types.ContextEntry{ContextKeyName: aws.String(k), ContextKeyValues: vals,
			ContextKeyType: KeyType(kt, len(vals) > 1)})
	}
	return out
}

// KeyType is the simulator's ContextKeyType for a catalog key type.
func KeyType(t catalog.KeyType, multi bool) types.ContextKeyTypeEnum {
	var base string
	switch t.Elem() {
	case catalog.KeyNumeric:
		base = "numeric"
	case catalog.KeyDate:
		base = "date"
	case catalog.KeyBool:
		base = "boolean"
	case catalog.KeyIPAddress:
		base = "ip"
	case catalog.KeyBinary:
		base = "binary"
	default:
		base = "string"
	}
	if t.IsArray() || multi {
		base += "List"
	}
	return types.ContextKeyTypeEnum(base)
}

// Comparison is iamwhy's and AWS's answers for one action and resource.
type Comparison struct {
	Action   string `json:"action"`
	Resource string `json:"resource"`
	IAMWhy   string `json:"iamwhy"`
	AWS      string `json:"aws"`
	Agree    bool   `json:"agree"`
	// Explanations say why the answers may differ: what AWS's simulator
	// does not model for this request.
	Explanations []string `json:"explanations"`
	AWSResult    Result   `json:"aws_result"`
}

// MarshalJSON writes every field of the comparison, no explanations (the
// answers agree) as [].
func (c Comparison) MarshalJSON() ([]byte, error) {
	type plain Comparison // without this method
	p := plain(c)
	p.Explanations = jsonenc.List(p.Explanations)
	return jsonenc.Marshal(p)
}

// Facts are what iamwhy's evaluation involved that AWS's simulator handles
// differently.
type Facts struct {
	// EnvMode: SimulatePrincipalPolicy looked the policies up in the live
	// account, iamwhy in the snapshot.
	EnvMode bool
	// SessionPolicies were passed (AWS took them as identity policies).
	SessionPolicies bool
	// PrincipalARN is the caller iamwhy simulated; AWS simulates the user
	// or role.
	PrincipalARN string
	// Trace is iamwhy's trace of the decision.
	Trace *eval.Trace
}

// Compare puts iamwhy's outcome next to AWS's result. The two agree when
// both allow, or both deny (AWS's implicitDeny and explicitDeny against
// iamwhy's implicit-deny and explicit-deny); an undetermined answer never
// agrees.
func Compare(ours eval.Outcome, r Result, f Facts) Comparison {
	c := Comparison{Action: r.Action, Resource: r.Resource, IAMWhy: ours.String(), AWS: r.Decision, AWSResult: r}
	switch r.Decision {
	case "allowed":
		c.Agree = ours == eval.Allow
	case "explicitDeny":
		c.Agree = ours == eval.ExplicitDeny
	case "implicitDeny":
		c.Agree = ours == eval.ImplicitDeny
	}
	if c.Agree {
		return c
	}
	c.Explanations = explain(ours, r, f)
	return c
}

// explain lists the documented limits of AWS's simulator that bear on the
// request.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_testing-policies.html
func explain(ours eval.Outcome, r Result, f Facts) []string {
	var out []string
	layerApplies := map[eval.Layer]bool{}
	if f.Trace != nil {
		for _, lt := range f.Trace.Layers {
			if lt.Applies {
				layerApplies[lt.Layer] = true
			}
		}
	}
	if len(r.MissingContext) > 0 {
		out = append(out, "AWS's simulator reports context keys the request did not give ("+strings.Join(r.MissingContext, ", ")+"); give them with --context")
	}
	if layerApplies[eval.LayerRCP] {
		out = append(out, "AWS's simulator does not evaluate resource control policies (RCPs); iamwhy does")
	}
	if layerApplies[eval.LayerVPCEndpoint] {
		out = append(out, "AWS's simulator does not evaluate VPC endpoint policies; iamwhy does")
	}
	if f.SessionPolicies {
		out = append(out, "AWS's simulator takes the session policies as additional identity-based policies (any of them may allow); AWS requires the session policies to allow as well, as iamwhy does")
	}
	if layerApplies[eval.LayerSCP] {
		if f.EnvMode {
			out = append(out, "SimulatePrincipalPolicy applies the SCPs of the live organisation, iamwhy those in the snapshot; they may differ")
		} else {
			out = append(out, "SimulateCustomPolicy evaluates the SCPs it is given as they are, while iamwhy applies AWS's exemptions (management account, service-linked roles)")
		}
	}
	if f.EnvMode {
		out = append(out, "SimulatePrincipalPolicy reads the principal's policies from the live account, iamwhy from the snapshot: a change since collection makes them differ")
		if p := eval.ParsePrincipal(f.PrincipalARN); p.Type == eval.PrincipalAssumedRole {
			out = append(out, "AWS simulates the role, not the session "+f.PrincipalARN+": session tags and the session's own context are absent there")
		}
	}
	if layerApplies[eval.LayerResource] {
		out = append(out, "AWS's simulator evaluates a resource-based policy only for some services and only with a user or role as caller; cross-account and KMS key policy rules may differ")
	}
	if ours == eval.Undetermined {
		out = append(out, "iamwhy could not decide: see its reason")
	}
	if len(out) == 0 {
		out = append(out, "no documented limit of AWS's simulator explains the difference: compare the matched statements")
	}
	return out
}
