package eval

import (
	"strings"

	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/policy"
)

// S3 holds the Amazon S3 settings that take part in authorising a request
// on a bucket or its objects besides policies: Block Public Access at the
// account and bucket level, Object Ownership and the ACLs it enables, and
// the policy or ACL a write request carries. Layers.S3 nil: none of them
// is modelled, and the request is decided from its policies alone.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/how-s3-evaluates-access-control.html
type S3 struct {
	// AccountBlockPublicAccess is the bucket owner's account-level
	// setting (s3control GetPublicAccessBlock); nil: none.
	AccountBlockPublicAccess *BlockPublicAccess
	// BucketBlockPublicAccess is the bucket's setting (s3
	// GetPublicAccessBlock); nil: none.
	BucketBlockPublicAccess *BlockPublicAccess
	// ObjectOwnership is the bucket's Object Ownership setting. Empty
	// means BucketOwnerEnforced, the default for new buckets: ACLs are
	// disabled and the bucket owner owns every object.
	ObjectOwnership ObjectOwnership
	// BucketACL and ObjectACL are the bucket's and the object's access
	// control lists; they count only when ObjectOwnership enables ACLs.
	BucketACL *ACL
	ObjectACL *ACL
	// ObjectOwnerUnknown says the object's ACL, and so its owner, is not
	// known while ACLs are enabled: another account may own the object,
	// and then only its ACL grants access.
	ObjectOwnerUnknown bool
	// NewPolicy is the policy a PutBucketPolicy or PutAccessPointPolicy
	// request carries (BlockPublicPolicy judges it).
	NewPolicy *policy.Policy
	// NewACL is the ACL a PutBucketAcl or PutObjectAcl request carries in
	// its body; ACLs given in headers are read from the context keys
	// s3:x-amz-acl and s3:x-amz-grant-*.
	NewACL *ACL
}

// BlockPublicAccess is an S3 Block Public Access configuration, at the
// account, bucket or access point level.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
type BlockPublicAccess struct {
	BlockPublicAcls       bool
	IgnorePublicAcls      bool
	BlockPublicPolicy     bool
	RestrictPublicBuckets bool
}

// merge returns the most restrictive combination: "Amazon S3 applies the
// most restrictive combination of the access point, bucket, and account
// settings".
func mergeBlockPublicAccess(levels ...*BlockPublicAccess) BlockPublicAccess {
	var out BlockPublicAccess
	for _, b := range levels {
		if b == nil {
			continue
		}
		out.BlockPublicAcls = out.BlockPublicAcls || b.BlockPublicAcls
		out.IgnorePublicAcls = out.IgnorePublicAcls || b.IgnorePublicAcls
		out.BlockPublicPolicy = out.BlockPublicPolicy || b.BlockPublicPolicy
		out.RestrictPublicBuckets = out.RestrictPublicBuckets || b.RestrictPublicBuckets
	}
	return out
}

// ObjectOwnership is a bucket's Object Ownership setting.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
type ObjectOwnership string

const (
	// BucketOwnerEnforced disables ACLs: the bucket owner owns every
	// object and only policies grant access (the default).
	BucketOwnerEnforced ObjectOwnership = "BucketOwnerEnforced"
	// BucketOwnerPreferred: ACLs count; objects uploaded with the
	// bucket-owner-full-control ACL belong to the bucket owner.
	BucketOwnerPreferred ObjectOwnership = "BucketOwnerPreferred"
	// ObjectWriter: ACLs count; the uploading account owns the object.
	ObjectWriter ObjectOwnership = "ObjectWriter"
)

// ACLsEnabled reports whether ACL grants count under this setting.
func (o ObjectOwnership) ACLsEnabled() bool {
	return o == BucketOwnerPreferred || o == ObjectWriter
}

