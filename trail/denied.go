package trail

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/iamwhy/iamwhy/internal/lazyre"
)

// DenialOptions say how denials are grouped. The func fields are seams
// for richer packages: the catalog's CloudTrail event -> IAM action map
// and the denial message parser.
type DenialOptions struct {
	// Action names the IAM action of a record; nil means ActionOf.
	Action func(*Record) string
	// Message gives the grouping form of a record's error message; nil
	// means NormalizeMessage(r.ErrorMessage).
	Message func(*Record) string
	// Resource names the resource of a record; nil means ResourceOf.
	Resource func(*Record) string
	// Bucket is the histogram bucket width; 0 picks one from the time span
	// so that there are at most MaxBuckets buckets. A width that would
	// make more than 10,000 buckets is widened to the next of 1m, 5m, 15m,
	// 1h, 3h, 6h, 1d, 7d, 30d, 365d that does not.
	Bucket time.Duration
	// MaxBuckets bounds the automatic bucket choice (default 48).
	MaxBuckets int
}

// Denials is the summary of the access-denied records of some inputs.
type Denials struct {
	// Groups are sorted by count, most first, then by principal, action,
	// resource and message.
	Groups []DenialGroup `json:"groups"`
	// Total is the number of denied records (after duplicate removal).
	Total       int64     `json:"total"`
	First       time.Time `json:"first"`
	Last        time.Time `json:"last"`
	Histogram   Histogram `json:"histogram"`
	UnknownTime int64     `json:"unknown_time"` // denied records without a valid eventTime
	Stats       Stats     `json:"stats"`
}

// DenialGroup is one (principal, action, resource, message) group.
type DenialGroup struct {
	Principal     string    `json:"principal"`
	PrincipalType string    `json:"principal_type"`
	Action        string    `json:"action"`
	Resource      string    `json:"resource"`
	Message       string    `json:"message"`
	ErrorCodes    []string  `json:"error_codes"`
	Count         int64     `json:"count"`
	First         time.Time `json:"first"`
	Last          time.Time `json:"last"`
	// Histogram counts the group's records in the buckets of
	// Denials.Histogram.
	Histogram []int64 `json:"histogram"`
	// Example is the eventID of the group's earliest record.
	Example string `json:"example_event_id"`
	// Accounts and Regions where the group's records were recorded.
	Accounts []string `json:"accounts"`
	Regions  []string `json:"regions"`
}

// Histogram counts records per time bucket: Counts[i] covers
// [Start+i*Bucket, Start+(i+1)*Bucket).
type Histogram struct {
	Start  time.Time     `json:"start"`
	Bucket time.Duration `json:"bucketNanos"`
	Counts []int64       `json:"counts"`
}

// SummarizeDenials reads the inputs (see Read) and groups their
// access-denied records. opts.Filter.DeniedOnly is forced on.
func SummarizeDenials(ctx context.Context, paths []string, opts Options, dopts DenialOptions) (*Denials, error) {
	opts.Filter.DeniedOnly = true
	c := NewDenialCollector(dopts)
	st, err := Read(ctx, paths, opts, c.Add)
	d := c.Result()
	d.Stats = st
	return d, err
}

// DenialCollector groups denied records as they are read; Add is safe
// for concurrent use.
type DenialCollector struct {
	opts   DenialOptions
	mu     sync.Mutex
	groups map[groupKey]*groupAcc
	total  int64
	noTime int64
}

type groupKey struct{ principal, action, resource, message string }

type groupAcc struct {
	g DenialGroup
	// Sets of a few elements (usually one): slices cost far less than
	// maps when there are hundreds of thousands of groups.
	codes, accounts, regions []string
	// minutes holds (Unix minute, count) runs in arrival order; records
	// of a file arrive in time order, so runs are long.
	minutes []minuteCount
}

type minuteCount struct {
	minute int64
	count  int64
}

// addOnce appends s to set unless it is there.
func addOnce(set []string, s string) []string {
	for _, x := range set {
		if x == s {
			return set
		}
	}
	return append(set, s)
}

