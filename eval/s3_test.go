package eval

import (
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/policy"
)

// layerCase is a table case for the S3 and KMS layers: a request, its
// layers, the expected outcome and deciding layer, and the AWS page the
// rule comes from.
type layerCase struct {
	rule      string
	page      string
	principal string
	action    string
	resource  string
	resAcct   string
	context   map[string]string
	identity  []string
	resource_ string // the resource-based policy
	s3        *S3
	ap        *AccessPoint
	grants    []KMSGrant
	want      Outcome
	layer     Layer
	reason    string // a substring of Decision.Reason
}

func runLayerCases(t *testing.T, cases []layerCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.rule, func(t *testing.T) {
			req := &Request{Principal: tc.principal, Action: tc.action, Resource: tc.resource, ResourceAccount: tc.resAcct, Context: &Context{}}
			for k, v := range tc.context {
				req.Context.Set(k, v)
			}
			req.FillPrincipalContext("")
			l := &Layers{S3: tc.s3, AccessPoint: tc.ap, KMSGrants: tc.grants}
			for i, d := range tc.identity {
				l.Identity = append(l.Identity, mustPolicy(t, "identity-"+itoa(i), policy.TypeIdentity, d))
			}
			if tc.resource_ != "" {
				l.Resource = mustPolicy(t, "resource", policy.TypeResource, tc.resource_)
			}
			d := Decide(req, l)
			d2, tr := Explain(req, l)
			if d2.Outcome != d.Outcome || d2.Layer != d.Layer {
				t.Errorf("Explain = %s/%s, Decide = %s/%s", d2.Outcome, d2.Layer, d.Outcome, d.Layer)
			}
			if d.Outcome != tc.want || (tc.layer != "" && d.Layer != tc.layer) || !strings.Contains(d.Reason, tc.reason) {
				t.Errorf("%s\n got %s by %s (%s)\nwant %s by %s (%q)\nnotes: %v", tc.page, d.Outcome, d.Layer, d.Reason, tc.want, tc.layer, tc.reason, tr.Notes)
			}
		})
	}
}

const (
	bucketOwnerUser = "arn:aws:iam::111122223333:user/alice"
	otherUser       = "arn:aws:iam::444455556666:user/bob"
	ownerAcct       = "111122223333"
	readAll         = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}`
	publicRead      = `{"Version": "2012-10-17", "Statement": [{"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::amzn-s3-demo-bucket", "arn:aws:s3:::amzn-s3-demo-bucket/*"]}]}`
	partnerRead     = `{"Version": "2012-10-17", "Statement": [
		{"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/public/*"},
		{"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*"}]}`
	nonPublicPolicy = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "444455556666"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*"}]}`
	object          = "arn:aws:s3:::amzn-s3-demo-bucket/photos/cat.jpg"
)

var restrict = &BlockPublicAccess{RestrictPublicBuckets: true}

