// Package callkey names what a CloudTrail record's rebuilt requests depend
// on, so analyses that see the same call many times rebuild it once: the
// caller, the event, the request parameters and resources, and the
// context a policy condition may test that differs between calls (region,
// source address, VPC endpoint, the service that made the call). The
// call's time is left out: conditions on aws:CurrentTime are not
// re-simulated per call. The response is left out too (it holds request
// IDs that differ in every call): a call whose requests were rebuilt from
// its response (trail.Replay.FromResponse) must not be cached.
package callkey

import (
	"hash/fnv"

	"github.com/iamwhy/iamwhy/trail"
)

// Key is a 128-bit FNV-1a hash of the parts: small enough to cache
// millions, with collisions negligible at that scale.
type Key [16]byte

// Of returns the key of a record's call.
func Of(r *trail.Record) Key {
	h := fnv.New128a()
	for _, s := range []string{r.UserIdentity.ARN, r.UserIdentity.SessionContext.SessionIssuer.ARN, r.EventSource, r.EventName, r.EventType,
		r.AWSRegion, r.SourceIPAddress, r.VPCEndpointID, r.UserIdentity.InvokedBy, r.ReadOnly} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	if trail.IsAccessDenied(r.ErrorCode) {
		h.Write([]byte("denied"))
	}
	h.Write([]byte{0})
	h.Write(r.RequestParameters)
	for _, res := range r.Resources {
		h.Write([]byte{0})
		h.Write([]byte(res.ARN))
	}
	var k Key
	h.Sum(k[:0])
	return k
}

// OfResources returns the key of what a record's rebuilt requests' actions
// and resources depend on, leaving out the context (source address, VPC
// endpoint, the calling session): for analyses that keep requests by
// action and resource only. The caller is in the key only for an IAM
// user, whose IAM calls naming no user act on the user itself.
func OfResources(r *trail.Record) Key {
	h := fnv.New128a()
	caller := ""
	if r.UserIdentity.Type == "IAMUser" {
		caller = r.UserIdentity.ARN
	}
	for _, s := range []string{caller, r.EventSource, r.EventName, r.AWSRegion, r.Account()} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	h.Write(r.RequestParameters)
	for _, res := range r.Resources {
		h.Write([]byte{0})
		h.Write([]byte(res.ARN))
	}
	var k Key
	h.Sum(k[:0])
	return k
}
