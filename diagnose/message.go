package diagnose

import (
	"fmt"
	"sort"
	"strings"

	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/policy"
)

// An access-denied message names the caller, the action and the resource,
// and often the deny kind and the policy type; it never carries the
// request's context: the Region, the source IP or VPC endpoint, the time,
// TLS, MFA, tags, the service that called on the caller's behalf, the
// request's own parameters. A replay from a message must not decide as if
// those keys were absent (StringNotEquals on an absent key matches, so a
// Region guard would deny every replayed request). DiagnoseMessage treats
// them as unknown: it replays the request with each value the policies
// test for them, and keeps the outcomes that agree with what the message
// says of itself.

// Evidence is what an access-denied message says about its own decision.
// The strings are the denial package's: Deny "explicit", "implicit" or
// "unknown"; PolicyType "identity", "resource", "boundary", "session",
// "scp", "rcp", "vpc_endpoint" or "unknown".
type Evidence struct {
	Deny       string
	PolicyType string
	// Stated is true for a request stated by its fields (a principal, an
	// action, a resource) rather than read from a message: it carries no
	// context either, beyond what the user gives, and says nothing of the
	// denial but that there was one.
	Stated bool
}

// uncarried says where the unknown keys would have come from.
func (ev Evidence) uncarried() string {
	if ev.Stated {
		return "which the request as stated does not give"
	}
	return "which the message cannot carry"
}

// source names what the replay is checked against.
func (ev Evidence) source() string {
	if ev.Stated {
		return "the request as stated"
	}
	return "the message"
}

// MessageCheck says how the replay relates to the message (an extension of
// the report, present for replays from a message).
type MessageCheck struct {
	// Deny and PolicyType are what the message says.
	Deny       string `json:"deny"`
	PolicyType string `json:"policy_type"`
	// Agrees is true when the reported decision is the one the message
	// describes, false when it contradicts it, null when the message
	// says too little to tell.
	Agrees *bool `json:"agrees"`
	// Assumed lists the values the replay assumed for keys the message
	// cannot carry, when only those values agree with the message.
	Assumed map[string][]string `json:"assumed_context"`
	// Note says it in a sentence.
	Note string `json:"note"`
}

// maxReplays bounds the replays DiagnoseMessage makes while trying the
// values of unknown keys.
const maxReplays = 256