func TestBlockPublicAccess(t *testing.T) {
	const bpa = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html"
	runLayerCases(t, []layerCase{
		{rule: "without Block Public Access a public policy lets anonymous callers read", page: bpa,
			principal: "anonymous", action: "s3:GetObject", resource: object, resAcct: ownerAcct, resource_: publicRead,
			s3: &S3{}, want: Allow, layer: LayerResource},
		{rule: "RestrictPublicBuckets (bucket level) blocks anonymous access through a public policy", page: bpa,
			principal: "anonymous", action: "s3:GetObject", resource: object, resAcct: ownerAcct, resource_: publicRead,
			s3: &S3{BucketBlockPublicAccess: restrict}, want: ImplicitDeny, layer: LayerResource, reason: "RestrictPublicBuckets"},
		{rule: "RestrictPublicBuckets (account level) blocks anonymous access through a public policy", page: bpa,
			principal: "anonymous", action: "s3:GetObject", resource: object, resAcct: ownerAcct, resource_: publicRead,
			s3: &S3{AccountBlockPublicAccess: restrict}, want: ImplicitDeny, layer: LayerResource},
		{rule: "RestrictPublicBuckets blocks other accounts through a public policy", page: bpa,
			principal: otherUser, action: "s3:GetObject", resource: object, resAcct: ownerAcct, resource_: publicRead, identity: []string{readAll},
			s3: &S3{BucketBlockPublicAccess: restrict}, want: ImplicitDeny, layer: LayerResource},
		{rule: "RestrictPublicBuckets blocks even the non-public grant to a named account when the policy is public", page: bpa,
			principal: otherUser, action: "s3:GetObject", resource: object, resAcct: ownerAcct, resource_: partnerRead, identity: []string{readAll},
			s3: &S3{BucketBlockPublicAccess: restrict}, want: ImplicitDeny, layer: LayerResource},
		{rule: "RestrictPublicBuckets leaves a non-public policy's cross-account grant alone", page: bpa,
			principal: otherUser, action: "s3:GetObject", resource: object, resAcct: ownerAcct, resource_: nonPublicPolicy, identity: []string{readAll},
			s3: &S3{BucketBlockPublicAccess: restrict}, want: Allow, layer: LayerIdentity},
		{rule: "RestrictPublicBuckets still lets the bucket owner's account in", page: bpa,
			principal: bucketOwnerUser, action: "s3:GetObject", resource: object, resAcct: ownerAcct, resource_: publicRead,
			s3: &S3{BucketBlockPublicAccess: restrict}, want: Allow, layer: LayerResource},
		{rule: "RestrictPublicBuckets still lets AWS service principals in", page: bpa,
			principal: "cloudtrail.amazonaws.com", action: "s3:GetObject", resource: object, resAcct: ownerAcct, resource_: publicRead,
			s3: &S3{BucketBlockPublicAccess: restrict}, want: Allow, layer: LayerResource},
		{rule: "an explicit deny still decides before Block Public Access", page: bpa,
			principal: "anonymous", action: "s3:GetObject", resource: object, resAcct: ownerAcct,
			resource_: `{"Version": "2012-10-17", "Statement": [{"Sid": "D", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}`,
			s3:        &S3{BucketBlockPublicAccess: restrict}, want: ExplicitDeny, layer: LayerResource},
		{rule: "BlockPublicPolicy rejects PutBucketPolicy with a public policy", page: bpa,
			principal: bucketOwnerUser, action: "s3:PutBucketPolicy", resource: "arn:aws:s3:::amzn-s3-demo-bucket", resAcct: ownerAcct, identity: []string{readAll},
			s3: &S3{AccountBlockPublicAccess: &BlockPublicAccess{BlockPublicPolicy: true}, NewPolicy: mustDoc(t, publicRead)}, want: ImplicitDeny, layer: LayerResource, reason: "BlockPublicPolicy"},
		{rule: "BlockPublicPolicy accepts a non-public policy", page: bpa,
			principal: bucketOwnerUser, action: "s3:PutBucketPolicy", resource: "arn:aws:s3:::amzn-s3-demo-bucket", resAcct: ownerAcct, identity: []string{readAll},
			s3: &S3{BucketBlockPublicAccess: &BlockPublicAccess{BlockPublicPolicy: true}, NewPolicy: mustDoc(t, nonPublicPolicy)}, want: Allow, layer: LayerIdentity},
		{rule: "BlockPublicPolicy without the policy being put is undetermined", page: bpa,
			principal: bucketOwnerUser, action: "s3:PutBucketPolicy", resource: "arn:aws:s3:::amzn-s3-demo-bucket", resAcct: ownerAcct, identity: []string{readAll},
			s3: &S3{BucketBlockPublicAccess: &BlockPublicAccess{BlockPublicPolicy: true}}, want: Undetermined},
		{rule: "BlockPublicAcls rejects PutObject with the public-read canned ACL", page: bpa,
			principal: bucketOwnerUser, action: "s3:PutObject", resource: object, resAcct: ownerAcct, identity: []string{readAll}, context: map[string]string{"s3:x-amz-acl": "public-read"},
			s3: &S3{ObjectOwnership: ObjectWriter, BucketBlockPublicAccess: &BlockPublicAccess{BlockPublicAcls: true}}, want: ImplicitDeny, layer: LayerResource, reason: "BlockPublicAcls"},
		{rule: "BlockPublicAcls rejects PutBucketAcl granting READ to AllUsers by header", page: bpa,
			principal: bucketOwnerUser, action: "s3:PutBucketAcl", resource: "arn:aws:s3:::amzn-s3-demo-bucket", resAcct: ownerAcct, identity: []string{readAll},
			context: map[string]string{"s3:x-amz-grant-read": `uri="http://acs.amazonaws.com/groups/global/AllUsers"`},
			s3:      &S3{ObjectOwnership: ObjectWriter, AccountBlockPublicAccess: &BlockPublicAccess{BlockPublicAcls: true}}, want: ImplicitDeny, reason: "BlockPublicAcls"},
		{rule: "BlockPublicAcls rejects PutObjectAcl with a public ACL body", page: bpa,
			principal: bucketOwnerUser, action: "s3:PutObjectAcl", resource: object, resAcct: ownerAcct, identity: []string{readAll},
			s3: &S3{ObjectOwnership: ObjectWriter, BucketBlockPublicAccess: &BlockPublicAccess{BlockPublicAcls: true},
				NewACL: &ACL{Grants: []ACLGrant{{Group: GroupAuthenticatedUsers, Permission: "READ"}}}}, want: ImplicitDeny, reason: "BlockPublicAcls"},
		{rule: "BlockPublicAcls lets a PutObject without an ACL through", page: bpa,
			principal: bucketOwnerUser, action: "s3:PutObject", resource: object, resAcct: ownerAcct, identity: []string{readAll},
			s3: &S3{BucketBlockPublicAccess: &BlockPublicAccess{BlockPublicAcls: true}}, want: Allow},
		{rule: "BlockPublicAcls with PutBucketAcl whose ACL is not given is undetermined", page: bpa,
			principal: bucketOwnerUser, action: "s3:PutBucketAcl", resource: "arn:aws:s3:::amzn-s3-demo-bucket", resAcct: ownerAcct, identity: []string{readAll},
			s3: &S3{ObjectOwnership: ObjectWriter, BucketBlockPublicAccess: &BlockPublicAccess{BlockPublicAcls: true}}, want: Undetermined},
		{rule: "IgnorePublicAcls ignores an AllUsers READ grant", page: bpa,
			principal: "anonymous", action: "s3:GetObject", resource: object, resAcct: ownerAcct,
			s3: &S3{ObjectOwnership: ObjectWriter, BucketBlockPublicAccess: &BlockPublicAccess{IgnorePublicAcls: true},
				ObjectACL: &ACL{Grants: []ACLGrant{{Group: GroupAllUsers, Permission: "READ"}}}}, want: ImplicitDeny, layer: LayerResource},
	})
}

