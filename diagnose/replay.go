package diagnose

import (
	"strings"

	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/snapshot"
)

// ReplayOptions configure Replay.
type ReplayOptions struct {
	Options
	// Reference is the IAM reference data (catalog.Default()): it types
	// the context values and warns about unknown actions and malformed
	// resources. Nil: no such checks.
	Reference eval.Reference
	// Compare is a second environment where the request works (staging,
	// say); when set, the report's findings say which difference between
	// the environments explains the denial.
	Compare *snapshot.Environment
	// ComparePrincipal is the caller in Compare; empty: the principal of
	// the same kind and name there (the same role in the other account).
	ComparePrincipal string
	// Message, when the request was rebuilt from an access-denied
	// message, is what the message says of its decision: the replay then
	// treats the context keys a message cannot carry as unknown
	// (DiagnoseMessage); for a request stated by its fields, Evidence with
	// Stated set. Nil for records, which carry their context.
	Message *Evidence
}

// Replayed is the outcome of Replay.
type Replayed struct {
	// Report is the diagnosis; its JSON form is the diagnosis contract.
	Report *Report
	// Warnings are the engine's warnings about the request (an action the
	// reference does not know, a resource the action cannot apply to).
	Warnings []string
	// Notes say how the request context was normalised to the types the
	// reference gives its keys.
	Notes []string
}

// Replay replays req against the policies env holds for it and diagnoses
// the outcome: the root cause and proven fixes when it is denied,
// candidates when the replay allows it (what the environment does not hold,
// a principal created moments before the request), and, with
// opts.Compare, the difference between two environments. req.Context is
// normalised in place. An error means the environment cannot say which
// policies apply (a caller it does not hold, or holds only in part).
func Replay(env *snapshot.Environment, req *eval.Request, opts ReplayOptions) (*Replayed, error) {
	out := &Replayed{Notes: eval.NormalizeContext(req.Context, opts.Reference)}
	layers, err := env.Layers(req)
	if err != nil {
		return nil, err
	}
	dopts := opts.Options
	if dopts.PrincipalARN == "" {
		if v, ok := req.Context.Get("aws:PrincipalArn"); ok && len(v) == 1 {
			dopts.PrincipalARN = v[0]
		}
	}
	if dopts.ResourceTarget == "" {
		dopts.ResourceTarget = arn.PolicyResource(req.Resource)
	}
	var rep *Report
	if opts.Message != nil {
		rep = DiagnoseMessage(req, layers, *opts.Message, dopts)
	} else {
		rep = Diagnose(req, layers, dopts)
	}
	_, tr := eval.ExplainWith(req, layers, eval.Options{Reference: opts.Reference})
	out.Report = rep
	out.Warnings = append(out.Warnings, tr.Warnings...)
	gaps := env.ResourceGaps(eval.ParsePrincipal(req.Principal).Account, req.Action, req.Resource)
	for _, g := range gaps {
		rep.Findings = append(rep.Findings, Finding{Code: "snapshot-gap", Message: g})
	}
	if rep.Decision == "allow" || rep.Decision == "undetermined" {
		if len(gaps) > 0 {
			rep.Candidates = append([]string{"a policy the snapshot lacks: " + strings.Join(gaps, "; ")}, rep.Candidates...)
		}
		if c := RecentChange(env, req); c != "" {
			rep.Candidates = append([]string{c}, rep.Candidates...)
		}
	}
	if opts.Compare != nil {
		fs, err := CompareEnvironments(req, layers, opts.Compare, opts.ComparePrincipal)
		if err != nil {
			return nil, err
		}
		rep.Findings = append(rep.Findings, fs...)
	}
	return out, nil
}