// DiagnoseMessage replays a request rebuilt from an access-denied message
// and explains it. Context keys the message cannot carry and req does not
// give (messageUncarried) are unknown: when the decision depends on them,
// the replays that agree with ev decide. If they all point to one root
// cause, it is reported, with the values it assumed; if they point to
// several, or none, the decision is undetermined and the candidates say
// what each value of the keys would mean. missing_context_keys names the
// keys the decision depends on.
func DiagnoseMessage(req *eval.Request, layers *eval.Layers, ev Evidence, opts Options) *Report {
	keys := unknownKeys(req, layers)
	base := outcomeOf(req, layers, nil)
	runs := []replayRun{base}
	if len(keys) > 0 {
		runs = exploreKeys(req, layers, keys, base)
	}
	depends := map[string]bool{}
	for _, r := range runs[1:] {
		if r.signature != base.signature {
			for k := range r.assumed {
				depends[k] = true
			}
		}
	}
	check := &MessageCheck{Deny: ev.Deny, PolicyType: ev.PolicyType, Assumed: map[string][]string{}}
	if len(depends) == 0 {
		rep := Diagnose(req, layers, opts)
		check.Agrees = base.agrees(ev)
		check.Note = agreementNote(ev, base, check.Agrees) + layerNote(ev, base)
		rep.MessageCheck = check
		return rep
	}
	dependKeys := sortedKeys(depends)

	// The replays that agree with the message, grouped by root cause.
	groups := map[string][]replayRun{}
	var order []string
	for _, r := range runs {
		if !r.possible(keys) {
			continue
		}
		if a := r.agrees(ev); r.d.Outcome.IsDeny() && (a == nil || *a) {
			if _, ok := groups[r.signature]; !ok {
				order = append(order, r.signature)
			}
			groups[r.signature] = append(groups[r.signature], r)
		}
	}
	if len(groups) == 1 {
		// The message settles it: take the replay that assumes least.
		g := groups[order[0]]
		sort.SliceStable(g, func(i, j int) bool { return len(g[i].assumed) < len(g[j].assumed) })
		chosen := g[0]
		rep := Diagnose(chosen.req, layers, opts)
		rep.MissingKeys = mergeKeys(rep.MissingKeys, dependKeys)
		check.Agrees = chosen.agrees(ev)
		for k, v := range chosen.assumed {
			check.Assumed[k] = v
		}
		check.Note = settledNote(ev, base, chosen, dependKeys) + layerNote(ev, chosen)
		rep.Notes = append(rep.Notes, check.Note)
		rep.MessageCheck = check
		return rep
	}

	// Undetermined: the keys decide and the message does not settle them.
	rep := Diagnose(req, layers, opts)
	rep.Decision = eval.Undetermined.String()
	rep.RootCause = nil
	rep.Fixes = []Fix{}
	// The findings describe the replay with the keys absent (an SCP
	// deciding, say), which is one candidate among others, not what
	// happened: the candidates say what each value would mean.
	rep.Findings = []Finding{}
	rep.MissingKeys = mergeKeys(rep.MissingKeys, dependKeys)
	var cands []string
	if len(groups) == 0 {
		f := false
		check.Agrees = &f
		check.Note = fmt.Sprintf("no value of %s that the policies test makes the replay give what %s says (%s): the environment differs from the one that answered, or the denial comes from another request", strings.Join(dependKeys, ", "), ev.source(), evidenceWords(ev))
		cands = append(cands, check.Note)
	} else {
		check.Note = fmt.Sprintf("the decision depends on %s, %s, and several of their values give a denial that agrees with %s (%s): give them with --context", strings.Join(dependKeys, ", "), ev.uncarried(), ev.source(), evidenceWords(ev))
	}
	seen := map[string]bool{}
	for _, r := range runs {
		if !r.possible(keys) {
			continue
		}
		line := fmt.Sprintf("with %s: %s", assumedWords(r.assumed), r.summary)
		if a := r.agrees(ev); a != nil && !*a || !r.d.Outcome.IsDeny() {
			line += " (does not agree with " + ev.source() + ")"
		}
		if !seen[line] {
			seen[line] = true
			cands = append(cands, line)
		}
		if len(cands) > 12 {
			break
		}
	}
	rep.Candidates = append(cands, rep.Candidates...)
	rep.Notes = append(rep.Notes, check.Note)
	rep.MessageCheck = check
	return rep
}

// replayRun is one replay with some unknown keys given values.
type replayRun struct {
	req       *eval.Request
	assumed   map[string][]string
	d         eval.Decision
	notAllow  map[eval.Layer]bool // layers that applied and did not allow
	signature string              // outcome, layer, level and deciding statement
	summary   string
}

func outcomeOf(req *eval.Request, layers *eval.Layers, assumed map[string][]string) replayRun {
	r := req
	if len(assumed) > 0 {
		c := *req
		c.Context = req.Context.Clone()
		for k, v := range assumed {
			c.Context.Set(k, v...)
		}
		r = &c
	}
	d, tr := eval.Explain(r, layers)
	notAllow := map[eval.Layer]bool{}
	for _, lt := range tr.Layers {
		if lt.Applies && lt.Allowed == eval.AnswerNo {
			notAllow[lt.Layer] = true
		}
	}
	sig := fmt.Sprintf("%s/%s/%d", d.Outcome, d.Layer, d.Level)
	sum := d.Outcome.String() + " by the " + string(d.Layer) + " layer"
	if d.Outcome == eval.Allow {
		sum = "allowed"
	}
	if d.Policy != nil && d.Outcome == eval.ExplicitDeny {
		sig += "/" + d.Policy.Name + "#" + d.StatementSid()
		sum += fmt.Sprintf(" (statement %s of %s)", d.StatementSid(), d.Policy.Name)
	}
	return replayRun{req: r, assumed: assumed, d: d, notAllow: notAllow, signature: sig, summary: sum}
}

