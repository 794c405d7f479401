package generate

import (
	"encoding/json"
	"fmt"
	"github.com/iamwhy/iamwhy/analyze/internal/window"
	"sort"
	"strings"
	"time"

	"github.com/iamwhy/iamwhy/analyze"
	"github.com/iamwhy/iamwhy/analyze/internal/identityreplay"
	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/policy"
)

// Result is the generated policy and how it was found and checked. Its
// JSON form is `iamwhy generate --output json`.
type Result struct {
	FormatVersion int    `json:"format_version"`
	Principal     string `json:"principal"`
	Window        Window `json:"window"`
	Events        Events `json:"events"`
	// Policy is the whole policy, one document; Policies the same
	// statements packed into documents within MaxPolicyChars (one
	// document when the policy fits).
	Policy     *Document    `json:"policy"`
	Policies   []*Document  `json:"policies"`
	NotCovered []NotCovered `json:"not_covered"`
	// NotCoveredOmitted counts not-covered events left out of the list
	// (it holds at most 10,000).
	NotCoveredOmitted int64        `json:"not_covered_omitted"`
	Verification      Verification `json:"verification"`
	Coverage          Coverage     `json:"coverage"`
	Notes             []string     `json:"notes"`
}

// Window is the time of the first and last record counted, or the
// bounds asked for (RFC 3339); null when unknown.
type Window = window.Window

// Events count what was read. Read is null when the engine does not say
// (Athena returns only the principal's aggregated rows).
type Events struct {
	Read        *int64 `json:"read"`
	OfPrincipal int64  `json:"of_principal"`
	Counted     int64  `json:"counted"`
	NotCovered  int64  `json:"not_covered"`
}

// NotCovered is a counted event the policy cannot express.
type NotCovered struct {
	EventID     string `json:"event_id"`
	EventSource string `json:"event_source"`
	EventName   string `json:"event_name"`
	// Count is the number of calls the entry stands for (1, or more for
	// a row aggregated by Athena).
	Count  int64  `json:"count"`
	Reason string `json:"reason"`
}

// Verification says how the policy was checked before it was returned.
type Verification struct {
	// Replayed is the number of counted calls replayed, Requests the
	// distinct requests they rebuild into; Allowed how many of those the
	// engine allowed with the generated policy as the only identity
	// policy (all of them, or Result returns an error).
	Replayed int64 `json:"replayed_events"`
	Requests int   `json:"requests"`
	Allowed  int   `json:"allowed"`
	// Lint is the count of lint findings per severity over every
	// document; ERROR and SECURITY_WARNING are zero or Result fails.
	Lint     map[string]int    `json:"lint"`
	Findings []analyze.Finding `json:"lint_findings"`
	Verified bool              `json:"verified"`
	// Environment is the same replay in the environment given
	// (Options.Env), under its other layers; null without one. Requests
	// it does not allow do not fail verification (the policy grants
	// them; another layer refuses), they are listed and said in the
	// notes.
	Environment *EnvironmentReplay `json:"environment"`
}

// Coverage measures how much of what was done the policy states exactly.
type Coverage struct {
	// Actions is the number of distinct actions granted from records;
	// ResourceCapable those the service reference gives resource types;
	// Scoped those of them granted on ARNs only (never on "*").
	Actions         int `json:"actions"`
	ResourceCapable int `json:"resource_capable"`
	Scoped          int `json:"scoped"`
	// OptionalUnnamed counts those of the rest (granted on "*") whose
	// resource types the service reference marks all optional and whose
	// calls named none of them: AWS authorised those calls on "*", so
	// "*" is the exact grant, not a gap. Scoped+OptionalUnnamed over
	// ResourceCapable is the share stated as exactly as the records allow.
	OptionalUnnamed int `json:"optional_unnamed"`
	// ScopedIDUnknown counts those of Scoped granted, for some of their
	// calls, on any resource of their type in the record's account and
	// Region ("*" for the ID: arn:aws:ssm:REGION:ACCOUNT:parameter/*)
	// because the record named no ID of a resource the call needs;
	// IDUnknown lists them, sorted. They are scoped to the account and
	// Region, not to the resources used.
	ScopedIDUnknown int      `json:"scoped_id_unknown"`
	IDUnknown       []string `json:"id_unknown"`
	// EventsMapped counts counted events that map to actions or need
	// none (the rest are not covered).
	EventsMapped int64 `json:"events_mapped"`
	// Unscoped lists the resource-capable actions granted on "*", with
	// why: ResourceCapable minus Scoped entries, sorted by action.
	Unscoped []Unscoped `json:"unscoped"`
}

