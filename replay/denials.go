package replay

import (
	"strings"
	"time"

	"github.com/iamwhy/iamwhy/denial"
	"github.com/iamwhy/iamwhy/trail"
)

// DenialGrouping is how a trail's denials are grouped for a summary
// (trail.SummarizeDenials): each record under the IAM action(s) its call
// needs, and under what its message says rather than the message's text,
// with histogram buckets of width bucket (0: chosen from the time span).
func (o Options) DenialGrouping(bucket time.Duration) trail.DenialOptions {
	return trail.DenialOptions{Bucket: bucket, Action: o.RecordAction, Message: o.DenialReason}
}

// RecordAction names the IAM action(s) a record's call needs, joined by
// "+", through EventActions (ListObjectsV2 -> s3:ListBucket); the action
// named like the event when EventActions knows none.
func (o Options) RecordAction(r *trail.Record) string {
	var actions []string
	if o.EventActions != nil {
		actions = o.EventActions(r.EventSource, r.EventName)
	}
	if len(actions) == 0 {
		return trail.ActionOf(r)
	}
	return strings.Join(actions, "+")
}

// DenialReason is what a record's access-denied message says, as explain
// reads it: the kind of deny, the policy type and the policy
// ("explicit deny in a service control policy arn:..."). Denials that say
// the same thing about different principals and resources then group
// together. A message that says neither the kind nor the policy type is
// grouped by its normalised text (trail.NormalizeMessage).
func (o Options) DenialReason(r *trail.Record) string {
	d, err := denial.Parse(r.ErrorMessage, o.Denial)
	if err != nil || !d.Recognized || (d.Deny == denial.DenyUnknown && d.PolicyType == denial.PolicyUnknown) {
		return trail.NormalizeMessage(r.ErrorMessage)
	}
	reason := string(d.Deny) + " deny"
	if d.PolicyType != denial.PolicyUnknown {
		reason += " in " + d.PolicyType.Description()
	}
	if d.PolicyARN != nil {
		reason += " " + *d.PolicyARN
	}
	return reason
}
