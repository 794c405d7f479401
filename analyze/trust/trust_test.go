package trust

import (
	"testing"

	"github.com/iamwhy/iamwhy/snapshot"
)

func load(t *testing.T, dir string) *snapshot.Environment {
	t.Helper()
	env, err := snapshot.LoadFile(dir, snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func edge(g *Graph, from, to string) *Edge {
	for i := range g.Edges {
		if g.Edges[i].From == from && g.Edges[i].To == to {
			return &g.Edges[i]
		}
	}
	return nil
}

// Each edge is decided with the environment's layers: a trust that an RCP
// or Block Public Access takes away shows as blocked, not as trust.
func TestEdgesAreDecidedByTheEngine(t *testing.T) {
	g, err := Build(load(t, "../../examples/s3kms-env"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ from, to, status string }{
		// RestrictPublicBuckets: a public policy grants nothing to other accounts
		// (S3 User Guide, "Blocking public access to your Amazon S3 storage").
		{"*", "arn:aws:s3:::example-public-site", "blocked"},
		{"*", "arn:aws:s3:::example-open-site", "allowed"},
		// Delegation to access points holds only with s3:DataAccessPointAccount.
		{"*", "arn:aws:s3:::example-data-lake", "conditional"},
		{"lambda.amazonaws.com", "arn:aws:iam::111122223333:role/app", "allowed"},
	} {
		e := edge(g, tc.from, tc.to)
		if e == nil {
			t.Errorf("no edge %s -> %s", tc.from, tc.to)
			continue
		}
		if e.Status != tc.status {
			t.Errorf("%s -> %s: %s (%s), want %s", tc.from, tc.to, e.Status, e.Reason, tc.status)
		}
	}
	if e := edge(g, "lambda.amazonaws.com", "arn:aws:iam::111122223333:role/app"); e == nil || !e.ConfusedDeputyRisk || e.Kind != "service" {
		t.Errorf("service trust without a source condition: %+v", e)
	}
	if e := edge(g, "*", "arn:aws:s3:::example-open-site"); e == nil || !e.OutsideOrganization {
		t.Errorf("a public grant is not flagged as outside the organisation: %+v", e)
	}
}

func TestRCPBlocksTrustFromOutsideTheOrganisation(t *testing.T) {
	g, err := Build(load(t, "../../examples/env"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := edge(g, "arn:aws:iam::210987654321:root", "arn:aws:iam::111122223333:role/OrganizationAccountAccessRole")
	if e == nil || e.Kind != "assume-role" {
		t.Fatalf("edge %+v", e)
	}
	if e.Status != "blocked" || e.Via.Location == "" {
		t.Errorf("status %s (%s) via %+v", e.Status, e.Reason, e.Via)
	}
	for _, n := range g.Nodes {
		if n.ID == "arn:aws:iam::111122223333:role/OrganizationAccountAccessRole" && n.Owner != nil {
			t.Errorf("owner %q without an owner tag", *n.Owner)
		}
	}
	if len(g.NoOwner) == 0 {
		t.Error("roles without an owner tag are not listed")
	}
}

func TestFilters(t *testing.T) {
	env := load(t, "../../examples/s3kms-env")
	all, _ := Build(env, Options{})
	ext, _ := Build(env, Options{ExternalOnly: true})
	for _, e := range ext.Edges {
		if !e.OutsideOrganization {
			t.Errorf("--external-only kept %s -> %s", e.From, e.To)
		}
	}
	if len(ext.Edges) == 0 || len(ext.Edges) >= len(all.Edges) {
		t.Errorf("external %d of %d edges", len(ext.Edges), len(all.Edges))
	}
	// From lambda: its two roles, then (a role of account 444455556666
	// being reached) what that account's root is trusted with.
	from, _ := Build(env, Options{Principal: "lambda.amazonaws.com"})
	first, chained := 0, 0
	for _, e := range from.Edges {
		switch e.From {
		case "lambda.amazonaws.com":
			first++
		case "arn:aws:iam::444455556666:root":
			chained++
		default:
			t.Errorf("--principal kept %s -> %s, not reachable from lambda", e.From, e.To)
		}
	}
	if first != 2 || chained != 1 {
		t.Errorf("--principal lambda: %d direct and %d chained edges, want 2 and 1", first, chained)
	}
	one, _ := Build(env, Options{Principal: "lambda.amazonaws.com", Depth: 1})
	if len(one.Edges) != 2 {
		t.Errorf("--depth 1: %d edges, want the 2 direct ones", len(one.Edges))
	}
}
