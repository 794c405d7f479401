package cli

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/iamwhy/iamwhy/access/awssim"
	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/internal/jsonenc"
	"github.com/iamwhy/iamwhy/snapshot"
)

// awsComparison is AWS's simulator's answer next to iamwhy's, or why AWS
// could not be asked for this request.
type awsComparison struct {
	awssim.Comparison
	// Skipped says why AWS's simulator was not asked (e.g. a root user
	// or a service principal, which it cannot simulate).
	Skipped string `json:"skipped"`
}

// MarshalJSON writes every field of the comparison also when AWS was not
// asked: then AWS's answer, the agreement and AWS's result are null and
// skipped says why; skipped is null when AWS answered.
func (c awsComparison) MarshalJSON() ([]byte, error) {
	if c.Skipped == "" {
		b, err := c.Comparison.MarshalJSON()
		if err != nil {
			return nil, err
		}
		return jsonenc.Merge(b, []byte(`{"skipped":null}`))
	}
	return jsonenc.Marshal(struct {
		Action       string         `json:"action"`
		Resource     string         `json:"resource"`
		IAMWhy       string         `json:"iamwhy"`
		AWS          *string        `json:"aws"`
		Agree        *bool          `json:"agree"`
		Explanations []string       `json:"explanations"`
		AWSResult    *awssim.Result `json:"aws_result"`
		Skipped      string         `json:"skipped"`
	}{c.Action, c.Resource, c.IAMWhy, nil, nil, []string{}, nil, c.Skipped})
}

// skippedComparison is the comparison of a result AWS's simulator was not
// asked about, and why.
func skippedComparison(r *SimulationResult, why string) *awsComparison {
	return &awsComparison{Comparison: awssim.Comparison{Action: r.Action, Resource: r.Resource, IAMWhy: r.Decision}, Skipped: why}
}

// verifyWithAWS asks AWS's simulator the same requests (one call per
// action, for all its resources) and attaches the comparison to each
// result.
func (o *simulateOptions) verifyWithAWS(env *snapshot.Environment, results []SimulationResult, reqs []*eval.Request) error {
	ctx := context.Background()
	cfg, err := o.awsFlags.config(ctx, "--verify-with-aws")
	if err != nil {
		return err
	}
	if cfg.Region == "" {
		// IAM is a global service; the SDK still needs a region to sign.
		cfg.Region = "us-east-1"
	}
	client := iam.NewFromConfig(cfg)
	// Group the results by action: AWS decides every resource of an
	// action in one call.
	byAction := map[string][]int{}
	var order []string
	for i := range results {
		a := results[i].Action
		if _, ok := byAction[a]; !ok {
			order = append(order, a)
		}
		byAction[a] = append(byAction[a], i)
	}
	for _, action := range order {
		idx := byAction[action]
		in, skip, err := o.awsInput(env, action, reqs[idx[0]])
		if err != nil {
			return err
		}
		if skip != "" {
			for _, i := range idx {
				results[i].AWS = skippedComparison(&results[i], skip)
			}
			continue
		}
		for _, i := range idx {
			in.Resources = append(in.Resources, results[i].Resource)
		}
		got, err := awssim.Simulate(ctx, client, in)
		if err != nil {
			return fmt.Errorf("--verify-with-aws: %w", err)
		}
		for _, i := range idx {
			r := &results[i]
			var match *awssim.Result
			for j := range got {
				if strings.EqualFold(got[j].Action, r.Action) && got[j].Resource == r.Resource {
					match = &got[j]
					break
				}
			}
			if match == nil {
				r.AWS = skippedComparison(r, "AWS's answer has no result for this action and resource")
				continue
			}
			ours, _ := outcomeOf(r.Decision)
			c := awssim.Compare(ours, *match, awssim.Facts{EnvMode: env != nil, SessionPolicies: len(o.Session) > 0,
				PrincipalARN: o.Principal, Trace: r.Trace})
			r.AWS = &awsComparison{Comparison: c}
		}
	}
	return nil
}

func outcomeOf(s string) (eval.Outcome, bool) {
	for _, o := range []eval.Outcome{eval.Allow, eval.ImplicitDeny, eval.ExplicitDeny, eval.Undetermined} {
		if o.String() == s {
			return o, true
		}
	}
	return eval.Undetermined, false
}

