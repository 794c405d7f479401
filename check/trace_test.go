package check

import (
	"reflect"
	"strings"
	"testing"
)

// warnRef is a service reference that knows a few actions and keys, so
// that failing cases carry warnings.
type warnRef struct{}

func (warnRef) LookupAction(a string) (string, bool, bool) {
	known := map[string]string{"s3:getobject": "s3:GetObject", "s3:putobject": "s3:PutObject"}
	c, ok := known[strings.ToLower(a)]
	return c, strings.HasPrefix(strings.ToLower(a), "s3:"), ok
}

func (warnRef) KeyTypeName(k string) (string, bool) {
	t, ok := map[string]string{"aws:currenttime": "Date", "s3:max-keys": "Numeric"}[strings.ToLower(k)]
	return t, ok
}

func (warnRef) ActionAppliesTo(action, resource string) (bool, bool) {
	return strings.Contains(resource, "/"), true
}

// A failing case's result is the same whether its trace is built (as for
// an implicit deny, whose near misses it lists) or not: the explanation,
// the deciding statement and every warning, for each kind of decision.
func TestFailingResultsWithoutTrace(t *testing.T) {
	f, err := Parse("fail.yaml", []byte(`
version: 1
policies:
  id:
    Version: "2012-10-17"
    Statement:
      - {Sid: Read, Effect: Allow, Action: "s3:*", Resource: "*", Condition: {StringLike: {"aws:CurrentTime": "2026-*"}}}
      - {Sid: NoPut, Effect: Deny, Action: "s3:PutObject", Resource: "arn:aws:s3:::b/locked/*"}
      - {Sid: Odd, Effect: Allow, Action: "s3:ListBucket", Resource: "*", Condition: {NumericLessThan: {"s3:max-keys": "1e400"}}}
  bucket:
    Version: "2012-10-17"
    Statement:
      - {Effect: Allow, NotPrincipal: {AWS: "arn:aws:iam::111122223333:user/bob"}, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*"}
cases:
  - {name: allowed, principal: "arn:aws:iam::111122223333:user/alice", action: s3:GetObject, resource: "arn:aws:s3:::b/k",
     context: {"aws:CurrentTime": "2026-05-01T00:00:00Z", "s3:max-keys": "ten"}, layers: {identity: [id]}, expect: deny}
  - {name: legacy, principal: "arn:aws:iam::444455556666:user/carol", action: s3:GetObject, resource: "arn:aws:s3:::b/k",
     resource_account: "111122223333", layers: {identity: [id], resource: bucket}, context: {"aws:CurrentTime": "2026-05-01T00:00:00Z"}, expect: implicit-deny}
  - {name: denied, principal: "arn:aws:iam::111122223333:user/alice", action: s3:PutObject, resource: "arn:aws:s3:::b/locked/k",
     layers: {identity: [id]}, context: {"aws:CurrentTime": "2026-05-01T00:00:00Z"}, expect: allow}
  - {name: unknown, principal: "arn:aws:iam::111122223333:user/alice", action: s3:GetObjekt, resource: "bucket-only",
     layers: {identity: [id]}, context: {"aws:CurrentTime": "2026-05-01T00:00:00Z"}, expect: implicit-deny}
  - {name: undetermined, principal: "arn:aws:iam::111122223333:user/alice", action: s3:ListBucket, resource: "arn:aws:s3:::b",
     context: {"s3:max-keys": "5"}, layers: {identity: [id]}, expect: allow}
  - {name: implicit, principal: "arn:aws:iam::111122223333:user/alice", action: s3:GetObject, resource: "arn:aws:s3:::b/k",
     context: {"aws:CurrentTime": "2025-05-01T00:00:00Z"}, layers: {identity: [id]}, expect: allow}
`))
	if err != nil {
		t.Fatal(err)
	}
	run := func(all bool) []Result {
		rep := &Report{}
		(&Runner{Reference: warnRef{}, traceAll: all}).Run(f, rep)
		return rep.Results
	}
	lazy, full := run(false), run(true)
	decisions := map[string]bool{}
	warned := 0
	for i := range full {
		if full[i].Pass {
			t.Errorf("%s passes; every case is meant to fail", full[i].Name)
		}
		decisions[full[i].Decision] = true
		if len(full[i].Warnings) > 0 {
			warned++
		}
		if !reflect.DeepEqual(lazy[i], full[i]) {
			t.Errorf("%s without the trace:\n%+v\nwith it:\n%+v", full[i].Name, lazy[i], full[i])
		}
	}
	if len(decisions) != 4 || warned < 4 {
		t.Errorf("the cases cover decisions %v and %d have warnings; want all four decisions and warnings in most", decisions, warned)
	}
}