// agrees reports whether the replay's outcome is what the message says:
// nil when the message names neither deny kind nor policy type.
func (r replayRun) agrees(ev Evidence) *bool {
	kind := ev.Deny == "explicit" || ev.Deny == "implicit"
	typ := ev.PolicyType != "" && ev.PolicyType != "unknown"
	if !kind && !typ {
		if r.d.Outcome == eval.Allow {
			f := false
			return &f
		}
		return nil
	}
	ok := r.d.Outcome.IsDeny()
	if ok && typ {
		// An implicit deny is the absence of an Allow in every layer
		// that needs one; the message names one of them (for a
		// cross-account request with neither side allowing, either).
		ok = string(r.d.Layer) == ev.PolicyType ||
			r.d.Outcome == eval.ImplicitDeny && ev.Deny != "explicit" && r.notAllow[eval.Layer(ev.PolicyType)]
	}
	// An SCP message says "explicit deny" also when no SCP allows the
	// action ("Troubleshoot access denied error messages", IAM User
	// Guide), so for SCPs the kind is no evidence.
	if ok && kind && !(ev.PolicyType == "scp" && r.d.Layer == eval.LayerSCP) {
		ok = (ev.Deny == "explicit") == (r.d.Outcome == eval.ExplicitDeny)
	}
	return &ok
}

// exploreKeys replays the request with the unknown keys given the values
// the policies test, one key more at each step (breadth first), up to
// maxReplays replays. The first run is base.
func exploreKeys(req *eval.Request, layers *eval.Layers, keys map[string][]string, base replayRun) []replayRun {
	runs := []replayRun{base}
	// Keys every request carries start with a value: no real request
	// lacks aws:RequestedRegion or aws:SecureTransport.
	frontier := []map[string][]string{{}}
	var names []string
	for _, k := range sortedKeys(keys) {
		if !alwaysPresent(strings.ToLower(k)) {
			names = append(names, k)
			continue
		}
		var next []map[string][]string
		for _, a := range frontier {
			for _, v := range keys[k] {
				b := make(map[string][]string, len(a)+1)
				for kk, vv := range a {
					b[kk] = vv
				}
				b[k] = []string{v}
				next = append(next, b)
			}
			if len(next) > maxReplays/2 {
				break
			}
		}
		frontier = next
	}
	if len(frontier) > 1 || len(frontier[0]) > 0 {
		for _, a := range frontier {
			runs = append(runs, outcomeOf(req, layers, a))
		}
	}
	for depth := 0; depth < 3 && len(runs) < maxReplays; depth++ {
		var next []map[string][]string
		for _, a := range frontier {
			for _, k := range names {
				if _, set := a[k]; set {
					continue
				}
				// Keep assignments in key order so that each set of keys
				// is tried once.
				if !after(a, k) {
					continue
				}
				for _, v := range keys[k] {
					b := make(map[string][]string, len(a)+1)
					for kk, vv := range a {
						b[kk] = vv
					}
					b[k] = []string{v}
					runs = append(runs, outcomeOf(req, layers, b))
					next = append(next, b)
					if len(runs) >= maxReplays {
						return runs
					}
				}
			}
		}
		frontier = next
	}
	return runs
}

// after reports whether k sorts after every optional key of a (keys every
// request carries are set first, whatever their names).
func after(a map[string][]string, k string) bool {
	for kk := range a {
		if !alwaysPresent(strings.ToLower(kk)) && kk >= k {
			return false
		}
	}
	return true
}

