package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"
	"sort"
	"strings"
	"time"
)

// funcs are the templates' helpers: reading the commands' JSON, and
// drawing what is best seen (the histogram, the trust graph, a diff).
var funcs = template.FuncMap{
	"get":       lookup,
	"str":       str,
	"list":      asList,
	"upper":     strings.ToUpper,
	"pretty":    pretty,
	"decision":  decisionLabel,
	"histogram": histogramSVG,
	"graph":     trustSVG,
	"diff":      lineDiff,
	"generic":   genericHTML,
	"query":     query,
	"join":      func(l []any, sep string) string { return joinStrings(l, sep) },
	"nonempty":  nonEmpty,
	"services":  serviceCounts,
	"actions":   filterActions,
	"keys":      keys,
	"drift":     driftRows,
	"split": func(s string) []any {
		var out []any
		for _, f := range strings.Fields(s) {
			out = append(out, f)
		}
		return out
	},
	// statusParam is a status filter's URL value ("all" is no filter).
	"statusParam": func(s any) string {
		if str(s) == "all" {
			return ""
		}
		return str(s)
	},
	// nonzero prints a count, or nothing when it is zero or absent.
	"nonzero": func(v any) string {
		if s := str(v); s != "0" {
			return s
		}
		return ""
	},
	// explainFields are explain's fields in the order a person reads them.
	"explainFields": func() []string {
		return []string{"error_code", "principal", "principal_type", "account", "action", "resource", "deny",
			"policy_type", "policy_arn", "cross_account", "service", "operation", "encoded"}
	},
}

// normKey folds a JSON key's spelling (Decided_By, decidedBy, decided_by)
// so that a template reads a field whichever convention a command's output
// uses.
func normKey(k string) string { return strings.ToLower(strings.ReplaceAll(k, "_", "")) }

// lookup follows a path of keys (and list indexes written as numbers)
// through decoded JSON; a missing step gives nil.
func lookup(v any, path ...string) any {
	for _, p := range path {
		for _, k := range strings.Split(p, ".") {
			switch x := v.(type) {
			case map[string]any:
				if val, ok := x[k]; ok {
					v = val
					continue
				}
				nk := normKey(k)
				v = nil
				for key, val := range x {
					if normKey(key) == nk {
						v = val
						break
					}
				}
			case []any:
				var i int
				if _, err := fmt.Sscan(k, &i); err != nil || i < 0 || i >= len(x) {
					return nil
				}
				v = x[i]
			default:
				return nil
			}
		}
	}
	return v
}

// str prints a JSON scalar; nil is "".
func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool, float64, int:
		return fmt.Sprint(x)
	case []any:
		return joinStrings(x, ", ")
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func joinStrings(l []any, sep string) string {
	parts := make([]string, 0, len(l))
	for _, x := range l {
		parts = append(parts, str(x))
	}
	return strings.Join(parts, sep)
}

// asList gives a JSON list, or nothing.
func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// nonEmpty reports whether a JSON value holds anything.
func nonEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return x != ""
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

// pretty is a value's indented JSON.
func pretty(v any) string {
	var b strings.Builder
	if err := writeOrdered(&b, v, ""); err != nil {
		return fmt.Sprint(v)
	}
	return b.String()
}

// policyKeyRank orders a policy's keys as IAM's documentation writes them
// (Version before Statement, Sid and Effect before Action and Resource),
// since the answers come decoded into maps and would otherwise print
// alphabetically; other keys follow in alphabetical order.
var policyKeyRank = map[string]int{
	"Version": 1, "Id": 2, "Statement": 3, "Sid": 4, "Effect": 5, "Principal": 6, "NotPrincipal": 7,
	"Action": 8, "NotAction": 9, "Resource": 10, "NotResource": 11, "Condition": 12,
}

// writeOrdered writes v as indented JSON with policy keys in IAM's order.
func writeOrdered(b *strings.Builder, v any, indent string) error {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			b.WriteString("{}")
			return nil
		}
		ks := make([]string, 0, len(x))
		for k := range x {
			ks = append(ks, k)
		}
		sort.Slice(ks, func(i, j int) bool {
			ri, rj := policyKeyRank[ks[i]], policyKeyRank[ks[j]]
			if ri == 0 {
				ri = 100
			}
			if rj == 0 {
				rj = 100
			}
			if ri != rj {
				return ri < rj
			}
			return ks[i] < ks[j]
		})
		b.WriteString("{\n")
		for i, k := range ks {
			kb, _ := json.Marshal(k)
			b.WriteString(indent + "  ")
			b.Write(kb)
			b.WriteString(": ")
			if err := writeOrdered(b, x[k], indent+"  "); err != nil {
				return err
			}
			if i < len(ks)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(indent + "}")
	case []any:
		if len(x) == 0 {
			b.WriteString("[]")
			return nil
		}
		b.WriteString("[\n")
		for i, e := range x {
			b.WriteString(indent + "  ")
			if err := writeOrdered(b, e, indent+"  "); err != nil {
				return err
			}
			if i < len(x)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(indent + "]")
	default:
		sb, err := json.Marshal(x)
		if err != nil {
			return err
		}
		b.Write(sb)
	}
	return nil
}

