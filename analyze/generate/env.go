package generate

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/iamwhy/iamwhy/analyze/internal/envreplay"
	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/snapshot"
)

// EnvironmentReplay is the replay of every distinct counted request in
// the environment given (Options.Env), with the generated documents as the
// principal's only identity policies and every other layer as the
// environment holds it. A request the environment denies is one the
// generated policy cannot make work by itself: a permissions boundary,
// an SCP or RCP, or a resource policy refuses it (the environment may have
// changed since the call, or the call's context differs from what the
// record tells).
type EnvironmentReplay struct {
	Requests     int `json:"requests"`
	Allowed      int `json:"allowed"`
	Denied       int `json:"denied"`
	Undetermined int `json:"undetermined"`
	// NotAllowed lists the requests denied or undetermined (at most 100;
	// the counts stay exact), with the deciding layer and why.
	NotAllowed []EnvironmentOutcome `json:"not_allowed"`
}

// EnvironmentOutcome is one request the environment does not allow.
type EnvironmentOutcome struct {
	Action   string `json:"action"`
	Resource string `json:"resource"`
	// Outcome is "deny" or "undetermined"; Layer the layer that decided
	// ("boundary", "scp", "rcp", "resource", ...), "" when none did.
	Outcome string `json:"outcome"`
	Layer   string `json:"layer"`
	Reason  string `json:"reason"`
}

// maxNotAllowed bounds EnvironmentReplay.NotAllowed.
const maxNotAllowed = 100

// principalInEnv checks that the principal is a user or role of env (or
// a session of a role of env) and returns its ARN; a name without "arn:"
// is looked up among the environment's roles and users, and must name
// exactly one.
func principalInEnv(env *snapshot.Environment, p string) (string, error) {
	if !strings.HasPrefix(p, "arn:") {
		var found []string
		for _, id := range env.AccountIDs() {
			a := env.Accounts[id]
			if a == nil {
				continue
			}
			if r, ok := a.Role(p); ok {
				found = append(found, r.ARN)
			}
			if u, ok := a.User(p); ok {
				found = append(found, u.ARN)
			}
		}
		sort.Strings(found)
		switch len(found) {
		case 0:
			return "", fmt.Errorf("principal %q: no role or user of that name in the environment", p)
		case 1:
			return found[0], nil
		}
		return "", fmt.Errorf("principal %q: %d roles and users of that name in the environment (%s): give the ARN", p, len(found), strings.Join(found, ", "))
	}
	// A role or user ARN given without its path names the entity of that
	// name.
	p = entityARN(env, p)
	sp, err := env.Principal(p)
	if err != nil {
		if errors.Is(err, snapshot.ErrNotFound) {
			return "", fmt.Errorf("principal %s: not in the environment (give the environment it belongs to, or no --env)", p)
		}
		return "", fmt.Errorf("principal %s: %w", p, err)
	}
	switch sp.Kind {
	case snapshot.PrincipalUser, snapshot.PrincipalAssumedRole:
		return p, nil
	case snapshot.PrincipalRole:
		// The role's ARN as the environment has it, path included.
		return sp.Role.ARN, nil
	}
	return "", fmt.Errorf("principal %s: a %s; give a role, user or role session ARN", p, sp.Kind)
}

// entityARN gives an IAM role, user or group ARN built from a record
// without a path ("role/NAME": API calls name entities without their path)
// the path the environment gives the entity of that name, since a policy's
// Resource must match the entity's real ARN.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
func entityARN(env *snapshot.Environment, s string) string {
	a, ok := arn.Parse(s)
	if !ok || a.Service != "iam" {
		return s
	}
	typ, name, ok := strings.Cut(a.Resource, "/")
	if !ok || strings.Contains(name, "/") {
		return s
	}
	acct := env.Accounts[a.Account]
	if acct == nil {
		return s
	}
	switch typ {
	case "role":
		if r, ok := acct.Role(name); ok {
			return r.ARN
		}
	case "user":
		if u, ok := acct.User(name); ok {
			return u.ARN
		}
	case "group":
		if g, ok := acct.Group(name); ok {
			return g.ARN
		}
	}
	return s
}

// replayInEnvironment decides each distinct request in the environment
// with the generated documents as the principal's identity policies.
func (g *Generator) replayInEnvironment(keys []grantKey, compiled []*eval.Policy) *EnvironmentReplay {
	er := &EnvironmentReplay{NotAllowed: []EnvironmentOutcome{}}
	for _, k := range keys {
		req := g.grants[k].req
		er.Requests++
		d, err := envreplay.Decide(g.o.Env, req, compiled)
		var o EnvironmentOutcome
		switch {
		case err != nil:
			er.Undetermined++
			o = EnvironmentOutcome{Outcome: "undetermined", Reason: err.Error()}
		case d.Outcome == eval.Allow:
			er.Allowed++
			continue
		case d.Outcome == eval.Undetermined:
			er.Undetermined++
			o = EnvironmentOutcome{Outcome: "undetermined", Layer: string(d.Layer), Reason: d.Reason}
		default:
			er.Denied++
			o = EnvironmentOutcome{Outcome: "deny", Layer: string(d.Layer), Reason: denyReason(d)}
		}
		if len(er.NotAllowed) < maxNotAllowed {
			o.Action, o.Resource = req.Action, req.Resource
			er.NotAllowed = append(er.NotAllowed, o)
		}
	}
	return er
}

// denyReason says which policy denied, or which layer failed to allow.
func denyReason(d eval.Decision) string {
	r := d.Reason
	if d.Policy != nil {
		where := "explicit deny in " + d.Policy.Name
		if sid := d.StatementSid(); sid != "" {
			where += " statement " + sid
		}
		if r == "" {
			return where
		}
		return where + ": " + r
	}
	if r == "" {
		r = "implicit deny: the " + string(d.Layer) + " layer does not allow it"
	}
	return r
}