// alwaysPresent reports whether every request carries the (lower-cased)
// key, so that its absence is not a possibility to replay: the Region,
// whether TLS was used, the time, whether a service called
// ("AWS global condition context keys": available in every request).
func alwaysPresent(lk string) bool {
	switch lk {
	case "aws:requestedregion", "aws:securetransport", "aws:currenttime", "aws:epochtime", "aws:viaawsservice":
		return true
	}
	return false
}

// possible reports whether a replay's assumptions describe a real
// request: every always-present key that is unknown has a value.
func (r replayRun) possible(keys map[string][]string) bool {
	for k := range keys {
		if alwaysPresent(strings.ToLower(k)) {
			if _, ok := r.assumed[k]; !ok {
				return false
			}
		}
	}
	return true
}

// unknownKeys returns the keys the policies' conditions test that the
// message cannot carry and the request does not give, each with the
// values worth trying: those the conditions name, made literal, and one
// that none names.
func unknownKeys(req *eval.Request, layers *eval.Layers) map[string][]string {
	out := map[string][]string{}
	canon := map[string]string{}
	visit := func(p *eval.Policy) {
		if p == nil || p.Doc == nil {
			return
		}
		for i := range p.Doc.Statements {
			for _, c := range p.Doc.Statements[i].Conditions {
				lk := strings.ToLower(c.Key)
				if req.Context.Has(c.Key) || !messageUncarried(lk) {
					continue
				}
				k, ok := canon[lk]
				if !ok {
					k = c.Key
					canon[lk] = k
				}
				if lk == "aws:requestedregion" {
					// Calls are most often made in the resource's own
					// Region: try it first.
					if a, ok := arn.Split(req.Resource); ok && a.Region != "" {
						out[k] = appendUnique(out[k], a.Region)
					}
				}
				out[k] = appendUnique(out[k], trialValues(c)...)
			}
		}
	}
	for _, p := range layers.Policies() {
		visit(p)
	}
	return out
}

// messageUncarried reports whether a (lower-cased) condition key is one an
// access-denied message cannot carry: the request-time global keys
// ("AWS global condition context keys", IAM User Guide: network, time,
// TLS, MFA, Region, tags, calling service, source resource) and every
// service-specific key, which comes from the request's parameters. Keys
// that follow from the principal and the resource (aws:PrincipalArn,
// aws:PrincipalOrgID, aws:PrincipalTag/*, aws:ResourceAccount, ...) are
// the environment's to give, not unknown.
func messageUncarried(lk string) bool {
	if !strings.HasPrefix(lk, "aws:") {
		return true
	}
	for _, p := range []string{"aws:resourcetag/", "aws:requesttag/", "aws:calledvia"} {
		if strings.HasPrefix(lk, p) {
			return true
		}
	}
	switch lk {
	case "aws:requestedregion", "aws:sourceip", "aws:sourcevpc", "aws:sourcevpce", "aws:vpcsourceip",
		"aws:sourcevpcarn", "aws:currenttime", "aws:epochtime", "aws:tokenissuetime",
		"aws:multifactorauthpresent", "aws:multifactorauthage", "aws:securetransport",
		"aws:viaawsservice", "aws:sourcearn", "aws:sourceaccount", "aws:sourceorgid",
		"aws:sourceorgpaths", "aws:useragent", "aws:referer", "aws:tagkeys", "aws:sourceidentity",
		"aws:federatedprovider", "aws:ec2instancesourcevpc", "aws:ec2instancesourceprivateipv4":
		return true
	}
	return false
}

