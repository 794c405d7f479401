package unused

import (
	"context"
	"fmt"
	"github.com/iamwhy/iamwhy/analyze/internal/window"
	"runtime"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/snapshot"
	"github.com/iamwhy/iamwhy/trail"
)

// Status values of an action.
const (
	StatusUsed    = "used"
	StatusUnused  = "unused"
	StatusUnknown = "unknown"
)

// Result is the report; its JSON form is `iamwhy unused --output json`.
type Result struct {
	FormatVersion int               `json:"format_version"`
	Window        Window            `json:"window"`
	Trail         TrailCoverage     `json:"trail"`
	Principals    []PrincipalReport `json:"principals"`
	Notes         []string          `json:"notes"`
}

// Window is the time of the first and last record counted, or the
// bounds asked for (RFC 3339); null when unknown.
type Window = window.Window

// TrailCoverage says what the trail holds, which decides what it can tell.
type TrailCoverage struct {
	Records int64 `json:"records"`
	// Accounts are the accounts with records (recipientAccountId).
	Accounts []string `json:"accounts"`
	// DataEventSources are the event sources with data events.
	DataEventSources []string `json:"data_event_sources"`
	// ReadEvents counts read-only management events (zero for a trail
	// that logs write events only).
	ReadEvents int64 `json:"read_events"`
}

// PrincipalReport is one principal's granted actions and the proposal.
type PrincipalReport struct {
	Principal string `json:"principal"`
	Kind      string `json:"kind"`
	// Owner is the value of the owner tag; null when the principal does
	// not have the tag.
	Owner  *string        `json:"owner"`
	Calls  int64          `json:"calls"`
	Counts map[string]int `json:"counts"`
	// Blocked counts the granted actions a permissions boundary or an SCP
	// refuses everywhere (ActionStatus.BlockedBy).
	Blocked int            `json:"blocked"`
	Actions []ActionStatus `json:"actions"`
	Removal *Removal       `json:"removal"`
	Notes   []string       `json:"notes"`
}

// ActionStatus is one granted action.
type ActionStatus struct {
	Action  string `json:"action"`
	Service string `json:"service"`
	Status  string `json:"status"`
	// LastUsed is the last authorised call that needed it (RFC 3339);
	// null unless used.
	LastUsed *string `json:"last_used"`
	// Reason says why the status is unknown, or where it comes from when
	// not from the trail; null otherwise.
	Reason *string `json:"reason"`
	// Source is "trail" or "last_accessed" (or "environment" for an
	// action a boundary or SCP blocks and the trail did not see used).
	Source    string   `json:"source"`
	GrantedBy []string `json:"granted_by"`
	// BlockedBy is "boundary" or "scp" when that layer refuses the action
	// whatever the resource and context (it allows it nowhere, or denies
	// it on every resource without condition): the identity policies
	// grant it, but it is not effectively granted, so it is unused (it
	// cannot be used) unless the trail saw it used before the layer
	// changed. Null otherwise.
	BlockedBy *string `json:"blocked_by"`
}

// FromTrail reads the CloudTrail inputs and reports on the environment's
// principals. Unless ro.Members says otherwise, records are decoded
// projected to Members, and whole only for the calls rebuilt.
func FromTrail(ctx context.Context, env *snapshot.Environment, paths []string, ro trail.Options, o Options) (*Result, trail.Stats, error) {
	a, err := New(env, o)
	if err != nil {
		return nil, trail.Stats{}, err
	}
	if ro.Members == nil {
		ro.Members = Members
	}
	st, err := trail.Read(ctx, paths, ro, func(r *trail.Record) error {
		a.Add(r)
		return nil
	})
	if err != nil {
		return nil, st, err
	}
	res, err := a.Result(ro.Filter.Since, ro.Filter.Until)
	return res, st, err
}

// Result decides each principal's statuses and proposals. since and until
// are the window asked for (zero when open).
func (a *Analyzer) Result(since, until time.Time) (*Result, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	res := &Result{FormatVersion: 1, Principals: []PrincipalReport{}, Notes: []string{}}
	res.Window = window.Of(a.from, a.to, since, until)
	res.Trail = TrailCoverage{Records: a.records, Accounts: sortedKeys(a.accounts), DataEventSources: sortedKeys(a.dataSource), ReadEvents: a.readEvents}
	if a.records == 0 {
		res.Notes = append(res.Notes, "the trail holds no records: every status is unknown unless --last-accessed says otherwise")
	}
	if a.readEvents == 0 && a.records > 0 {
		res.Notes = append(res.Notes, "the trail holds no read-only management events (a trail logging write events only?): read and list actions are unknown")
	}
	// Each principal's report reads the analyzer and writes only its own:
	// they are made side by side (the re-simulation of the proposals was
	// the longest part left after the trail was read) and kept in order.
	// The error reported is the first principal's, as in order.
	reports := make([]*PrincipalReport, len(a.princ))
	errs := make([]error, len(a.princ))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, st := range a.princ {
		g.Go(func() error {
			reports[i], errs[i] = a.report(st)
			return nil
		})
	}
	g.Wait()
	for i, pr := range reports {
		if errs[i] != nil {
			return nil, errs[i]
		}
		res.Principals = append(res.Principals, *pr)
	}
	return res, nil
}

