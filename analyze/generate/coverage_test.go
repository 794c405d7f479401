package generate

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/iamwhy/iamwhy/analyze/internal/benchtrail"
	"github.com/iamwhy/iamwhy/trail"
)

// samplesDir holds the CloudTrail samples bundled with the repository.
var samplesDir = filepath.Join("..", "..", "testdata", "cloudtrail")

// samplePrincipals are the users and roles that made calls in the
// samples.
func samplePrincipals(t *testing.T) []string {
	return trailPrincipals(t, samplesDir)
}

// trailPrincipals are the users and roles that made calls in a trail.
func trailPrincipals(t *testing.T, dir string) []string {
	t.Helper()
	var mu sync.Mutex
	set := map[string]bool{}
	_, err := trail.Read(context.Background(), []string{dir}, trail.Options{}, func(r *trail.Record) error {
		mu.Lock()
		defer mu.Unlock()
		switch r.UserIdentity.Type {
		case "IAMUser":
			if r.UserIdentity.ARN != "" {
				set[r.UserIdentity.ARN] = true
			}
		case "AssumedRole":
			if a := r.UserIdentity.SessionContext.SessionIssuer.ARN; a != "" {
				set[a] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// trailCoverage is generate's coverage summed over every principal of a
// trail.
type trailCoverage struct {
	principals, verified        int
	counted, mapped             int64
	capable, scoped, starNeeded int
	idUnknown                   int // of scoped, those on account-and-Region ARNs for some calls
	idUnknownActions            []string
	failures                    map[string]string
	// byReason counts the unscoped actions (per principal) by whether a
	// resource type is required and why the records named none;
	// actions lists them.
	byReason map[string]int
	actions  map[string][]string
}

// Floors the bundled samples reach; they only go up. minStated is the
// share of resource-capable actions stated exactly (scoped, or rightly
// "*"), minScoped the share scoped to ARNs.
const (
	minStated = 1.0
	minScoped = 0.945
)

func measureSamples(t *testing.T) trailCoverage {
	return measureTrail(t, samplesDir, samplePrincipals(t), true)
}

func measureTrail(t *testing.T, dir string, principals []string, includeDenied bool) trailCoverage {
	t.Helper()
	c := trailCoverage{failures: map[string]string{}, byReason: map[string]int{}, actions: map[string][]string{}}
	for _, p := range principals {
		res, _, err := FromTrail(context.Background(), []string{dir}, trail.Options{}, Options{Principal: p, IncludeDenied: includeDenied})
		var verr *VerificationError
		if err != nil && !errors.As(err, &verr) {
			t.Fatalf("%s: %v", p, err)
		}
		c.principals++
		c.counted += res.Events.Counted
		c.mapped += res.Coverage.EventsMapped
		c.capable += res.Coverage.ResourceCapable
		c.scoped += res.Coverage.Scoped
		c.starNeeded += res.Coverage.OptionalUnnamed
		c.idUnknown += res.Coverage.ScopedIDUnknown
		c.idUnknownActions = append(c.idUnknownActions, res.Coverage.IDUnknown...)
		if res.Verification.Verified {
			c.verified++
		} else {
			c.failures[p] = err.Error()
		}
		if n := len(res.Coverage.Unscoped); n != res.Coverage.ResourceCapable-res.Coverage.Scoped {
			t.Errorf("%s: %d unscoped actions listed, %d counted", p, n, res.Coverage.ResourceCapable-res.Coverage.Scoped)
		}
		for _, u := range res.Coverage.Unscoped {
			kind := "no resource type required (\"*\" is exact)"
			if u.Required {
				kind = "a resource type required"
			}
			key := kind + ": " + strings.Join(u.Reasons, "; ")
			c.byReason[key]++
			c.actions[key] = append(c.actions[key], u.Action)
		}
	}
	return c
}

// log prints the figures docs/generate.md records.
func (c trailCoverage) log(t *testing.T, name string) {
	t.Helper()
	t.Logf("%s: principals %d, verified %d; events counted %d, mapped %d (%.1f%%); resource-capable actions %d, scoped to ARNs %d (%.1f%%), on \"*\" with no resource type required %d (%.1f%%), scoped or rightly \"*\" %.1f%%",
		name, c.principals, c.verified, c.counted, c.mapped, 100*float64(c.mapped)/float64(max(c.counted, 1)),
		c.capable, c.scoped, 100*float64(c.scoped)/float64(max(c.capable, 1)),
		c.starNeeded, 100*float64(c.starNeeded)/float64(max(c.capable, 1)), 100*float64(c.scoped+c.starNeeded)/float64(max(c.capable, 1)))
	sort.Strings(c.idUnknownActions)
	t.Logf("  scoped to account and Region, ID unknown for some calls: %d (%.1f%%): %s; scoped to named resources: %d (%.1f%%)", c.idUnknown,
		100*float64(c.idUnknown)/float64(max(c.capable, 1)), strings.Join(slices.Compact(c.idUnknownActions), ", "),
		c.scoped-c.idUnknown, 100*float64(c.scoped-c.idUnknown)/float64(max(c.capable, 1)))
	for _, k := range sortedSet(boolSet(keys(c.byReason))) {
		a := c.actions[k]
		sort.Strings(a)
		t.Logf("  unscoped, %s: %d (%.1f%%): %s", k, c.byReason[k], 100*float64(c.byReason[k])/float64(max(c.capable, 1)), strings.Join(slices.Compact(a), ", "))
	}
}

// The figures the documentation gives for the bundled samples: every
// event maps to an action, resource-capable actions are scoped to ARNs,
// and every principal's policy verifies except where the samples'
// records themselves are malformed.
func TestCoverageOnSamples(t *testing.T) {
	c := measureSamples(t)
	c.log(t, "bundled samples")
	if c.mapped != c.counted {
		t.Errorf("%d of %d events mapped, want all", c.mapped, c.counted)
	}
	for p, e := range c.failures {
		// The Stratus Red Team samples were anonymised with invented
		// Regions ("us-northeast-1r"), which lint rightly refuses in an
		// ARN; one SSO session ARN lost its session name.
		if strings.Contains(e, "INVALID_ARN_REGION") || strings.Contains(e, "cannot tell what kind of principal") {
			continue
		}
		t.Errorf("%s: %s", p, e)
	}
	if got := float64(c.scoped+c.starNeeded) / float64(c.capable); got < minStated {
		t.Errorf("%.1f%% of resource-capable actions scoped or rightly on \"*\", want at least %.0f%%", 100*got, 100*minStated)
	}
	if got := float64(c.scoped) / float64(c.capable); got < minScoped {
		t.Errorf("%.1f%% of resource-capable actions scoped, want at least %.1f%%", 100*got, 100*minScoped)
	}
}

// The same figures on a generated trail (analyze/internal/benchtrail, the
// benchmarks' set: role sessions calling S3, SQS, DynamoDB, Lambda, IAM,
// STS and KMS), and, with IAMWHY_COVERAGE_TRAIL set to a trail directory
// (such as one trail/internal/gen/gentrail writes), on that trail for
// the principals IAMWHY_COVERAGE_PRINCIPALS names (space-separated; all
// principals of the trail when unset).
func TestCoverageOnGeneratedTrail(t *testing.T) {
	dir, principals := os.Getenv("IAMWHY_COVERAGE_TRAIL"), strings.Fields(os.Getenv("IAMWHY_COVERAGE_PRINCIPALS"))
	if dir == "" {
		dir = t.TempDir()
		if _, err := benchtrail.Write(dir, 20000, 20); err != nil {
			t.Fatal(err)
		}
	}
	if len(principals) == 0 {
		principals = trailPrincipals(t, dir)
	}
	c := measureTrail(t, dir, principals, true)
	c.log(t, dir)
	if c.principals == 0 || c.mapped != c.counted {
		t.Errorf("%d principals; %d of %d events mapped, want all", c.principals, c.mapped, c.counted)
	}
	for p, e := range c.failures {
		t.Errorf("%s: %s", p, e)
	}
	if os.Getenv("IAMWHY_COVERAGE_TRAIL") == "" && c.scoped != c.capable {
		// Every call of the benchmarks' set names its resource.
		t.Errorf("%d of %d resource-capable actions scoped, want all", c.scoped, c.capable)
	}
}

// Calls that really used iam:AttachUserPolicy (Stratus Red Team's
// persistence technique) are granted on the user they named, so the
// policy covers them without the privilege-escalation warning a "*"
// would deserve.
func TestGenerateAttachUserPolicyScoped(t *testing.T) {
	res, _, err := FromTrail(context.Background(), []string{filepath.Join(samplesDir, "stratus-red-team", "aws.persistence.iam-create-admin-user.json")},
		trail.Options{}, Options{Principal: "arn:aws:iam::229654561268:user/christophe"})
	if err != nil {
		t.Fatal(err)
	}
	if got := grants(res.Policy)["iam:AttachUserPolicy"]; len(got) != 1 || got[0] != "arn:aws:iam::229654561268:user/malicious-iam-user" {
		t.Errorf("iam:AttachUserPolicy granted on %v", got)
	}
	if !res.Verification.Verified || res.Verification.Lint["SECURITY_WARNING"] != 0 {
		t.Errorf("verification %+v", res.Verification)
	}
}

// An EC2 create call is authorised on the resource it makes, whose ID is
// not known before the call: two CreateVpc calls, and a denied one with
// no response, are all covered by ec2:CreateVpc on vpc/* of the Region
// and account, not on the IDs their responses gave (a policy naming those
// would refuse the next call).
func TestGenerateCreatedResources(t *testing.T) {
	rec := func(id, vpc string) string {
		return `{"eventVersion":"1.09","eventID":"00000000-0000-4000-8000-00000000000` + id + `","eventTime":"2026-01-01T00:00:0` + id + `Z","eventSource":"ec2.amazonaws.com","eventName":"CreateVpc","awsRegion":"us-east-1","recipientAccountId":"111122223333",
		 "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/bob","accountId":"111122223333"},
		 "requestParameters":{"cidrBlock":"10.0.0.0/16"},"responseElements":{"requestId":"r` + id + `","vpc":{"vpcId":"` + vpc + `"}}}`
	}
	denied := `{"eventVersion":"1.09","eventID":"00000000-0000-4000-8000-000000000003","eventTime":"2026-01-01T00:00:03Z","eventSource":"ec2.amazonaws.com","eventName":"CreateVpc","awsRegion":"us-east-1","recipientAccountId":"111122223333",
		 "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/bob","accountId":"111122223333"},"errorCode":"Client.UnauthorizedOperation",
		 "requestParameters":{"cidrBlock":"10.1.0.0/16"},"responseElements":null}`
	path := filepath.Join(t.TempDir(), "t.json")
	if err := os.WriteFile(path, []byte(`{"Records":[`+rec("1", "vpc-1")+`,`+rec("2", "vpc-2")+`,`+denied+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	res, _, err := FromTrail(context.Background(), []string{path}, trail.Options{Serial: true}, Options{Principal: "arn:aws:iam::111122223333:user/bob", IncludeDenied: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"arn:aws:ec2:us-east-1:111122223333:vpc/*"}
	if got := grants(res.Policy)["ec2:CreateVpc"]; !slices.Equal(got, want) {
		t.Errorf("ec2:CreateVpc on %v, want %v", got, want)
	}
	if res.Events.Counted != 3 || res.Coverage.Scoped != 1 || !res.Verification.Verified {
		t.Errorf("events %+v, coverage %+v, verification %+v", res.Events, res.Coverage, res.Verification)
	}
}
