package replay

import (
	"errors"
	"fmt"

	"github.com/iamwhy/iamwhy/denial"
	"github.com/iamwhy/iamwhy/eval"
)

// FromText rebuilds the request from pasted text: a CloudTrail record (or
// several, of which the first denied one is taken) or an access-denied
// message. name names the input in errors. What the message does not name
// is taken from g; a caller or action neither gives is an error, a missing
// resource is replayed on "*" with a note. ErrNotAccessDenied is returned
// when the text is neither.
func FromText(name, text string, g Given, opts Options) (*Request, error) {
	if rec := FirstDenied(text); rec != nil {
		return FromRecord(rec, g, opts)
	}
	d, err := denial.Parse(text, opts.Denial)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !d.Recognized {
		return nil, ErrNotAccessDenied
	}
	return FromDenial(d, g)
}

// FromDenial rebuilds the request from a parsed access-denied message,
// filling what the message does not name from g.
func FromDenial(d *denial.Denial, g Given) (*Request, error) {
	r := &Request{Source: &Source{Kind: "message", Deny: string(d.Deny), PolicyType: string(d.PolicyType)}}
	req := &eval.Request{Principal: g.Principal, Action: g.Action, Resource: g.Resource, ResourceAccount: g.ResourceAccount, Context: &eval.Context{}}
	if req.Principal == "" && d.Principal != nil {
		req.Principal = *d.Principal
	}
	if req.Action == "" && d.Action != nil {
		req.Action = *d.Action
	}
	if req.Resource == "" && d.Resource != nil {
		req.Resource = *d.Resource
	}
	switch {
	case req.Principal == "":
		return nil, errors.New("the message does not name the caller: give --principal")
	case req.Action == "":
		return nil, errors.New("the message does not name the action: give --action")
	case req.Resource == "":
		req.Resource = "*"
		r.Notes = append(r.Notes, "the message names no resource; replayed on \"*\" (give --resource to replay on the real one)")
	}
	r.Notes = append(r.Notes, "a message carries no region, source IP, VPC endpoint, MFA state or time: give them with --context if the policies test them (missing_context_keys lists those they test)")
	r.Request = req
	return r, nil
}
