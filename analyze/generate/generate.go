// Package generate writes the least-privilege identity policy for what a
// principal actually did, from its CloudTrail records: every action it
// was authorised for, on the resources it named, and nothing else that can
// be avoided. Records are counted (Generator.Add, or AddAggregate for
// rows an SQL engine such as Athena aggregated), then Generator.Result
// builds the policy, replays every counted call against it through the
// engine (each must be allowed) and lints it (no ERROR, no
// SECURITY_WARNING) before it is returned.
//
// Events map to actions through the catalog's CloudTrail table, records
// to requests through trail.ToReplay (the rebuilding diagnose uses), so
// the policy grants what AWS authorised: an S3 object call on the object
// ARN, an action without resource types on "*", iam:PassRole on the roles
// a call passed, with iam:PassedToService.
package generate

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/iamwhy/iamwhy/analyze/internal/callkey"
	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/internal/lazyre"
	"github.com/iamwhy/iamwhy/snapshot"
	"github.com/iamwhy/iamwhy/trail"
)

// Options say what to generate.
type Options struct {
	// Principal is a role ARN (every session of the role counts), an IAM
	// user ARN, or an assumed-role session ARN (that session only).
	Principal string
	// IncludeDenied counts the principal's access-denied calls too, so
	// the policy grants what it tried and was refused.
	IncludeDenied bool
	// AllowWildcards lets a statement name "service:Verb*" when every
	// action that pattern matches is granted anyway (it grants nothing
	// more); without it actions are listed one by one.
	AllowWildcards bool
	// GroupResources replaces the ARNs of a statement by their longest
	// common prefix plus "*" when that prefix reaches into the resource
	// part of the ARN; without it ARNs are listed as seen.
	GroupResources bool
	// MaxPolicyChars is the size, in characters without whitespace, each
	// document must fit; 0 means 6,144, IAM's quota for a managed policy
	// (inline role policies may total 10,240, inline user policies 2,048).
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
	MaxPolicyChars int
	// Catalog is the service reference; nil means catalog.Default().
	Catalog *catalog.Catalog
	// Env, when set, is the environment the principal lives in: the
	// principal must be one of its users or roles (Principal may then be
	// the bare name of one), IAM ARNs the records name without their
	// path get the path the environment gives the entity, and every
	// counted call is replayed a second time with the generated policy
	// as the principal's only identity policy under every other layer of
	// the environment (its permissions boundary, SCPs, RCPs, resource and
	// trust policies), so that the result says which calls the policy
	// alone cannot make work there (Verification.Environment).
	Env *snapshot.Environment
}

// DefaultMaxPolicyChars is IAM's managed policy size quota.
const DefaultMaxPolicyChars = 6144

// maxNotCovered bounds the events listed in Result.NotCovered; the count
// stays exact.
const maxNotCovered = 10000

// principalKind is what Options.Principal names.
type principalKind int

const (
	kindRole principalKind = iota
	kindUser
	kindSession
)

var (
	roleARNRE    = lazyre.New(`^arn:(aws|aws-cn|aws-us-gov):iam::([0-9]{12}):role/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)$`)
	userARNRE    = lazyre.New(`^arn:(aws|aws-cn|aws-us-gov):iam::([0-9]{12}):user/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)$`)
	sessionARNRE = lazyre.New(`^arn:(aws|aws-cn|aws-us-gov):sts::([0-9]{12}):assumed-role/([\w+=,.@-]+)/([\w+=,.@-]+)$`)
)

// Generator counts a principal's calls. Add and AddAggregate are safe for
// concurrent use.
type Generator struct {
	o       Options
	c       *catalog.Catalog
	kind    principalKind
	account string
	name    string // role or user name

	mu           sync.Mutex
	ofPrincipal  int64
	counted      int64
	deniedSkip   int64
	invokedBy    int64
	replayable   int64            // counted calls rebuilt into requests
	noPermission map[string]int64 // "source:event" -> count
	notAPICall   map[string]int64
	from, to     time.Time
	grants       map[grantKey]*grant
	notCovered   []NotCovered
	notCoveredN  int64
	unscoped     map[string]map[string]bool // actions with resource types granted on "*" -> why
	seen         map[callkey.Key][]grantKey // callkey.Of -> the grants the call needs
}

