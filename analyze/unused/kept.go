package unused

import "github.com/iamwhy/iamwhy/eval"

// keptRequest is a request kept for the re-simulation of a removal
// proposal, its context in eval's binary form. A 1,000-role environment
// over a 2 GB trail keeps some 80,000 requests: as maps of keys to values
// they were a third of the live heap, and every collection traced them
// all; in this form the collector skips the bytes and the heap is smaller.
type keptRequest struct {
	principal, action, resource, resourceAccount string
	context                                      []byte
}

func keep(r *eval.Request) keptRequest {
	ctx, _ := r.Context.AppendBinary(nil) // AppendBinary does not fail
	return keptRequest{r.Principal, r.Action, r.Resource, r.ResourceAccount, ctx}
}

// request rebuilds the request.
func (k keptRequest) request() (*eval.Request, error) {
	r := &eval.Request{Principal: k.principal, Action: k.action, Resource: k.resource, ResourceAccount: k.resourceAccount, Context: &eval.Context{}}
	if err := r.Context.UnmarshalBinary(k.context); err != nil {
		return nil, err
	}
	return r, nil
}
