package catalog

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func names(as []*Action) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.FullName
	}
	return out
}

func TestAction(t *testing.T) {
	c := Default()
	tests := []struct {
		rule, name, want string
		level            AccessLevel
	}{
		{"exact name", "s3:GetObject", "s3:GetObject", AccessRead},
		{"action names are case-insensitive", "S3:getobject", "s3:GetObject", AccessRead},
		{"list level", "s3:ListBucket", "s3:ListBucket", AccessList},
		{"write level", "s3:PutObject", "s3:PutObject", AccessWrite},
		{"permissions management outranks write", "iam:AttachRolePolicy", "iam:AttachRolePolicy", AccessPermissionsManagement},
		{"tagging outranks write", "s3:PutObjectTagging", "s3:PutObjectTagging", AccessTagging},
		{"canonical odd casing kept", "s3:getbucketcors", "s3:GetBucketCORS", AccessRead},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			a, ok := c.Action(tt.name)
			if !ok {
				t.Fatalf("Action(%q) not found", tt.name)
			}
			if a.FullName != tt.want || a.Access != tt.level {
				t.Errorf("Action(%q) = %s %v, want %s %v", tt.name, a.FullName, a.Access, tt.want, tt.level)
			}
			if a.Name() != tt.want[strings.IndexByte(tt.want, ':')+1:] {
				t.Errorf("Name() = %q", a.Name())
			}
		})
	}
	for _, bad := range []string{"", "s3", "s3:", "s3:NoSuchAction", "nosuch:GetObject", "s3:GetObject*", strings.Repeat("x", 300)} {
		if a, ok := c.Action(bad); ok {
			t.Errorf("Action(%q) = %s, want not found", bad, a.FullName)
		}
	}
}

func TestActionDetails(t *testing.T) {
	c := Default()
	a, _ := c.Action("s3:GetObject")
	if !strings.Contains(a.Description(), "retrieve objects") {
		t.Errorf("description %q", a.Description())
	}
	var types []string
	for _, r := range a.Resources {
		types = append(types, r.Type.Name)
	}
	if !slices.Equal(types, []string{"accesspointobject", "object"}) {
		t.Errorf("resource types %v", types)
	}
	if !slices.Contains(a.ConditionKeys, "s3:ExistingObjectTag/<key>") {
		t.Errorf("condition keys %v", a.ConditionKeys)
	}
	ri, _ := c.Action("ec2:RunInstances")
	required := 0
	for _, r := range ri.Resources {
		if r.Required {
			required++
		}
	}
	if required == 0 {
		t.Errorf("ec2:RunInstances has no required resource type")
	}
	if ri.Service.Name == "" || ri.Service.Prefix != "ec2" {
		t.Errorf("service %+v", ri.Service)
	}
}

func TestService(t *testing.T) {
	c := Default()
	s, ok := c.Service("S3")
	if !ok || s.Prefix != "s3" || s.Name != "Amazon S3" {
		t.Fatalf("Service(S3) = %+v, %v", s, ok)
	}
	if _, ok := c.Service("nosuch"); ok {
		t.Error("unknown service found")
	}
	if !slices.IsSortedFunc(c.Services(), func(a, b *Service) int { return strings.Compare(a.Prefix, b.Prefix) }) {
		t.Error("services not sorted")
	}
}

func TestMatchActions(t *testing.T) {
	c := Default()
	all := c.MatchActions("*")
	if len(all) != c.Info().Actions || len(all) != generatedActions {
		t.Fatalf("* matched %d of %d", len(all), c.Info().Actions)
	}
	tests := []struct {
		rule, pattern string
		check         func([]string) bool
	}{
		{"prefix wildcard stays in service", "s3:Get*", func(n []string) bool {
			return slices.Contains(n, "s3:GetObject") && !slices.Contains(n, "s3:PutObject") && allPrefixed(n, "s3:Get")
		}},
		{"wildcards are case-insensitive", "S3:get*", func(n []string) bool { return slices.Contains(n, "s3:GetObject") }},
		{"? matches one character", "s3:GetObjec?", func(n []string) bool { return slices.Equal(n, []string{"s3:GetObject"}) }},
		{"wildcard service", "*:DescribeInstances", func(n []string) bool { return slices.Contains(n, "ec2:DescribeInstances") }},
		{"no wildcard is exact", "iam:PassRole", func(n []string) bool { return slices.Equal(n, []string{"iam:PassRole"}) }},
		{"unknown service matches nothing", "nosuch:*", func(n []string) bool { return len(n) == 0 }},
		{"inner wildcard", "s3:*Object", func(n []string) bool {
			return slices.Contains(n, "s3:GetObject") && slices.Contains(n, "s3:PutObject") && !slices.Contains(n, "s3:GetObjectAcl")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			if got := names(c.MatchActions(tt.pattern)); !tt.check(got) {
				t.Errorf("MatchActions(%q) = %v", tt.pattern, got)
			}
		})
	}
}

