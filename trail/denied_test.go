package trail

import (
	"context"
	"testing"
	"time"
)

func TestIsAccessDenied(t *testing.T) {
	for _, tc := range []struct {
		code string
		want bool
	}{
		{"AccessDenied", true},                       // S3, STS, IAM
		{"AccessDeniedException", true},              // JSON-protocol services
		{"Client.UnauthorizedOperation", true},       // EC2 as CloudTrail writes it
		{"UnauthorizedOperation", true},              // EC2 API reference
		{"AuthorizationError", true},                 // SNS
		{"KMSAccessDeniedException", true},           // Lambda, suffix rule
		{"AccessDeniedForDependencyException", true}, // Organizations
		{"Forbidden", true},
		{"ThrottlingException", false},
		{"InvalidClientTokenId", false}, // authentication, not authorization
		{"NotAuthorizedException", false},
		{"InvalidAccessException", false}, // Security Hub: account not subscribed
		{"", false},
	} {
		if got := IsAccessDenied(tc.code); got != tc.want {
			t.Errorf("IsAccessDenied(%q) = %v, want %v", tc.code, got, tc.want)
		}
	}
}

func TestNormalizeMessage(t *testing.T) {
	for _, tc := range []struct{ rule, in, want string }{
		{"encoded authorization message removed",
			"You are not authorized to perform this operation. Encoded authorization failure message: 1Qju1r-MUd3Ls-t7y4w4",
			"You are not authorized to perform this operation. Encoded authorization failure message: <encoded>"},
		{"role session name removed",
			"User: arn:aws:sts::111122223333:assumed-role/app/i-0abc is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k",
			"User: arn:aws:sts::111122223333:assumed-role/app/<session> is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k"},
		{"request ID removed",
			"Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: 4442587FB7D0A2F9; S3 Extended Request ID: abc)",
			"Access Denied (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: <request-id>; S3 Extended Request ID: abc)"},
		{"UUID removed", "denied for request 6f2e9c1a-0b1c-4d2e-8f3a-000000000000", "denied for request <uuid>"},
		{"plain message unchanged", "IAM user access not activated", "IAM user access not activated"},
	} {
		if got := NormalizeMessage(tc.in); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.rule, got, tc.want)
		}
	}
}

func TestPrincipalResourceAction(t *testing.T) {
	r := &Record{EventSource: "sts.amazonaws.com", EventName: "AssumeRole",
		ErrorMessage: "User: arn:aws:iam::1:user/u is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::1:role/r."}
	r.UserIdentity = UserIdentity{Type: "IAMUser", ARN: "arn:aws:iam::1:user/u"}
	if p, typ := PrincipalOf(r); p != "arn:aws:iam::1:user/u" || typ != "IAMUser" {
		t.Errorf("PrincipalOf user = %q %q", p, typ)
	}
	if got := ResourceOf(r); got != "arn:aws:iam::1:role/r" {
		t.Errorf("ResourceOf from message = %q", got)
	}
	if got := ActionOf(r); got != "sts:AssumeRole" {
		t.Errorf("ActionOf = %q", got)
	}
	r.Resources = []Resource{{ARN: "arn:aws:s3:::b"}}
	if got := ResourceOf(r); got != "arn:aws:s3:::b" {
		t.Errorf("ResourceOf prefers resources[] = %q", got)
	}
	r.UserIdentity = UserIdentity{Type: "AssumedRole", ARN: "arn:aws:sts::1:assumed-role/r/s",
		SessionContext: SessionContext{SessionIssuer: SessionIssuer{ARN: "arn:aws:iam::1:role/r"}}}
	if p, _ := PrincipalOf(r); p != "arn:aws:iam::1:role/r" {
		t.Errorf("PrincipalOf role session = %q, want the role", p)
	}
	r.UserIdentity = UserIdentity{Type: "AWSService", InvokedBy: "lambda.amazonaws.com"}
	if p, _ := PrincipalOf(r); p != "lambda.amazonaws.com" {
		t.Errorf("PrincipalOf service = %q", p)
	}
}

// TestSummarizeDenialsShared checks the summary of the shared samples:
// 60 + 51 denials, each counted once in the groups and the histogram.
func TestSummarizeDenialsShared(t *testing.T) {
	d, err := SummarizeDenials(context.Background(), []string{sharedData}, Options{}, DenialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Total != 111 || d.Stats.Records != 3210 || d.Stats.Filtered != 3210-111 {
		t.Errorf("total %d, records %d, filtered %d", d.Total, d.Stats.Records, d.Stats.Filtered)
	}
	var sum, hsum int64
	for _, g := range d.Groups {
		sum += g.Count
		var gh int64
		for _, c := range g.Histogram {
			gh += c
		}
		if gh != g.Count || g.First.After(g.Last) || g.Example == "" {
			t.Errorf("group %+v: histogram sum %d", g, gh)
		}
	}
	for _, c := range d.Histogram.Counts {
		hsum += c
	}
	if sum != 111 || hsum != 111 {
		t.Errorf("groups sum %d, histogram sum %d, want 111", sum, hsum)
	}
	if len(d.Histogram.Counts) > 48 {
		t.Errorf("%d buckets, want at most 48", len(d.Histogram.Counts))
	}
	top := d.Groups[0]
	if top.Count != 29 || top.Action != "ec2:GetPasswordData" {
		t.Errorf("top group %+v", top)
	}
}

func TestHistogramBuckets(t *testing.T) {
	c := NewDenialCollector(DenialOptions{})
	base := time.Date(2024, 1, 15, 10, 0, 0, 0, time.UTC)
	for i, off := range []time.Duration{0, 30 * time.Minute, 3*time.Hour + 59*time.Minute} {
		r := &Record{ErrorCode: "AccessDenied", EventID: uuidN(i), Time: base.Add(off)}
		c.Add(r)
	}
	c.Add(&Record{ErrorCode: "ThrottlingException", Time: base})
	d := c.Result()
	// A span of 3h59m fits 48 buckets of 5 minutes.
	if d.Histogram.Bucket != 5*time.Minute || len(d.Histogram.Counts) != 48 || d.Total != 3 {
		t.Errorf("bucket %s, %d buckets, total %d", d.Histogram.Bucket, len(d.Histogram.Counts), d.Total)
	}
	if d.Histogram.Counts[0] != 1 || d.Histogram.Counts[6] != 1 || d.Histogram.Counts[47] != 1 {
		t.Errorf("counts %v", d.Histogram.Counts)
	}
}

// TestHistogramExplicitBucket keeps a given width unless it makes more
// than 10,000 buckets.
func TestHistogramExplicitBucket(t *testing.T) {
	for _, tc := range []struct {
		bucket, span, want time.Duration
	}{
		{10 * time.Minute, 4 * time.Hour, 10 * time.Minute},
		{time.Second, 365 * 24 * time.Hour, time.Hour}, // 8,761 hourly buckets
	} {
		c := NewDenialCollector(DenialOptions{Bucket: tc.bucket})
		base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		c.Add(&Record{ErrorCode: "AccessDenied", Time: base})
		c.Add(&Record{ErrorCode: "AccessDenied", Time: base.Add(tc.span)})
		d := c.Result()
		if d.Histogram.Bucket != tc.want || len(d.Histogram.Counts) > 10000 {
			t.Errorf("bucket %s over %s: got %s, %d buckets; want %s", tc.bucket, tc.span, d.Histogram.Bucket, len(d.Histogram.Counts), tc.want)
		}
	}
}