// grantKey is one thing the policy must allow. passedTo is the
// iam:PassedToService of an iam:PassRole, createAction the
// ec2:CreateAction (ecs:CreateAction) of an ec2:CreateTags
// (ecs:TagResource) made by the tags a create call gave.
type grantKey struct {
	action, resource, passedTo, createAction string
}

type grant struct {
	req    *eval.Request // the first request, for the replay
	events int64
}

// New checks the principal and returns an empty Generator.
func New(o Options) (*Generator, error) {
	g := &Generator{o: o, c: o.Catalog, noPermission: map[string]int64{}, notAPICall: map[string]int64{},
		grants: map[grantKey]*grant{}, unscoped: map[string]map[string]bool{}, seen: map[callkey.Key][]grantKey{}}
	if g.c == nil {
		g.c = catalog.Default()
	}
	if g.o.MaxPolicyChars <= 0 {
		g.o.MaxPolicyChars = DefaultMaxPolicyChars
	}
	if o.Env != nil {
		p, err := principalInEnv(o.Env, o.Principal)
		if err != nil {
			return nil, err
		}
		g.o.Principal = p
		o.Principal = p
	}
	switch {
	case roleARNRE().MatchString(o.Principal):
		m := roleARNRE().FindStringSubmatch(o.Principal)
		g.kind, g.account, g.name = kindRole, m[2], m[3]
	case userARNRE().MatchString(o.Principal):
		m := userARNRE().FindStringSubmatch(o.Principal)
		g.kind, g.account, g.name = kindUser, m[2], m[3]
	case sessionARNRE().MatchString(o.Principal):
		m := sessionARNRE().FindStringSubmatch(o.Principal)
		g.kind, g.account, g.name = kindSession, m[2], m[3]
	default:
		return nil, fmt.Errorf("principal %q: want a role ARN (arn:aws:iam::ACCOUNT:role/NAME), a user ARN (arn:aws:iam::ACCOUNT:user/NAME) or a role session ARN (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION)", o.Principal)
	}
	return g, nil
}

// Account is the principal's account.
func (g *Generator) Account() string { return g.account }

// Matches reports whether a record is a call of the principal: for a role,
// any of its sessions (the session issuer is the role; role names are
// unique in an account whatever their path); for a user or a session, that
// identity. It is safe for concurrent use (trail.Filter.Match).
func (g *Generator) Matches(r *trail.Record) bool {
	u := &r.UserIdentity
	switch g.kind {
	case kindRole:
		if u.Type != "AssumedRole" {
			return false
		}
		iss := u.SessionContext.SessionIssuer.ARN
		if iss != "" {
			m := roleARNRE().FindStringSubmatch(iss)
			return m != nil && m[2] == g.account && strings.EqualFold(m[3], g.name)
		}
		m := sessionARNRE().FindStringSubmatch(u.ARN)
		return m != nil && m[2] == g.account && strings.EqualFold(m[3], g.name)
	case kindUser:
		return u.Type == "IAMUser" && u.ARN == g.o.Principal
	default:
		return u.Type == "AssumedRole" && u.ARN == g.o.Principal
	}
}

// Add counts one record; records of other principals are ignored.
func (g *Generator) Add(r *trail.Record) {
	if !g.Matches(r) {
		return
	}
	g.add(r, 1, r.Time, r.Time)
}

