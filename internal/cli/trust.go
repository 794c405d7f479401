package cli

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/iamwhy/iamwhy/analyze/trust"
)

// trustOptions are the typed flags of `iamwhy trust`.
type trustOptions struct {
	envFlags
	Account      string
	Principal    string
	ExternalOnly bool
	Depth        int
	Output       string
	OwnerTag     string
}

func newTrustCmd(s Streams) *cobra.Command {
	o := &trustOptions{}
	cmd := &cobra.Command{
		Use:   "trust --env DIR [--account ID] [--principal ARN] [--external-only] [--depth N]",
		Short: "Map cross-account trust: who outside an account can reach its roles and resources",
		Long: `trust lists every edge by which a principal of one account, or from outside the organisation
(another account, a service, a SAML or OIDC provider, anyone), can reach a role or a resource of
another: role trust policies and the resource-based policies of every collected resource. Each
edge is decided by the engine with the environment's layers (SCPs, RCPs, conditions), so an edge
a guardrail blocks shows as blocked, and one that holds only under its conditions as
conditional. Flags: outside the organisation, confused-deputy risk (a service principal trusted
without aws:SourceAccount/SourceArn/SourceOrgID), federation without audience or subject.

Outputs: text, json, dot (Graphviz), mermaid, graphml, html (a self-contained page).
Exit status: 0; 2 could not run.`,
		Example: `  iamwhy trust --env examples/env
  iamwhy trust --env examples/env --external-only -o dot | dot -Tsvg > trust.svg
  iamwhy trust --env examples/env --principal arn:aws:iam::444455556666:root --depth 2 -o mermaid`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runTrust(s, o) },
	}
	f := cmd.Flags()
	o.envFlags.register(cmd)
	f.StringVar(&o.Account, "account", "", "only edges into or out of this account")
	f.StringVar(&o.Principal, "principal", "", "only what this principal reaches, through role chains up to --depth")
	f.BoolVar(&o.ExternalOnly, "external-only", false, "only edges from outside the organisation")
	f.IntVar(&o.Depth, "depth", 3, "how many role assumptions a chain from --principal may take")
	outputFlag(cmd, &o.Output, "text", "json", "dot", "mermaid", "graphml", "html")
	f.StringVar(&o.OwnerTag, "owner-tag", "owner", "the tag whose value names a role's owner")
	return cmd
}

func runTrust(s Streams, o *trustOptions) error {
	if o.Depth < 1 {
		return fmt.Errorf("--depth %d: want 1 or more", o.Depth)
	}
	env, err := o.envFlags.require("the environment whose trust is drawn")
	if err != nil {
		return err
	}
	g, err := trust.Build(env, trust.Options{Account: o.Account, Principal: o.Principal, ExternalOnly: o.ExternalOnly, Depth: o.Depth, OwnerTag: o.OwnerTag})
	if err != nil {
		return err
	}
	return trustRenderers[o.Output](s.Out, g)
}

var trustRenderers = map[string]func(io.Writer, *trust.Graph) error{
	"json": func(w io.Writer, g *trust.Graph) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			FormatVersion int `json:"format_version"`
			*trust.Graph
		}{1, g})
	},
	"text":    trustText,
	"dot":     trustDOT,
	"mermaid": trustMermaid,
	"graphml": trustGraphML,
	"html":    trustHTML,
}

func owners(g *trust.Graph) map[string]string {
	m := map[string]string{}
	for _, n := range g.Nodes {
		if n.Owner != nil {
			m[n.ID] = *n.Owner
		}
	}
	return m
}

