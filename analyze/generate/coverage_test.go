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

	"github.com/iamwhy/iamwhy/trail"
)

// samplesDir holds the CloudTrail samples bundled with the repository.
var samplesDir = filepath.Join("..", "..", "testdata", "cloudtrail")

// samplePrincipals are the users and roles that made calls in the
// samples.
func samplePrincipals(t *testing.T) []string {
	t.Helper()
	var mu sync.Mutex
	set := map[string]bool{}
	_, err := trail.Read(context.Background(), []string{samplesDir}, trail.Options{}, func(r *trail.Record) error {
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

// sampleCoverage is generate's coverage summed over every principal of
// the samples.
type sampleCoverage struct {
	principals, verified        int
	counted, mapped             int64
	capable, scoped, starNeeded int
	failures                    map[string]string
}

// minStated is the share of resource-capable actions stated exactly
// (scoped, or rightly "*") that the samples reach; it only goes up.
const minStated = 0.95

func measureSamples(t *testing.T) sampleCoverage {
	c := sampleCoverage{failures: map[string]string{}}
	for _, p := range samplePrincipals(t) {
		res, _, err := FromTrail(context.Background(), []string{samplesDir}, trail.Options{}, Options{Principal: p, IncludeDenied: true})
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
		if res.Verification.Verified {
			c.verified++
		} else {
			c.failures[p] = err.Error()
		}
	}
	return c
}

// The figures the documentation gives for the bundled samples: every
// event maps to an action, resource-capable actions are scoped to ARNs,
// and every principal's policy verifies except where the samples'
// records themselves are malformed.
func TestCoverageOnSamples(t *testing.T) {
	c := measureSamples(t)
	t.Logf("principals %d, verified %d; events counted %d, mapped %d; resource-capable actions %d, scoped %d (%.1f%%), on \"*\" because the call named no resource of an optional type %d, scoped or rightly \"*\" %.1f%%",
		c.principals, c.verified, c.counted, c.mapped, c.capable, c.scoped, 100*float64(c.scoped)/float64(c.capable),
		c.starNeeded, 100*float64(c.scoped+c.starNeeded)/float64(c.capable))
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

// Two create calls with the same request make two resources: each is
// granted, though the calls look alike (the cache of rebuilt calls must
// not reuse the first's response).
func TestGenerateCreatedResourcesNotCached(t *testing.T) {
	rec := func(id, vpc string) string {
		return `{"eventVersion":"1.09","eventID":"00000000-0000-4000-8000-00000000000` + id + `","eventTime":"2026-01-01T00:00:0` + id + `Z","eventSource":"ec2.amazonaws.com","eventName":"CreateVpc","awsRegion":"us-east-1","recipientAccountId":"111122223333",
		 "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/bob","accountId":"111122223333"},
		 "requestParameters":{"cidrBlock":"10.0.0.0/16"},"responseElements":{"requestId":"r` + id + `","vpc":{"vpcId":"` + vpc + `"}}}`
	}
	path := filepath.Join(t.TempDir(), "t.json")
	if err := os.WriteFile(path, []byte(`{"Records":[`+rec("1", "vpc-1")+`,`+rec("2", "vpc-2")+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	res, _, err := FromTrail(context.Background(), []string{path}, trail.Options{Serial: true}, Options{Principal: "arn:aws:iam::111122223333:user/bob"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"arn:aws:ec2:us-east-1:111122223333:vpc/vpc-1", "arn:aws:ec2:us-east-1:111122223333:vpc/vpc-2"}
	if got := grants(res.Policy)["ec2:CreateVpc"]; !slices.Equal(got, want) {
		t.Errorf("ec2:CreateVpc on %v, want %v", got, want)
	}
}
