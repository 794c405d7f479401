package eval

import (
	"strings"

	"github.com/iamwhy/iamwhy/arn"
)

// AccessPoint is an S3 access point that a request goes through (its
// resource is the access point ARN, or ARN/object/KEY for an object).
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html
type AccessPoint struct {
	// ARN is arn:PARTITION:s3:REGION:ACCOUNT:accesspoint/NAME.
	ARN string
	// Bucket is the underlying bucket's name, BucketAccount its owner
	// (empty: the access point's account).
	Bucket        string
	BucketAccount string
	// Policy is the access point policy; nil: it has none.
	Policy *Policy
	// NetworkOrigin is "Internet" or "VPC"; with "VPC" only requests
	// from VpcID are accepted.
	NetworkOrigin string
	VpcID         string
	// BlockPublicAccess is the access point's own setting; nil: none.
	BlockPublicAccess *BlockPublicAccess
}

// accessPointParts splits a request resource under the access point into
// the object key (empty for the access point itself) and reports whether
// the resource is under it.
func (ap *AccessPoint) objectKey(resource string) (key string, isObject, ok bool) {
	if resource == ap.ARN {
		return "", false, true
	}
	if k, found := strings.CutPrefix(resource, ap.ARN+"/object/"); found {
		return k, true, true
	}
	return "", false, false
}

func (ap *AccessPoint) account() string { return arn.Account(ap.ARN) }

// decideAccessPoint decides a request made through an access point. AWS
// authorises it twice: against the access point (its policy, with the
// access point ARN as the resource) and against the bucket (the bucket
// policy, with the bucket or object ARN), and both must allow; a bucket
// policy commonly delegates to the access points of its account with
// s3:DataAccessPointAccount or s3:DataAccessPointArn. An access point with
// a VPC network origin accepts requests only from that VPC. The context
// keys s3:DataAccessPointArn, s3:DataAccessPointAccount and
// s3:AccessPointNetworkOrigin are set from the access point unless given.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-vpc.html
//
// Each check runs in an evaluator of its own; both write to trace.
func decideAccessPoint(trace *Trace, req *Request, l *Layers) Decision {
	ev := &evaluator{trace: trace}
	ap := l.AccessPoint
	key, isObject, ok := ap.objectKey(req.Resource)
	inner := *l
	inner.AccessPoint = nil
	if !ok {
		ev.note("the resource is not under access point " + ap.ARN + "; its settings do not apply")
		return ev.decide(req, &inner)
	}
	sub := func(r *Request, layers *Layers) Decision {
		e := evaluator{trace: trace}
		return e.decide(r, layers)
	}
	if ap.Bucket == "" {
		return undetermined("the bucket behind access point " + ap.ARN + " is not known")
	}
	// Managing the access point itself (s3:GetAccessPointPolicy,
	// s3:PutAccessPointPolicy, s3:DeleteAccessPoint, ...) is a request on
	// the access point, not through it: no bucket check, no network origin.
	manage := strings.Contains(strings.ToLower(req.Action), "accesspoint")
	if strings.EqualFold(ap.NetworkOrigin, "VPC") && !manage {
		var v []string
		present := false
		if req.Context != nil {
			v, present = req.Context.Get("aws:SourceVpc")
		}
		if !present || len(v) != 1 || v[0] != ap.VpcID {
			return implicitDeny(LayerResource, "access point "+ap.ARN+" accepts only requests from VPC "+ap.VpcID+" (network origin VPC), and aws:SourceVpc is not that VPC")
		}
	}
	ctx := req.Context.Clone()
	if ctx == nil {
		ctx = &Context{}
	}
	setIfAbsent := func(k, v string) {
		if !ctx.Has(k) {
			ctx.Set(k, v)
		}
	}
	setIfAbsent("s3:DataAccessPointArn", ap.ARN)
	setIfAbsent("s3:DataAccessPointAccount", ap.account())
	origin := ap.NetworkOrigin
	if origin == "" {
		origin = "Internet"
	}
	setIfAbsent("s3:AccessPointNetworkOrigin", origin)

	// The access point check: its policy is the resource policy; Block
	// Public Access of the access point and the account apply to it.
	apReq := *req
	apReq.Context = ctx
	apReq.ResourceAccount = ap.account()
	apLayers := inner
	apLayers.Resource = ap.Policy
	if l.S3 != nil || ap.BlockPublicAccess != nil {
		s := S3{BucketBlockPublicAccess: ap.BlockPublicAccess}
		if l.S3 != nil {
			s.AccountBlockPublicAccess = l.S3.AccountBlockPublicAccess
			s.NewPolicy, s.NewACL = l.S3.NewPolicy, l.S3.NewACL
			// Whether ACLs are enabled is the bucket's setting; its ACLs
			// themselves are judged in the bucket check.
			s.ObjectOwnership = l.S3.ObjectOwnership
		}
		apLayers.S3 = &s
	}
	ev.note("request through access point " + ap.ARN + ": first the access point policy, then the bucket policy of " + ap.Bucket)
	d := sub(&apReq, &apLayers)
	if d.Outcome != Allow || manage {
		if d.Outcome != Allow && (d.Reason == "" || d.Layer == LayerResource) {
			d.Reason = "access point " + ap.ARN + ": " + firstNonEmpty(d.Reason, "its policy does not allow the request")
		}
		return d
	}

	// The bucket check.
	partition := arn.Partition(ap.ARN)
	bucketReq := *req
	bucketReq.Context = ctx
	bucketReq.Resource = "arn:" + partition + ":s3:::" + ap.Bucket
	if isObject {
		bucketReq.Resource += "/" + key
	}
	bucketReq.ResourceAccount = ap.BucketAccount
	if bucketReq.ResourceAccount == "" {
		bucketReq.ResourceAccount = ap.account()
	}
	db := sub(&bucketReq, &inner)
	if db.Outcome != Allow {
		if db.Layer == LayerResource {
			db.Reason = "bucket " + ap.Bucket + " behind access point " + ap.ARN + ": " + firstNonEmpty(db.Reason, "the bucket policy does not allow the request or delegate to the access point")
		}
		return db
	}
	return d
}
