package replay

import (
	"context"
	"fmt"

	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/denial"
	"github.com/iamwhy/iamwhy/diagnose"
	"github.com/iamwhy/iamwhy/inputfile"
	"github.com/iamwhy/iamwhy/reproduce"
	"github.com/iamwhy/iamwhy/snapshot"
	"github.com/iamwhy/iamwhy/trail"
)

// ReproduceInput is the denied call to reproduce: a CloudTrail file (whose
// first access-denied record is taken), or pasted text, CloudTrail
// records or an access-denied message. EventFile wins when both are set.
type ReproduceInput struct {
	EventFile string
	Text      string
}

// ReproduceOptions configure Reproduce.
type ReproduceOptions struct {
	// Catalog is the IAM service reference; nil: catalog.Default().
	Catalog *catalog.Catalog
	// Parse gives the message and record parsers their reference data.
	Parse Options
	// Environment, when set, loads the environment: the role's real ARN
	// (its path) comes from it, and with a run iamwhy's offline decision
	// of the request, compared with AWS's answer. Called once the input is
	// known to be an access-denied error.
	Environment func() (*snapshot.Environment, error)
	// Replay configures the offline decision (diagnose.Replay's reference
	// data).
	Replay diagnose.ReplayOptions
	// Runner, when set, gives the Runner that performs the plan through
	// the AWS SDK; nil: the plan only. It is called once the plan is
	// built.
	Runner func(ctx context.Context) (*reproduce.Runner, error)
}

// notDenied is the error of an input that is not an access-denied error:
// errors.Is(err, ErrNotAccessDenied) holds, with a message that
// names the input.
type notDenied struct{ msg string }

func (e *notDenied) Error() string        { return e.msg }
func (e *notDenied) Is(target error) bool { return target == ErrNotAccessDenied }

// source is what the plan was built from, for the offline decision: a
// record, or a message's text.
type source struct {
	record *trail.Record
	text   string
}

// Reproduce builds the reproduction plan of the input's denied call
// (package reproduce), takes the role's ARN from the environment when one
// is given, and, with a Runner, performs it and compares AWS's answer with
// the offline decision (Diagnose). An error that is ErrNotAccessDenied
// (errors.Is) means the input is read but is not an access-denied error; a
// *reproduce.RefusedError that the call was not made.
func Reproduce(ctx context.Context, in ReproduceInput, opts ReproduceOptions) (*reproduce.Reproduction, error) {
	cat := opts.Catalog
	if cat == nil {
		cat = catalog.Default()
	}
	plan, src, err := reproducePlan(in, cat, opts.Parse.Denial)
	if err != nil {
		return nil, err
	}
	var env *snapshot.Environment
	if opts.Environment != nil {
		if env, err = opts.Environment(); err != nil {
			return nil, err
		}
		if role := SessionRoleIn(env, plan.Principal); role != "" {
			plan.WithRole(role)
		}
	}
	out := &reproduce.Reproduction{Plan: plan}
	if opts.Runner == nil {
		return out, nil
	}
	runner, err := opts.Runner(ctx)
	if err != nil {
		return nil, err
	}
	if out.Run, err = runner.Run(ctx, plan); err != nil {
		return nil, err
	}
	offline := ""
	if env != nil {
		if offline, err = offlineDecision(ctx, env, src, opts); err != nil {
			return nil, fmt.Errorf("the offline decision (--env): %w", err)
		}
	}
	out.Run.Compare(offline)
	return out, nil
}

// reproducePlan reads the input and builds the plan.
func reproducePlan(in ReproduceInput, cat *catalog.Catalog, dopts denial.Options) (*reproduce.Plan, source, error) {
	text := in.Text
	if in.EventFile != "" {
		raw, err := inputfile.Read(in.EventFile)
		if err != nil {
			return nil, source{}, err
		}
		rec := FirstDenied(string(raw))
		if rec == nil {
			return nil, source{}, &notDenied{in.EventFile + " holds no access-denied CloudTrail record"}
		}
		plan, err := reproduce.FromRecord(rec, cat)
		return plan, source{record: rec}, err
	}
	if rec := FirstDenied(text); rec != nil {
		plan, err := reproduce.FromRecord(rec, cat)
		return plan, source{record: rec}, err
	}
	d, err := denial.Parse(text, dopts)
	if err != nil {
		return nil, source{}, err
	}
	if !d.Recognized {
		return nil, source{}, &notDenied{"not an access-denied error"}
	}
	if d.Principal == nil || d.Action == nil {
		return nil, source{}, fmt.Errorf("the message names no caller or no action: give the CloudTrail record (--event) instead")
	}
	res := ""
	if d.Resource != nil {
		res = *d.Resource
	}
	plan, err := reproduce.FromRequest(*d.Principal, *d.Action, res, cat)
	return plan, source{text: text}, err
}

// offlineDecision is iamwhy's decision of the denied request against the
// environment, as diagnose replays it.
func offlineDecision(ctx context.Context, env *snapshot.Environment, src source, opts ReproduceOptions) (string, error) {
	in := Input{Record: src.record, Text: src.text}
	d, err := Diagnose(ctx, in, DiagnoseOptions{Options: opts.Parse, Replay: opts.Replay,
		Environment: func() (*snapshot.Environment, error) { return env, nil }})
	if err != nil {
		return "", err
	}
	return d.Decision, nil
}

// SessionRoleIn is the ARN (with its path) of the role of an assumed-role
// session in env, found by the session's account and role name; "" when
// the principal is not a session or env does not hold its role.
func SessionRoleIn(env *snapshot.Environment, session string) string {
	role, _, ok := arn.SessionRole(session)
	if !ok || arn.PrincipalKindOf(session) != arn.PrincipalAssumedRole {
		return ""
	}
	acct := env.Accounts[arn.Account(session)]
	if acct == nil {
		return ""
	}
	for _, r := range acct.Roles {
		if r.Name == role {
			return r.ARN
		}
	}
	return ""
}