// AddAggregate counts n calls that share everything Add looks at (an
// aggregated row: same event, error, request parameters and resources),
// the first at first and the last at last. r stands for all of them.
func (g *Generator) AddAggregate(r *trail.Record, n int64, first, last time.Time) {
	if n <= 0 || !g.Matches(r) {
		return
	}
	g.add(r, n, first, last)
}

func (g *Generator) add(r *trail.Record, n int64, first, last time.Time) {
	actions, m := g.c.EventActionsWithParameters(r.EventSource, r.EventName, r.RequestParameters)
	g.mu.Lock()
	g.ofPrincipal += n
	if r.EventType == "AwsServiceEvent" {
		g.notAPICall[r.EventSource+" "+r.EventName] += n
		g.mu.Unlock()
		return
	}
	if trail.IsAccessDenied(r.ErrorCode) && !g.o.IncludeDenied {
		g.deniedSkip += n
		g.mu.Unlock()
		return
	}
	g.counted += n
	if !first.IsZero() && (g.from.IsZero() || first.Before(g.from)) {
		g.from = first
	}
	if last.After(g.to) {
		g.to = last
	}
	if r.UserIdentity.InvokedBy != "" {
		g.invokedBy += n
	}
	switch m.Kind {
	case catalog.EventNoPermission:
		g.noPermission[r.EventSource+" "+r.EventName] += n
		g.mu.Unlock()
		return
	case catalog.EventNotAPICall:
		g.notAPICall[r.EventSource+" "+r.EventName] += n
		g.mu.Unlock()
		return
	case catalog.EventUnknown:
		g.notCoveredN += n
		if len(g.notCovered) < maxNotCovered {
			g.notCovered = append(g.notCovered, NotCovered{EventID: r.EventID, EventSource: r.EventSource,
				EventName: r.EventName, Count: n, Reason: "maps to no IAM action: " + m.Note})
		}
		g.mu.Unlock()
		return
	}
	g.replayable += n
	// A call seen before rebuilds into the same requests.
	key := callkey.Of(r)
	if keys, ok := g.seen[key]; ok {
		for _, k := range keys {
			g.grants[k].events += n
		}
		g.mu.Unlock()
		return
	}
	g.mu.Unlock()

	rp := trail.ToReplay(r, trail.RequestOptions{
		Actions:    func(string, string) []string { return actions },
		Resources:  g.c.ScopeResources,
		PassRole:   true,
		CreateTags: true,
	})
	if g.o.Env != nil {
		for _, req := range rp.Requests {
			req.Resource = entityARN(g.o.Env, req.Resource)
		}
	}
	partial := g.unnamedRequired(rp)
	g.mu.Lock()
	defer g.mu.Unlock()
	keys := make([]grantKey, 0, len(rp.Requests))
	for _, req := range rp.Requests {
		k := grantKey{action: req.Action, resource: req.Resource}
		if req.Action == "iam:PassRole" {
			if v, ok := req.Context.Get("iam:PassedToService"); ok && len(v) == 1 {
				k.passedTo = v[0]
			}
		}
		if req.Action == "ec2:CreateTags" || req.Action == "ecs:TagResource" {
			if v, ok := req.Context.Get(trail.CreateActionKey(req.Action)); ok && len(v) == 1 {
				k.createAction = v[0]
			}
		}
		keys = append(keys, k)
		gr := g.grants[k]
		if gr == nil {
			gr = &grant{req: req}
			g.grants[k] = gr
		}
		gr.events += n
		if req.Resource == "*" {
			if a, ok := g.c.Action(req.Action); ok && len(a.Resources) > 0 {
				why := rp.Unnamed
				switch {
				case partial[req.Action]:
					why = reasonPartialRequired
				case why == "":
					why = reasonNoneFits
				}
				if g.unscoped[req.Action] == nil {
					g.unscoped[req.Action] = map[string]bool{}
				}
				g.unscoped[req.Action][why] = true
			}
		}
	}
	// Resources read from the response (a created resource) differ
	// between calls with the same request: such a call is not cached.
	if len(g.seen) < maxSeen && !rp.FromResponse {
		g.seen[key] = keys
	}
}

