package check

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/reproduce"
)

// Live performs each case's request for real, in the account, and compares
// AWS's answer with the case's expectation and with the simulator's
// decision: the troubleshooting guides' "staging test that assumes your
// production-equivalent role and calls the exact AWS APIs your application
// uses". It assumes the case's role (package reproduce), makes the call the
// action authorizes with the resource's parameters, read-only calls only
// (EC2's as dry runs), and records the outcome in Result.Live. Cases it
// cannot perform safely, or faithfully, are skipped with the reason.
type Live struct {
	// Runner performs the calls. A live check never asks it for a call
	// that is neither read-only nor an EC2 dry run; set its DryRunWrites
	// to have EC2 writes checked by their dry runs (otherwise they are
	// skipped as refused).
	Runner *reproduce.Runner
}

// roleFinder is implemented by environments that know a role session's
// role ARN with its path (snapshot.Environment).
type roleFinder interface {
	RoleARN(principal string) (string, bool)
}

// LiveResult is the live outcome of one result.
type LiveResult struct {
	// Skipped says why the request was not performed; null when it was.
	Skipped *string `json:"skipped"`
	// Error says why a call that should have been made could not be (the
	// role could not be assumed, the request did not reach AWS); the
	// result then fails.
	Error *string `json:"error"`
	// Decision is AWS's answer as a decision: allow, implicit-deny,
	// explicit-deny, deny (a denial whose message does not say which
	// kind), or undetermined (an error that is not an authorization
	// answer). Null when nothing was performed.
	Decision *string `json:"decision"`
	// AgreesWithExpected and AgreesWithSimulator compare Decision with the
	// case's expectation and with iamwhy's decision; null when either
	// side has no decision.
	AgreesWithExpected  *bool `json:"agrees_with_expected"`
	AgreesWithSimulator *bool `json:"agrees_with_simulator"`
	// Run is the call and AWS's answer; null when nothing was performed.
	Run *reproduce.Run `json:"run"`
}

// LiveSummary counts the live outcomes of a run.
type LiveSummary struct {
	// Performed requests, of which Agreed matched both the expectation
	// and the simulator, Disagreed did not, and Inconclusive got no
	// authorization answer from AWS.
	Performed    int `json:"performed"`
	Agreed       int `json:"agreed"`
	Disagreed    int `json:"disagreed"`
	Inconclusive int `json:"inconclusive"`
	// Skipped requests were not performed (Result.Live.Skipped says why);
	// Errors could not be.
	Skipped int `json:"skipped"`
	Errors  int `json:"errors"`
}

// add counts one live outcome.
func (s *LiveSummary) add(l *LiveResult) {
	switch {
	case l.Skipped != nil:
		s.Skipped++
	case l.Error != nil:
		s.Errors++
	default:
		s.Performed++
		switch {
		case l.Decision != nil && *l.Decision == "undetermined":
			s.Inconclusive++
		case isFalse(l.AgreesWithExpected) || isFalse(l.AgreesWithSimulator):
			s.Disagreed++
		default:
			s.Agreed++
		}
	}
}

func isFalse(b *bool) bool { return b != nil && !*b }

// Apply performs res's request (a result of case c) and records the
// outcome in res.Live. A disagreement of AWS with the expectation or with
// the simulator, or a call that could not be made, fails res, and its
// explanation gives both answers.
func (l *Live) Apply(ctx context.Context, c *Case, res *Result, env Environment) {
	out := l.perform(ctx, c, res, env)
	res.Live = out
	switch {
	case out.Skipped != nil:
		return
	case out.Error != nil:
		res.Pass = false
		res.Explanation = appendSentence(res.Explanation, "live: "+*out.Error)
		return
	}
	if isFalse(out.AgreesWithExpected) || isFalse(out.AgreesWithSimulator) {
		res.Pass = false
	}
	res.Explanation = appendSentence(res.Explanation, "live: "+liveSentence(out, res))
}