// NewDenialCollector returns an empty collector.
func NewDenialCollector(o DenialOptions) *DenialCollector {
	if o.Action == nil {
		o.Action = ActionOf
	}
	if o.Message == nil {
		o.Message = func(r *Record) string { return NormalizeMessage(r.ErrorMessage) }
	}
	if o.Resource == nil {
		o.Resource = ResourceOf
	}
	if o.MaxBuckets <= 0 {
		o.MaxBuckets = 48
	}
	return &DenialCollector{opts: o, groups: map[groupKey]*groupAcc{}}
}

// Add counts r if its errorCode is access-denied class; it never fails
// (the error result fits Read's callback).
func (c *DenialCollector) Add(r *Record) error {
	if !IsAccessDenied(r.ErrorCode) {
		return nil
	}
	principal, ptype := PrincipalOf(r)
	k := groupKey{principal, c.opts.Action(r), c.opts.Resource(r), c.opts.Message(r)}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total++
	a := c.groups[k]
	if a == nil {
		a = &groupAcc{
			g: DenialGroup{Principal: k.principal, PrincipalType: ptype, Action: k.action, Resource: k.resource, Message: k.message},
		}
		c.groups[k] = a
	}
	a.g.Count++
	a.codes = addOnce(a.codes, r.ErrorCode)
	if acct := r.Account(); acct != "" {
		a.accounts = addOnce(a.accounts, acct)
	}
	if r.AWSRegion != "" {
		a.regions = addOnce(a.regions, r.AWSRegion)
	}
	if r.Time.IsZero() {
		c.noTime++
		if a.g.Example == "" {
			a.g.Example = r.EventID
		}
		return nil
	}
	if m := r.Time.Unix() / 60; len(a.minutes) > 0 && a.minutes[len(a.minutes)-1].minute == m {
		a.minutes[len(a.minutes)-1].count++
	} else {
		a.minutes = append(a.minutes, minuteCount{m, 1})
	}
	if a.g.First.IsZero() || r.Time.Before(a.g.First) || (r.Time.Equal(a.g.First) && r.EventID < a.g.Example) {
		a.g.First = r.Time
		a.g.Example = r.EventID
	}
	if r.Time.After(a.g.Last) {
		a.g.Last = r.Time
	}
	return nil
}

// maxExplicitBuckets bounds the histogram length for an explicit bucket
// width, since every group holds one count per bucket.
const maxExplicitBuckets = 10000

// bucketWidths are the histogram widths tried, smallest first.
var bucketWidths = []time.Duration{
	time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 3 * time.Hour, 6 * time.Hour,
	24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour, 365 * 24 * time.Hour,
}

