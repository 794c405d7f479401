package policy

import (
	"strings"
	"testing"
)

// TestResourceElementByResourceType: whether a resource-based policy's
// statements need Resource depends on the resource it is attached to
// (ResourceElementRule cites the pages).
func TestResourceElementByResourceType(t *testing.T) {
	const (
		noResource   = `{"Version":"2012-10-17","Statement":[{"Sid":"AllowPull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}]}`
		withResource = `{"Version":"2012-10-17","Statement":[{"Sid":"AllowPull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["ecr:BatchGetImage"],"Resource":"*"}]}`
		notResource  = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","NotResource":"arn:aws:s3:::b/public/*"}]}`
		bucketNoRes  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}]}`
		keyNoRes     = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*"}]}`
	)
	for _, tc := range []struct {
		name, resourceType, doc string
		want                    string // "" when the document parses
	}{
		{"ECR repository policy without Resource (the documented form)", "AWS::ECR::Repository", noResource, ""},
		{"ECR repository policy with Resource (ECR refuses it)", "AWS::ECR::Repository", withResource, "1:158 Resource is not allowed in the resource-based policy of AWS::ECR::Repository"},
		{"ECR type names are compared without case", "aws::ecr::repository", withResource, "1:158 Resource is not allowed"},
		{"ECR Public repository policy without Resource", "AWS::ECR::PublicRepository", noResource, ""},
		{"ECR Public repository policy with Resource \"*\"", "AWS::ECR::PublicRepository", withResource, ""},
		{"bucket policy without Resource", "AWS::S3::Bucket", bucketNoRes, "1:38 statement 0 has neither Resource nor NotResource, which the resource-based policy of AWS::S3::Bucket requires"},
		{"bucket policy with NotResource", "AWS::S3::Bucket", notResource, ""},
		{"key policy without Resource (KMS requires it)", "AWS::KMS::Key", keyNoRes, "1:38 statement 0 has neither Resource nor NotResource"},
		{"resource type not known: Resource optional", "", noResource, ""},
		{"resource type not known: Resource allowed", "", withResource, ""},
		{"a type the table does not hold: Resource optional", "AWS::Backup::BackupVault", keyNoRes, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParseString(tc.doc, Options{Type: TypeResource, ResourceType: tc.resourceType})
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.want == "" && p == nil:
				t.Errorf("no policy")
			case tc.want != "" && err == nil:
				t.Errorf("accepted; want %q", tc.want)
			case tc.want != "":
				pos, frag, _ := strings.Cut(tc.want, " ")
				list := err.(ErrorList)
				if len(list) != 1 || list[0].Pos.LineCol() != pos || !strings.Contains(list[0].Msg, frag) {
					t.Errorf("got %v, want %q", err, tc.want)
				}
			}
		})
	}
	// Other policy types keep their own rule whatever the resource type.
	if _, err := ParseString(noResource, Options{Type: TypeTrust, ResourceType: "AWS::S3::Bucket"}); err != nil {
		t.Errorf("trust policy without Resource: %v", err)
	}
	if r, known := ResourceElementRule("AWS::ECR::Repository"); r != ElementForbidden || !known {
		t.Errorf("ECR repository rule %v %v", r, known)
	}
	if r, known := ResourceElementRule("AWS::Nothing::Here"); r != ElementOptional || known {
		t.Errorf("unknown type rule %v %v", r, known)
	}
}
