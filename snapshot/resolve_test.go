package snapshot

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func policyNames(ps []IdentityPolicy) []string {
	var out []string
	for _, p := range ps {
		n := p.Name
		if p.Group != "" {
			n = p.Group + ":" + n
		}
		if p.Document == nil {
			n += "(missing)"
		}
		out = append(out, n)
	}
	return out
}

func TestPrincipalResolution(t *testing.T) {
	env := loadExample(t)
	tests := []struct {
		rule        string
		arn         string
		kind        PrincipalKind
		account     string
		policies    []string
		boundary    string
		tags        string
		principal   string // aws:PrincipalArn
		ptype       string // aws:PrincipalType
		serviceLink bool
	}{
		{
			rule: "a user has its own policies then each group's inline and managed policies",
			arn:  "arn:aws:iam::111122223333:user/alice", kind: PrincipalUser, account: "111122223333",
			policies: []string{"developers:assume-developer", "developers:IAMUserChangePassword"},
			tags:     "team=payments", principal: "arn:aws:iam::111122223333:user/alice", ptype: "User",
		},
		{
			rule: "an assumed-role session resolves to its role (named without its path)",
			arn:  "arn:aws:sts::111122223333:assumed-role/config-reader/config-loader", kind: PrincipalAssumedRole, account: "111122223333",
			policies:  []string{"read-config", "AWSLambdaBasicExecutionRole"},
			tags:      "app=config-loader",
			principal: "arn:aws:iam::111122223333:role/service-role/config-reader", ptype: "AssumedRole",
		},
		{
			rule: "a role has its managed policies and its permissions boundary",
			arn:  "arn:aws:iam::111122223333:role/developer", kind: PrincipalRole, account: "111122223333",
			policies: []string{"DeveloperAccess"}, boundary: "DeveloperBoundary",
			principal: "arn:aws:iam::111122223333:role/developer", ptype: "AssumedRole",
		},
		{
			rule: "an AWS managed policy included in another account's file is shared",
			arn:  "arn:aws:iam::111122223333:role/OrganizationAccountAccessRole", kind: PrincipalRole, account: "111122223333",
			policies:  []string{"AdministratorAccess"},
			principal: "arn:aws:iam::111122223333:role/OrganizationAccountAccessRole", ptype: "AssumedRole",
		},
		{
			rule: "the root user of a known account has no identity policies",
			arn:  "arn:aws:iam::444455556666:root", kind: PrincipalRoot, account: "444455556666",
			principal: "arn:aws:iam::444455556666:root", ptype: "Account",
		},
		{
			rule: "a bare account id is the account's root user",
			arn:  "444455556666", kind: PrincipalRoot, account: "444455556666",
			principal: "arn:aws:iam::444455556666:root", ptype: "Account",
		},
		{
			rule: "the root user of an account known only from the organisation",
			arn:  "arn:aws:iam::210987654321:root", kind: PrincipalRoot, account: "210987654321",
			principal: "arn:aws:iam::210987654321:root", ptype: "Account",
		},
		{
			rule: "a federated user resolves to the IAM user of its name",
			arn:  "arn:aws:sts::111122223333:federated-user/alice", kind: PrincipalFederatedUser, account: "111122223333",
			policies: []string{"developers:assume-developer", "developers:IAMUserChangePassword"},
			tags:     "team=payments", principal: "arn:aws:sts::111122223333:federated-user/alice", ptype: "FederatedUser",
		},
	}
	for _, tc := range tests {
		t.Run(tc.rule, func(t *testing.T) {
			p, err := env.Principal(tc.arn)
			if err != nil {
				t.Fatal(err)
			}
			if p.Kind != tc.kind || p.Account != tc.account {
				t.Errorf("kind, account = %v, %s", p.Kind, p.Account)
			}
			if got := policyNames(p.Policies); !reflect.DeepEqual(got, tc.policies) {
				t.Errorf("policies = %v, want %v", got, tc.policies)
			}
			for _, ip := range p.Policies {
				if ip.Document == nil || len(ip.Document.JSON) == 0 {
					t.Errorf("policy %s has no document", ip.Name)
				}
			}
			b := ""
			if p.Boundary != nil {
				b = p.Boundary.Name
				if p.Boundary.Document == nil {
					t.Errorf("boundary without document")
				}
			}
			if b != tc.boundary {
				t.Errorf("boundary = %q, want %q", b, tc.boundary)
			}
			var tags []string
			for _, tg := range p.Tags {
				tags = append(tags, tg.Key+"="+tg.Value)
			}
			if got := strings.Join(tags, ","); got != tc.tags {
				t.Errorf("tags = %q, want %q", got, tc.tags)
			}
			if p.PrincipalARN() != tc.principal || p.PrincipalType() != tc.ptype {
				t.Errorf("PrincipalARN, Type = %s, %s", p.PrincipalARN(), p.PrincipalType())
			}
			if len(p.Gaps) != 0 {
				t.Errorf("gaps = %v", p.Gaps)
			}
		})
	}
}

