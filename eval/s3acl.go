package eval

import "strings"

// ACL is an S3 access control list, as GetBucketAcl and GetObjectAcl return
// it, with canonical user IDs resolved to accounts where known.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html
type ACL struct {
	// OwnerAccount is the account that owns the bucket or object; empty
	// for a bucket ACL or an object the bucket owner owns.
	OwnerAccount string
	Grants       []ACLGrant
}

// ACLGrant is one grant of an ACL. Exactly one of Account, CanonicalID and
// Group names the grantee.
type ACLGrant struct {
	// Account is the grantee account (a canonical user whose account is
	// known, or a grant by e-mail address, which S3 stores as the
	// account's canonical user).
	Account string
	// CanonicalID is a canonical user whose account is not known.
	CanonicalID string
	// Group is a predefined group's URI, e.g.
	// http://acs.amazonaws.com/groups/global/AllUsers.
	Group string
	// Permission is READ, WRITE, READ_ACP, WRITE_ACP or FULL_CONTROL.
	Permission string
}

// The predefined groups.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#specifying-grantee-predefined-groups
const (
	GroupAllUsers           = "http://acs.amazonaws.com/groups/global/AllUsers"
	GroupAuthenticatedUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
	GroupLogDelivery        = "http://acs.amazonaws.com/groups/s3/LogDelivery"
)

// IsPublic reports whether the grant is to everyone (AllUsers) or to every
// AWS account (AuthenticatedUsers): what Block Public Access calls a
// public ACL grant.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status
func (g *ACLGrant) IsPublic() bool {
	return groupIs(g.Group, "AllUsers") || groupIs(g.Group, "AuthenticatedUsers")
}

func groupIs(uri, name string) bool {
	return strings.HasPrefix(uri, "http") && strings.HasSuffix(uri, "/"+name)
}

// aclPermissionActions maps ACL permissions to the policy actions they
// grant: the table "Mapping of ACL permissions and access policy
// permissions".
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#acl-access-policy-permission-mapping
var (
	bucketACLActions = map[string][]string{
		"READ":      {"s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"},
		"WRITE":     {"s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"},
		"READ_ACP":  {"s3:GetBucketAcl"},
		"WRITE_ACP": {"s3:PutBucketAcl"},
	}
	objectACLActions = map[string][]string{
		"READ":      {"s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTorrent"},
		"READ_ACP":  {"s3:GetObjectAcl", "s3:GetObjectVersionAcl"},
		"WRITE_ACP": {"s3:PutObjectAcl", "s3:PutObjectVersionAcl"},
	}
)

// aclCovers reports whether permission perm in an ACL of the given kind
// grants action. FULL_CONTROL grants every permission of its ACL.
func aclCovers(table map[string][]string, perm, action string) bool {
	if perm == "FULL_CONTROL" {
		for _, acts := range table {
			for _, a := range acts {
				if equalFold(a, action) {
					return true
				}
			}
		}
		return false
	}
	for _, a := range table[perm] {
		if equalFold(a, action) {
			return true
		}
	}
	return false
}

// aclGrants adds to the resource layer's result what the bucket's and the
// object's ACLs grant: ACL grants are resource-based permissions beside
// the bucket policy. A grant to an account delegates to its identity
// policies (as a policy naming the account); a grant to AllUsers is a
// grant to everyone, anonymous callers included; AuthenticatedUsers to
// every signed request. IgnorePublicAcls makes S3 "ignore all public ACLs
// on a bucket and any objects that it contains".
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-options
// It reports whether an ACL grant allows (or may allow).
func (ev *evaluator) aclGrants(s *S3, bpa *BlockPublicAccess, res *layerResult) (granted bool) {
	act := ev.req.Action
	check := func(acl *ACL, table map[string][]string, what string) {
		if acl == nil {
			return
		}
		for i := range acl.Grants {
			g := &acl.Grants[i]
			if !aclCovers(table, g.Permission, act) {
				continue
			}
			if g.IsPublic() && bpa.IgnorePublicAcls {
				ev.note("IgnorePublicAcls: the " + what + " grant of " + g.Permission + " to " + g.Group + " is ignored")
				continue
			}
			m, unknown := ev.aclGrantee(g)
			if unknown {
				if res.allow == triFalse {
					res.allow, res.reason = triUnknown, "the "+what+" grants "+g.Permission+" to canonical user "+g.CanonicalID+", whose account is not known"
					granted = true
				}
				continue
			}
			if m == matchNone {
				continue
			}
			if res.allow != triTrue || m > res.allowMatch {
				ev.note("the " + what + " grants " + g.Permission + " to " + aclGranteeName(g))
				res.allow, res.allowPol, res.allowIdx, res.allowMatch = triTrue, nil, -1, m
				granted = true
			}
		}
	}
	if isS3ObjectARN(ev.req.Resource) {
		check(s.ObjectACL, objectACLActions, "object ACL")
	}
	check(s.BucketACL, bucketACLActions, "bucket ACL")
	return granted
}

