package eval

import (
	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/policy"
)

func (ev *evaluator) evalOne(r *layerResult, layer Layer, p *Policy) {
	ps := [1]*Policy{p}
	ev.evalLayer(r, layer, -1, ps[:])
}

// evalLayer evaluates every statement of the layer's policies into r (an
// out parameter: the result lives in the evaluator, not copied back).
func (ev *evaluator) evalLayer(r *layerResult, layer Layer, level int, pols []*Policy) {
	*r = layerResult{allowIdx: -1, denyIdx: -1}
	var lt *LayerTrace
	if ev.trace != nil {
		ev.trace.Layers = append(ev.trace.Layers, LayerTrace{Layer: layer, Level: level, Applies: true})
		lt = &ev.trace.Layers[len(ev.trace.Layers)-1]
		if len(pols) == 0 {
			lt.Note = "no policies at this level"
		}
		n, m := 0, 0
		for _, pol := range pols {
			if pol != nil {
				n += len(pol.stmts)
				for i := range pol.stmts {
					m += maxMismatches(&pol.stmts[i])
				}
			}
		}
		lt.Statements = make([]StatementTrace, 0, n)
		// The layer's mismatches share one backing array: one
		// allocation per layer instead of one per failing statement.
		ev.mismatches = make([]Mismatch, 0, m)
	}
	for _, pol := range pols {
		if pol == nil {
			continue
		}
		if lt == nil && pol.services != nil && (pol.svcMask&ev.svcBit == 0 || !serviceIn(pol.services, ev.svc)) {
			continue // no statement names the request's service
		}
		for i := range pol.stmts {
			s := &pol.stmts[i]
			res, pm, why := ev.evalStatement(s, lt, pol)
			if res == triFalse {
				continue
			}
			if s.deny {
				if res == triTrue && r.deny != triTrue {
					r.deny, r.denyPol, r.denyIdx = triTrue, pol, i
				} else if res == triUnknown && r.deny == triFalse {
					r.deny, r.reason = triUnknown, why
				}
				continue
			}
			switch {
			case res == triTrue && (r.allow != triTrue || pm > r.allowMatch):
				r.allow, r.allowPol, r.allowIdx, r.allowMatch = triTrue, pol, i, pm
				r.allowNotPrincipal = s.notPrincipal
			case res == triUnknown && r.allow == triFalse:
				r.allow, r.reason = triUnknown, why
			}
		}
	}
	if lt != nil {
		lt.Allowed, lt.Denied = r.allow.answer(), r.deny.answer()
	}
}

func (t tri) answer() Answer {
	switch t {
	case triTrue:
		return AnswerYes
	case triUnknown:
		return AnswerUnknown
	}
	return AnswerNo
}