// decisionLabel is the decision as the UI shows it: ALLOW, IMPLICIT-DENY,
// EXPLICIT-DENY or UNDETERMINED.
func decisionLabel(v any) string {
	s := strings.ToLower(strings.TrimSpace(str(v)))
	switch {
	case s == "allow" || s == "allowed":
		return "ALLOW"
	case strings.Contains(s, "explicit"):
		return "EXPLICIT-DENY"
	case strings.Contains(s, "implicit") || s == "deny" || s == "denied":
		return "IMPLICIT-DENY"
	}
	return "UNDETERMINED"
}

// query builds a page address from key/value pairs, leaving out empty
// values.
func query(page string, kv ...any) template.URL {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if s := str(kv[i+1]); s != "" {
			q.Set(str(kv[i]), s)
		}
	}
	if len(q) == 0 {
		return template.URL(page)
	}
	return template.URL(page + "?" + q.Encode())
}

// histogramSVG draws trail denied's histogram ({start, bucket, counts})
// as bars, each titled with its time and count.
func histogramSVG(h any) template.HTML {
	counts := asList(lookup(h, "counts"))
	if len(counts) == 0 {
		return `<svg data-testid="histogram" class="histogram" width="600" height="40" role="img" aria-label="no denials"><text x="8" y="24">no denials</text></svg>`
	}
	start, _ := time.Parse(time.RFC3339, str(lookup(h, "start")))
	bucket, _ := time.ParseDuration(str(lookup(h, "bucket")))
	max := 0.0
	vals := make([]float64, len(counts))
	for i, c := range counts {
		fmt.Sscan(str(c), &vals[i])
		if vals[i] > max {
			max = vals[i]
		}
	}
	const width, height, pad = 720.0, 160.0, 20.0
	bw := (width - 2*pad) / float64(len(vals))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg data-testid="histogram" class="histogram" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" role="img" aria-label="denials over time">`, width, height+30, width, height+30)
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" class="axis"/>`, pad, height, width-pad, height)
	for i, c := range vals {
		bh := 0.0
		if max > 0 {
			bh = c / max * (height - pad)
		}
		at := ""
		if !start.IsZero() && bucket > 0 {
			at = start.Add(time.Duration(i) * bucket).UTC().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s: %.0f</title></rect>`,
			pad+float64(i)*bw+1, height-bh, max1(bw-2, 1), bh, template.HTMLEscapeString(at), c)
	}
	if !start.IsZero() {
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" class="label">%s</text>`, pad, height+18, start.UTC().Format("2006-01-02 15:04"))
		if bucket > 0 {
			end := start.Add(time.Duration(len(vals)) * bucket).UTC().Format("2006-01-02 15:04")
			fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" class="label" text-anchor="end">%s</text>`, width-pad, height+18, end)
		}
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="12" class="label">max %.0f per %s</text></svg>`, pad, max, template.HTMLEscapeString(str(lookup(h, "bucket"))))
	return template.HTML(b.String())
}

func max1(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}

// trustSVG draws the trust graph ({nodes, edges}): one column per account
// (outside principals first), an arrow per edge coloured by its status.
func trustSVG(g any) template.HTML {
	nodes := asList(lookup(g, "nodes"))
	edges := asList(lookup(g, "edges"))
	type pos struct{ x, y float64 }
	at := map[string]pos{}
	columns := map[string][]string{}
	var accounts []string
	addNode := func(id, account string) {
		if _, ok := at[id]; ok {
			return
		}
		if _, ok := columns[account]; !ok {
			accounts = append(accounts, account)
		}
		columns[account] = append(columns[account], id)
		at[id] = pos{}
	}
	for _, n := range nodes {
		addNode(str(lookup(n, "id")), str(lookup(n, "account")))
	}
	for _, e := range edges {
		addNode(str(lookup(e, "from")), "")
		addNode(str(lookup(e, "to")), "")
	}
	sort.SliceStable(accounts, func(i, j int) bool { return accounts[i] < accounts[j] })
	const colW, rowH, top = 260.0, 46.0, 40.0
	height := top
	for ci, a := range accounts {
		for ri, id := range columns[a] {
			at[id] = pos{20 + float64(ci)*colW, top + float64(ri)*rowH}
			height = max1(height, top+float64(ri+1)*rowH)
		}
	}
	width := 40 + float64(len(accounts))*colW
	var b strings.Builder
	fmt.Fprintf(&b, `<svg data-testid="trust-graph" class="graph" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" role="img" aria-label="trust graph">`, width, height+20, width, height+20)
	b.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z"/></marker></defs>`)
	for ci, a := range accounts {
		label := a
		if label == "" {
			label = "outside / services"
		}
		fmt.Fprintf(&b, `<text x="%.0f" y="20" class="column">%s</text>`, 20+float64(ci)*colW, template.HTMLEscapeString(label))
	}
	for _, e := range edges {
		from, to := at[str(lookup(e, "from"))], at[str(lookup(e, "to"))]
		status := str(lookup(e, "status"))
		fmt.Fprintf(&b, `<line class="edge %s" x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" marker-end="url(#arrow)"><title>%s → %s (%s, %s)</title></line>`,
			template.HTMLEscapeString(cssWord(status)), from.x+200, from.y+14, to.x, to.y+14,
			template.HTMLEscapeString(str(lookup(e, "from"))), template.HTMLEscapeString(str(lookup(e, "to"))),
			template.HTMLEscapeString(str(lookup(e, "kind"))), template.HTMLEscapeString(status))
	}
	for id, p := range at {
		name := id
		if i := strings.LastIndexAny(name, ":/"); i >= 0 && i < len(name)-1 {
			name = name[i+1:]
		}
		fmt.Fprintf(&b, `<g class="node"><rect x="%.0f" y="%.0f" width="200" height="28" rx="4"/><text x="%.0f" y="%.0f">%s</text><title>%s</title></g>`,
			p.x, p.y, p.x+6, p.y+18, template.HTMLEscapeString(name), template.HTMLEscapeString(id))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// cssWord keeps a status usable as a class name.
func cssWord(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r == '-' {
			return r
		}
		return -1
	}, strings.ToLower(s))
}

// diffLine is one line of a document diff.
type diffLine struct {
	Op   string // "+", "-" or " "
	Text string
}

// lineDiff compares two documents' indented JSON line by line (a longest
// common subsequence; policy documents are small).
func lineDiff(before, after any) []diffLine {
	var a []string
	if before != nil {
		a = strings.Split(pretty(before), "\n")
	}
	b := strings.Split(pretty(after), "\n")
	if len(a)*len(b) > 4_000_000 {
		out := make([]diffLine, 0, len(b))
		for _, l := range b {
			out = append(out, diffLine{"+", l})
		}
		return out
	}
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else if lcs[i+1][j] >= lcs[i][j+1] {
				lcs[i][j] = lcs[i+1][j]
			} else {
				lcs[i][j] = lcs[i][j+1]
			}
		}
	}
	var out []diffLine
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			out = append(out, diffLine{" ", a[i]})
			i++
			j++
		case lcs[i+1][j] >= lcs[i][j+1]:
			out = append(out, diffLine{"-", a[i]})
			i++
		default:
			out = append(out, diffLine{"+", b[j]})
			j++
		}
	}
	for ; i < len(a); i++ {
		out = append(out, diffLine{"-", a[i]})
	}
	for ; j < len(b); j++ {
		out = append(out, diffLine{"+", b[j]})
	}
	return out
}