func allPrefixed(ns []string, p string) bool {
	for _, n := range ns {
		if !strings.HasPrefix(n, p) {
			return false
		}
	}
	return len(ns) > 0
}

// TestResourceTypesForARN checks the types the ARN's own service defines;
// other services' types with the same ARN format (sts:role for an IAM role,
// ssm:bucket for a bucket) are checked separately.
func TestResourceTypesForARN(t *testing.T) {
	c := Default()
	tests := []struct {
		rule, arn string
		want      []string // service:type, of the ARN's service
	}{
		{"bucket", "arn:aws:s3:::my-bucket", []string{"s3:bucket"}},
		{"object is more specific than bucket", "arn:aws:s3:::my-bucket/key", []string{"s3:object"}},
		{"object key with slashes", "arn:aws:s3:::my-bucket/a/b/c.txt", []string{"s3:object"}},
		{"role with path", "arn:aws:iam::123456789012:role/path/to/MyRole", []string{"iam:role"}},
		{"other partition", "arn:aws-cn:iam::123456789012:user/alice", []string{"iam:user"}},
		{"lambda function", "arn:aws:lambda:us-east-1:123456789012:function:fn", []string{"lambda:function"}},
		{"qualified lambda ARN is ambiguous", "arn:aws:lambda:us-east-1:123456789012:function:fn:prod", []string{"lambda:function alias", "lambda:function version"}},
		{"dynamodb table", "arn:aws:dynamodb:us-east-1:123456789012:table/T", []string{"dynamodb:table"}},
		{"kms key", "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", []string{"kms:key"}},
		{"missing region where required", "arn:aws:kms::123456789012:key/abc", nil},
		{"not an ARN", "my-bucket", nil},
		{"too few fields", "arn:aws:s3", nil},
		{"unknown service", "arn:aws:nosuch:us-east-1:123456789012:thing/x", nil},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			var got []string
			for _, rt := range c.ResourceTypesForARN(tt.arn) {
				if strings.HasPrefix(tt.arn, "arn:"+rt.Service.Prefix+":") || strings.Contains(tt.arn, ":"+rt.Service.Prefix+":") {
					got = append(got, rt.Service.Prefix+":"+rt.Name)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("ResourceTypesForARN(%q) = %v, want %v", tt.arn, got, tt.want)
			}
		})
	}
}

func TestResourceTypesForARNOtherServices(t *testing.T) {
	c := Default()
	var got []string
	for _, rt := range c.ResourceTypesForARN("arn:aws:iam::123456789012:role/R") {
		got = append(got, rt.Service.Prefix+":"+rt.Name)
	}
	if !slices.Contains(got, "sts:role") || !slices.Contains(got, "iam:role") {
		t.Errorf("role types %v, want iam:role and sts:role", got)
	}
	if got := names(c.ActionsForResource("arn:aws:iam::123456789012:role/R")); !slices.Contains(got, "sts:AssumeRole") || !slices.Contains(got, "iam:PassRole") {
		t.Errorf("role actions lack sts:AssumeRole or iam:PassRole")
	}
}

func TestActionsForResource(t *testing.T) {
	c := Default()
	obj := names(c.ActionsForResource("arn:aws:s3:::b/k"))
	if !slices.Contains(obj, "s3:GetObject") || slices.Contains(obj, "s3:ListBucket") || slices.Contains(obj, "s3:ListAllMyBuckets") {
		t.Errorf("object actions %v", obj)
	}
	bucket := names(c.ActionsForResource("arn:aws:s3:::b"))
	if !slices.Contains(bucket, "s3:ListBucket") || slices.Contains(bucket, "s3:GetObject") {
		t.Errorf("bucket actions %v", bucket)
	}
	if got := c.ActionsForResource("nonsense"); got != nil {
		t.Errorf("malformed ARN gave %v", names(got))
	}
}