// evalStatement matches one statement. Without a trace it stops at the
// first element that fails; with one it checks every element so that a
// near miss shows all that failed.
func (ev *evaluator) evalStatement(s *statement, lt *LayerTrace, pol *Policy) (tri, principalMatch, string) {
	req := ev.req
	if lt == nil {
		if !s.matchActionIn(req.Action, ev.svc, ev.svcBit) {
			return triFalse, matchNone, ""
		}
		res, why := s.matchResourceIn(&ev.res, &ev.keys, ev.buf[:]), ""
		if res == triFalse {
			return triFalse, matchNone, ""
		}
		if res == triUnknown {
			why = s.outsideVariableReason()
		}
		pm := s.matchPrincipal(&ev.p, ev.userID, ev.hasBoundary)
		if pm == matchNone {
			return triFalse, matchNone, ""
		}
		for i := range s.conds {
			o := s.conds[i].eval(&ev.keys, ev.buf[:])
			if o.result == triFalse {
				return triFalse, matchNone, ""
			}
			if o.result == triUnknown {
				res, why = triUnknown, o.reason
			}
		}
		return res, pm, why
	}

	st := StatementTrace{Policy: pol.Name, Sid: s.src.Sid, Index: s.src.Index, Effect: s.src.Effect, Pos: s.src.Pos}
	if pol.Doc != nil {
		st.Source = pol.Doc.Source
	}
	// At most one failure per element and condition, taken from the
	// layer's shared array (capped, so appends cannot reach the next
	// statement's).
	failed := func() {
		if st.Failed == nil {
			n, k := len(ev.mismatches), maxMismatches(s)
			if cap(ev.mismatches)-n < k {
				ev.mismatches = make([]Mismatch, 0, k)
				n = 0
			}
			st.Failed = ev.mismatches[n : n : n+k]
		}
	}
	actionOK := s.matchActionIn(req.Action, ev.svc, ev.svcBit)
	if !actionOK {
		failed()
		st.Failed = append(st.Failed, Mismatch{Element: ElementAction, Expected: s.actionTexts, Actual: ev.tr.action,
			Reason: notWord(s.notAction) + "Action does not cover the action", Pos: s.src.Action.Pos})
	}
	condRes, why := triTrue, ""
	resOK := s.matchResourceIn(&ev.res, &ev.keys, ev.buf[:])
	switch resOK {
	case triFalse:
		failed()
		st.Failed = append(st.Failed, Mismatch{Element: ElementResource, Expected: ev.resourceValues(s), Actual: ev.tr.resource,
			Reason: notWord(s.notResource) + "Resource does not cover the resource", Pos: s.src.Resource.Pos})
	case triUnknown:
		condRes, why = triUnknown, s.outsideVariableReason()
		failed()
		st.Failed = append(st.Failed, Mismatch{Element: ElementResource, Expected: ev.resourceValues(s), Actual: ev.tr.resource,
			Reason: why, Pos: s.src.Resource.Pos})
	}
	pm := s.matchPrincipal(&ev.p, ev.userID, ev.hasBoundary)
	if pm == matchNone {
		failed()
		st.Failed = append(st.Failed, Mismatch{Element: ElementPrincipal, Expected: s.principalTexts, Actual: ev.tr.principal,
			Reason: notWord(s.notPrincipal) + "Principal does not name the caller", Pos: s.src.Principal.Pos})
	}
	for i := range s.conds {
		c := &s.conds[i]
		o := c.eval(&ev.keys, ev.buf[:])
		switch o.result {
		case triTrue:
			continue
		case triFalse:
			condRes = triFalse
		case triUnknown:
			if condRes == triTrue {
				condRes, why = triUnknown, o.reason
			}
		}
		reason := o.reason
		if reason == "" {
			reason = "condition not met"
		}
		// The request's own values are shared; a derived value is
		// copied (its slice points into the evaluator, which must not
		// escape).
		var vals []string
		if e, ok := ev.req.Context.lookup(c.lkey); ok {
			vals = e.values
		} else if e, ok := ev.keys.lookup(c.lkey); ok {
			vals = append([]string(nil), e.values...)
		}
		failed()
		st.Failed = append(st.Failed, Mismatch{Element: ElementCondition, Operator: c.src.Operator, Key: c.src.Key,
			Expected: c.texts, Actual: vals, Reason: reason, Pos: c.src.KeyPos})
	}
	if pm != matchNone && s.hasPrincipal && !s.notPrincipal {
		st.PrincipalMatch = pm.exported()
	}
	final := triFalse
	if actionOK && resOK != triFalse && pm != matchNone {
		final = condRes
	}
	st.Result = final.result()
	if st.Failed != nil {
		st.Failed = st.Failed[:len(st.Failed):len(st.Failed)]
		ev.mismatches = ev.mismatches[:len(ev.mismatches)+len(st.Failed)]
	}
	// Keep matches, unknowns and near misses: statements whose action
	// matched, or whose only failure is the action.
	if final != triFalse || actionOK || len(st.Failed) == 1 {
		lt.Statements = append(lt.Statements, st)
	}
	if final == triFalse {
		return triFalse, matchNone, ""
	}
	return final, pm, why
}

// maxMismatches bounds a statement's failures: action, resource,
// principal, and each condition.
func maxMismatches(s *statement) int { return 3 + len(s.conds) }

func notWord(not bool) string {
	if not {
		return "Not"
	}
	return ""
}

func (ev *evaluator) resourceValues(s *statement) []string {
	if s.resourceTexts != nil || len(s.resources) == 0 {
		return s.resourceTexts
	}
	out := make([]string, 0, len(s.resources))
	for i := range s.resources {
		r := &s.resources[i]
		if r.tmpl != nil {
			if v, ok := r.tmpl.resolve(&ev.keys, nil); ok {
				out = append(out, r.raw+" => "+decodeWildcards(string(v)))
				continue
			}
			out = append(out, r.raw+" (a variable has no value)")
			continue
		}
		out = append(out, r.raw)
	}
	return out
}

func valuesOf(vs []policy.Value) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Text
	}
	return out
}

func (t tri) result() MatchResult {
	switch t {
	case triTrue:
		return ResultMatch
	case triUnknown:
		return ResultUnknown
	}
	return ResultNoMatch
}

func principalValues(s *statement) []string {
	out := make([]string, 0, len(s.principals))
	for _, e := range s.principals {
		out = append(out, e.raw)
	}
	return out
}

func condValues(c *condition) []string {
	out := make([]string, 0, len(c.values))
	for _, v := range c.values {
		out = append(out, v.raw)
	}
	return out
}

// selfAssume reports whether a role session asks to assume its own role.
func (ev *evaluator) selfAssume() bool {
	if ev.p.Type != PrincipalAssumedRole && ev.p.Type != PrincipalRole {
		return false
	}
	parts, ok := arnParts(ev.req.Resource)
	if !ok || parts[3] != ev.p.Account {
		return false
	}
	_, name := arn.PathName(parts[4])
	return name == ev.p.Name
}

// kmsCrossAccountActions can be used on a KMS key in another account.
// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
var kmsCrossAccountActions = [...]string{
	"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyPair",
	"kms:GenerateDataKeyPairWithoutPlaintext", "kms:GenerateDataKeyWithoutPlaintext", "kms:GenerateMac",
	"kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:Sign", "kms:Verify", "kms:VerifyMac", "kms:DeriveSharedSecret",
	"kms:CreateGrant", "kms:DescribeKey", "kms:GetKeyRotationStatus", "kms:GetPublicKey",
	"kms:ListGrants", "kms:RetireGrant", "kms:RevokeGrant",
}

func kmsCrossAccountAction(action string) bool {
	for _, a := range kmsCrossAccountActions {
		if equalFold(a, action) {
			return true
		}
	}
	return false
}