// s3BucketOwner is the account that owns the bucket: the resource account.
// An object owned by another account (ObjectACL.OwnerAccount, with ACLs
// enabled) is authorised in that owner's context: "If the bucket owner
// is not the object owner, only the object owner can grant access" (through
// the object ACL); the bucket owner's policy can still deny.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/how-s3-evaluates-access-control.html
func (s *S3) objectOwner(res *requestResource, bucketOwner string) string {
	if s == nil || !s.ObjectOwnership.ACLsEnabled() || s.ObjectACL == nil || s.ObjectACL.OwnerAccount == "" {
		return bucketOwner
	}
	if !isS3ObjectARN(res.s) {
		return bucketOwner
	}
	return s.ObjectACL.OwnerAccount
}

// isS3ObjectARN: arn:PARTITION:s3:::bucket/key.
func isS3ObjectARN(s string) bool {
	_, object, ok := arn.S3Bucket(s)
	return ok && object
}

// s3Gate applies the S3 settings after the explicit denies: Block Public
// Access on writes of policies and ACLs, requests that carry ACLs to a
// bucket with ACLs disabled, RestrictPublicBuckets on the bucket policy's
// grants, an object owned by another account, and ACL grants. It may
// change res (the resource layer's result); stop means d decides.
func (ev *evaluator) s3Gate() (d Decision, stop bool) {
	l, res := ev.l, &ev.resource
	bucketOwner, objectOwner := ev.req.resourceAccount(&ev.p), ev.sc.resAcct
	s := l.S3
	act := ev.req.Action
	bpa := mergeBlockPublicAccess(s.AccountBlockPublicAccess, s.BucketBlockPublicAccess)
	restricted := false

	// BlockPublicPolicy: "Amazon S3 rejects calls to PUT Bucket policy if
	// the specified bucket policy allows public access", and likewise PUT
	// access point policy.
	// https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-options
	if bpa.BlockPublicPolicy && (equalFold(act, "s3:PutBucketPolicy") || equalFold(act, "s3:PutAccessPointPolicy")) {
		if s.NewPolicy == nil {
			return undetermined("BlockPublicPolicy is on and rejects a public policy, but the policy this request puts was not given"), true
		}
		if IsPublicPolicy(s.NewPolicy) {
			return implicitDeny(LayerResource, "Block Public Access (BlockPublicPolicy) rejects a public policy: "+firstPublicReason(s.NewPolicy)), true
		}
		ev.note("BlockPublicPolicy: the policy being put is not public")
	}
	if aclWriteAction(act) {
		pub, carries, known := ev.requestACL(s)
		// BlockPublicAcls: "PUT Bucket ACL and PUT Object ACL calls fail
		// if the specified ACL is public. PUT Object calls fail if the
		// request includes a public ACL."
		if bpa.BlockPublicAcls {
			if !known {
				return undetermined("BlockPublicAcls is on and rejects a public ACL, but the ACL this request sets was not given (s3:x-amz-acl, s3:x-amz-grant-* or the request's ACL)"), true
			}
			if pub {
				return implicitDeny(LayerResource, "Block Public Access (BlockPublicAcls) rejects a request that sets a public ACL"), true
			}
		}
		// With ACLs disabled, "requests to set ACLs or update ACLs fail
		// and return the 400 error code AccessControlListNotSupported",
		// except the bucket-owner-full-control canned ACL.
		// https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
		if !s.ObjectOwnership.ACLsEnabled() && carries {
			return implicitDeny(LayerResource, "ACLs are disabled on the bucket (Object Ownership BucketOwnerEnforced): S3 rejects a request that sets an ACL other than bucket-owner-full-control (AccessControlListNotSupported)"), true
		}
	}

	if s.ObjectOwnerUnknown && s.ObjectOwnership.ACLsEnabled() && isS3ObjectARN(ev.req.Resource) && objectOwnerMatters(act) {
		return undetermined("ACLs are enabled on the bucket (Object Ownership " + string(s.ObjectOwnership) + ") and the object's ACL was not collected: another account may own the object, and then only the object's ACL grants access"), true
	}

	// RestrictPublicBuckets: "restricts access to an access point or bucket
	// with a public policy to only AWS service principals and authorized
	// users within the bucket owner's account"; it blocks every
	// cross-account grant of that policy, public or not.
	if bpa.RestrictPublicBuckets && res.allow != triFalse && l.Resource != nil && IsPublicPolicy(l.Resource.Doc) &&
		ev.p.Type != PrincipalService && ev.p.Account != bucketOwner {
		ev.note("RestrictPublicBuckets: the policy is public, so it grants nothing to callers outside account " + bucketOwner + " other than AWS service principals")
		res.allow, res.allowPol, res.allowIdx, res.allowMatch = triFalse, nil, -1, matchNone
		restricted = true
	}

	// An object that another account owns: the bucket policy's Allows do
	// not grant access to it; only the object owner's ACL does.
	foreign := objectOwner != bucketOwner
	if foreign && res.allow != triFalse {
		ev.note("the object is owned by account " + objectOwner + ", not the bucket owner " + bucketOwner + ": the bucket policy cannot grant access to it, only the object's ACL")
		res.allow, res.allowPol, res.allowIdx, res.allowMatch = triFalse, nil, -1, matchNone
	}

	if s.ObjectOwnership.ACLsEnabled() {
		if ev.aclGrants(s, &bpa, res) {
			ev.sc.resource = true // an ACL is a resource-based permission
		}
	} else if s.BucketACL != nil || s.ObjectACL != nil {
		ev.note("ACLs are disabled on the bucket (Object Ownership BucketOwnerEnforced): its ACL grants nothing")
	}
	// A caller outside the account whose grant it needs is denied here,
	// with the rule that took the grant away.
	if res.allow == triFalse {
		switch {
		case restricted:
			return implicitDeny(LayerResource, "Block Public Access (RestrictPublicBuckets): the bucket policy is public, so it grants nothing to callers outside the bucket owner's account "+bucketOwner+" other than AWS service principals"), true
		case foreign && ev.p.Account != objectOwner:
			return implicitDeny(LayerResource, "the object is owned by account "+objectOwner+", not the bucket owner "+bucketOwner+": only the object's ACL can grant access to it, and it does not grant this"), true
		}
	}
	return Decision{}, false
}

