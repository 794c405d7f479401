package collect

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/iamwhy/iamwhy/snapshot"
	"github.com/iamwhy/iamwhy/snapshot/collect/collecttest"
)

func fakeConfig(t *testing.T) (aws.Config, *collecttest.Client) {
	fake := &collecttest.Client{T: t, Dir: "testdata/aws"}
	return aws.Config{
		Region:      "eu-west-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIA111122223333TEST", "secret", ""),
		HTTPClient:  fake,
	}, fake
}

func TestCollectWritesALoadableEnvironment(t *testing.T) {
	cfg, fake := fakeConfig(t)
	out := t.TempDir()
	var progress []Progress
	sum, err := Collect(context.Background(), Options{
		Config: cfg, Regions: []string{"eu-west-1"}, AssumeRoleName: "OrganizationAccountAccessRole",
		OutDir: out, Workers: 4,
		Progress: func(p Progress) { progress = append(progress, p) },
		Now:      func() time.Time { return time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		t.Fatal(err)
	}
	// The suspended account is in the tree but not collected.
	if !slices.Equal(sum.Accounts, []string{"111122223333", "444455556666"}) || !sum.Organization {
		t.Errorf("summary = %+v", sum)
	}
	if len(sum.Problems) != 1 || !strings.Contains(sum.Problems[0], "kms 444455556666 eu-west-1: AccessDeniedException") {
		t.Errorf("problems = %q", sum.Problems)
	}
	if n := len(progress); n == 0 || progress[n-1].Done != progress[n-1].Total {
		t.Errorf("progress = %+v", progress)
	}
	for _, c := range fake.Calls() {
		op := strings.SplitN(strings.Fields(c)[1], ".", 3)[1]
		if !(strings.HasPrefix(op, "List") || strings.HasPrefix(op, "Get") || strings.HasPrefix(op, "Describe") || op == "AssumeRole") {
			t.Errorf("a call that is not read-only: %s", c)
		}
	}

	env, err := snapshot.LoadFile(out, snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(env.Warnings) != 0 || len(env.Missing) != 0 {
		t.Errorf("warnings %q, missing %q", env.Warnings, env.Missing)
	}
	s := env.Stats
	if s.Users != 1 || s.Groups != 1 || s.Roles != 2 || s.Pages != 3 || s.NonDefaultVersions != 1 {
		t.Errorf("stats = %+v", s)
	}
	// Documents URL-encoded by the IAM API were written as JSON objects.
	p, err := env.Principal("arn:aws:sts::111122223333:assumed-role/cfg-reader/s")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Policies) != 2 || p.Policies[0].Document.Encoding != snapshot.EncodingObject ||
		!strings.Contains(string(p.Policies[0].Document.JSON), `"s3:GetObject"`) || p.Boundary == nil {
		t.Errorf("principal = %+v", p)
	}
	if p.Role.LastUsedRegion != "eu-west-1" || p.Role.Path != "/service-role/" {
		t.Errorf("role = %+v", p.Role)
	}
	if _, err := env.Principal("arn:aws:iam::444455556666:role/OrganizationAccountAccessRole"); err != nil {
		t.Error(err)
	}
	// Organisation: SCPs and RCPs per level, policies as DescribePolicy gave them.
	levels, governed := env.SCPLevels("444455556666")
	if !governed || len(levels) != 3 || len(levels[1].Policies) != 2 || levels[1].Policies[1].ID != "p-region12" {
		t.Errorf("SCP levels = %+v", levels)
	}
	rl, _ := env.RCPLevels("444455556666")
	if len(rl) != 3 || len(rl[1].Policies) != 2 || rl[1].Policies[1].ID != "p-orgonly1" {
		t.Errorf("RCP levels = %+v", rl)
	}
	if env.OrgID() != "o-abc1234567" || !env.IsManagementAccount("111122223333") {
		t.Errorf("org id %s", env.OrgID())
	}
	if _, in := env.AccountOrgID("777788889999"); !in {
		t.Error("the suspended account is in the tree")
	}
	tests := []struct {
		arn     string
		policy  bool
		account string
		bpa     bool
	}{
		{"arn:aws:s3:::cfg-bucket/a/b.json", true, "111122223333", true},
		{"arn:aws:s3:::logs-bucket", false, "111122223333", false},
		{"arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", true, "111122223333", false},
		{"arn:aws:sqs:eu-west-1:111122223333:cfg-events", true, "111122223333", false},
		{"arn:aws:sns:eu-west-1:111122223333:alerts", true, "111122223333", false},
		{"arn:aws:lambda:eu-west-1:111122223333:function:cfg-loader", true, "111122223333", false},
		{"arn:aws:lambda:eu-west-1:111122223333:function:no-policy", false, "111122223333", false},
		{"arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-password-AbCdEf", false, "111122223333", false},
		{"arn:aws:ecr:eu-west-1:111122223333:repository/app", true, "111122223333", false},
		{"arn:aws:ec2:eu-west-1:111122223333:vpc-endpoint/vpce-0123456789abcdef0", true, "111122223333", false},
	}
	for _, tc := range tests {
		l, err := env.Resource(tc.arn)
		if err != nil {
			t.Fatal(err)
		}
		if !l.Known || (l.Policy != nil) != tc.policy || l.Account != tc.account || (l.BlockPublicAccess != nil) != tc.bpa {
			t.Errorf("%s: %+v", tc.arn, l)
		}
	}
	if _, ok := env.VPCEndpoint("vpce-0123456789abcdef0"); !ok {
		t.Error("VPC endpoint not found by id")
	}
	checkS3KMSSettings(t, env)
	data, err := os.ReadFile(filepath.Join(out, "environment.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "at: \"2026-11-24T12:00:00Z\"") && !strings.Contains(string(data), "at: 2026-11-24T12:00:00Z") {
		t.Errorf("environment.yaml:\n%s", data)
	}
}

func TestCollectWithoutOrganizationReadsOnlyTheCallersAccount(t *testing.T) {
	cfg, _ := fakeConfig(t)
	dir := t.TempDir()
	// A recording set where DescribeOrganization says the account is in
	// no organisation: copy the account's recordings and replace it.
	src := filepath.Join("testdata", "aws", "111122223333")
	dst := filepath.Join(dir, "111122223333")
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dst, "organizations.DescribeOrganization.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dst, "organizations.DescribeOrganization.400.json"),
		[]byte(`{"__type":"AWSOrganizationsNotInUseException","Message":"Your account is not a member of an organization."}`), 0o644); err != nil {
		t.Fatal(err)
	}
	fake := cfg.HTTPClient.(*collecttest.Client)
	fake.Dir = dir
	out := t.TempDir()
	sum, err := Collect(context.Background(), Options{Config: cfg, AssumeRoleName: "OrganizationAccountAccessRole", OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Organization || !slices.Equal(sum.Accounts, []string{"111122223333"}) || len(sum.Problems) != 0 {
		t.Errorf("summary = %+v", sum)
	}
	env, err := snapshot.LoadFile(out, snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if env.Organization != nil {
		t.Error("an organisation was written")
	}
	if _, governed := env.SCPLevels("111122223333"); governed {
		t.Error("an account in no organisation is governed by SCPs")
	}
}

func TestCollectNeedsAnIdentity(t *testing.T) {
	cfg, fake := fakeConfig(t)
	fake.Dir = t.TempDir()
	if err := os.MkdirAll(filepath.Join(fake.Dir, "111122223333"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fake.Dir, "111122223333", "sts.GetCallerIdentity.400.xml"), []byte(`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error>
  <RequestId>81234567-89ab-cdef-0123-456789abcdef</RequestId>
</ErrorResponse>`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Collect(context.Background(), Options{Config: cfg, OutDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "GetCallerIdentity") || !strings.Contains(err.Error(), "InvalidClientTokenId") {
		t.Fatalf("err = %v", err)
	}
	if errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}

func ExampleCollect() {
	// Collect the caller's organisation in two regions, assuming
	// OrganizationAccountAccessRole in each member account. The
	// configuration would come from config.LoadDefaultConfig.
	var cfg aws.Config
	sum, err := Collect(context.Background(), Options{
		Config: cfg, Regions: []string{"eu-west-1", "us-east-1"},
		AssumeRoleName: "OrganizationAccountAccessRole", OutDir: "env",
	})
	if err != nil {
		return
	}
	_ = sum.EnvironmentFile // load it with snapshot.LoadFile
}

func TestCollectReplacesItsOwnOutputOnly(t *testing.T) {
	cfg, _ := fakeConfig(t)
	out := t.TempDir()
	opts := Options{Config: cfg, AssumeRoleName: "OrganizationAccountAccessRole", OutDir: out}
	if _, err := Collect(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	// A record of a resource deleted since the last collection goes away.
	stale := filepath.Join(out, "resources", "111122223333", "s3", "eu-west-1", "deleted-bucket.json")
	if err := os.WriteFile(stale, []byte(`{"arn": "arn:aws:s3:::deleted-bucket", "account": "111122223333"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Collect(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale record is still there: %v", err)
	}
	// A directory collect did not write is refused, and left alone.
	other := t.TempDir()
	mine := filepath.Join(other, "notes.txt")
	if err := os.WriteFile(mine, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	opts.OutDir = other
	if _, err := Collect(context.Background(), opts); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Error(err)
	}
}