// Unscoped is a resource-capable action granted on "*" and why.
type Unscoped struct {
	Action string `json:"action"`
	// Required says that the service reference marks one of the
	// action's resource types required: the call was authorised on a
	// resource the records do not let us name. When false, "*" is exact
	// (counted in OptionalUnnamed).
	Required bool `json:"required"`
	// Reasons say why the records gave no ARN, one per kind of record
	// (such as "the record carries no request parameters"), sorted.
	Reasons []string `json:"reasons"`
}

// VerificationError is returned by Result when the generated policy does
// not allow a counted call or lints with an ERROR or SECURITY_WARNING;
// the Result is returned with it, for the report.
type VerificationError struct{ Problems []string }

func (e *VerificationError) Error() string {
	return "the generated policy failed verification: " + strings.Join(e.Problems, "; ")
}

// Result builds, verifies and returns the policy. read is the number of
// records the reader decoded (nil when unknown); since and until are the
// window asked for (zero when open).
func (g *Generator) Result(read *int64, since, until time.Time) (*Result, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	res := &Result{FormatVersion: 1, Principal: g.o.Principal, NotCovered: g.notCovered, Notes: []string{}}
	if res.NotCovered == nil {
		res.NotCovered = []NotCovered{}
	}
	res.NotCoveredOmitted = g.notCoveredN - int64(len(g.notCovered))
	res.Events = Events{Read: read, OfPrincipal: g.ofPrincipal, Counted: g.counted, NotCovered: g.notCoveredN}
	res.Window = window.Of(g.from, g.to, since, until)

	stmts := g.statements(&res.Notes)
	res.Policy = &Document{Version: "2012-10-17", Statement: stmts}
	if res.Policy.Statement == nil {
		res.Policy.Statement = []Statement{}
	}
	for _, part := range split(stmts, g.o.MaxPolicyChars) {
		if part == nil {
			part = []Statement{}
		}
		res.Policies = append(res.Policies, &Document{Version: "2012-10-17", Statement: part})
	}
	if len(res.Policies) > 1 {
		res.Notes = append(res.Notes, fmt.Sprintf("the policy is %d characters, more than the %d IAM allows a managed policy: it is split into %d documents, each within the quota; attach them all",
			res.Policy.chars(), g.o.MaxPolicyChars, len(res.Policies)))
	}
	if len(res.Policies) > 10 {
		res.Notes = append(res.Notes, "more than 10 managed policies: IAM attaches at most 10 per role or user by default (20 with a quota increase)")
	}
	g.summaryNotes(&res.Notes)
	res.Coverage = g.coverage()
	err := g.verify(res)
	return res, err
}

func (g *Generator) summaryNotes(notes *[]string) {
	list := func(m map[string]int64) string {
		var parts []string
		for _, k := range sortedSet(boolSet(keys(m))) {
			parts = append(parts, fmt.Sprintf("%s (%d)", k, m[k]))
		}
		return strings.Join(parts, ", ")
	}
	if len(g.noPermission) > 0 {
		*notes = append(*notes, "calls that need no permission, counted and covered without a statement: "+list(g.noPermission))
	}
	if len(g.notAPICall) > 0 {
		*notes = append(*notes, "events that are not API calls IAM authorises (sign-in, service events), covered without a statement: "+list(g.notAPICall))
	}
	if g.deniedSkip > 0 {
		*notes = append(*notes, fmt.Sprintf("%d access-denied calls of the principal were not counted (give --include-denied to grant them)", g.deniedSkip))
	}
	if g.invokedBy > 0 {
		*notes = append(*notes, fmt.Sprintf("%d calls were made on the principal's behalf by an AWS service (invokedBy, e.g. KMS calls by S3 carrying kms:ViaService); AWS authorises them with the principal's permissions, so they are granted", g.invokedBy))
	}
	if len(g.idUnknown) > 0 {
		*notes = append(*notes, "actions granted on any resource of their type in the account and Region because some of their records name no ID: "+strings.Join(sortedSet(g.idUnknown), ", ")+" (coverage.id_unknown)")
	}
	if len(g.unscoped) > 0 {
		*notes = append(*notes, "actions with resource types granted on \"*\" because their records name no resource: "+strings.Join(sortedSet(boolSet(keys(g.unscoped))), ", ")+" (coverage.unscoped says why)")
	}
	if g.notCoveredN > 0 {
		*notes = append(*notes, fmt.Sprintf("%d counted events map to no IAM action and are listed in not_covered", g.notCoveredN))
	}
}