func trustText(w io.Writer, g *trust.Graph) error {
	counts := map[string]int{}
	outside, deputy := 0, 0
	for _, e := range g.Edges {
		counts[e.Status]++
		if e.OutsideOrganization {
			outside++
		}
		if e.ConfusedDeputyRisk {
			deputy++
		}
	}
	fmt.Fprintf(w, "%d trust edges: %d allowed, %d conditional, %d blocked; %d from outside the organisation, %d with confused-deputy risk.\n",
		len(g.Edges), counts["allowed"], counts["conditional"], counts["blocked"], outside, deputy)
	own := owners(g)
	to := ""
	for _, e := range g.Edges {
		if e.To != to {
			to = e.To
			fmt.Fprintf(w, "\n%s", to)
			if o, ok := own[to]; ok {
				fmt.Fprintf(w, "  (owner %s)", o)
			}
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "  <- %s  [%s, %s] %s\n", e.From, e.Kind, e.Status, strings.Join(e.Actions, ", "))
		var flags []string
		if e.OutsideOrganization {
			flags = append(flags, "outside the organisation")
		}
		if e.ConfusedDeputyRisk {
			flags = append(flags, "confused-deputy risk: no aws:SourceAccount/SourceArn/SourceOrgID")
		}
		if e.UnscopedFederation {
			flags = append(flags, "federation without audience or subject condition")
		}
		if len(e.Conditions) > 0 {
			flags = append(flags, "conditions on "+strings.Join(e.Conditions, ", "))
		}
		if len(flags) > 0 {
			fmt.Fprintf(w, "     %s\n", strings.Join(flags, "; "))
		}
		if e.Reason != "" && e.Status != "allowed" {
			fmt.Fprintf(w, "     %s\n", e.Reason)
		}
		fmt.Fprintf(w, "     via %s statement %s at %s\n", e.Via.Policy, e.Via.Statement, e.Via.Location)
	}
	if len(g.NoOwner) > 0 {
		fmt.Fprintf(w, "\nWithout an owner tag: %s\n", strings.Join(g.NoOwner, ", "))
	}
	for _, n := range g.Notes {
		fmt.Fprintf(w, "Note: %s\n", n)
	}
	return nil
}

// nodeIDs gives every node a short identifier for graph languages.
func nodeIDs(g *trust.Graph) map[string]string {
	ids := map[string]string{}
	for i, n := range g.Nodes {
		ids[n.ID] = fmt.Sprintf("n%d", i)
	}
	return ids
}

var edgeStyle = map[string]string{"allowed": "solid", "conditional": "dashed", "blocked": "dotted"}

func dotQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

func trustDOT(w io.Writer, g *trust.Graph) error {
	ids := nodeIDs(g)
	fmt.Fprintln(w, "digraph trust {\n  rankdir=LR;\n  node [shape=box, fontsize=10];")
	byAccount := map[string][]trust.Node{}
	var accounts []string
	for _, n := range g.Nodes {
		if _, ok := byAccount[n.Account]; !ok {
			accounts = append(accounts, n.Account)
		}
		byAccount[n.Account] = append(byAccount[n.Account], n)
	}
	sort.Strings(accounts)
	for i, a := range accounts {
		label := a
		if a == "" {
			label = "outside accounts"
		}
		fmt.Fprintf(w, "  subgraph cluster_%d {\n    label=%s;\n", i, dotQuote(label))
		for _, n := range byAccount[a] {
			l := n.ID
			if n.Owner != nil {
				l += "\nowner: " + *n.Owner
			}
			fmt.Fprintf(w, "    %s [label=%s];\n", ids[n.ID], dotQuote(l))
		}
		fmt.Fprintln(w, "  }")
	}
	for _, e := range g.Edges {
		color := map[string]string{"allowed": "darkgreen", "conditional": "orange", "blocked": "red"}[e.Status]
		fmt.Fprintf(w, "  %s -> %s [label=%s, style=%s, color=%s];\n", ids[e.From], ids[e.To], dotQuote(e.Kind+" ("+e.Status+")"), edgeStyle[e.Status], color)
	}
	fmt.Fprintln(w, "}")
	return nil
}

func mermaidLabel(s string) string {
	return `"` + strings.NewReplacer(`"`, "#quot;", "\n", " ").Replace(s) + `"`
}

func trustMermaid(w io.Writer, g *trust.Graph) error {
	ids := nodeIDs(g)
	fmt.Fprintln(w, "flowchart LR")
	for _, n := range g.Nodes {
		fmt.Fprintf(w, "  %s[%s]\n", ids[n.ID], mermaidLabel(n.ID))
	}
	for _, e := range g.Edges {
		arrow := map[string]string{"allowed": "-->", "conditional": "-.->", "blocked": "--x"}[e.Status]
		fmt.Fprintf(w, "  %s %s|%s| %s\n", ids[e.From], arrow, mermaidLabel(e.Kind+" "+e.Status), ids[e.To])
	}
	return nil
}

