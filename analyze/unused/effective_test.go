package unused

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/policy"
	"github.com/iamwhy/iamwhy/snapshot"
	"github.com/iamwhy/iamwhy/trail"
)

// On the example environment: what a permissions boundary or an SCP
// refuses everywhere is not effectively granted, so it is unused
// whatever the trail holds; what they allow only under conditions stays
// granted.
func TestBoundaryAndSCPs(t *testing.T) {
	env, err := snapshot.LoadFile("../../examples/env", snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, _, err := FromTrail(context.Background(), env, []string{"../../examples/trail/cloudtrail.json"}, trail.Options{Serial: true},
		Options{Principals: []string{"arn:aws:iam::111122223333:role/developer", "arn:aws:iam::111122223333:role/OrganizationAccountAccessRole"}})
	if err != nil {
		t.Fatal(err)
	}
	dev := principal(t, res, "arn:aws:iam::111122223333:role/developer")
	admin := principal(t, res, "arn:aws:iam::111122223333:role/OrganizationAccountAccessRole")
	tests := []struct {
		rule      string
		p         *PrincipalReport
		action    string
		status    string
		blockedBy string // "" = not blocked
		reason    string
	}{
		{"the boundary allows no iam action: iam:CreateRole is not effectively granted", dev, "iam:CreateRole", StatusUnused, BlockedByBoundary, "DeveloperBoundary"},
		{"iam:PassRole is not logged, but the boundary refuses it: unused, not unknown", dev, "iam:PassRole", StatusUnused, BlockedByBoundary, "no Allow statement"},
		{"the boundary allows lambda: a data event the trail does not hold stays unknown", dev, "lambda:InvokeFunction", StatusUnknown, "", ""},
		{"the boundary allows s3: an action the trail would log stays unused, not blocked", dev, "s3:PutBucketPolicy", StatusUnused, "", ""},
		{"an SCP denying an action on every resource without condition blocks it", admin, "organizations:LeaveOrganization", StatusUnused, BlockedBySCP, "p-deny-leave-org"},
		{"the region guard denies only under a condition: not blocked", admin, "ec2:RunInstances", StatusUnused, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			a := action(t, tt.p, tt.action)
			if a.Status != tt.status {
				t.Errorf("status %s, want %s", a.Status, tt.status)
			}
			got := ""
			if a.BlockedBy != nil {
				got = *a.BlockedBy
			}
			if got != tt.blockedBy {
				t.Errorf("blocked by %q, want %q", got, tt.blockedBy)
			}
			if tt.reason != "" && (a.Reason == nil || !strings.Contains(*a.Reason, tt.reason)) {
				t.Errorf("reason %v, want one naming %q", a.Reason, tt.reason)
			}
			if tt.blockedBy != "" && a.Source != "environment" {
				t.Errorf("source %s", a.Source)
			}
		})
	}
	if dev.Blocked != 3 || admin.Blocked != 1 {
		t.Errorf("blocked counts %d, %d", dev.Blocked, admin.Blocked)
	}
	// The proposal removes what the boundary blocks, and is verified.
	if dev.Removal == nil || !dev.Removal.Verified {
		t.Fatalf("removal %+v", dev.Removal)
	}
	removed := strings.Join(dev.Removal.Removed["arn:aws:iam::111122223333:policy/DeveloperAccess"], ",")
	if !strings.Contains(removed, "iam:CreateRole") {
		t.Errorf("removed %s", removed)
	}
}

// The ceiling rules on single documents.
func TestCeiling(t *testing.T) {
	a := &Analyzer{c: catalog.Default(), expansions: map[string]map[string]bool{}}
	tests := []struct {
		rule, doc, action string
		blocked           bool
	}{
		{"an Allow on some resource lets the action through", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`, "s3:GetObject", false},
		{"an action no Allow reaches is refused", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, "s3:PutObject", true},
		{"a conditional Allow lets it through", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`, "s3:PutObject", false},
		{"NotAction Allow reaches every other action", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}`, "iam:CreateUser", true},
		{"NotAction Allow reaches the others", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}`, "s3:PutObject", false},
		{"an unconditional Deny on every resource refuses", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:PutObject","Resource":"*"}]}`, "s3:PutObject", true},
		{"a conditional Deny does not refuse everywhere", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:PutObject","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"eu-west-1"}}}]}`, "s3:PutObject", false},
		{"a Deny on some resources does not refuse everywhere", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}]}`, "s3:PutObject", false},
		{"a NotAction Deny on every resource refuses the rest", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","NotAction":"s3:*","Resource":"*"}]}`, "ec2:RunInstances", true},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			c, ok := a.ceilingOf(BlockedBySCP, "p", []*snapshot.Document{{JSON: []byte(tt.doc)}}, policy.TypeSCP)
			if !ok {
				t.Fatal("not known")
			}
			if got := c.blocked(tt.action) != ""; got != tt.blocked {
				t.Errorf("blocked %v, want %v", got, tt.blocked)
			}
		})
	}
	if _, ok := a.ceilingOf(BlockedBySCP, "p", []*snapshot.Document{{Unknown: "known after apply"}}, policy.TypeSCP); ok {
		t.Error("an unknown document blocks nothing we can tell, but was taken as known")
	}
	if _, ok := a.ceilingOf(BlockedBySCP, "p", []*snapshot.Document{nil}, policy.TypeSCP); ok {
		t.Error("a missing document was taken as known")
	}
}

// Many alike calls: after the first few are rebuilt, the rest only move
// the last use, of the call's actions and of iam:PassRole when the call
// passes a role; a call that names a role without passing it (AssumeRole)
// does not use iam:PassRole.
func TestManyCallsLastUse(t *testing.T) {
	var recs []map[string]any
	at := func(i int) string { return time.Date(2026, 1, 5, 0, 0, i, 0, time.UTC).Format(time.RFC3339) }
	for i := 0; i < 40; i++ {
		recs = append(recs, map[string]any{"eventVersion": "1.09", "eventID": fmt.Sprintf("00000000-0000-4000-8000-%012d", i), "eventTime": at(i),
			"eventSource": "lambda.amazonaws.com", "eventName": "CreateFunction20150331", "awsRegion": "eu-west-1", "recipientAccountId": "111122223333",
			"sourceIPAddress": fmt.Sprintf("203.0.113.%d", i), "eventType": "AwsApiCall", "eventCategory": "Management", "readOnly": false,
			"userIdentity": map[string]any{"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/app/s", "accountId": "111122223333",
				"sessionContext": map[string]any{"sessionIssuer": map[string]any{"type": "Role", "arn": app}}},
			"requestParameters": map[string]any{"functionName": "etl", "role": "arn:aws:iam::111122223333:role/etl-exec"}})
	}
	path := writeJSON(t, t.TempDir(), "many.json", map[string]any{"Records": recs})
	res := analyse(t, Options{Principals: []string{app}}, path)
	p := principal(t, res, app)
	if a := action(t, p, "iam:PassRole"); a.Status != StatusUsed || a.LastUsed == nil || *a.LastUsed != at(39) {
		t.Errorf("iam:PassRole %s, last used %v, want %s", a.Status, a.LastUsed, at(39))
	}
	if p.Calls != 40 {
		t.Errorf("%d calls counted, want 40", p.Calls)
	}
}