func (g *Generator) coverage() Coverage {
	var c Coverage
	actions := map[string]bool{}
	for k := range g.grants {
		actions[k.action] = true
	}
	for a := range actions {
		c.Actions++
		if ca, ok := g.c.Action(a); ok && len(ca.Resources) > 0 {
			c.ResourceCapable++
			why, unscoped := g.unscoped[a]
			switch {
			case !unscoped:
				c.Scoped++
				if g.idUnknown[a] {
					c.ScopedIDUnknown++
					c.IDUnknown = append(c.IDUnknown, a)
				}
				continue
			case !requiresResource(ca):
				c.OptionalUnnamed++
			}
			c.Unscoped = append(c.Unscoped, Unscoped{Action: a, Required: requiresResource(ca), Reasons: sortedSet(why)})
		}
	}
	sort.Slice(c.Unscoped, func(i, j int) bool { return c.Unscoped[i].Action < c.Unscoped[j].Action })
	if c.Unscoped == nil {
		c.Unscoped = []Unscoped{}
	}
	sort.Strings(c.IDUnknown)
	if c.IDUnknown == nil {
		c.IDUnknown = []string{}
	}
	c.EventsMapped = g.counted - g.notCoveredN
	return c
}

// requiresResource reports whether the service reference marks one of
// the action's resource types required (a call always names one).
// https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html#resources_table
func requiresResource(a *catalog.Action) bool {
	for _, r := range a.Resources {
		if r.Required {
			return true
		}
	}
	return false
}

// verify replays every distinct request against the documents (the only
// identity policies, in the principal's own account so that no resource
// policy is needed) and lints each document.
func (g *Generator) verify(res *Result) error {
	v := &res.Verification
	v.Lint = map[string]int{}
	v.Findings = []analyze.Finding{}
	var problems []string
	var compiled []*eval.Policy
	if len(res.Policy.Statement) == 0 {
		res.Notes = append(res.Notes, "no statement is needed: no counted call needs a permission; IAM accepts no policy without statements, so there is nothing to attach")
	}
	for i, d := range res.Policies {
		if len(d.Statement) == 0 {
			continue
		}
		data, err := json.Marshal(d)
		if err != nil {
			return err
		}
		name := fmt.Sprintf("generated-%d", i+1)
		lr := analyze.Lint(data, analyze.LintOptions{Type: policy.TypeIdentity, Source: name, Catalog: g.c})
		for _, f := range lr.Findings {
			v.Lint[f.Severity.String()]++
			v.Findings = append(v.Findings, f)
			if f.Severity == analyze.SeverityError || f.Severity == analyze.SeveritySecurityWarning {
				problems = append(problems, fmt.Sprintf("%s: lint %s %s: %s", name, f.Severity, f.IssueCode, f.Message))
			}
		}
		p, err := eval.ParseAndCompile(name, data, policy.TypeIdentity)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		compiled = append(compiled, p)
	}
	rp, err := identityreplay.New(g.account)
	if err != nil {
		return err
	}

	keysSorted := make([]grantKey, 0, len(g.grants))
	for k := range g.grants {
		keysSorted = append(keysSorted, k)
	}
	sort.Slice(keysSorted, func(i, j int) bool {
		a, b := keysSorted[i], keysSorted[j]
		if a.action != b.action {
			return a.action < b.action
		}
		if a.resource != b.resource {
			return a.resource < b.resource
		}
		if a.passedTo != b.passedTo {
			return a.passedTo < b.passedTo
		}
		return a.createAction < b.createAction
	})
	for _, k := range keysSorted {
		gr := g.grants[k]
		req := gr.req
		v.Requests++
		d := rp.Decide(req, compiled)
		if d.Outcome == eval.Allow {
			v.Allowed++
		} else if len(problems) < 20 {
			problems = append(problems, fmt.Sprintf("replay of %s on %s is %s: %s", req.Action, req.Resource, d.Outcome, d.Reason))
		}
	}
	v.Replayed = g.replayable
	if g.o.Env != nil {
		er := g.replayInEnvironment(keysSorted, compiled)
		v.Environment = er
		if er.Allowed == er.Requests {
			res.Notes = append(res.Notes, fmt.Sprintf("in the environment, with this policy as the principal's only identity policy and every other layer as the environment holds it, all %d requests are allowed", er.Requests))
		} else {
			res.Notes = append(res.Notes, fmt.Sprintf("in the environment, with this policy as the principal's only identity policy, %d of %d requests are still not allowed (%d denied, %d undetermined) by another layer: see verification.environment; the policy grants them, the environment refuses them", er.Requests-er.Allowed, er.Requests, er.Denied, er.Undetermined))
		}
	}
	if rp.TrustRequests > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d role assumptions were replayed with a trust policy that trusts the principal's account; the role's real trust policy must allow the principal too", rp.TrustRequests))
	}
	if rp.KMSRequests > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%d AWS KMS requests were replayed with the key's default key policy, which lets IAM policies grant access; a key policy that does not will still deny them", rp.KMSRequests))
	}
	v.Verified = len(problems) == 0
	if v.Verified {
		res.Notes = append(res.Notes, fmt.Sprintf("verified: %d counted calls (%d distinct requests) replayed through the engine with this policy as the only identity policy are all allowed; the policy lints without ERROR or SECURITY_WARNING",
			v.Replayed, v.Requests))
		return nil
	}
	return &VerificationError{Problems: problems}
}
