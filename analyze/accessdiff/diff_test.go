package accessdiff

import (
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/policy"
)

func parse(t *testing.T, name, doc string, typ policy.Type) *policy.Policy {
	t.Helper()
	p, err := policy.Parse([]byte(doc), policy.Options{Type: typ, Source: name})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return p
}

// summary is "action resource [conditions]" for each access.
func summary(as []Access) []string {
	var out []string
	for _, a := range as {
		s := a.Action + " " + a.Resource
		for _, c := range a.Conditions {
			s += " " + c.Key + "=" + strings.Join(c.Values, ",")
		}
		out = append(out, s)
	}
	return out
}

func has(list []string, want string) bool {
	for _, s := range list {
		if s == want {
			return true
		}
	}
	return false
}

const readReports = `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],
 "Resource":["arn:aws:s3:::data/reports/*","arn:aws:s3:::data"]}]}`

// The rewrites the documented semantics make equivalent show no
// difference (IAM User Guide, "Policy evaluation logic": statements are
// unordered and OR-ed; Sids are labels; action names are case-insensitive).
func TestEquivalentRewritesAreNoDifference(t *testing.T) {
	for _, tc := range []struct{ name, old, new string }{
		{"identical", readReports, readReports},
		{"reordered", readReports, `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":["s3:ListBucket","s3:GetObject"],
		 "Resource":["arn:aws:s3:::data","arn:aws:s3:::data/reports/*"]}]}`},
		{"split and renamed", readReports, `{"Version":"2012-10-17","Statement":[
		 {"Sid":"Objects","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/reports/*"},
		 {"Sid":"Objects2","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data"},
		 {"Effect":"Allow","Action":"s3:ListBucket","Resource":["arn:aws:s3:::data/reports/*","arn:aws:s3:::data"]}]}`},
		{"action case", readReports, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["S3:getobject","s3:listbucket"],
		 "Resource":["arn:aws:s3:::data/reports/*","arn:aws:s3:::data"]}]}`},
		{"equivalent wildcards", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:*Message*","sqs:*"],"Resource":["*","arn:aws:sqs:*:*:*"]}]}`},
		{"condition values reordered", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*",
		  "Condition":{"StringEquals":{"aws:RequestedRegion":["eu-west-1","us-east-1"]}}}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*",
		  "Condition":{"StringEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Policies(parse(t, "old.json", tc.old, policy.TypeIdentity), parse(t, "new.json", tc.new, policy.TypeIdentity), policy.TypeIdentity, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.NewAccess)+len(r.RemovedAccess) != 0 {
				t.Errorf("new %v removed %v, want none", summary(r.NewAccess), summary(r.RemovedAccess))
			}
			if r.Requests == 0 {
				t.Error("no request was decided")
			}
		})
	}
}

func TestDifferencesAreFound(t *testing.T) {
	for _, tc := range []struct {
		name, old, new string
		typ            policy.Type
		newAccess      []string
		removed        []string
	}{
		{"action added", readReports, `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket","s3:DeleteObject"],
		 "Resource":["arn:aws:s3:::data/reports/*","arn:aws:s3:::data"]}]}`, policy.TypeIdentity,
			[]string{"s3:DeleteObject arn:aws:s3:::data/reports/*"}, nil},
		{"resource widened", readReports, `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],
		 "Resource":["arn:aws:s3:::data/*","arn:aws:s3:::data"]}]}`, policy.TypeIdentity,
			[]string{"s3:GetObject arn:aws:s3:::data/*"}, nil},
		{"condition removed", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*",
		  "Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}`, policy.TypeIdentity,
			[]string{"s3:GetObject arn:aws:s3:::data/*"}, nil},
		{"condition narrowed", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*",
		  "Condition":{"StringEquals":{"aws:RequestedRegion":["eu-west-1","us-east-1"]}}}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*",
		  "Condition":{"StringEquals":{"aws:RequestedRegion":["us-east-1"]}}}]}`, policy.TypeIdentity,
			nil, []string{"ec2:DescribeInstances * aws:RequestedRegion=eu-west-1"}},
		{"deny removed", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},
		  {"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, policy.TypeIdentity,
			[]string{"s3:DeleteBucket *"}, nil},
		{"SCP guardrail loosened", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["organizations:LeaveOrganization","iam:CreateUser"],"Resource":"*"}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`, policy.TypeSCP,
			[]string{"iam:CreateUser *"}, nil},
		{"bucket policy grants another account", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},
		  "Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:role/app","444455556666"]},
		  "Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}`, policy.TypeResource,
			[]string{"s3:GetObject arn:aws:s3:::data/*"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Policies(parse(t, "old.json", tc.old, tc.typ), parse(t, "new.json", tc.new, tc.typ), tc.typ, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got, rem := summary(r.NewAccess), summary(r.RemovedAccess)
			for _, w := range tc.newAccess {
				if !has(got, w) {
					t.Errorf("new access lacks %q; got %v", w, got)
				}
			}
			if tc.newAccess == nil && len(got) > 0 {
				t.Errorf("new access %v, want none", got)
			}
			for _, w := range tc.removed {
				if !has(rem, w) {
					t.Errorf("removed access lacks %q; got %v", w, rem)
				}
			}
			if tc.removed == nil && len(rem) > 0 {
				t.Errorf("removed access %v, want none", rem)
			}
			for _, a := range r.NewAccess {
				if a.GrantedBy == nil || a.GrantedBy.Location == "" {
					t.Errorf("%s: no granting statement", a.Action)
				}
			}
		})
	}
}

func TestResourcePolicyNewPrincipalIsNamed(t *testing.T) {
	old := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:111122223333:q"}]}`
	nw := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:111122223333:q"}]}`
	r, err := Policies(parse(t, "old.json", old, policy.TypeResource), parse(t, "new.json", nw, policy.TypeResource), policy.TypeResource, Options{})
	if err != nil {
		t.Fatal(err)
	}
	anyone := false
	for _, a := range r.NewAccess {
		if strings.Contains(a.Principal, "999988887777") && a.Action == "sqs:SendMessage" {
			anyone = true
		}
	}
	if !anyone {
		t.Fatalf("a public grant shows no new access for an unnamed account: %+v", r.NewAccess)
	}
}

func TestTrustPolicyNewPrincipal(t *testing.T) {
	old := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	nw := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"},
	 {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole"}]}`
	r, err := Policies(parse(t, "old.json", old, policy.TypeTrust), parse(t, "new.json", nw, policy.TypeTrust), policy.TypeTrust, Options{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range r.NewAccess {
		if strings.Contains(a.Principal, "444455556666") && a.Action == "sts:AssumeRole" {
			found = true
		}
		if strings.Contains(a.Principal, "lambda") {
			t.Errorf("the unchanged service principal shows as new: %+v", a)
		}
	}
	if !found {
		t.Fatalf("the new cross-account trust is not found: %+v", r.NewAccess)
	}
}