// Result returns the groups and histograms of what was added.
func (c *DenialCollector) Result() *Denials {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := &Denials{Total: c.total, UnknownTime: c.noTime}
	for _, a := range c.groups {
		if !a.g.First.IsZero() && (d.First.IsZero() || a.g.First.Before(d.First)) {
			d.First = a.g.First
		}
		if a.g.Last.After(d.Last) {
			d.Last = a.g.Last
		}
	}
	if !d.First.IsZero() {
		span := d.Last.Sub(d.First)
		width, limit := c.opts.Bucket, c.opts.MaxBuckets
		if width > 0 {
			// An explicit width is kept unless it would make more than
			// maxExplicitBuckets buckets (per group).
			limit = maxExplicitBuckets
		}
		if width <= 0 || int64(span/width)+1 > int64(limit) {
			w0 := width
			width = bucketWidths[len(bucketWidths)-1]
			for _, w := range bucketWidths {
				if w >= w0 && int64(span/w)+1 <= int64(limit) {
					width = w
					break
				}
			}
		}
		start := d.First.Truncate(width)
		n := int(d.Last.Sub(start)/width) + 1
		d.Histogram = Histogram{Start: start, Bucket: width, Counts: make([]int64, n)}
		for _, a := range c.groups {
			a.g.Histogram = make([]int64, n)
			for _, mc := range a.minutes {
				m, cnt := mc.minute, mc.count
				i := int(time.Unix(m*60, 0).Sub(start) / width)
				if i < 0 {
					i = 0 // a bucket width under a minute puts seconds before start
				}
				if i >= n {
					i = n - 1
				}
				a.g.Histogram[i] += cnt
				d.Histogram.Counts[i] += cnt
			}
		}
	}
	for _, a := range c.groups {
		a.g.ErrorCodes = sorted(a.codes)
		a.g.Accounts = sorted(a.accounts)
		a.g.Regions = sorted(a.regions)
		a.minutes = nil
		d.Groups = append(d.Groups, a.g)
	}
	sort.Slice(d.Groups, func(i, j int) bool {
		a, b := &d.Groups[i], &d.Groups[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.Principal != b.Principal {
			return a.Principal < b.Principal
		}
		if a.Action != b.Action {
			return a.Action < b.Action
		}
		if a.Resource != b.Resource {
			return a.Resource < b.Resource
		}
		return a.Message < b.Message
	})
	return d
}

func sorted(set []string) []string {
	out := append(make([]string, 0, len(set)), set...)
	sort.Strings(out)
	return out
}

// PrincipalOf names the caller for grouping, with its userIdentity type.
// A role session is grouped under its role (the session issuer), since
// session names (instance IDs, SDK timestamps) differ per call while the
// role's policies decide; an AWS service under the service that invoked
// the call; others under userIdentity.arn, else the principal ID or the
// account.
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
func PrincipalOf(r *Record) (principal, typ string) {
	u := &r.UserIdentity
	typ = u.Type
	switch {
	case u.Type == "AssumedRole" && u.SessionContext.SessionIssuer.ARN != "":
		return u.SessionContext.SessionIssuer.ARN, typ
	case u.ARN != "":
		return u.ARN, typ
	case u.InvokedBy != "":
		return u.InvokedBy, typ
	case u.PrincipalID != "":
		return u.PrincipalID, typ
	case u.AccountID != "":
		return "account " + u.AccountID, typ
	case typ != "":
		return typ, typ
	}
	return "unknown", typ
}

// ActionOf is the default action name: the service prefix of eventSource
// and the eventName ("ec2.amazonaws.com", "RunInstances" ->
// "ec2:RunInstances"). It is right for most management events; the
// catalog's map covers the exceptions (an event authorised by another
// action, several actions per event).
func ActionOf(r *Record) string {
	prefix, _, _ := strings.Cut(r.EventSource, ".")
	if prefix == "" {
		return r.EventName
	}
	return prefix + ":" + r.EventName
}

// onResource finds the resource in messages of the IAM form "User: X is
// not authorized to perform: A on resource: R [because ...]".
// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
var onResource = lazyre.New(`on resource: ?(\S+)`)

// ResourceOf names the resource of a denied record: the first ARN of
// resources[], else the one in the error message (denied sts:AssumeRole
// records carry no resources), else "".
func ResourceOf(r *Record) string {
	for _, res := range r.Resources {
		if res.ARN != "" {
			return res.ARN
		}
	}
	if m := onResource().FindStringSubmatch(r.ErrorMessage); m != nil {
		return strings.TrimRight(m[1], ".,;)")
	}
	return ""
}

var (
	// EC2 and other services append an encoded authorization message that
	// differs on every call.
	encodedMsg = lazyre.New(`(Encoded authorization failure message:)\s*\S+`)
	// S3, STS and SDK-formatted messages carry request IDs.
	requestID = lazyre.New(`(?i)(request ?id:?\s*)[A-Za-z0-9+/=-]{8,}`)
	hostID    = lazyre.New(`(?i)(host ?id:?\s*)[A-Za-z0-9+/=-]{8,}`)
	uuidRe    = lazyre.New(`\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b`)
	// Role session names differ per call; the role decides.
	sessionARN = lazyre.New(`(arn:[a-z-]+:sts::\d{12}:assumed-role/[^/\s]+/)\S+`)
)

// NormalizeMessage makes error messages that differ only in per-call
// details equal: encoded authorization messages, request and host IDs,
// UUIDs and role session names are replaced by placeholders.
func NormalizeMessage(m string) string {
	if m == "" {
		return ""
	}
	m = encodedMsg().ReplaceAllString(m, "$1 <encoded>")
	m = requestID().ReplaceAllString(m, "$1<request-id>")
	m = hostID().ReplaceAllString(m, "$1<host-id>")
	m = uuidRe().ReplaceAllString(m, "<uuid>")
	m = sessionARN().ReplaceAllString(m, "$1<session>")
	return strings.TrimSpace(m)
}