func TestPrincipalNotFound(t *testing.T) {
	env := loadExample(t)
	tests := []struct {
		rule string
		arn  string
		want error
	}{
		{"a user not in the account is not found", "arn:aws:iam::111122223333:user/bob", ErrNotFound},
		{"a role in an account without authorization details is not found", "arn:aws:iam::999999999999:role/x", ErrNotFound},
		{"a role ARN whose path differs from the role's is not found", "arn:aws:iam::111122223333:role/config-reader", ErrNotFound},
		{"a session of an unknown role is not found", "arn:aws:sts::111122223333:assumed-role/nope/s", ErrNotFound},
		{"the root of an unknown account is not found", "arn:aws:iam::999999999999:root", ErrNotFound},
		{"a federated user with no IAM user of its name is not found", "arn:aws:sts::111122223333:federated-user/zed", ErrNotFound},
		{"a service principal is not an IAM principal", "lambda.amazonaws.com", ErrNotIAMPrincipal},
		{"anonymous is not an IAM principal", "anonymous", ErrNotIAMPrincipal},
		{"a malformed session ARN is not an IAM principal", "arn:aws:sts::111122223333:assumed-role/only-role", ErrNotIAMPrincipal},
		{"a bucket is not an IAM principal", "arn:aws:s3:::example-data-config", ErrNotIAMPrincipal},
	}
	for _, tc := range tests {
		t.Run(tc.rule, func(t *testing.T) {
			_, err := env.Principal(tc.arn)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestOrganizationLevels(t *testing.T) {
	env := loadExample(t)
	ids := func(levels []PolicyLevel) string {
		var parts []string
		for _, l := range levels {
			var ps []string
			for _, p := range l.Policies {
				ps = append(ps, p.ID)
			}
			parts = append(parts, l.Node.ID+"["+strings.Join(ps, " ")+"]")
		}
		return strings.Join(parts, " > ")
	}
	tests := []struct {
		rule     string
		account  string
		rcp      bool
		want     string
		governed bool
	}{
		{"SCP levels run from the root down to the account", "111122223333", false,
			"r-ex12[p-FullAWSAccess p-deny-leave-org] > ou-ex12-wrkld001[p-FullAWSAccess p-region-guard] > 111122223333[p-FullAWSAccess]", true},
		{"RCP levels list customer RCPs only, a level may be empty", "444455556666", true,
			"r-ex12[] > ou-ex12-wrkld001[p-rcp-org-only] > 444455556666[]", true},
		{"the management account has levels too (the exemption is the engine's)", "210987654321", false,
			"r-ex12[p-FullAWSAccess p-deny-leave-org] > 210987654321[p-FullAWSAccess]", true},
		{"an account outside the organisation is not governed", "999999999999", false, "", false},
	}
	for _, tc := range tests {
		t.Run(tc.rule, func(t *testing.T) {
			var levels []PolicyLevel
			var governed bool
			if tc.rcp {
				levels, governed = env.RCPLevels(tc.account)
			} else {
				levels, governed = env.SCPLevels(tc.account)
			}
			if governed != tc.governed || ids(levels) != tc.want {
				t.Errorf("got %v %q, want %v %q", governed, ids(levels), tc.governed, tc.want)
			}
			for _, l := range levels {
				for _, p := range l.Policies {
					if p.Document == nil || len(p.Document.JSON) == 0 {
						t.Errorf("%s has no document", p.ID)
					}
				}
			}
		})
	}
	if !env.IsManagementAccount("210987654321") || env.IsManagementAccount("111122223333") {
		t.Error("IsManagementAccount")
	}
	if id, ok := env.AccountOrgID("444455556666"); !ok || id != "o-exmpl12345" {
		t.Errorf("AccountOrgID = %q %v", id, ok)
	}
	if _, ok := env.AccountOrgID("999999999999"); ok {
		t.Error("AccountOrgID of an outside account")
	}
	if env.OrgID() != "o-exmpl12345" {
		t.Error("OrgID")
	}
}

func TestResourceLookup(t *testing.T) {
	env := loadExample(t)
	tests := []struct {
		rule      string
		arn       string
		policyARN string
		known     bool
		account   string
		policy    bool
		bpa       bool
	}{
		{"an S3 object uses its bucket's policy and the bucket's owner", "arn:aws:s3:::example-data-config/app/settings.json",
			"arn:aws:s3:::example-data-config", true, "444455556666", true, true},
		{"a bucket uses its own record", "arn:aws:s3:::example-data-config", "arn:aws:s3:::example-data-config", true, "444455556666", true, true},
		{"a KMS key takes its account from the ARN", "arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab",
			"arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab", true, "444455556666", true, false},
		{"a queue policy given as a JSON string", "arn:aws:sqs:eu-west-1:111122223333:config-events",
			"arn:aws:sqs:eu-west-1:111122223333:config-events", true, "111122223333", true, false},
		{"a role's resource policy is its trust policy", "arn:aws:iam::111122223333:role/developer",
			"arn:aws:iam::111122223333:role/developer", true, "111122223333", true, false},
		{"a bucket without a record is unknown, its owner too", "arn:aws:s3:::someone-elses-bucket/x",
			"arn:aws:s3:::someone-elses-bucket", false, "", false, false},
		{"a queue without a record is unknown but its account is in the ARN", "arn:aws:sqs:eu-west-1:111122223333:other",
			"arn:aws:sqs:eu-west-1:111122223333:other", false, "111122223333", false, false},
		{"an unknown role is unknown", "arn:aws:iam::111122223333:role/ghost",
			"arn:aws:iam::111122223333:role/ghost", false, "111122223333", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.rule, func(t *testing.T) {
			l, err := env.Resource(tc.arn)
			if err != nil {
				t.Fatal(err)
			}
			if l.PolicyARN != tc.policyARN || l.Known != tc.known || l.Account != tc.account ||
				(l.Policy != nil) != tc.policy || (l.BlockPublicAccess != nil) != tc.bpa {
				t.Errorf("got %+v", l)
			}
			acct, ok := env.ResourceAccount(tc.arn)
			if acct != tc.account || ok != (tc.account != "") {
				t.Errorf("ResourceAccount = %q %v", acct, ok)
			}
		})
	}
	if _, err := env.Resource("not-an-arn"); err == nil {
		t.Error("a malformed ARN is an error")
	}
	l, _ := env.Resource("arn:aws:sqs:eu-west-1:111122223333:config-events")
	if l.Policy.Encoding != EncodingString || !strings.HasPrefix(string(l.Policy.JSON), `{"Version"`) {
		t.Errorf("queue policy = %v %s", l.Policy.Encoding, l.Policy.JSON)
	}
}