func (a *Analyzer) report(st *principalState) (*PrincipalReport, error) {
	pr := &PrincipalReport{Principal: st.arn, Kind: st.p.Kind.String(), Owner: st.owner, Calls: st.calls,
		Counts: map[string]int{StatusUsed: 0, StatusUnused: 0, StatusUnknown: 0}, Actions: []ActionStatus{}, Notes: append([]string{}, st.notes...)}
	actions := make([]string, 0, len(st.grants))
	for act := range st.grants {
		actions = append(actions, act)
	}
	sort.Strings(actions)
	keep := map[string]bool{}
	removed := map[string]bool{}
	for _, act := range actions {
		s := a.status(st, act)
		s.GrantedBy = st.grants[act]
		if s.BlockedBy != nil {
			pr.Blocked++
		}
		pr.Actions = append(pr.Actions, s)
		pr.Counts[s.Status]++
		if s.Status == StatusUnused {
			removed[act] = true
		} else {
			keep[act] = true
		}
	}
	// Used actions that no policy grants (through a resource policy, or a
	// policy not in the environment) are said, not listed.
	var extra []string
	for act := range st.used {
		if _, ok := st.grants[act]; !ok {
			extra = append(extra, act)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		pr.Notes = append(pr.Notes, "used but granted by no identity policy of the environment (a resource-based policy, or a policy changed since): "+strings.Join(extra, ", "))
	}
	if len(removed) > 0 {
		rm, err := a.removal(st, removed)
		if err != nil {
			return nil, err
		}
		pr.Removal = rm
	}
	return pr, nil
}

// status decides one action's status.
func (a *Analyzer) status(st *principalState, action string) ActionStatus {
	svc := serviceOf(action)
	s := ActionStatus{Action: action, Service: svc, Source: "trail"}
	reason := func(r string) { s.Reason = &r }
	b, blocked := st.blocked[action]
	if blocked {
		layer := b.layer
		s.BlockedBy = &layer
	}
	if t, ok := st.used[action]; ok {
		s.Status = StatusUsed
		v := t.UTC().Format(time.RFC3339)
		s.LastUsed = &v
		if blocked {
			reason("used in the trail, but now " + b.reason + ": it can no longer be used")
		}
		return s
	}
	if blocked {
		// Whatever the trail holds, a call needing the action is refused:
		// it cannot have been used, and removing it changes nothing.
		s.Status = StatusUnused
		s.Source = "environment"
		reason("not effectively granted: " + b.reason)
		return s
	}
	// IAM's last-accessed data, for what the trail did not see.
	if st.la != nil {
		if sa, ok := st.la.Services[strings.ToLower(svc)]; ok {
			_, name, _ := strings.Cut(action, ":")
			if t, tracked := sa.Actions[strings.ToLower(name)]; tracked {
				s.Source = "last_accessed"
				if !t.IsZero() {
					s.Status = StatusUsed
					v := t.UTC().Format(time.RFC3339)
					s.LastUsed = &v
					reason("IAM last accessed data (" + st.la.Source + ")")
				} else {
					s.Status = StatusUnused
					reason("IAM last accessed data (" + st.la.Source + ") tracks this action: not accessed in its tracking period")
				}
				return s
			}
			if sa.Last.IsZero() {
				s.Source = "last_accessed"
				s.Status = StatusUnused
				reason("IAM last accessed data (" + st.la.Source + "): the service was not accessed in its tracking period")
				return s
			}
		}
	}
	if a.accounts[st.account] == 0 {
		s.Status = StatusUnknown
		reason("the trail holds no events of account " + st.account)
		if st.la != nil {
			if sa, ok := st.la.Services[strings.ToLower(svc)]; ok && !sa.Last.IsZero() {
				reason("the trail holds no events of account " + st.account + "; IAM last accessed data says the service was used on " +
					sa.Last.UTC().Format(time.RFC3339) + " but does not track this action")
			}
		}
		return s
	}
	if r, ok := notLogged(action); ok {
		s.Status = StatusUnknown
		reason(r)
		return s
	}
	if isDataEvent(a.c, action) && a.dataSource[svc+".amazonaws.com"] == 0 {
		s.Status = StatusUnknown
		reason("a data event: the trail holds no data events of " + svc + ".amazonaws.com (they are logged only when the trail selects them)")
		return s
	}
	if lvl, ok := accessLevel(a.c, action); ok && (lvl == catalog.AccessRead || lvl == catalog.AccessList) && a.readEvents == 0 && !isDataEvent(a.c, action) {
		s.Status = StatusUnknown
		reason("a read action: the trail holds no read-only management events")
		return s
	}
	if _, ok := a.c.Action(action); !ok {
		s.Status = StatusUnknown
		reason("not an action of the service reference: whether CloudTrail would log it is unknown")
		return s
	}
	s.Status = StatusUnused
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Describe is a one-line summary, for logs.
func (r *PrincipalReport) Describe() string {
	return fmt.Sprintf("%s: %d used, %d unused, %d unknown", r.Principal, r.Counts[StatusUsed], r.Counts[StatusUnused], r.Counts[StatusUnknown])
}
