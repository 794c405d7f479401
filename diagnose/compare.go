package diagnose

import (
	"fmt"
	"sort"
	"strings"

	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/eval"
)

// Compare explains why a request that is denied in one environment (say,
// production) is allowed in another (staging): it replays reqOther against
// other, and for each layer whose policies differ, puts the other
// environment's version of that layer in place and replays again. A layer
// whose swap turns the denial into an allow is the difference that
// explains it.
func Compare(req *eval.Request, denied *eval.Layers, reqOther *eval.Request, other *eval.Layers) []Finding {
	dOther := eval.Decide(reqOther, other)
	dHere := eval.Decide(req, denied)
	if dOther.Outcome != eval.Allow {
		return []Finding{{Code: "environments-agree", Message: fmt.Sprintf("the other environment decides %s too (%s): the difference is not in the policies", dOther.Outcome, dOther.Layer)}}
	}
	if dHere.Outcome == eval.Allow {
		return []Finding{{Code: "environments-agree", Message: "both environments allow the request"}}
	}
	type swap struct {
		layer string
		put   func(l *eval.Layers)
		diff  string
	}
	swaps := []swap{
		{"identity", func(l *eval.Layers) { l.Identity = other.Identity }, diffPolicies(denied.Identity, other.Identity)},
		{"resource", func(l *eval.Layers) { l.Resource = other.Resource }, diffPolicies(one(denied.Resource), one(other.Resource))},
		{"boundary", func(l *eval.Layers) { l.Boundary = other.Boundary }, diffPolicies(one(denied.Boundary), one(other.Boundary))},
		{"session", func(l *eval.Layers) { l.Session = other.Session }, diffPolicies(denied.Session, other.Session)},
		{"scp", func(l *eval.Layers) { l.SCP = other.SCP }, diffLevels(denied.SCP, other.SCP)},
		{"rcp", func(l *eval.Layers) { l.RCP = other.RCP }, diffLevels(denied.RCP, other.RCP)},
		{"vpc_endpoint", func(l *eval.Layers) { l.VPCEndpoint = other.VPCEndpoint }, diffPolicies(one(denied.VPCEndpoint), one(other.VPCEndpoint))},
	}
	var out []Finding
	for _, s := range swaps {
		if s.diff == "" {
			continue
		}
		l := copyLayers(denied)
		s.put(l)
		if eval.Decide(req, l).Outcome == eval.Allow {
			out = append(out, Finding{Code: "environment-difference", Message: fmt.Sprintf("the %s layer explains it: with the other environment's %s policies the request is allowed here (%s)", s.layer, s.layer, s.diff)})
		} else {
			out = append(out, Finding{Code: "environment-difference-minor", Message: fmt.Sprintf("the %s layer differs (%s), but that difference alone does not explain the denial", s.layer, s.diff)})
		}
	}
	if ctx := diffContext(req.Context, reqOther.Context); ctx != "" {
		l := copyLayers(denied)
		probe := *req
		probe.Context = reqOther.Context
		if eval.Decide(&probe, l).Outcome == eval.Allow {
			out = append(out, Finding{Code: "environment-difference", Message: "the request context explains it: with the other environment's context the request is allowed here (" + ctx + ")"})
		} else {
			out = append(out, Finding{Code: "environment-difference-minor", Message: "the request context differs (" + ctx + ")"})
		}
	}
	if len(out) == 0 {
		out = append(out, Finding{Code: "environment-difference", Message: "no single layer explains the difference; several layers differ together"})
	}
	return out
}

func one(p *eval.Policy) []*eval.Policy {
	if p == nil {
		return nil
	}
	return []*eval.Policy{p}
}

// policyKey compares policies across accounts: the name without account
// IDs (arn:aws:iam::111:policy/x and ...::222:policy/x are the same policy).
func policyKey(p *eval.Policy) string {
	a, ok := arn.Split(p.Name)
	if !ok {
		return p.Name
	}
	a.Account = ""
	return a.String()
}

func docText(p *eval.Policy) string {
	if p.Doc == nil {
		return ""
	}
	b, _ := p.Doc.MarshalJSON()
	return string(b)
}

func diffPolicies(a, b []*eval.Policy) string {
	am, bm := map[string]string{}, map[string]string{}
	for _, p := range a {
		am[policyKey(p)] = docText(p)
	}
	for _, p := range b {
		bm[policyKey(p)] = docText(p)
	}
	var parts []string
	for k, v := range am {
		w, ok := bm[k]
		switch {
		case !ok:
			parts = append(parts, "only here: "+k)
		case v != w:
			parts = append(parts, "different document: "+k)
		}
	}
	for k := range bm {
		if _, ok := am[k]; !ok {
			parts = append(parts, "only in the other: "+k)
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}

func diffLevels(a, b [][]*eval.Policy) string {
	if (a == nil) != (b == nil) {
		if a == nil {
			return "only the other environment has these organisation policies"
		}
		return "only this environment has these organisation policies"
	}
	if len(a) != len(b) {
		return fmt.Sprintf("%d levels here, %d in the other", len(a), len(b))
	}
	var parts []string
	for i := range a {
		if d := diffPolicies(a[i], b[i]); d != "" {
			parts = append(parts, fmt.Sprintf("level %d: %s", i, d))
		}
	}
	return strings.Join(parts, "; ")
}

// diffContext names the context keys whose values differ, ignoring the
// keys that follow from the principal's account.
func diffContext(a, b *eval.Context) string {
	skip := map[string]bool{"aws:principalarn": true, "aws:principalaccount": true, "aws:resourceaccount": true, "aws:userid": true,
		"aws:principalorgid": true, "aws:resourceorgid": true}
	am, bm := a.Map(), b.Map()
	var parts []string
	for k, v := range am {
		if skip[strings.ToLower(k)] {
			continue
		}
		if w, ok := bm[k]; !ok || strings.Join(v, ",") != strings.Join(w, ",") {
			parts = append(parts, fmt.Sprintf("%s: %v here, %v there", k, v, w))
		}
	}
	for k, w := range bm {
		if skip[strings.ToLower(k)] {
			continue
		}
		if _, ok := am[k]; !ok {
			parts = append(parts, fmt.Sprintf("%s: absent here, %v there", k, w))
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}