func TestConditionKey(t *testing.T) {
	c := Default()
	tests := []struct {
		rule, name, canonical string
		typ                   KeyType
		global                bool
	}{
		{"global key", "aws:SourceIp", "aws:SourceIp", KeyIPAddress, true},
		{"keys are case-insensitive", "AWS:SOURCEIP", "aws:SourceIp", KeyIPAddress, true},
		{"bool global key", "aws:SecureTransport", "aws:SecureTransport", KeyBool, true},
		{"date global key", "aws:CurrentTime", "aws:CurrentTime", KeyDate, true},
		{"numeric global key", "aws:MultiFactorAuthAge", "aws:MultiFactorAuthAge", KeyNumeric, true},
		{"multivalued global key", "aws:TagKeys", "aws:TagKeys", KeyArrayOfString, true},
		{"ARN global key", "aws:PrincipalArn", "aws:PrincipalArn", KeyARN, true},
		{"resource tag template", "aws:ResourceTag/Owner", "aws:ResourceTag/${TagKey}", KeyString, true},
		{"principal tag template (tag-key in source)", "aws:PrincipalTag/team", "aws:PrincipalTag/${TagKey}", KeyString, true},
		{"request tag template any case", "AWS:requesttag/CostCenter", "aws:RequestTag/${TagKey}", KeyString, true},
		{"service tag-key placeholder", "secretsmanager:ResourceTag/aws:secretsmanager:owningService", "secretsmanager:ResourceTag/${TagKey}", KeyString, false},
		{"angle-bracket template", "s3:ExistingObjectTag/env", "s3:ExistingObjectTag/<key>", KeyString, false},
		{"service key", "s3:prefix", "s3:prefix", KeyString, false},
		{"numeric service key", "s3:max-keys", "s3:max-keys", KeyNumeric, false},
		{"mid-name template", "codebuild:environment.environmentVariables/FOO.value", "codebuild:environment.environmentVariables/${name}.value", KeyString, false},
		{"template prefix", "token.actions.example.ghe.com:actor", "token.actions.${Domain}.ghe.com:actor", KeyString, false},
		{"OIDC provider claim", "token.actions.githubusercontent.com:sub", "${ProviderURL}:sub", KeyString, false},
		{"OIDC provider claim with path", "oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud", "${ProviderURL}:aud", KeyString, false},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			k, ok := c.ConditionKey(tt.name)
			if !ok {
				t.Fatalf("ConditionKey(%q) not found", tt.name)
			}
			if k.Name != tt.canonical || k.Type != tt.typ || k.Global != tt.global {
				t.Errorf("ConditionKey(%q) = %s %v global=%v", tt.name, k.Name, k.Type, k.Global)
			}
			if typ, ok := c.KeyType(tt.name); !ok || typ != tt.typ {
				t.Errorf("KeyType(%q) = %v %v", tt.name, typ, ok)
			}
		})
	}
	for _, bad := range []string{"", "aws:NoSuchKey", "aws:ResourceTag/", "s3:nosuch", "nosuch:key", "nodot:sub", "example.com:nosuchclaim", strings.Repeat("a", 300)} {
		if k, ok := c.ConditionKey(bad); ok {
			t.Errorf("ConditionKey(%q) = %s, want not found", bad, k.Name)
		}
	}
}

func TestKeyTypeAllocatesNothing(t *testing.T) {
	c := Default()
	for _, name := range []string{"aws:SourceIp", "aws:sourceip", "aws:ResourceTag/Owner", "s3:ExistingObjectTag/env"} {
		if n := testing.AllocsPerRun(100, func() { c.KeyType(name) }); n != 0 {
			t.Errorf("KeyType(%q) allocates %v times", name, n)
		}
	}
	if n := testing.AllocsPerRun(100, func() { c.Action("S3:GetObject") }); n != 0 {
		t.Errorf("Action allocates %v times", n)
	}
}