// genericHTML renders any JSON answer readably: objects as definition
// lists, lists of objects as tables, scalars as text.
func genericHTML(v any) template.HTML {
	var b strings.Builder
	writeGeneric(&b, v, 0)
	return template.HTML(b.String())
}

func writeGeneric(b *strings.Builder, v any, depth int) {
	esc := template.HTMLEscapeString
	if depth > 6 {
		b.WriteString(`<pre>` + esc(pretty(v)) + `</pre>`)
		return
	}
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString(`<dl class="fields">`)
		for _, k := range keys {
			b.WriteString(`<dt>` + esc(k) + `</dt><dd>`)
			writeGeneric(b, x[k], depth+1)
			b.WriteString(`</dd>`)
		}
		b.WriteString(`</dl>`)
	case []any:
		if len(x) == 0 {
			b.WriteString(`<span class="none">none</span>`)
			return
		}
		cols := tableColumns(x)
		if cols == nil {
			b.WriteString(`<ul>`)
			for _, item := range x {
				b.WriteString(`<li>`)
				writeGeneric(b, item, depth+1)
				b.WriteString(`</li>`)
			}
			b.WriteString(`</ul>`)
			return
		}
		b.WriteString(`<table><thead><tr>`)
		for _, c := range cols {
			b.WriteString(`<th>` + esc(c) + `</th>`)
		}
		b.WriteString(`</tr></thead><tbody>`)
		for _, row := range x {
			m := row.(map[string]any)
			b.WriteString(`<tr>`)
			for _, c := range cols {
				b.WriteString(`<td>`)
				writeGeneric(b, m[c], depth+1)
				b.WriteString(`</td>`)
			}
			b.WriteString(`</tr>`)
		}
		b.WriteString(`</tbody></table>`)
	case nil:
		b.WriteString(`<span class="none">null</span>`)
	default:
		b.WriteString(esc(str(x)))
	}
}

// tableColumns gives the keys of a list of objects in first-seen order, or
// nil when the list is not all objects.
func tableColumns(l []any) []string {
	var cols []string
	seen := map[string]bool{}
	for _, item := range l {
		m, ok := item.(map[string]any)
		if !ok {
			return nil
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !seen[k] {
				seen[k] = true
				cols = append(cols, k)
			}
		}
	}
	return cols
}