// trialValues are the values worth trying for a condition's key: each
// value it names, with wildcards made literal and CIDR blocks reduced to
// their address, both Booleans for Bool, and a value it does not name.
func trialValues(c policy.Condition) []string {
	op := strings.ToLower(c.Operator)
	if i := strings.LastIndexByte(op, ':'); i >= 0 {
		op = op[i+1:]
	}
	op = strings.TrimSuffix(op, "ifexists")
	var out []string
	switch {
	case op == "bool" || op == "null":
		return []string{"true", "false"}
	case strings.HasPrefix(op, "ipaddress") || strings.HasPrefix(op, "notipaddress"):
		for _, v := range c.Values {
			s := v.Text
			if i := strings.IndexByte(s, '/'); i >= 0 {
				s = s[:i]
			}
			out = append(out, s)
		}
		return append(out, "192.0.2.1")
	case strings.HasPrefix(op, "date"):
		for _, v := range c.Values {
			out = append(out, v.Text)
		}
		return append(out, "2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z")
	case strings.HasPrefix(op, "numeric"):
		for _, v := range c.Values {
			out = append(out, v.Text)
		}
		return append(out, "0", "999999999")
	}
	for _, v := range c.Values {
		s := strings.NewReplacer("*", "x", "?", "x").Replace(v.Text)
		if strings.Contains(s, "${") {
			continue // a policy variable: its value is not a literal to try
		}
		out = append(out, s)
	}
	return append(out, "iamwhy-other-value")
}

func appendUnique(list []string, vs ...string) []string {
	for _, v := range vs {
		dup := false
		for _, w := range list {
			if w == v {
				dup = true
				break
			}
		}
		if !dup {
			list = append(list, v)
		}
	}
	return list
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func mergeKeys(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, k := range append(append([]string{}, a...), b...) {
		if lk := strings.ToLower(k); !seen[lk] {
			seen[lk] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func evidenceWords(ev Evidence) string {
	kind, typ := ev.Deny, ev.PolicyType
	switch {
	case ev.Stated && (kind == "" || kind == "unknown") && (typ == "" || typ == "unknown"):
		return "a denial of any kind"
	case (kind == "" || kind == "unknown") && (typ == "" || typ == "unknown"):
		return "it names neither deny kind nor policy type"
	case typ == "" || typ == "unknown":
		return "an " + kind + " deny"
	case kind == "" || kind == "unknown":
		return "a deny by the " + typ + " layer"
	}
	return "an " + kind + " deny by the " + typ + " layer"
}

func assumedWords(a map[string][]string) string {
	if len(a) == 0 {
		return "the keys absent"
	}
	var parts []string
	for _, k := range sortedKeys(a) {
		parts = append(parts, k+"="+strings.Join(a[k], ","))
	}
	return strings.Join(parts, ", ")
}

func agreementNote(ev Evidence, base replayRun, agrees *bool) string {
	switch {
	case agrees == nil:
		return "the message names neither deny kind nor policy type: the replay cannot be checked against it"
	case *agrees:
		return "the replay agrees with the message (" + evidenceWords(ev) + ")"
	}
	return fmt.Sprintf("the replay does not agree with the message: the message says %s, the replay gives %s (the environment may differ from the one that answered: a policy changed since, or a layer the snapshot lacks)", evidenceWords(ev), base.summary)
}

func settledNote(ev Evidence, base, chosen replayRun, keys []string) string {
	lead := fmt.Sprintf("the decision depends on %s, %s", strings.Join(keys, ", "), ev.uncarried())
	if len(chosen.assumed) == 0 {
		return lead + fmt.Sprintf("; with them absent the replay gives what %s says (%s), and the values that would change it do not agree with it", ev.source(), evidenceWords(ev))
	}
	return lead + fmt.Sprintf("; the values that agree with what %s says (%s) all give this root cause: the replay assumes %s (for example)", ev.source(), evidenceWords(ev), assumedWords(chosen.assumed))
}

// layerNote says when an agreeing implicit deny is reported in another
// layer than the message names: both layers lack an Allow (a
// cross-account request needs both), and the report names the first in
// AWS's evaluation order.
func layerNote(ev Evidence, r replayRun) string {
	if ev.PolicyType == "" || ev.PolicyType == "unknown" || string(r.d.Layer) == ev.PolicyType || r.d.Outcome != eval.ImplicitDeny {
		return ""
	}
	return fmt.Sprintf("; the message names the %s layer, the root cause below the %s layer: neither allows the request, and both must", ev.PolicyType, r.d.Layer)
}
