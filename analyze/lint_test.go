package analyze

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/policy"
)

// TestChecks runs each check's failing and passing example from
// testdata/checks/CODE/: fail.json must produce a finding with the code
// (complete: position, severity, link, path), pass.json must not. Every
// check has a directory unless it is marked as not possible offline.
func TestChecks(t *testing.T) {
	for _, c := range Checks {
		t.Run(c.IssueCode, func(t *testing.T) {
			dir := filepath.Join("testdata", "checks", c.IssueCode)
			typeLine, err := os.ReadFile(filepath.Join(dir, "type"))
			if c.NotOffline != "" {
				if err == nil {
					t.Errorf("examples for a check marked as not offline (%s)", c.NotOffline)
				}
				return
			}
			if err != nil {
				t.Fatalf("check without examples: %v", err)
			}
			fields := strings.Fields(string(typeLine))
			typ, err := policy.ParseType(fields[0])
			if err != nil {
				t.Fatal(err)
			}
			opts := LintOptions{Type: typ}
			for _, f := range fields[1:] {
				// Options: a resource type, the custom checks
				// access-not-granted=ACTION,... resources=ARN,...
				// and no-public-access.
				k, v, _ := strings.Cut(f, "=")
				if opts.Custom == nil && (k != f || k == "no-public-access") {
					opts.Custom = &CustomChecks{}
				}
				switch k {
				case "access-not-granted":
					opts.Custom.AccessNotGranted = strings.Split(v, ",")
				case "resources":
					opts.Custom.Resources = strings.Split(v, ",")
				case "no-public-access":
					opts.Custom.NoPublicAccess = true
				default:
					opts.ResourceType = f
				}
			}
			for _, tc := range []struct {
				file string
				want bool
			}{{"fail.json", true}, {"pass.json", false}} {
				data, err := os.ReadFile(filepath.Join(dir, tc.file))
				if err != nil {
					t.Fatal(err)
				}
				opts.Source = tc.file
				res := Lint(data, opts)
				var found *Finding
				for i := range res.Findings {
					if res.Findings[i].IssueCode == c.IssueCode {
						found = &res.Findings[i]
					}
				}
				switch {
				case tc.want && found == nil:
					t.Errorf("%s: no %s finding; got %+v", tc.file, c.IssueCode, res.Findings)
				case !tc.want && found != nil:
					t.Errorf("%s: unexpected %s finding: %s", tc.file, c.IssueCode, found.Message)
				case found != nil:
					if found.Line <= 0 || found.Col <= 0 || found.Severity != c.Severity || found.LearnMoreLink != c.LearnMoreLink || found.Message == "" || found.Path == nil || found.Span == nil || found.Span.Start.Line != found.Line {
						t.Errorf("%s: incomplete finding %+v", tc.file, *found)
					}
				}
			}
		})
	}
	dirs, _ := filepath.Glob(filepath.Join("testdata", "checks", "*"))
	for _, d := range dirs {
		if _, ok := CheckFor(filepath.Base(d)); !ok {
			t.Errorf("%s: examples for no check", d)
		}
	}
}

// TestChecksTable: the table holds every check of Access Analyzer's
// reference once, with the anchor the issue code comes from, and every
// issue code the source reports is in the table.
func TestChecksTable(t *testing.T) {
	seen := map[string]bool{}
	aa := 0
	for _, c := range Checks {
		if seen[c.IssueCode] {
			t.Errorf("%s twice", c.IssueCode)
		}
		seen[c.IssueCode] = true
		if c.AccessAnalyzer {
			aa++
			anchor := c.LearnMoreLink[strings.IndexByte(c.LearnMoreLink, '#')+1:]
			if want := "access-analyzer-reference-policy-checks-" + strings.ToLower(map[Severity]string{SeverityError: "error", SeverityWarning: "general-warning", SeveritySecurityWarning: "security-warning", SeveritySuggestion: "suggestion"}[c.Severity]) + "-" + strings.ReplaceAll(strings.ToLower(c.IssueCode), "_", "-"); anchor != want {
				t.Errorf("%s: anchor %s, want %s", c.IssueCode, anchor, want)
			}
		}
		if c.Types == 0 {
			t.Errorf("%s applies to no policy type", c.IssueCode)
		}
	}
	if aa != 154 {
		t.Errorf("%d Access Analyzer checks, want the reference's 153 and Unsupported symbol in variable", aa)
	}
	files, _ := filepath.Glob("*.go")
	code := regexp.MustCompile(`\b(?:add|addS)\([^"]*"([A-Z][A-Z0-9_]+)"`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, _ := os.ReadFile(f)
		for _, m := range code.FindAllSubmatch(src, -1) {
			if !seen[string(m[1])] {
				t.Errorf("%s reports %s, which is not in the table", f, m[1])
			}
		}
	}
}