// perform decides whether the request can be made, and makes it.
func (l *Live) perform(ctx context.Context, c *Case, res *Result, env Environment) *LiveResult {
	skip := func(reason string) *LiveResult { return &LiveResult{Skipped: &reason} }
	if c.Layers != nil {
		return skip("custom mode: the case's layers are not the account's policies")
	}
	if c.Expect == ExpectUndetermined {
		return skip("the case expects undetermined: there is no decision to compare AWS's answer with")
	}
	switch arn.PrincipalKindOf(res.Principal) {
	case arn.PrincipalRole, arn.PrincipalAssumedRole, arn.PrincipalUser:
	default:
		return skip("the principal is not a role, role session or IAM user, whose credentials can be had")
	}
	region, why := liveContext(c)
	if why != "" {
		return skip(why)
	}
	plan, err := reproduce.FromRequest(res.Principal, res.Action, res.Resource, nil)
	if err != nil {
		return skip(err.Error())
	}
	if plan.Region == "" {
		plan.Region = region
	}
	if roles, ok := env.(roleFinder); ok && plan.Role != nil {
		// The session ARN names the role without its path.
		if role, ok := roles.RoleARN(res.Principal); ok {
			plan.WithRole(role)
		}
	}
	if !plan.Call.ReadOnly && !plan.Call.DryRun {
		return skip(fmt.Sprintf("%s is not read-only (%s): a live check makes read-only calls and EC2 dry runs only", res.Action, plan.Call.AccessLevel))
	}
	run, err := l.Runner.Run(ctx, plan)
	var refused *reproduce.RefusedError
	switch {
	case errors.As(err, &refused):
		return skip(refused.Reason)
	case err != nil:
		msg := err.Error()
		return &LiveResult{Error: &msg}
	}
	out := &LiveResult{Run: run}
	decision := liveDecision(run)
	out.Decision = &decision
	if decision != "undetermined" {
		agree := sameDecision(string(c.Expect), decision)
		out.AgreesWithExpected = &agree
		if res.Decision != "undetermined" && res.Decision != "" {
			sim := sameDecision(res.Decision, decision)
			out.AgreesWithSimulator = &sim
		}
	}
	return out
}

// liveContext checks that the live call carries the case's context: the
// keys that follow from the principal and the resource (AWS fills them from
// the real identity and resource), the Region (the call is made there) and
// TLS (the SDK calls over HTTPS). Any other key (a source IP, a VPC
// endpoint, a time, MFA) is not the live call's, so the case is skipped.
// It returns the Region the case names, and why it cannot be performed.
func liveContext(c *Case) (region, why string) {
	for _, ce := range c.Context {
		k := strings.ToLower(ce.Key)
		switch {
		case k == "aws:requestedregion" && len(ce.Values) == 1:
			region = ce.Values[0]
		case k == "aws:securetransport" && len(ce.Values) == 1 && strings.EqualFold(ce.Values[0], "true"):
		case strings.HasPrefix(k, "aws:principal"), k == "aws:username", k == "aws:userid",
			strings.HasPrefix(k, "aws:resource"):
		default:
			return "", "the live call cannot carry the case's context key " + ce.Key
		}
	}
	return region, ""
}

// liveDecision is AWS's answer as a decision.
func liveDecision(r *reproduce.Run) string {
	switch r.Answer {
	case reproduce.AnswerAllowed:
		return "allow"
	case reproduce.AnswerDenied:
		if r.Deny != nil {
			return *r.Deny + "-deny"
		}
		return "deny"
	}
	return "undetermined"
}

// sameDecision says whether a decision or expectation agrees with AWS's
// answer; "deny" (either kind) agrees with both kinds.
func sameDecision(ours, aws string) bool {
	if ours == aws {
		return true
	}
	deny := func(s string) bool { return s == "deny" || s == "implicit-deny" || s == "explicit-deny" }
	return deny(ours) && deny(aws) && (ours == "deny" || aws == "deny")
}

// liveSentence says what AWS answered next to what was expected and
// decided.
func liveSentence(l *LiveResult, res *Result) string {
	r := l.Run
	answer := r.Answer
	if r.ErrorCode != nil {
		answer += " (" + *r.ErrorCode + ")"
	}
	s := fmt.Sprintf("AWS answered %s as %s", answer, r.Identity)
	if r.DryRun {
		s += " (dry run)"
	}
	switch {
	case *l.Decision == "undetermined":
		return s + ", which is not an authorization answer: inconclusive"
	case isFalse(l.AgreesWithExpected) || isFalse(l.AgreesWithSimulator):
		return s + fmt.Sprintf("; DISAGREES: expected %s, iamwhy decided %s, AWS %s", res.Expected, res.Decision, *l.Decision)
	case *l.Decision == "deny":
		return s + "; agrees (AWS's message does not say which kind of deny)"
	}
	return s + "; agrees"
}

func appendSentence(text, s string) string {
	if text == "" {
		return s
	}
	return text + "; " + s
}
