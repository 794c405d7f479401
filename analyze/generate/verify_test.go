package generate

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iamwhy/iamwhy/trail"
)

// generator reads records (JSON objects, one string each) for principal
// into a Generator.
func generator(t *testing.T, principal string, records ...string) *Generator {
	t.Helper()
	path := filepath.Join(t.TempDir(), "t.json")
	if err := os.WriteFile(path, []byte(`{"Records":[`+strings.Join(records, ",")+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	g, err := New(Options{Principal: principal, IncludeDenied: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := trail.Read(context.Background(), []string{path}, trail.Options{Serial: true}, func(r *trail.Record) error {
		g.Add(r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return g
}

const bob = "arn:aws:iam::111122223333:user/bob"

// userRecord is a call of user bob.
func userRecord(id, source, event, rest string) string {
	return `{"eventVersion":"1.09","eventID":"` + id + `","eventTime":"2026-01-01T00:00:00Z","eventSource":"` + source + `","eventName":"` + event +
		`","awsRegion":"us-east-1","recipientAccountId":"111122223333","tlsDetails":{"tlsVersion":"TLSv1.3"},` +
		`"userIdentity":{"type":"IAMUser","arn":"` + bob + `","accountId":"111122223333","userName":"bob"},` + rest + `}`
}

// Replay is a check that can fail: a policy that misses one of the
// counted calls does not verify, and the problem names the call.
func TestVerifyFailsWhenAStatementIsMissing(t *testing.T) {
	g := generator(t, bob,
		userRecord("e1", "s3.amazonaws.com", "GetObject", `"requestParameters":{"bucketName":"b","key":"k"}`),
		userRecord("e2", "sqs.amazonaws.com", "SendMessage", `"requestParameters":{"queueUrl":"https://sqs.us-east-1.amazonaws.com/111122223333/q"}`))
	res, err := g.Result(nil, time.Time{}, time.Time{})
	if err != nil || !res.Verification.Verified || res.Verification.Allowed != 2 {
		t.Fatalf("whole policy: %v %+v", err, res.Verification)
	}
	// The same verification with the SQS statement removed.
	var kept []Statement
	for _, s := range res.Policies[0].Statement {
		if !slices.Contains(s.Action, "sqs:SendMessage") {
			kept = append(kept, s)
		}
	}
	res.Policies = []*Document{{Version: "2012-10-17", Statement: kept}}
	res.Verification = Verification{}
	err = g.verify(res)
	var verr *VerificationError
	if !errors.As(err, &verr) || res.Verification.Verified || res.Verification.Allowed != 1 {
		t.Fatalf("policy without sqs:SendMessage: err %v, verification %+v", err, res.Verification)
	}
	if !strings.Contains(verr.Error(), "replay of sqs:SendMessage on arn:aws:sqs:us-east-1:111122223333:q") {
		t.Errorf("problem does not name the call: %v", verr)
	}
}

// Lint is a check that can fail: a call whose record names no resource
// (a throttled sts:AssumeRole, parameters null) gives the action on
// "*", every role; the policy is returned with a
// VerificationError, not as verified.
func TestVerifyFailsOnSecurityWarning(t *testing.T) {
	const role = "arn:aws:iam::111122223333:role/app"
	rec := `{"eventVersion":"1.09","eventID":"e1","eventTime":"2026-01-01T00:00:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","awsRegion":"us-east-1",` +
		`"recipientAccountId":"111122223333","errorCode":"ThrottlingException","requestParameters":null,"userIdentity":{"type":"AssumedRole",` +
		`"arn":"arn:aws:sts::111122223333:assumed-role/app/s","accountId":"111122223333","sessionContext":{"sessionIssuer":{"type":"Role","arn":"` + role + `","accountId":"111122223333","userName":"app"}}}}`
	g := generator(t, role, rec)
	res, err := g.Result(nil, time.Time{}, time.Time{})
	var verr *VerificationError
	if !errors.As(err, &verr) || res.Verification.Verified {
		t.Fatalf("err %v, verification %+v", err, res.Verification)
	}
	if res.Verification.Lint["SECURITY_WARNING"] == 0 || !strings.Contains(verr.Error(), "SECURITY_WARNING") {
		t.Errorf("lint %v; %v", res.Verification.Lint, verr)
	}
	if got := grants(res.Policy)["sts:AssumeRole"]; !slices.Equal(got, []string{"*"}) {
		t.Errorf("sts:AssumeRole on %v", got)
	}
}

// coverage.unscoped lists each resource-capable action granted on "*"
// with why, and says whether "*" is exact.
func TestCoverageUnscopedReasons(t *testing.T) {
	g := generator(t, bob,
		userRecord("e1", "ec2.amazonaws.com", "RunInstances", `"requestParameters":{"instanceType":"t3.micro","instancesSet":{"items":[{"imageId":"ami-1"}]}}`),
		userRecord("e2", "ssm.amazonaws.com", "PutParameter", `"errorCode":"ThrottlingException","requestParameters":null`),
		userRecord("e3", "ssm.amazonaws.com", "PutParameter", `"requestParameters":{"name":"/app/p"}`),
		userRecord("e4", "rds.amazonaws.com", "DescribeDBSnapshots", `"requestParameters":null`),
		userRecord("e5", "s3.amazonaws.com", "GetObject", `"requestParameters":{"bucketName":"b","key":"k"}`),
		userRecord("e6", "s3.amazonaws.com", "ListBuckets", `"requestParameters":null`))
	res, err := g.Result(nil, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Unscoped{
		{Action: "rds:DescribeDBSnapshots", Required: false, Reasons: []string{trail.UnnamedNoParameters}},
	}
	c := res.Coverage
	if len(c.Unscoped) != len(want) {
		t.Fatalf("unscoped %+v, want %+v", c.Unscoped, want)
	}
	for i := range want {
		if c.Unscoped[i].Action != want[i].Action || c.Unscoped[i].Required != want[i].Required || !slices.Equal(c.Unscoped[i].Reasons, want[i].Reasons) {
			t.Errorf("unscoped[%d] = %+v, want %+v", i, c.Unscoped[i], want[i])
		}
	}
	// s3:ListAllMyBuckets has no resource type: not resource-capable.
	if c.Actions != 5 || c.ResourceCapable != 4 || c.Scoped != 3 || c.OptionalUnnamed != 1 || c.ScopedIDUnknown != 1 || !slices.Equal(c.IDUnknown, []string{"ssm:PutParameter"}) {
		t.Errorf("coverage %+v", c)
	}
}

// Statements are grouped by service and by resource list: each holds
// one service's actions, no two (without conditions) share service and
// resources, and they come sorted by service then resources.
func TestGenerateStatementsGrouped(t *testing.T) {
	res := run(t, Options{Principal: "arn:aws:iam::111122223333:role/app"})
	seen := map[string]bool{}
	var order []string
	for _, s := range res.Policy.Statement {
		svc, _, _ := strings.Cut(s.Action[0], ":")
		for _, a := range s.Action {
			if p, _, _ := strings.Cut(a, ":"); p != svc {
				t.Errorf("%s mixes services: %v", s.Sid, s.Action)
			}
		}
		if !slices.IsSorted(s.Action) || !slices.IsSorted(s.Resource) {
			t.Errorf("%s: actions or resources not sorted: %v %v", s.Sid, s.Action, s.Resource)
		}
		if s.Condition != nil {
			continue
		}
		key := svc + "\x00" + strings.Join(s.Resource, "\x00")
		if seen[key] {
			t.Errorf("two statements of %s on %v", svc, s.Resource)
		}
		seen[key] = true
		order = append(order, key)
	}
	if !slices.IsSorted(order) {
		t.Errorf("statements not sorted by service and resources")
	}
	if len(order) < 5 {
		t.Errorf("only %d statements", len(order))
	}
}

// An EC2 action that requires several resource types is granted on ARNs
// only when the record names one of each: ec2:AttachVolume on the volume
// and the instance; with the instance missing (ec2:CreateImage without
// its instance) on "*" (a policy naming only some would refuse the call).
func TestGeneratePartialRequiredTypes(t *testing.T) {
	g := generator(t, bob,
		userRecord("e1", "ec2.amazonaws.com", "AttachVolume", `"requestParameters":{"volumeId":"vol-1","instanceId":"i-1","device":"/dev/sdf"}`),
		userRecord("e2", "ec2.amazonaws.com", "CreateImage", `"requestParameters":{"name":"x"}`))
	res, err := g.Result(nil, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	got := grants(res.Policy)
	if want := []string{"arn:aws:ec2:us-east-1:111122223333:instance/i-1", "arn:aws:ec2:us-east-1:111122223333:volume/vol-1"}; !slices.Equal(got["ec2:AttachVolume"], want) {
		t.Errorf("ec2:AttachVolume on %v, want %v", got["ec2:AttachVolume"], want)
	}
	if !slices.Equal(got["ec2:CreateImage"], []string{"*"}) {
		t.Errorf("ec2:CreateImage on %v, want *", got["ec2:CreateImage"])
	}
	var reasons []string
	for _, u := range res.Coverage.Unscoped {
		reasons = append(reasons, u.Action+": "+strings.Join(u.Reasons, ", "))
	}
	if want := []string{"ec2:CreateImage: " + reasonPartialRequired}; !slices.Equal(reasons, want) {
		t.Errorf("unscoped %v, want %v", reasons, want)
	}
}

// ec2:RunInstances is granted on every resource it is authorised on: the
// image and subnet the record names, what it creates and the default
// VPC's subnet and security group as TYPE/*. A launch naming nothing, and
// a denied launch whose message names only the instance, get the same
// resources with the unnamed ones as TYPE/*. The policy verifies, and
// without the subnet it does not (the replay asks for each resource).
func TestGenerateRunInstances(t *testing.T) {
	const a = "arn:aws:ec2:us-east-1:111122223333:"
	g := generator(t, bob,
		userRecord("e1", "ec2.amazonaws.com", "RunInstances", `"requestParameters":{"instancesSet":{"items":[{"imageId":"ami-1","minCount":1,"maxCount":1}]},"instanceType":"t3.micro","subnetId":"subnet-1","keyName":"ops","tagSpecificationSet":{"items":[{"resourceType":"instance","tags":[{"key":"k","value":"v"}]}]}}`),
		userRecord("e2", "ec2.amazonaws.com", "RunInstances", `"requestParameters":{"instanceType":"t3.micro"}`),
		userRecord("e3", "ec2.amazonaws.com", "RunInstances", `"errorCode":"Client.UnauthorizedOperation","errorMessage":"You are not authorized to perform this operation. User: `+bob+` is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:us-east-1:111122223333:instance/*","requestParameters":{"instanceType":"t3.micro","instancesSet":{"items":[{"imageId":"ami-2"}]}}`))
	res, err := g.Result(nil, time.Time{}, time.Time{})
	if err != nil || !res.Verification.Verified {
		t.Fatalf("err %v, verification %+v", err, res.Verification)
	}
	// image/ami-1, image/ami-2 and subnet/subnet-1 are named too, and
	// left out as image/* and subnet/* cover them.
	want := []string{"arn:aws:ec2:us-east-1::image/*",
		a + "instance/*", a + "key-pair/ops", a + "network-interface/*", a + "security-group/*", a + "subnet/*", a + "volume/*"}
	slices.Sort(want)
	got := grants(res.Policy)
	if !slices.Equal(got["ec2:RunInstances"], want) {
		t.Errorf("ec2:RunInstances on %v, want %v", got["ec2:RunInstances"], want)
	}
	if want := []string{a + "instance/*"}; !slices.Equal(got["ec2:CreateTags"], want) {
		t.Errorf("ec2:CreateTags on %v, want %v", got["ec2:CreateTags"], want)
	}
	if c := res.Coverage; c.Scoped != c.ResourceCapable || len(c.Unscoped) != 0 {
		t.Errorf("coverage %+v", c)
	}
	// The replay asks for the subnet: a policy without it does not verify.
	var kept []Statement
	for _, s := range res.Policies[0].Statement {
		s.Resource = slices.DeleteFunc(slices.Clone(s.Resource), func(r string) bool { return strings.HasSuffix(r, ":subnet/*") })
		if len(s.Resource) > 0 {
			kept = append(kept, s)
		}
	}
	res.Policies = []*Document{{Version: "2012-10-17", Statement: kept}}
	res.Verification = Verification{}
	var verr *VerificationError
	if err := g.verify(res); !errors.As(err, &verr) || !strings.Contains(verr.Error(), "replay of ec2:RunInstances on "+a+"subnet/*") {
		t.Errorf("policy without subnet/*: %v", err)
	}
}

// A call whose resource type is required but whose record names no ID
// of it (a throttled ssm:PutParameter logged without parameters, a
// DetachNetworkInterface named by attachment, DescribeAlarms without
// names) is granted on any resource of the type in the record's account
// and Region, counted apart in coverage; the policy verifies.
func TestGenerateIDUnknown(t *testing.T) {
	const a = "arn:aws:"
	g := generator(t, bob,
		userRecord("e1", "ssm.amazonaws.com", "PutParameter", `"errorCode":"ThrottlingException","requestParameters":null`),
		userRecord("e2", "ssm.amazonaws.com", "PutParameter", `"requestParameters":{"name":"/app/p","type":"String"}`),
		userRecord("e3", "ec2.amazonaws.com", "DetachNetworkInterface", `"requestParameters":{"attachmentId":"eni-attach-1","force":false}`),
		userRecord("e4", "monitoring.amazonaws.com", "DescribeAlarms", `"requestParameters":{"stateValue":"ALARM"}`),
		userRecord("e5", "s3.amazonaws.com", "GetObject", `"requestParameters":{"bucketName":"b","key":"k"}`))
	res, err := g.Result(nil, time.Time{}, time.Time{})
	if err != nil || !res.Verification.Verified {
		t.Fatalf("err %v, verification %+v", err, res.Verification)
	}
	got := grants(res.Policy)
	for action, want := range map[string][]string{
		"ssm:PutParameter":           {a + "ssm:us-east-1:111122223333:parameter/*"}, // parameter/app/p is covered
		"ec2:DetachNetworkInterface": {a + "ec2:us-east-1:111122223333:instance/*", a + "ec2:us-east-1:111122223333:network-interface/*"},
		"cloudwatch:DescribeAlarms":  {a + "cloudwatch:us-east-1:111122223333:alarm:*"},
	} {
		if !slices.Equal(got[action], want) {
			t.Errorf("%s on %v, want %v", action, got[action], want)
		}
	}
	c := res.Coverage
	if want := []string{"cloudwatch:DescribeAlarms", "ec2:DetachNetworkInterface", "ssm:PutParameter"}; c.Scoped != 4 || c.ScopedIDUnknown != 3 || !slices.Equal(c.IDUnknown, want) || len(c.Unscoped) != 0 {
		t.Errorf("coverage %+v", c)
	}
}
