package arn

import "testing"

// The ARN format: arn:partition:service:region:account-id:resource, where
// the resource may itself contain colons and slashes.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
func TestSplitAndParse(t *testing.T) {
	for _, tc := range []struct {
		name        string
		in          string
		want        ARN
		split, full bool
	}{
		{"role", "arn:aws:iam::111122223333:role/app", ARN{"aws", "iam", "", "111122223333", "role/app"}, true, true},
		{"resource keeps colons", "arn:aws:lambda:us-east-1:111122223333:function:fn:alias", ARN{"aws", "lambda", "us-east-1", "111122223333", "function:fn:alias"}, true, true},
		{"S3 object in China", "arn:aws-cn:s3:::b/k", ARN{"aws-cn", "s3", "", "", "b/k"}, true, true},
		{"empty resource", "arn:aws:s3:::", ARN{"aws", "s3", "", "", ""}, true, true},
		{"empty partition splits but does not parse", "arn::s3:::b", ARN{"", "s3", "", "", "b"}, true, false},
		{"empty service splits but does not parse", "arn:aws::::b", ARN{"aws", "", "", "", "b"}, true, false},
		{"four colons", "arn:aws:s3::b", ARN{}, false, false},
		{"no arn prefix", "aws:s3:::b:x", ARN{}, false, false},
		{"prefix is case-sensitive", "ARN:aws:s3:::b", ARN{}, false, false},
		{"star", "*", ARN{}, false, false},
		{"empty", "", ARN{}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Split(tc.in)
			if ok != tc.split || got != tc.want {
				t.Errorf("Split(%q) = %+v, %v; want %+v, %v", tc.in, got, ok, tc.want, tc.split)
			}
			if ok && got.String() != tc.in {
				t.Errorf("String() = %q, want %q", got.String(), tc.in)
			}
			p, ok := Parse(tc.in)
			if ok != tc.full || (ok && p != tc.want) {
				t.Errorf("Parse(%q) = %+v, %v; want ok %v", tc.in, p, ok, tc.full)
			}
		})
	}
}

func TestAccount(t *testing.T) {
	for _, tc := range []struct {
		in, account, id string
		isID            bool
	}{
		{"arn:aws:iam::111122223333:role/app", "111122223333", "111122223333", true},
		{"arn:aws:iam::aws:policy/ReadOnlyAccess", "aws", "", false},
		{"arn:aws:s3:::bucket", "", "", false},
		{"111122223333", "", "", false},
		{"arn:aws:iam::11112222333:root", "11112222333", "", false},
	} {
		if got := Account(tc.in); got != tc.account {
			t.Errorf("Account(%q) = %q, want %q", tc.in, got, tc.account)
		}
		id, ok := AccountID(tc.in)
		if id != tc.id || ok != tc.isID {
			t.Errorf("AccountID(%q) = %q, %v; want %q, %v", tc.in, id, ok, tc.id, tc.isID)
		}
	}
	if Partition("arn:aws-us-gov:s3:::b") != "aws-us-gov" || Partition("nope") != "" {
		t.Error("Partition")
	}
}

// An account ID is exactly 12 digits.
// https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-identifiers.html
func TestIsAccountID(t *testing.T) {
	for in, want := range map[string]bool{
		"111122223333": true, "000000000000": true,
		"11112222333": false, "1111222233334": false, "11112222333a": false, "": false, "aws": false,
		"١١١١٢٢٢٢٣٣٣٣": false, // Arabic-Indic digits are not ASCII digits
	} {
		if got := IsAccountID(in); got != want {
			t.Errorf("IsAccountID(%q) = %v, want %v", in, got, want)
		}
	}
}

// Each region belongs to one partition.
// https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html
func TestPartitionOfRegion(t *testing.T) {
	for region, want := range map[string]string{
		"us-east-1": "aws", "eu-west-1": "aws", "": "aws",
		"cn-north-1": "aws-cn", "cn-northwest-1": "aws-cn",
		"us-gov-west-1": "aws-us-gov",
		"us-iso-east-1": "aws-iso", "us-isob-east-1": "aws-iso-b",
		"eu-isoe-west-1": "aws-iso-e", "us-isof-south-1": "aws-iso-f",
		"eusc-de-east-1": "aws-eusc",
	} {
		if got := PartitionOfRegion(region); got != want {
			t.Errorf("PartitionOfRegion(%q) = %q, want %q", region, got, want)
		}
	}
}

