package accessdiff

import (
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/policy"
)

// The comparison decides both states on a finite set of requests that
// stands for every request the policies can tell apart. Each policy
// element splits requests into those it matches and those it does not;
// the set holds at least one request on each side of every element of
// both states:
//
//   - actions: every catalog action any Action pattern of either state
//     matches (all actions when a NotAction is present);
//   - resources: an instance of every Resource and NotResource pattern (each
//     wildcard and policy variable filled in), and, where a pattern is
//     "*" or a NotResource, an ARN of each resource type the action works
//     on; each kept only for the actions that can apply to it;
//   - contexts: no key at all, then for each statement the context that
//     satisfies all its conditions, and that context with each key moved
//     to a value on the other side of each condition on it.
//
// Two states that decide every such request alike are equivalent on the
// documented semantics: reordering or splitting statements, renaming Sids
// and equivalent wildcards change no decision on any request.

// statements lists every statement of every policy of the layers.
func statements(l *eval.Layers) []*policy.Statement {
	var out []*policy.Statement
	for _, p := range l.Policies() {
		if p.Doc == nil {
			continue
		}
		for i := range p.Doc.Statements {
			out = append(out, &p.Doc.Statements[i])
		}
	}
	return out
}

// actions are the catalog actions the statements can match, sorted.
func actions(cat *catalog.Catalog, sts []*policy.Statement) []string {
	seen := map[string]bool{}
	all := false
	for _, st := range sts {
		if !st.Action.Present {
			continue
		}
		if st.Action.Not {
			all = true
			break
		}
		for _, v := range st.Action.Values {
			for _, a := range cat.MatchActions(v.Text) {
				seen[a.FullName] = true
			}
		}
	}
	if all {
		for _, a := range cat.MatchActions("*") {
			seen[a.FullName] = true
		}
	}
	out := make([]string, 0, len(seen))
	for a := range seen {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// resourcePattern is a Resource value with the request that stands for it.
type resourcePattern struct {
	pattern  string // as written
	instance string // an ARN it matches
}

// resources gathers the statements' resource patterns; wide is true when
// some statement covers resources it does not name ("*" or NotResource).
func resources(sts []*policy.Statement) (pats []resourcePattern, wide bool) {
	seen := map[string]bool{}
	for _, st := range sts {
		if st.Resource.Not {
			wide = true
		}
		for _, v := range st.Resource.Values {
			if v.Text == "*" {
				wide = true
				continue
			}
			if seen[v.Text] {
				continue
			}
			seen[v.Text] = true
			pats = append(pats, resourcePattern{pattern: v.Text, instance: instance(v.Text)})
		}
	}
	sort.Slice(pats, func(i, j int) bool { return pats[i].pattern < pats[j].pattern })
	return pats, wide
}

// instance fills a pattern's wildcards and policy variables with a
// placeholder, giving a value the pattern matches.
func instance(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '*' || c == '?':
			b.WriteString("x")
		case c == '$' && i+1 < len(p) && p[i+1] == '{':
			end := strings.IndexByte(p[i:], '}')
			if end < 0 {
				b.WriteByte(c)
				continue
			}
			b.WriteString("x")
			i += end
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// typeARNs are example ARNs of the resource types an action works on, in
// the given partition, region and account; "*" for an action that has
// none.
func typeARNs(cat *catalog.Catalog, action, account string) []string {
	a, ok := cat.Action(action)
	if !ok || len(a.Resources) == 0 {
		return []string{"*"}
	}
	var out []string
	for _, r := range a.Resources {
		for _, f := range r.Type.ARNFormats {
			out = append(out, fillFormat(f, account))
			break
		}
	}
	return out
}

// fillFormat fills an ARN format's ${Name} fields.
func fillFormat(f, account string) string {
	r := strings.NewReplacer("${Partition}", "aws", "${Region}", "us-east-1", "${Account}", account)
	s := r.Replace(f)
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return s
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return s
		}
		s = s[:i] + "example" + s[i+j+1:]
	}
}

// witness is one value a condition key takes in a probing context; absent
// means the key is left out.
type witness struct {
	values []string
	absent bool
}

// witnesses are the values that put a request on each side of a
// condition: the condition's own values, and values just outside them.
func witnesses(c *policy.Condition) []witness {
	op, err := policy.ParseConditionOperator(c.Operator)
	var out []witness
	add := func(vs ...string) { out = append(out, witness{values: vs}) }
	vals := make([]string, 0, len(c.Values))
	for _, v := range c.Values {
		vals = append(vals, v.Text)
	}
	if err != nil || !op.Known() {
		for _, v := range vals {
			add(instance(v))
		}
		return append(out, witness{absent: true})
	}
	switch op.Family() {
	case policy.FamilyBool:
		add("true")
		add("false")
	case policy.FamilyNull:
		add("x")
	case policy.FamilyNumeric:
		for _, v := range vals {
			if n, err := strconv.ParseFloat(v, 64); err == nil {
				add(fmtNum(n))
				add(fmtNum(n + 1))
				add(fmtNum(n - 1))
			}
		}
	case policy.FamilyDate:
		for _, v := range vals {
			if t, ok := parseDate(v); ok {
				add(t.UTC().Format(time.RFC3339))
				add(t.Add(24 * time.Hour).UTC().Format(time.RFC3339))
				add(t.Add(-24 * time.Hour).UTC().Format(time.RFC3339))
			}
		}
	case policy.FamilyIPAddress:
		for _, v := range vals {
			if pfx, err := netip.ParsePrefix(v); err == nil {
				add(pfx.Addr().String())
				if next := lastOf(pfx).Next(); next.IsValid() {
					add(next.String())
				}
				if prev := pfx.Masked().Addr().Prev(); prev.IsValid() {
					add(prev.String())
				}
			} else if a, err := netip.ParseAddr(v); err == nil {
				add(a.String())
				if n := a.Next(); n.IsValid() {
					add(n.String())
				}
			}
		}
	default: // string, ARN, binary
		for _, v := range vals {
			add(instance(v))
		}
		add("iamwhy-other-value")
	}
	if op.Set != policy.SetNone && len(vals) > 0 {
		// A multivalued key: also a set holding a value inside and one
		// outside, and the empty set.
		out = append(out, witness{values: []string{instance(vals[0]), "iamwhy-other-value"}}, witness{values: []string{}})
	}
	return append(out, witness{absent: true})
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// lastOf is the last address of a prefix.
func lastOf(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr()
	b := a.AsSlice()
	bits := p.Bits()
	for i := range b {
		for k := 0; k < 8; k++ {
			if i*8+k >= bits {
				b[i] |= 1 << (7 - k)
			}
		}
	}
	out, _ := netip.AddrFromSlice(b)
	if a.Is4() {
		return out.Unmap()
	}
	return out
}

// parseDate reads a date condition value: ISO 8601 or epoch seconds.
func parseDate(v string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05Z", "2006-01-02T15:04Z", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Unix(n, 0), true
	}
	return time.Time{}, false
}

// probe is a context to decide with: the keys set, and the note that says
// which condition values it stands for.
type probe struct {
	keys map[string]witness
	// set is keys in a fixed order with lower-case names (filled for the
	// probes of environment comparisons, which set them many times).
	set []probeEntry
}

// probeEntry is one key of a probe, its name lower-cased (so that setting it
// in a Context does not allocate) and the name as written.
type probeEntry struct {
	lower, name string
	w           witness
}

func (p probe) context() *eval.Context {
	c := &eval.Context{}
	for k, w := range p.keys {
		if w.absent {
			continue
		}
		if len(w.values) != 1 {
			c.SetMulti(k, w.values...)
		} else {
			c.Set(k, w.values...)
		}
	}
	return c
}

// conditions says what the probe sets, sorted by key.
func (p probe) conditions() []Condition {
	out := []Condition{}
	for k, w := range p.keys {
		if w.absent {
			continue
		}
		out = append(out, Condition{Key: k, Values: append([]string{}, w.values...)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// probes builds the contexts described above, the empty one first.
func probes(sts []*policy.Statement, limit int) []probe {
	out := []probe{{keys: map[string]witness{}}}
	seen := map[string]bool{"": true}
	push := func(p probe) {
		k := probeKey(p)
		if seen[k] || len(out) >= limit {
			return
		}
		seen[k] = true
		out = append(out, p)
	}
	for _, st := range sts {
		if len(st.Conditions) == 0 {
			continue
		}
		base := map[string]witness{}
		for i := range st.Conditions {
			c := &st.Conditions[i]
			if ws := witnesses(c); len(ws) > 0 {
				base[c.Key] = ws[0]
			}
		}
		push(probe{keys: base})
		for _, other := range sts {
			for i := range other.Conditions {
				c := &other.Conditions[i]
				for _, w := range witnesses(c) {
					next := make(map[string]witness, len(base)+1)
					for k, v := range base {
						next[k] = v
					}
					next[c.Key] = w
					push(probe{keys: next})
				}
			}
		}
	}
	// Conditions of statements met one key at a time from nothing.
	for _, st := range sts {
		for i := range st.Conditions {
			c := &st.Conditions[i]
			for _, w := range witnesses(c) {
				push(probe{keys: map[string]witness{c.Key: w}})
			}
		}
	}
	return out
}

func probeKey(p probe) string {
	keys := make([]string, 0, len(p.keys))
	for k := range p.keys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		w := p.keys[k]
		if w.absent {
			continue
		}
		b.WriteString(strings.ToLower(k))
		b.WriteByte('=')
		b.WriteString(strings.Join(w.values, "\x00"))
		if len(w.values) != 1 {
			b.WriteString("\x01multi")
		}
		b.WriteByte(';')
	}
	return b.String()
}

// SatisfyingContext is a request context meant to meet every condition of
// the statement: each key set to the first of the values its condition
// names (for a negated operator, that is a value it forbids; callers use
// it as a probe, and the engine decides). It is what trust and other
// analyses use to ask "allowed when the statement's conditions hold?".
func SatisfyingContext(st *policy.Statement) *eval.Context {
	keys := map[string]witness{}
	for i := range st.Conditions {
		c := &st.Conditions[i]
		for _, w := range witnesses(c) {
			if satisfies(c, w) {
				keys[c.Key] = w
				break
			}
		}
	}
	return probe{keys: keys}.context()
}

// satisfies guesses whether a witness meets its own condition: for a
// negated operator or Null the listed values are the ones to avoid.
func satisfies(c *policy.Condition, w witness) bool {
	op, err := policy.ParseConditionOperator(c.Operator)
	if err != nil {
		return !w.absent
	}
	if op.Family() == policy.FamilyNull {
		isTrue := len(c.Values) > 0 && strings.EqualFold(c.Values[0].Text, "true")
		return w.absent == isTrue
	}
	if op.Negated() {
		return !w.absent && len(w.values) == 1 && w.values[0] == "iamwhy-other-value" || w.absent
	}
	return !w.absent && len(w.values) > 0
}