func mustDoc(t *testing.T, doc string) *policy.Policy {
	t.Helper()
	p, err := policy.Parse([]byte(doc), policy.Options{Type: policy.TypeResource})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestObjectOwnershipAndACLs(t *testing.T) {
	const acl = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html"
	const oo = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html"
	const how = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/how-s3-evaluates-access-control.html"
	allUsersRead := &ACL{Grants: []ACLGrant{{Group: GroupAllUsers, Permission: "READ"}}}
	runLayerCases(t, []layerCase{
		{rule: "an AllUsers READ object grant lets anonymous callers read (ACLs enabled)", page: acl,
			principal: "anonymous", action: "s3:GetObject", resource: object, resAcct: ownerAcct,
			s3: &S3{ObjectOwnership: ObjectWriter, ObjectACL: allUsersRead}, want: Allow, layer: LayerResource},
		{rule: "BucketOwnerEnforced disables ACLs: the same grant gives nothing", page: oo,
			principal: "anonymous", action: "s3:GetObject", resource: object, resAcct: ownerAcct,
			s3: &S3{ObjectOwnership: BucketOwnerEnforced, ObjectACL: allUsersRead}, want: ImplicitDeny, layer: LayerResource},
		{rule: "ACLs disabled is the default (empty ObjectOwnership)", page: oo,
			principal: "anonymous", action: "s3:GetObject", resource: object, resAcct: ownerAcct,
			s3: &S3{ObjectACL: allUsersRead}, want: ImplicitDeny},
		{rule: "an object READ grant does not cover reading the ACL (READ_ACP)", page: acl,
			principal: "anonymous", action: "s3:GetObjectAcl", resource: object, resAcct: ownerAcct,
			s3: &S3{ObjectOwnership: ObjectWriter, ObjectACL: allUsersRead}, want: ImplicitDeny},
		{rule: "a bucket WRITE grant covers PutObject", page: acl,
			principal: "anonymous", action: "s3:PutObject", resource: object, resAcct: ownerAcct,
			s3: &S3{ObjectOwnership: BucketOwnerPreferred, BucketACL: &ACL{Grants: []ACLGrant{{Group: GroupAllUsers, Permission: "WRITE"}}}}, want: Allow},
		{rule: "FULL_CONTROL on the bucket covers ListBucket", page: acl,
			principal: "anonymous", action: "s3:ListBucket", resource: "arn:aws:s3:::amzn-s3-demo-bucket", resAcct: ownerAcct,
			s3: &S3{ObjectOwnership: ObjectWriter, BucketACL: &ACL{Grants: []ACLGrant{{Group: GroupAllUsers, Permission: "FULL_CONTROL"}}}}, want: Allow},
		{rule: "AuthenticatedUsers excludes anonymous callers", page: acl,
			principal: "anonymous", action: "s3:GetObject", resource: object, resAcct: ownerAcct,
			s3: &S3{ObjectOwnership: ObjectWriter, ObjectACL: &ACL{Grants: []ACLGrant{{Group: GroupAuthenticatedUsers, Permission: "READ"}}}}, want: ImplicitDeny},
		{rule: "a grant to another account delegates: that account's user needs an identity policy", page: acl,
			principal: otherUser, action: "s3:GetObject", resource: object, resAcct: ownerAcct,
			s3: &S3{ObjectOwnership: ObjectWriter, ObjectACL: &ACL{Grants: []ACLGrant{{Account: "444455556666", Permission: "READ"}}}}, want: ImplicitDeny, layer: LayerIdentity},
		{rule: "a grant to another account plus its identity policy allows", page: acl,
			principal: otherUser, action: "s3:GetObject", resource: object, resAcct: ownerAcct, identity: []string{readAll},
			s3: &S3{ObjectOwnership: ObjectWriter, ObjectACL: &ACL{Grants: []ACLGrant{{Account: "444455556666", Permission: "READ"}}}}, want: Allow, layer: LayerIdentity},
		{rule: "a grant to a canonical user whose account is unknown leaves the answer open", page: acl,
			principal: otherUser, action: "s3:GetObject", resource: object, resAcct: ownerAcct, identity: []string{readAll},
			s3: &S3{ObjectOwnership: ObjectWriter, ObjectACL: &ACL{Grants: []ACLGrant{{CanonicalID: "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be", Permission: "READ"}}}}, want: Undetermined},
		{rule: "an object another account owns: the bucket owner's policy cannot grant it", page: how,
			principal: bucketOwnerUser, action: "s3:GetObject", resource: object, resAcct: ownerAcct, identity: []string{readAll}, resource_: publicRead,
			s3: &S3{ObjectOwnership: ObjectWriter, ObjectACL: &ACL{OwnerAccount: "444455556666", Grants: []ACLGrant{{Account: "444455556666", Permission: "FULL_CONTROL"}}}}, want: ImplicitDeny, layer: LayerResource},
		{rule: "an object another account owns: the owner's bucket-owner-read grant lets the bucket owner's users in", page: how,
			principal: bucketOwnerUser, action: "s3:GetObject", resource: object, resAcct: ownerAcct, identity: []string{readAll},
			s3: &S3{ObjectOwnership: ObjectWriter, ObjectACL: &ACL{OwnerAccount: "444455556666", Grants: []ACLGrant{
				{Account: "444455556666", Permission: "FULL_CONTROL"}, {Account: ownerAcct, Permission: "READ"}}}}, want: Allow, layer: LayerIdentity},
		{rule: "an object another account owns: that account's own users read it with their identity policy", page: how,
			principal: otherUser, action: "s3:GetObject", resource: object, resAcct: ownerAcct, identity: []string{readAll},
			s3: &S3{ObjectOwnership: ObjectWriter, ObjectACL: &ACL{OwnerAccount: "444455556666"}}, want: Allow, layer: LayerIdentity},
		{rule: "with BucketOwnerEnforced the bucket owner owns every object", page: oo,
			principal: bucketOwnerUser, action: "s3:GetObject", resource: object, resAcct: ownerAcct, identity: []string{readAll},
			s3: &S3{ObjectOwnership: BucketOwnerEnforced, ObjectACL: &ACL{OwnerAccount: "444455556666"}}, want: Allow},
		{rule: "with ACLs disabled, PutObject with a public-read ACL fails (AccessControlListNotSupported)", page: oo,
			principal: bucketOwnerUser, action: "s3:PutObject", resource: object, resAcct: ownerAcct, identity: []string{readAll}, context: map[string]string{"s3:x-amz-acl": "public-read"},
			s3: &S3{}, want: ImplicitDeny, reason: "AccessControlListNotSupported"},
		{rule: "with ACLs disabled, PutObject with bucket-owner-full-control is accepted", page: oo,
			principal: bucketOwnerUser, action: "s3:PutObject", resource: object, resAcct: ownerAcct, identity: []string{readAll}, context: map[string]string{"s3:x-amz-acl": "bucket-owner-full-control"},
			s3: &S3{}, want: Allow},
	})
}

func TestAccessPoints(t *testing.T) {
	const page = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html"
	const vpc = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-vpc.html"
	const apARN = "arn:aws:s3:us-west-2:111122223333:accesspoint/my-access-point"
	// "Delegating access control to access points" (access-points-policies.html).
	delegate := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "*",
		"Resource": ["arn:aws:s3:::amzn-s3-demo-bucket", "arn:aws:s3:::amzn-s3-demo-bucket/*"],
		"Condition": {"StringEquals": {"s3:DataAccessPointAccount": "111122223333"}}}]}`
	// The access point policy example granting Jane GetObject and PutObject under her prefix.
	apPolicy := mustPolicy(t, "ap", policy.TypeResource, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
		"Principal": {"AWS": "arn:aws:iam::111122223333:user/Jane"}, "Action": ["s3:GetObject", "s3:PutObject"],
		"Resource": "arn:aws:s3:us-west-2:111122223333:accesspoint/my-access-point/object/Jane/*"}]}`)
	ap := &AccessPoint{ARN: apARN, Bucket: "amzn-s3-demo-bucket", Policy: apPolicy, NetworkOrigin: "Internet"}
	vpcAP := &AccessPoint{ARN: apARN, Bucket: "amzn-s3-demo-bucket", Policy: apPolicy, NetworkOrigin: "VPC", VpcID: "vpc-1a2b3c4d"}
	jane := "arn:aws:iam::111122223333:user/Jane"
	runLayerCases(t, []layerCase{
		{rule: "the access point policy and the bucket's delegation both allow", page: page,
			principal: jane, action: "s3:GetObject", resource: apARN + "/object/Jane/notes.txt", resource_: delegate, ap: ap, want: Allow},
		{rule: "the access point policy does not cover another prefix (same account, no identity policy)", page: page,
			principal: jane, action: "s3:GetObject", resource: apARN + "/object/Bob/notes.txt", resource_: delegate, ap: ap, want: ImplicitDeny, layer: LayerIdentity},
		{rule: "without the bucket's delegation, the bucket check needs the identity policy on the bucket", page: page,
			principal: jane, action: "s3:GetObject", resource: apARN + "/object/Jane/notes.txt", ap: ap,
			identity: []string{`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:us-west-2:111122223333:accesspoint/my-access-point/object/*"}]}`},
			want:     ImplicitDeny, layer: LayerIdentity},
		{rule: "a bucket policy Deny applies to requests through the access point", page: page,
			principal: jane, action: "s3:GetObject", resource: apARN + "/object/Jane/notes.txt", ap: ap,
			resource_: `{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/Jane/*"}]}`,
			want:      ExplicitDeny, layer: LayerResource},
		{rule: "a bucket policy may deny by s3:DataAccessPointArn", page: page,
			principal: jane, action: "s3:GetObject", resource: apARN + "/object/Jane/notes.txt", ap: ap,
			resource_: `{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*", "Condition": {"StringEquals": {"s3:DataAccessPointArn": "` + apARN + `"}}}]}`,
			want:      ExplicitDeny},
		{rule: "a VPC access point refuses requests from outside its VPC", page: vpc,
			principal: jane, action: "s3:GetObject", resource: apARN + "/object/Jane/notes.txt", resource_: delegate, ap: vpcAP, want: ImplicitDeny, reason: "network origin VPC"},
		{rule: "a VPC access point accepts requests from its VPC", page: vpc,
			principal: jane, action: "s3:GetObject", resource: apARN + "/object/Jane/notes.txt", resource_: delegate, ap: vpcAP,
			context: map[string]string{"aws:SourceVpc": "vpc-1a2b3c4d"}, want: Allow},
		{rule: "a cross-account caller needs the access point policy to name it", page: page,
			principal: otherUser, action: "s3:GetObject", resource: apARN + "/object/Jane/notes.txt", resource_: delegate, ap: ap, identity: []string{readAll},
			want: ImplicitDeny, layer: LayerResource},
		{rule: "an upload with an ACL through an access point to a bucket with ACLs enabled is accepted", page: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html",
			principal: jane, action: "s3:PutObject", resource: apARN + "/object/Jane/a.txt", resource_: delegate, ap: ap,
			context: map[string]string{"s3:x-amz-acl": "bucket-owner-read"}, s3: &S3{ObjectOwnership: ObjectWriter}, want: Allow},
		{rule: "the same upload to a bucket with ACLs disabled fails", page: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html",
			principal: jane, action: "s3:PutObject", resource: apARN + "/object/Jane/a.txt", resource_: delegate, ap: ap,
			context: map[string]string{"s3:x-amz-acl": "bucket-owner-read"}, s3: &S3{}, want: ImplicitDeny, reason: "AccessControlListNotSupported"},
		{rule: "a multi-region access point: its policy and the serving bucket's delegation both allow", page: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/MultiRegionAccessPointPermissions.html",
			principal: jane, action: "s3:GetObject", resource: "arn:aws:s3::111122223333:accesspoint/mfzwi23gnjvgw.mrap/object/Jane/a.txt", resource_: delegate,
			ap: &AccessPoint{ARN: "arn:aws:s3::111122223333:accesspoint/mfzwi23gnjvgw.mrap", Bucket: "amzn-s3-demo-bucket",
				Policy: mustPolicy(t, "mrap", policy.TypeResource, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/Jane"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3::111122223333:accesspoint/mfzwi23gnjvgw.mrap/object/*"}]}`)},
			want: Allow},
		{rule: "RestrictPublicBuckets on the access point blocks a public access point policy for other accounts", page: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
			principal: otherUser, action: "s3:GetObject", resource: apARN + "/object/x", resource_: delegate, identity: []string{readAll},
			ap: &AccessPoint{ARN: apARN, Bucket: "amzn-s3-demo-bucket", BlockPublicAccess: restrict,
				Policy: mustPolicy(t, "ap", policy.TypeResource, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "`+apARN+`/object/*"}]}`)},
			want: ImplicitDeny, layer: LayerResource},
	})
}