func aclGranteeName(g *ACLGrant) string {
	switch {
	case g.Account != "":
		return "account " + g.Account
	case g.CanonicalID != "":
		return "canonical user " + g.CanonicalID
	}
	return g.Group
}

// aclGrantee says how a grant names the caller.
func (ev *evaluator) aclGrantee(g *ACLGrant) (m principalMatch, unknown bool) {
	p := &ev.p
	switch {
	case groupIs(g.Group, "AllUsers"):
		return matchDirect, false
	case groupIs(g.Group, "AuthenticatedUsers"):
		if p.Type == PrincipalAnonymous {
			return matchNone, false
		}
		return matchDirect, false
	case groupIs(g.Group, "LogDelivery"):
		// The log delivery group is S3's server access logging service.
		// https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
		if p.Type == PrincipalService && p.Name == "logging.s3.amazonaws.com" {
			return matchDirect, false
		}
		return matchNone, false
	case g.Account != "":
		if p.Account != g.Account || p.Type == PrincipalService || p.Type == PrincipalAnonymous {
			return matchNone, false
		}
		if p.Type == PrincipalRoot {
			return matchDirect, false
		}
		return matchAccount, false
	case g.CanonicalID != "":
		return matchNone, p.Type != PrincipalAnonymous && p.Type != PrincipalService
	}
	return matchNone, false
}

// aclWriteAction: the actions whose request can carry an ACL.
func aclWriteAction(action string) bool {
	for _, a := range [...]string{"s3:PutBucketAcl", "s3:PutObjectAcl", "s3:PutObjectVersionAcl", "s3:PutObject", "s3:CreateBucket"} {
		if equalFold(a, action) {
			return true
		}
	}
	return false
}

// publicCannedACLs are the canned ACLs that grant to AllUsers or
// AuthenticatedUsers.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl
var publicCannedACLs = [...]string{"public-read", "public-read-write", "authenticated-read"}

var grantHeaderKeys = [...]string{"s3:x-amz-grant-read", "s3:x-amz-grant-write", "s3:x-amz-grant-read-acp", "s3:x-amz-grant-write-acp", "s3:x-amz-grant-full-control"}

// requestACL reads the ACL a write request sets, from its headers (the
// context keys s3:x-amz-acl and s3:x-amz-grant-*) and S3.NewACL: whether
// it is public, whether it sets anything other than the
// bucket-owner-full-control canned ACL, and whether that is known (a
// PutBucketAcl or PutObjectAcl request with neither headers nor body given
// is not).
func (ev *evaluator) requestACL(s *S3) (public, carries, known bool) {
	known = true
	given := false
	if e, ok := ev.keys.lookup("s3:x-amz-acl"); ok {
		given = true
		for _, v := range e.values {
			for _, c := range publicCannedACLs {
				if v == c {
					public = true
				}
			}
			if v != "bucket-owner-full-control" {
				carries = true
			}
		}
	}
	for _, k := range grantHeaderKeys {
		if e, ok := ev.keys.lookup(k); ok {
			given, carries = true, true
			for _, v := range e.values {
				if strings.Contains(v, "/groups/global/AllUsers") || strings.Contains(v, "/groups/global/AuthenticatedUsers") {
					public = true
				}
			}
		}
	}
	if s.NewACL != nil {
		given = true
		for i := range s.NewACL.Grants {
			g := &s.NewACL.Grants[i]
			if g.IsPublic() {
				public = true
			}
			if g.Account == "" || g.Account != s.NewACL.OwnerAccount {
				carries = true
			}
		}
	}
	act := ev.req.Action
	if !given && !equalFold(act, "s3:PutObject") && !equalFold(act, "s3:CreateBucket") {
		known = false
	}
	return public, carries, known
}