func TestManagedPolicy(t *testing.T) {
	c := Default()
	tests := []struct {
		rule, ref string
		ok        bool
	}{
		{"by ARN", "arn:aws:iam::aws:policy/ReadOnlyAccess", true},
		{"by name", "ReadOnlyAccess", true},
		{"other partition", "arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess", true},
		{"service-role path", "arn:aws:iam::aws:policy/service-role/AWSLambdaRole", true},
		{"job-function path", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", true},
		{"wrong path is not found", "arn:aws:iam::aws:policy/AWSLambdaRole", false},
		{"customer policy ARN", "arn:aws:iam::123456789012:policy/ReadOnlyAccess", false},
		{"unknown name", "NoSuchPolicy", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			doc, ver, ok := c.ManagedPolicy(tt.ref)
			if ok != tt.ok {
				t.Fatalf("ManagedPolicy(%q) ok = %v", tt.ref, ok)
			}
			if !ok {
				return
			}
			var d struct {
				Version   string
				Statement json.RawMessage
			}
			if err := json.Unmarshal(doc, &d); err != nil || d.Version != "2012-10-17" || len(d.Statement) == 0 {
				t.Errorf("document %.80s: %v", doc, err)
			}
			if !strings.HasPrefix(ver, "v") {
				t.Errorf("version %q", ver)
			}
		})
	}
	admin, _, _ := c.ManagedPolicy("AdministratorAccess")
	if !strings.Contains(string(admin), `"Action": "*"`) {
		t.Errorf("AdministratorAccess = %s", admin)
	}
	if n := len(c.ManagedPolicies()); n != generatedPolicies {
		t.Errorf("%d managed policies, want %d", n, generatedPolicies)
	}
}

func TestParseAccessLevelAndKeyType(t *testing.T) {
	for _, s := range []string{"List", "read", "WRITE", "permissions-management", "Permissions management", "tagging"} {
		if _, ok := ParseAccessLevel(s); !ok {
			t.Errorf("ParseAccessLevel(%q) failed", s)
		}
	}
	if _, ok := ParseAccessLevel("admin"); ok {
		t.Error("ParseAccessLevel(admin) succeeded")
	}
	if k, _ := ParseKeyType("ArrayOfARN"); !k.IsArray() || k.Elem() != KeyARN {
		t.Errorf("ArrayOfARN = %v elem %v", k, k.Elem())
	}
	if _, ok := ParseKeyType("Float"); ok {
		t.Error("ParseKeyType(Float) succeeded")
	}
}

func TestActionMayApplyTo(t *testing.T) {
	c := Default()
	tests := []struct {
		rule, action, pattern string
		may, known            bool
	}{
		{"object action on object wildcard", "s3:GetObject", "arn:aws:s3:::my-bucket/*", true, true},
		{"object action on bucket", "s3:GetObject", "arn:aws:s3:::my-bucket", false, true},
		{"bucket action on object wildcard", "s3:ListBucket", "arn:aws:s3:::my-bucket/*", false, true},
		{"bucket action on bucket wildcard", "s3:ListBucket", "arn:aws:s3:::my-*", true, true},
		{"star in the middle", "s3:GetObject", "arn:aws:s3:::*/reports/*", true, true},
		{"policy variable", "s3:GetObject", "arn:aws:s3:::b/home/${aws:username}/*", true, true},
		{"role path wildcard", "iam:PassRole", "arn:aws:iam::*:role/service/*", true, true},
		{"other service", "s3:GetObject", "arn:aws:dynamodb:*:*:table/*", false, true},
		{"log group with :* suffix", "logs:CreateLogGroup", "arn:aws:logs:*:*:log-group:/aws/lambda/fn:*", true, true},
		{"AWS-owned resource without account", "ssm:GetParameters", "arn:aws:ssm:*::parameter/aws/service/x/*", true, true},
		{"question mark", "s3:ListBucket", "arn:aws:s3:::bucket-?", true, true},
		{"unknown action", "s3:Nope", "arn:aws:s3:::b", false, false},
		{"not an ARN", "s3:GetObject", "bucket/*", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			may, known := c.ActionMayApplyTo(tt.action, tt.pattern)
			if may != tt.may || known != tt.known {
				t.Errorf("ActionMayApplyTo(%s, %s) = %v %v, want %v %v", tt.action, tt.pattern, may, known, tt.may, tt.known)
			}
		})
	}
}

// TestConcurrentUse: the lazily built parts (ARN index, descriptions,
// managed policies) are safe to reach from many goroutines at once (run
// with -race).
func TestConcurrentUse(t *testing.T) {
	c, err := load(embeddedIAMData, embeddedDescriptions)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan bool)
	for i := 0; i < 8; i++ {
		go func() {
			a, _ := c.Action("s3:GetObject")
			ok := a.Description() != "" && len(c.ResourceTypesForARN("arn:aws:s3:::b/k")) == 1
			_, _, found := c.ManagedPolicy("ReadOnlyAccess")
			done <- ok && found
		}()
	}
	for i := 0; i < 8; i++ {
		if !<-done {
			t.Error("a concurrent lookup failed")
		}
	}
}