func trustGraphML(w io.Writer, g *trust.Graph) error {
	type data struct {
		Key   string `xml:"key,attr"`
		Value string `xml:",chardata"`
	}
	type node struct {
		ID   string `xml:"id,attr"`
		Data []data `xml:"data"`
	}
	type edge struct {
		Source string `xml:"source,attr"`
		Target string `xml:"target,attr"`
		Data   []data `xml:"data"`
	}
	type key struct {
		ID   string `xml:"id,attr"`
		For  string `xml:"for,attr"`
		Name string `xml:"attr.name,attr"`
		Type string `xml:"attr.type,attr"`
	}
	type graph struct {
		EdgeDefault string `xml:"edgedefault,attr"`
		Nodes       []node `xml:"node"`
		Edges       []edge `xml:"edge"`
	}
	type graphml struct {
		XMLName xml.Name `xml:"graphml"`
		NS      string   `xml:"xmlns,attr"`
		Keys    []key    `xml:"key"`
		Graph   graph    `xml:"graph"`
	}
	doc := graphml{NS: "http://graphml.graphdrawing.org/xmlns", Graph: graph{EdgeDefault: "directed"}}
	doc.Keys = append(doc.Keys, []key{{"kind", "node", "kind", "string"}, {"account", "node", "account", "string"}, {"owner", "node", "owner", "string"},
		{"ekind", "edge", "kind", "string"}, {"status", "edge", "status", "string"}, {"actions", "edge", "actions", "string"},
		{"outside", "edge", "outside_organization", "boolean"}, {"deputy", "edge", "confused_deputy_risk", "boolean"}, {"via", "edge", "via", "string"}}...)
	for _, n := range g.Nodes {
		d := []data{{"kind", n.Kind}, {"account", n.Account}}
		if n.Owner != nil {
			d = append(d, data{"owner", *n.Owner})
		}
		doc.Graph.Nodes = append(doc.Graph.Nodes, node{ID: n.ID, Data: d})
	}
	for _, e := range g.Edges {
		doc.Graph.Edges = append(doc.Graph.Edges, edge{Source: e.From, Target: e.To, Data: []data{{"ekind", e.Kind}, {"status", e.Status},
			{"actions", strings.Join(e.Actions, " ")}, {"outside", fmt.Sprint(e.OutsideOrganization)}, {"deputy", fmt.Sprint(e.ConfusedDeputyRisk)},
			{"via", e.Via.Policy + " " + e.Via.Statement + " " + e.Via.Location}}})
	}
	io.WriteString(w, xml.Header)
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// trustPage is a self-contained page: the table of edges, styled inline,
// with no script and nothing fetched.
var trustPage = template.Must(template.New("trust").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>iamwhy trust</title>
<style>body{font:14px system-ui,sans-serif;margin:1.5rem}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ddd;padding:.3rem;text-align:left;vertical-align:top}code{font-size:12px}
.allowed{color:#1a7f37}.conditional{color:#9a6700}.blocked{color:#cf222e}.flag{color:#cf222e}</style></head>
<body><h1>Cross-account trust</h1>
<p>{{len .Edges}} edges. Each is decided by the engine with the environment's SCPs, RCPs and conditions.</p>
<table><thead><tr><th>from</th><th>to</th><th>kind</th><th>status</th><th>actions</th><th>flags</th><th>via</th></tr></thead><tbody>
{{range .Edges}}<tr><td><code>{{.From}}</code></td><td><code>{{.To}}</code></td><td>{{.Kind}}</td><td class="{{.Status}}">{{.Status}}{{if .Reason}}<br><small>{{.Reason}}</small>{{end}}</td>
<td>{{range .Actions}}<code>{{.}}</code> {{end}}</td>
<td>{{if .OutsideOrganization}}<span class="flag">outside the organisation</span> {{end}}{{if .ConfusedDeputyRisk}}<span class="flag">confused-deputy risk</span> {{end}}{{if .UnscopedFederation}}<span class="flag">unscoped federation</span> {{end}}{{range .Conditions}}<code>{{.}}</code> {{end}}</td>
<td><small>{{.Via.Policy}} {{.Via.Statement}} {{.Via.Location}}</small></td></tr>
{{end}}</tbody></table>
{{if .NoOwner}}<p>Without an owner tag: {{range .NoOwner}}<code>{{.}}</code> {{end}}</p>{{end}}
{{range .Notes}}<p><small>{{.}}</small></p>{{end}}
</body></html>
`))

func trustHTML(w io.Writer, g *trust.Graph) error { return trustPage.Execute(w, g) }