// objectOwnerMatters: object operations the object owner authorises
// (reading the object, its ACL and its attributes), as opposed to writes
// that the bucket's WRITE permission governs.
func objectOwnerMatters(action string) bool {
	a := strings.ToLower(action)
	return strings.HasPrefix(a, "s3:getobject") || strings.HasPrefix(a, "s3:putobjectacl") || strings.HasPrefix(a, "s3:putobjectversionacl") ||
		strings.HasPrefix(a, "s3:putobjecttagging") || a == "s3:restoreobject"
}

// s3AndKMSGates applies S3's own settings and KMS grants, after the
// explicit denies and the organisation and endpoint gates, before the
// resource-based and identity-based policies are combined.
func (ev *evaluator) s3AndKMSGates() (Decision, bool) {
	l := ev.l
	if l.S3 != nil {
		if d, stop := ev.s3Gate(); stop {
			return d, true
		}
	}
	if l.KMSGrants != nil {
		d, ok, unknown := ev.kmsGrantDecision(l.KMSGrants)
		if ok {
			return d, true
		}
		if unknown != "" && ev.resource.allow != triTrue {
			return undetermined(unknown), true
		}
	}
	return Decision{}, false
}

func firstPublicReason(doc *policy.Policy) string {
	ps := PublicPolicyStatements(doc)
	if len(ps) == 0 {
		return ""
	}
	label := ps[0].Sid
	if label == "" {
		label = "statement " + itoa(ps[0].Index)
	}
	return label + ": " + ps[0].Reason
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	neg := i < 0
	if neg {
		i = -i
	}
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	if neg {
		n--
		b[n] = '-'
	}
	return string(b[n:])
}