// TestLintCleanPolicies: well-written documents from AWS's own guides
// produce no error, security warning or warning.
func TestLintCleanPolicies(t *testing.T) {
	docs := []struct {
		name string
		typ  policy.Type
		doc  string
	}{
		{"read own bucket prefix", policy.TypeIdentity, `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::amzn-s3-demo-bucket",
			 "Condition":{"StringLike":{"s3:prefix":["home/${aws:username}/*"]}}},
			{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/*"}]}`},
		{"deny outside regions", policy.TypeSCP, `{"Version":"2012-10-17","Statement":[
			{"Sid":"DenyAllOutsideEU","Effect":"Deny","NotAction":["iam:*","organizations:*","sts:*"],"Resource":"*",
			 "Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-central-1","eu-west-1"]}}}]}`},
		{"FullAWSAccess SCP grants nothing", policy.TypeSCP, `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
		{"RCPFullAWSAccess", policy.TypeRCP, `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`},
		{"ec2 trust", policy.TypeTrust, `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`},
		{"org-only bucket", policy.TypeResource, `{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*",
			 "Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123def4"}}}]}`},
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
		{"GitHub OIDC trust", policy.TypeTrust, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
			"Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
			"Action":"sts:AssumeRoleWithWebIdentity",
			"Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},
			 "StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo-org/octo-repo:ref:refs/heads/octo-branch"}}}]}`},
		// https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
		{"EKS IRSA trust", policy.TypeTrust, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
			"Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/oidc.eks.region-code.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"},
			"Action":"sts:AssumeRoleWithWebIdentity",
			"Condition":{"StringEquals":{"oidc.eks.region-code.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub":"system:serviceaccount:default:my-service-account",
			 "oidc.eks.region-code.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:aud":"sts.amazonaws.com"}}}]}`},
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_saml.html
		{"SAML trust", policy.TypeTrust, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
			"Principal":{"Federated":"arn:aws:iam::111122223333:saml-provider/ExampleOrgSSOProvider"},
			"Action":"sts:AssumeRoleWithSAML",
			"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}`},
		// https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html
		{"aws:Referer bucket policy", policy.TypeResource, `{"Version":"2012-10-17","Statement":[{"Sid":"AllowGetRequestsReferer",
			"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["s3:GetObject","s3:GetObjectVersion"],
			"Resource":"arn:aws:s3:::amzn-s3-demo-bucket/*",
			"Condition":{"StringLike":{"aws:Referer":["http://www.example.com/*","http://example.com/*"]}}}]}`},
		{"deny without MFA", policy.TypeIdentity, `{"Version":"2012-10-17","Statement":[{"Sid":"DenyWithoutMFA","Effect":"Deny",
			"NotAction":["iam:ChangePassword","sts:GetSessionToken"],"Resource":"*",
			"Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}`},
	}
	for _, d := range docs {
		t.Run(d.name, func(t *testing.T) {
			res := Lint([]byte(d.doc), LintOptions{Type: d.typ, Source: d.name})
			for _, f := range res.Findings {
				if f.Severity != SeveritySuggestion {
					t.Errorf("%s %s at %d:%d: %s", f.Severity, f.IssueCode, f.Line, f.Col, f.Message)
				}
			}
		})
	}
}

func TestParseSeverity(t *testing.T) {
	for s, want := range map[string]Severity{"error": SeverityError, "security-warning": SeveritySecurityWarning, "WARNING": SeverityWarning, "suggestion": SeveritySuggestion} {
		if got, err := ParseSeverity(s); err != nil || got != want {
			t.Errorf("ParseSeverity(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := ParseSeverity("fatal"); err == nil {
		t.Error("ParseSeverity(fatal) succeeded")
	}
}

// TestOwnChecksDocumented: every learn-more link of iamwhy's own checks
// points at an anchor of docs/lint.md.
func TestOwnChecksDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "lint.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range Checks {
		if c.AccessAnalyzer {
			continue
		}
		anchor := c.LearnMoreLink[strings.IndexByte(c.LearnMoreLink, '#')+1:]
		if !strings.Contains(string(doc), `<a id="`+anchor+`"></a>`) {
			t.Errorf("%s: docs/lint.md has no anchor %s", c.IssueCode, anchor)
		}
	}
}