// reasonNoneFits says why an action is on "*" when the record names
// resources, none of them of a type the action is authorised on (an
// object action given its bucket only).
const reasonNoneFits = "none of the ARNs the record names is of a resource type the action is authorised on"

// reasonPartialRequired says why an EC2 action is on "*" when the record
// names only some of the resource types the action requires.
const reasonPartialRequired = "the record names only some of the resource types the action requires"

// unnamedRequired replaces, for each EC2 action of the rebuilt call that
// requires several resource types, requests that leave one of them
// unnamed by a single request on "*", and returns those actions. EC2
// authorises such a call on every resource it uses (an attachment on the
// instance and the volume, a launch on the image, subnet, security groups
// and what it creates), so a policy naming some of them alone would
// refuse it; "*" covers it. The service reference marks the types each
// EC2 action requires
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html);
// other services' required types may be alternatives (Bedrock's models),
// so they are left as rebuilt.
func (g *Generator) unnamedRequired(rp *trail.Replay) map[string]bool {
	var partial map[string]bool
	for _, req := range rp.Requests {
		if !strings.HasPrefix(req.Action, "ec2:") || req.Resource == "*" || partial[req.Action] {
			continue
		}
		if _, ok := req.Context.Get("ec2:CreateAction"); ok {
			continue
		}
		a, ok := g.c.Action(req.Action)
		if !ok {
			continue
		}
		required := map[*catalog.ResourceType]bool{}
		for _, ar := range a.Resources {
			if ar.Required {
				required[ar.Type] = true
			}
		}
		if len(required) < 2 {
			continue
		}
		for _, other := range rp.Requests {
			if other.Action != req.Action {
				continue
			}
			for _, t := range g.c.ResourceTypesForARN(other.Resource) {
				delete(required, t)
			}
		}
		if len(required) > 0 {
			if partial == nil {
				partial = map[string]bool{}
			}
			partial[req.Action] = true
		}
	}
	if partial == nil {
		return nil
	}
	out := rp.Requests[:0:0]
	done := map[string]bool{}
	for _, req := range rp.Requests {
		switch {
		case !partial[req.Action]:
			out = append(out, req)
		case !done[req.Action]:
			done[req.Action] = true
			req.Resource = "*"
			req.ResourceAccount = ""
			out = append(out, req)
		}
	}
	rp.Requests = out
	return partial
}

// maxSeen bounds the cache of calls already rebuilt.
const maxSeen = 1 << 14

// rawMatch is a fast pre-filter for trail.Filter.RawMatch: a record of the
// principal names it in its text (the role's name, or the user's or
// session's ARN). Text with escaped slashes is let through to the decoder.
func (g *Generator) rawMatch(raw []byte) bool {
	if bytes.Contains(raw, []byte(`\/`)) {
		return true
	}
	if g.kind == kindRole {
		return containsFold(raw, g.name) && bytes.Contains(raw, []byte(g.account))
	}
	return bytes.Contains(raw, []byte(g.o.Principal))
}

// containsFold reports whether s contains sub, ASCII case-insensitively
// (role names are unique in an account regardless of case).
func containsFold(s []byte, sub string) bool {
	if sub == "" {
		return true
	}
	lo, up := lowerASCII(sub[0]), upperASCII(sub[0])
	for i := 0; i+len(sub) <= len(s); {
		j := bytes.IndexByte(s[i:], lo)
		if lo != up {
			if k := bytes.IndexByte(s[i:], up); k >= 0 && (j < 0 || k < j) {
				j = k
			}
		}
		if j < 0 || i+j+len(sub) > len(s) {
			return false
		}
		if bytes.EqualFold(s[i+j:i+j+len(sub)], []byte(sub)) {
			return true
		}
		i += j + 1
	}
	return false
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func upperASCII(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}