func TestKMSGrants(t *testing.T) {
	const grants = "https://docs.aws.amazon.com/kms/latest/developerguide/grants.html"
	const constraints = "https://docs.aws.amazon.com/kms/latest/developerguide/create-grant-overview.html#grant-constraints"
	const key = "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	keyPolicyAccount := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"}]}`
	role := "arn:aws:sts::111122223333:assumed-role/keyUserRole/s1"
	g := KMSGrant{GrantID: "g1", GranteePrincipal: "arn:aws:iam::111122223333:role/keyUserRole", RetiringPrincipal: "arn:aws:iam::111122223333:role/adminRole",
		Operations: []string{"Decrypt", "GenerateDataKey", "DescribeKey"}}
	withEquals := g
	withEquals.EncryptionContextEquals = map[string]string{"Department": "IT"}
	withSubset := g
	withSubset.EncryptionContextSubset = map[string]string{"Department": "IT"}
	runLayerCases(t, []layerCase{
		{rule: "a grant allows its grantee the grant's operations without any policy allowing", page: grants,
			principal: role, action: "kms:Decrypt", resource: key, resource_: keyPolicyAccount, grants: []KMSGrant{g}, want: Allow, layer: LayerResource, reason: "grant g1"},
		{rule: "without the grant the key policy's delegation needs an identity policy", page: grants,
			principal: role, action: "kms:Decrypt", resource: key, resource_: keyPolicyAccount, want: ImplicitDeny, layer: LayerIdentity},
		{rule: "a grant does not allow operations it does not list", page: grants,
			principal: role, action: "kms:Encrypt", resource: key, resource_: keyPolicyAccount, grants: []KMSGrant{g}, want: ImplicitDeny},
		{rule: "a grant allows only its grantee", page: grants,
			principal: "arn:aws:sts::111122223333:assumed-role/otherRole/s1", action: "kms:Decrypt", resource: key, resource_: keyPolicyAccount, grants: []KMSGrant{g}, want: ImplicitDeny},
		{rule: "an explicit deny in the key policy beats a grant", page: grants,
			principal: role, action: "kms:Decrypt", resource: key, grants: []KMSGrant{g},
			resource_: `{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}]}`, want: ExplicitDeny},
		{rule: "EncryptionContextEquals: the exact context matches", page: constraints,
			principal: role, action: "kms:Decrypt", resource: key, resource_: keyPolicyAccount, grants: []KMSGrant{withEquals},
			context: map[string]string{"kms:EncryptionContext:Department": "IT"}, want: Allow},
		{rule: "EncryptionContextEquals: an extra pair does not match", page: constraints,
			principal: role, action: "kms:Decrypt", resource: key, resource_: keyPolicyAccount, grants: []KMSGrant{withEquals},
			context: map[string]string{"kms:EncryptionContext:Department": "IT", "kms:EncryptionContext:Purpose": "Test"}, want: ImplicitDeny},
		{rule: "EncryptionContextEquals: values are case-sensitive", page: constraints,
			principal: role, action: "kms:Decrypt", resource: key, resource_: keyPolicyAccount, grants: []KMSGrant{withEquals},
			context: map[string]string{"kms:EncryptionContext:Department": "it"}, want: ImplicitDeny},
		{rule: "EncryptionContextSubset: an extra pair matches", page: constraints,
			principal: role, action: "kms:Decrypt", resource: key, resource_: keyPolicyAccount, grants: []KMSGrant{withSubset},
			context: map[string]string{"kms:EncryptionContext:Department": "IT", "kms:EncryptionContext:Purpose": "Test"}, want: Allow},
		{rule: "EncryptionContextSubset: a missing pair does not match", page: constraints,
			principal: role, action: "kms:Decrypt", resource: key, resource_: keyPolicyAccount, grants: []KMSGrant{withSubset}, want: ImplicitDeny},
		{rule: "constraints do not apply to operations without an encryption context (DescribeKey)", page: constraints,
			principal: role, action: "kms:DescribeKey", resource: key, resource_: keyPolicyAccount, grants: []KMSGrant{withEquals}, want: Allow},
		{rule: "the retiring principal may retire the grant", page: "https://docs.aws.amazon.com/kms/latest/developerguide/grant-delete.html",
			principal: "arn:aws:sts::111122223333:assumed-role/adminRole/s", action: "kms:RetireGrant", resource: key, resource_: keyPolicyAccount, grants: []KMSGrant{g}, want: Allow},
		{rule: "a grant to a principal in another account allows it without the key policy", page: grants,
			principal: "arn:aws:iam::444455556666:user/bob", action: "kms:Decrypt", resource: key, resource_: keyPolicyAccount,
			grants: []KMSGrant{{GrantID: "g2", GranteePrincipal: "arn:aws:iam::444455556666:user/bob", Operations: []string{"Decrypt"}}}, want: Allow},
		{rule: "a grant to an account is undetermined for its IAM principals", page: grants,
			principal: role, action: "kms:Decrypt", resource: key, resource_: `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/admin"}, "Action": "kms:*", "Resource": "*"}]}`,
			grants: []KMSGrant{{GrantID: "g3", GranteePrincipal: "arn:aws:iam::111122223333:root", Operations: []string{"Decrypt"}}}, want: Undetermined},
	})
}