// TestResourceElementByResourceType: an Amazon ECR repository policy names
// no resource (policy.ResourceElementRule cites the pages), so with its
// resource type a statement without Resource is clean and one with
// Resource is an error; without the type, MISSING_RESOURCE says which
// flag to pass.
func TestResourceElementByResourceType(t *testing.T) {
	const ecr = `{"Version":"2012-10-17","Statement":[{"Sid":"AllowPull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}]}`
	const bucket = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject"}]}`
	codes := func(doc, rt string) []string {
		var out []string
		for _, f := range Lint([]byte(doc), LintOptions{Type: policy.TypeResource, ResourceType: rt}).Findings {
			if f.Severity != SeveritySuggestion {
				out = append(out, f.IssueCode+": "+f.Message)
			}
		}
		return out
	}
	if got := codes(ecr, "AWS::ECR::Repository"); len(got) != 0 {
		t.Errorf("ECR repository policy without Resource: %q", got)
	}
	public := strings.ReplaceAll(ecr, `"ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"`, `"ecr-public:BatchCheckLayerAvailability","ecr-public:PutImage"`)
	if got := codes(public, "AWS::ECR::PublicRepository"); len(got) != 0 {
		t.Errorf("ECR Public repository policy without Resource: %q", got)
	}
	withRes := strings.Replace(ecr, `]}]}`, `],"Resource":"*"}]}`, 1)
	if got := codes(withRes, "AWS::ECR::Repository"); len(got) != 1 || !strings.HasPrefix(got[0], "RESOURCE_ELEMENT_NOT_ALLOWED: ") {
		t.Errorf("ECR repository policy with Resource: %q", got)
	}
	if got := codes(strings.Replace(public, `]}]}`, `],"Resource":"*"}]}`, 1), "AWS::ECR::PublicRepository"); len(got) != 0 {
		t.Errorf("ECR Public repository policy with Resource: %q", got)
	}
	if got := codes(ecr, ""); len(got) != 1 || !strings.HasPrefix(got[0], "MISSING_RESOURCE: ") || !strings.Contains(got[0], "--resource-type AWS::ECR::Repository") {
		t.Errorf("ECR repository policy without a resource type: %q", got)
	}
	for _, rt := range []string{"", "AWS::S3::Bucket"} {
		if got := codes(bucket, rt); len(got) != 1 || !strings.HasPrefix(got[0], "MISSING_RESOURCE: ") || strings.Contains(got[0], "ECR") {
			t.Errorf("bucket policy without Resource (%q): %q", rt, got)
		}
	}
	// Every resource type lint knows has a Resource rule in package policy.
	for _, rt := range ResourceTypes() {
		if _, known := policy.ResourceElementRule(rt); !known && rt != "AWS::IAM::AssumeRolePolicyDocument" {
			t.Errorf("%s: no Resource rule in package policy", rt)
		}
	}
}

// TestBucketEscalationNeedsBucketARN: a bucket permission granted only on
// object ARNs (arn:aws:s3:::b/*) cannot change the bucket's policy or ACL,
// so it is no escalation; on the bucket's ARN it is.
func TestBucketEscalationNeedsBucketARN(t *testing.T) {
	count := func(resource string) int {
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutBucketPolicy","Resource":"` + resource + `"}]}`
		n := 0
		for _, f := range Lint([]byte(doc), LintOptions{Type: policy.TypeIdentity}).Findings {
			if f.IssueCode == "RESOURCE_POLICY_PRIVILEGE_ESCALATION" {
				n++
			}
		}
		return n
	}
	if n := count("arn:aws:s3:::b/*"); n != 0 {
		t.Errorf("%d escalations for a bucket permission on object ARNs, want 0", n)
	}
	if n := count("arn:aws:s3:::b"); n == 0 {
		t.Error("no escalation for s3:PutBucketPolicy on the bucket without object permissions")
	}
}