// awsInput builds the simulator's input for one action: in environment
// mode the user or role (a session's role; a federated user's IAM user) as
// policy source, the resource's policy from the snapshot, and the context
// the environment filled; in custom mode the policy files. skip is set
// when AWS's simulator cannot take the principal.
func (o *simulateOptions) awsInput(env *snapshot.Environment, action string, req *eval.Request) (awssim.Input, string, error) {
	in := awssim.Input{Actions: []string{action}, Context: req.Context}
	sessions, err := o.policyTexts(o.Session)
	if err != nil {
		return in, "", err
	}
	if env != nil {
		p, err := env.Principal(o.Principal)
		if err != nil {
			return in, "AWS's simulator cannot simulate " + o.Principal + ": " + err.Error(), nil
		}
		switch {
		case p.Role != nil:
			in.PolicySourceARN = p.Role.ARN
		case p.User != nil:
			in.PolicySourceARN = p.User.ARN
		default:
			return in, "AWS's simulator simulates users, groups and roles only, not " + p.Kind.String() + " " + o.Principal, nil
		}
		// SimulatePrincipalPolicy's PolicyInputList adds policies to the
		// principal's own, as --policy does in environment mode.
		extra, err := o.policyTexts(o.Identity)
		if err != nil {
			return in, "", err
		}
		in.PolicyInputs = append(extra, sessions...)
		if lk, err := env.Resource(req.Resource); err == nil && lk.Policy != nil && lk.Role == nil {
			in.ResourcePolicy, in.ResourceOwner, in.CallerARN = string(lk.Policy.JSON), lk.Account, in.PolicySourceARN
		}
		return in, "", nil
	}
	switch eval.ParsePrincipal(o.Principal).Type {
	case eval.PrincipalUser, eval.PrincipalRole:
		in.CallerARN = o.Principal
	case eval.PrincipalAssumedRole:
		in.CallerARN = roleOfSession(o.Principal)
	}
	if in.PolicyInputs, err = o.policyTexts(o.Identity); err != nil {
		return in, "", err
	}
	if len(in.PolicyInputs) == 0 {
		return in, "SimulateCustomPolicy needs at least one identity-based policy (--policy)", nil
	}
	if o.Boundary != "" {
		b, err := o.policyText(o.Boundary)
		if err != nil {
			return in, "", err
		}
		in.Boundaries = []string{b}
	}
	for _, lvl := range o.SCPLevels {
		var docs []string
		for _, p := range strings.Split(lvl, ",") {
			if p = strings.TrimSpace(p); p == "" {
				continue
			}
			t, err := o.policyText(p)
			if err != nil {
				return in, "", err
			}
			docs = append(docs, t)
		}
		in.SCPLevels = append(in.SCPLevels, docs)
	}
	if o.ResourcePolicy != "" {
		if in.CallerARN == "" {
			return in, "AWS's simulator needs a user or role as caller to evaluate a resource-based policy", nil
		}
		if in.ResourcePolicy, err = o.policyText(o.ResourcePolicy); err != nil {
			return in, "", err
		}
		in.ResourceOwner = o.ResourceAccount
		if in.ResourceOwner == "" {
			in.ResourceOwner = arn.Account(req.Resource)
		}
	}
	return in, "", nil
}

// roleOfSession is the role ARN of an assumed-role session ARN.
func roleOfSession(s string) string {
	r, _ := arn.SessionRoleARN(s)
	return r
}

func (o *simulateOptions) policyTexts(args []string) ([]string, error) {
	out := make([]string, 0, len(args))
	for _, a := range args {
		t, err := o.policyText(a)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// policyText is a policy argument's JSON text, as AWS takes it.
func (o *simulateOptions) policyText(arg string) (string, error) {
	_, data, err := o.source().policyText(arg)
	return string(data), err
}

func renderAWSComparison(w io.Writer, c *awsComparison) {
	if c == nil {
		return
	}
	if c.Skipped != "" {
		fmt.Fprintf(w, "  AWS's simulator: not asked: %s\n", c.Skipped)
		return
	}
	if c.Agree {
		fmt.Fprintf(w, "  AWS's simulator agrees: %s\n", c.AWS)
		return
	}
	fmt.Fprintf(w, "  AWS's simulator DIFFERS: AWS says %s, iamwhy %s\n", c.AWS, c.IAMWhy)
	for _, e := range c.Explanations {
		fmt.Fprintf(w, "    - %s\n", e)
	}
}

var _ awssim.API = (*iam.Client)(nil)
