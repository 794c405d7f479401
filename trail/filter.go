package trail

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// Filter selects records. Every set criterion must hold; within a list,
// any element may match. String criteria are exact unless they contain
// the wildcards * (any run of characters) or ? (one character), as in IAM
// ARN patterns.
type Filter struct {
	// Since (inclusive) and Until (exclusive) bound eventTime; a record
	// whose eventTime cannot be parsed fails a time bound.
	Since, Until time.Time
	// Accounts match the account the event was recorded in
	// (recipientAccountId, else userIdentity.accountId).
	Accounts []string
	// Regions match awsRegion.
	Regions []string
	// Principals match userIdentity.arn or, for role sessions, the
	// session issuer's (the role's) ARN, so a role ARN selects its sessions.
	Principals []string
	// EventSources match eventSource (e.g. "s3.amazonaws.com").
	EventSources []string
	// EventNames match eventName.
	EventNames []string
	// ErrorCodes match errorCode.
	ErrorCodes []string
	// DeniedOnly keeps access-denied errors (IsAccessDenied).
	DeniedOnly bool
	// Match, when set, is a further predicate; it is called from several
	// goroutines.
	Match func(*Record) bool
	// RawMatch, when set, sees each record's JSON text before it is
	// decoded; a record it rejects is counted as filtered without being
	// decoded. It must reject only records the rest of the filter would
	// reject too (it is a fast path: a caller looking for one principal
	// rejects records whose text does not contain its name). It is called
	// from several goroutines.
	RawMatch func(raw []byte) bool
}

type compiledFilter struct {
	f                                                       *Filter
	accounts, regions, principals, sources, names, errCodes []pattern
	any                                                     bool
}

func (f *Filter) compile() (*compiledFilter, error) {
	c := &compiledFilter{f: f}
	var err error
	comp := func(field string, ss []string) []pattern {
		var ps []pattern
		for _, s := range ss {
			if s == "" && err == nil {
				err = fmt.Errorf("filter %s: empty pattern", field)
			}
			ps = append(ps, pattern(s))
		}
		return ps
	}
	c.accounts = comp("account", f.Accounts)
	c.regions = comp("region", f.Regions)
	c.principals = comp("principal", f.Principals)
	c.sources = comp("event source", f.EventSources)
	c.names = comp("event name", f.EventNames)
	c.errCodes = comp("error code", f.ErrorCodes)
	if err != nil {
		return nil, err
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since) {
		return nil, fmt.Errorf("filter: until %s is not after since %s", f.Until.Format(time.RFC3339), f.Since.Format(time.RFC3339))
	}
	c.any = !f.Since.IsZero() || !f.Until.IsZero() || len(c.accounts)+len(c.regions)+len(c.principals)+
		len(c.sources)+len(c.names)+len(c.errCodes) > 0 || f.DeniedOnly || f.Match != nil
	return c, nil
}

func (c *compiledFilter) match(r *Record) bool {
	if !c.any {
		return true
	}
	return c.matchExceptTime(r) && c.inTimeRange(r)
}

func (c *compiledFilter) inTimeRange(r *Record) bool {
	f := c.f
	if !f.Since.IsZero() || !f.Until.IsZero() {
		if r.Time.IsZero() || (!f.Since.IsZero() && r.Time.Before(f.Since)) || (!f.Until.IsZero() && !r.Time.Before(f.Until)) {
			return false
		}
	}
	return true
}

func (c *compiledFilter) matchExceptTime(r *Record) bool {
	f := c.f
	if f.DeniedOnly && !IsAccessDenied(r.ErrorCode) {
		return false
	}
	if !matchAny(c.errCodes, r.ErrorCode) || !matchAny(c.sources, r.EventSource) ||
		!matchAny(c.names, r.EventName) || !matchAny(c.regions, r.AWSRegion) ||
		!matchAny(c.accounts, r.Account()) {
		return false
	}
	if len(c.principals) > 0 && !matchAny(c.principals, r.UserIdentity.ARN) &&
		!(r.UserIdentity.SessionContext.SessionIssuer.ARN != "" && matchAny(c.principals, r.UserIdentity.SessionContext.SessionIssuer.ARN)) {
		return false
	}
	if f.Match != nil && !f.Match(r) {
		return false
	}
	return true
}

// unreadableTime reports whether a record that failed the filter failed it
// only because its eventTime cannot be read as a time while a time bound is
// set: such a record is not known to be outside the range, so Read counts
// and reports it instead of dropping it silently.
func (c *compiledFilter) unreadableTime(r *Record) bool {
	f := c.f
	if (f.Since.IsZero() && f.Until.IsZero()) || !r.Time.IsZero() {
		return false
	}
	return c.matchExceptTime(r)
}

// needsError reports whether only records with an errorCode can pass.
func (c *compiledFilter) needsError() bool {
	if c.f.DeniedOnly {
		return true
	}
	if len(c.errCodes) == 0 {
		return false
	}
	for _, p := range c.errCodes {
		if p.match("") {
			return false
		}
	}
	return true
}

// lacksErrorCode reports, from the raw bytes of a record, that it has no
// errorCode member. It answers only for records spelling keys as
// CloudTrail does (an "eventName" key present): then "errorCode" would
// appear if the member did. Anything else is left to the decoder.
func lacksErrorCode(raw []byte) bool {
	return !bytes.Contains(raw, []byte("rrorCode")) && bytes.Contains(raw, []byte(`"eventName"`))
}

func matchAny(ps []pattern, s string) bool {
	if len(ps) == 0 {
		return true
	}
	for _, p := range ps {
		if p.match(s) {
			return true
		}
	}
	return false
}

// pattern is a string with optional * and ? wildcards.
type pattern string

func (p pattern) match(s string) bool {
	if !strings.ContainsAny(string(p), "*?") {
		return string(p) == s
	}
	return wildcard(string(p), s)
}

// wildcard matches s against p where * matches any run (also empty) and ?
// one byte, by the usual backtracking over the last star (linear in
// practice, no recursion).
func wildcard(p, s string) bool {
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(s) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == s[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
