package replay

import (
	"testing"

	"github.com/iamwhy/iamwhy/trail"
)

// Denials group by what their message says: two messages about different
// callers and resources denied by the same SCP are one reason, and a
// message that says nothing of the deny is grouped by its text.
func TestDenialReason(t *testing.T) {
	o := DefaultOptions()
	scp := func(user, bucket string) *trail.Record {
		return &trail.Record{ErrorCode: "AccessDenied", ErrorMessage: "User: arn:aws:iam::111122223333:user/" + user +
			" is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::" + bucket +
			"/k with an explicit deny in a service control policy"}
	}
	a, b := o.DenialReason(scp("alice", "one")), o.DenialReason(scp("bob", "two"))
	if a != b || a != "explicit deny in service control policy (SCP)" {
		t.Errorf("reasons %q and %q, want both %q", a, b, "explicit deny in service control policy (SCP)")
	}
	plain := &trail.Record{ErrorCode: "AccessDenied", ErrorMessage: "Access Denied"}
	if got, want := o.DenialReason(plain), trail.NormalizeMessage("Access Denied"); got != want {
		t.Errorf("bare message: %q, want %q", got, want)
	}
}

// A record's action is the one the catalog maps its event to, several
// joined by "+"; an event the hook cannot map keeps CloudTrail's name.
func TestRecordAction(t *testing.T) {
	o := DefaultOptions()
	if got := o.RecordAction(&trail.Record{EventSource: "s3.amazonaws.com", EventName: "ListObjectsV2"}); got != "s3:ListBucket" {
		t.Errorf("ListObjectsV2: %q, want s3:ListBucket", got)
	}
	o.EventActions = func(string, string) []string { return nil }
	if got := o.RecordAction(&trail.Record{EventSource: "s3.amazonaws.com", EventName: "ListObjectsV2"}); got != "s3:ListObjectsV2" {
		t.Errorf("unmapped: %q, want s3:ListObjectsV2", got)
	}
	o.EventActions = func(string, string) []string { return []string{"a:B", "a:C"} }
	g := o.DenialGrouping(0)
	if got := g.Action(&trail.Record{EventSource: "a.amazonaws.com", EventName: "X"}); got != "a:B+a:C" {
		t.Errorf("grouping action %q, want a:B+a:C", got)
	}
}