// A bucket policy governs the bucket and every object in it, in every
// partition; other resource policies govern only their own resource.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html
func TestPolicyResource(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"arn:aws:s3:::b/k", "arn:aws:s3:::b"},
		{"arn:aws:s3:::b/dir/k", "arn:aws:s3:::b"},
		{"arn:aws:s3:::b", "arn:aws:s3:::b"},
		{"arn:aws-cn:s3:::b/k", "arn:aws-cn:s3:::b"},
		{"arn:aws-us-gov:s3:::b/k", "arn:aws-us-gov:s3:::b"},
		{"arn:aws:s3:::b/", "arn:aws:s3:::b"},
		// An access point has a region and an account: not a bucket.
		{"arn:aws:s3:us-east-1:111122223333:accesspoint/ap/object/k", "arn:aws:s3:us-east-1:111122223333:accesspoint/ap/object/k"},
		{"arn:aws:sqs:us-east-1:111122223333:q", "arn:aws:sqs:us-east-1:111122223333:q"},
		{"arn:aws:iam::111122223333:role/a/b", "arn:aws:iam::111122223333:role/a/b"},
		{"*", "*"},
	} {
		if got := PolicyResource(tc.in); got != tc.want {
			t.Errorf("PolicyResource(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"arn:aws:s3:::b/k", "arn:aws:s3:::b", true},
		{"arn:aws:s3:::b/k", "arn:aws:s3:::b/other", true},
		{"arn:aws-cn:s3:::b/k", "arn:aws-cn:s3:::b", true},
		{"arn:aws:s3:::b/k", "arn:aws-cn:s3:::b", false},
		{"arn:aws:s3:::b/k", "arn:aws:s3:::c/k", false},
		{"arn:aws:sqs:us-east-1:111122223333:q", "arn:aws:sqs:us-east-1:111122223333:q", true},
		{"arn:aws:sqs:us-east-1:111122223333:q", "arn:aws:sqs:us-east-1:111122223333:r", false},
	} {
		if got := SamePolicy(tc.a, tc.b); got != tc.want {
			t.Errorf("SamePolicy(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
	if b, obj, ok := S3Bucket("arn:aws:s3:::b/k"); b != "b" || !obj || !ok {
		t.Errorf("S3Bucket object = %q %v %v", b, obj, ok)
	}
	if b, obj, ok := S3Bucket("arn:aws:s3:::b"); b != "b" || obj || !ok {
		t.Errorf("S3Bucket bucket = %q %v %v", b, obj, ok)
	}
	if _, _, ok := S3Bucket("arn:aws:s3:::"); ok {
		t.Error("S3Bucket of an empty resource")
	}
}

// Principal ARN forms, IAM User Guide "IAM identifiers".
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
func TestPrincipalKindOf(t *testing.T) {
	for in, want := range map[string]PrincipalKind{
		"arn:aws:iam::111122223333:root":                     PrincipalRoot,
		"arn:aws:iam::111122223333:user/dev/alice":           PrincipalUser,
		"arn:aws:iam::111122223333:role/app":                 PrincipalRole,
		"arn:aws:sts::111122223333:assumed-role/app/s":       PrincipalAssumedRole,
		"arn:aws-cn:sts::111122223333:assumed-role/app/s":    PrincipalAssumedRole,
		"arn:aws:sts::111122223333:assumed-role/app":         PrincipalUnknown, // no session part
		"arn:aws:sts::111122223333:federated-user/bob":       PrincipalFederatedUser,
		"arn:aws:iam::111122223333:oidc-provider/token.host": PrincipalFederatedProvider,
		"arn:aws:iam::111122223333:saml-provider/idp":        PrincipalFederatedProvider,
		"arn:aws:iam::111122223333:group/g":                  PrincipalUnknown,
		"arn:aws:s3:::b":                                     PrincipalUnknown,
		"lambda.amazonaws.com":                               PrincipalUnknown,
	} {
		if got := PrincipalKindOf(in); got != want {
			t.Errorf("PrincipalKindOf(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestPrincipalKindText(t *testing.T) {
	for k := PrincipalUnknown; k <= PrincipalFederatedProvider; k++ {
		b, _ := k.MarshalText()
		var back PrincipalKind
		if err := back.UnmarshalText(b); err != nil || back != k {
			t.Errorf("%v does not round-trip: %q -> %v, %v", k, b, back, err)
		}
	}
	if PrincipalKind(200).String() != "unknown" {
		t.Error("out-of-range kind")
	}
	var k PrincipalKind
	if k.UnmarshalText([]byte("robot")) == nil {
		t.Error("UnmarshalText accepted an unknown name")
	}
}

func TestSessionRole(t *testing.T) {
	for _, tc := range []struct {
		in, role, session, roleARN string
		ok                         bool
	}{
		{"arn:aws:sts::111122223333:assumed-role/app/fn", "app", "fn", "arn:aws:iam::111122223333:role/app", true},
		{"arn:aws-us-gov:sts::111122223333:assumed-role/app/a/b", "app", "a/b", "arn:aws-us-gov:iam::111122223333:role/app", true},
		{"arn:aws:sts::111122223333:assumed-role/app", "", "", "", false},
		{"arn:aws:sts::111122223333:assumed-role//s", "", "", "", false},
		{"arn:aws:iam::111122223333:role/app", "", "", "", false},
	} {
		role, session, ok := SessionRole(tc.in)
		if role != tc.role || session != tc.session || ok != tc.ok {
			t.Errorf("SessionRole(%q) = %q, %q, %v", tc.in, role, session, ok)
		}
		if r, _ := SessionRoleARN(tc.in); r != tc.roleARN {
			t.Errorf("SessionRoleARN(%q) = %q, want %q", tc.in, r, tc.roleARN)
		}
	}
}

func TestPathName(t *testing.T) {
	for _, tc := range []struct{ in, path, name string }{
		{"role/app", "/", "app"},
		{"role/a/b/app", "/a/b/", "app"},
		{"user/alice", "/", "alice"},
		{"root", "/", "root"},
	} {
		if p, n := PathName(tc.in); p != tc.path || n != tc.name {
			t.Errorf("PathName(%q) = %q, %q", tc.in, p, n)
		}
	}
}

// Every partition's name is known, and each region's partition is one of
// them.
func TestKnownPartition(t *testing.T) {
	for _, p := range Partitions() {
		if !KnownPartition(p) {
			t.Errorf("KnownPartition(%q) = false", p)
		}
	}
	for _, p := range []string{"", "0", "AWS", "aws-", "aws-iso-c", "aws-cn "} {
		if KnownPartition(p) {
			t.Errorf("KnownPartition(%q) = true", p)
		}
	}
	for _, region := range []string{"us-east-1", "cn-north-1", "us-gov-west-1", "us-iso-east-1", "us-isob-east-1", "eu-isoe-west-1", "us-isof-south-1", "eusc-de-east-1", ""} {
		if p := PartitionOfRegion(region); !KnownPartition(p) {
			t.Errorf("PartitionOfRegion(%q) = %q, not a known partition", region, p)
		}
	}
}
