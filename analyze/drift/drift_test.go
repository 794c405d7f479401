package drift

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/snapshot"
)

func load(t *testing.T, path string) *snapshot.Environment {
	t.Helper()
	env, err := snapshot.LoadFile(path, snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func v(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// TestExample checks examples/drift: every seeded difference is found,
// attributed, and nothing else is reported.
func TestExample(t *testing.T) {
	dir := filepath.Join("..", "..", "examples", "drift")
	m, err := ReadMap(filepath.Join(dir, "map.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Compare(load(t, filepath.Join(dir, "staging")), load(t, filepath.Join(dir, "prod")), Options{Map: m})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range r.Differences {
		var line string
		if d.Kind == "access" {
			cond := ""
			if d.Condition != nil {
				cond = " when " + d.Condition.Key
			}
			line = strings.Join([]string{"access", v(d.PrincipalA), v(d.Action), v(d.ResourceB), "allowed_in=" + v(d.AllowedIn),
				v(d.DecisionA) + "/" + v(d.DecisionB), v(d.Layer), v(d.Policy), v(d.Statement)}, " ") + cond
			if d.Location == nil || d.OwnerA == nil || d.OwnerB == nil {
				t.Errorf("%s: no location or owner", line)
			}
		} else {
			line = strings.Join([]string{"structure", v(d.What), "only_in=" + v(d.OnlyIn), v(d.PrincipalA), v(d.PrincipalB), v(d.ResourceA), v(d.ResourceB), v(d.Account), v(d.Policy)}, " ")
		}
		got = append(got, strings.Join(strings.Fields(line), " "))
	}
	sort.Strings(got)
	want := []string{
		"access arn:aws:iam::111111111111:role/app-staging s3:DeleteObject arn:aws:s3:::example-data-prod/x allowed_in=a allow/implicit-deny identity arn:aws:iam::111111111111:role/app-staging#data ReadWriteData",
		"access arn:aws:iam::111111111111:role/app-staging s3:GetObject arn:aws:s3:::example-data-prod/x allowed_in=a allow/explicit-deny resource arn:aws:s3:::example-data-prod DenyInsecureTransport when aws:SecureTransport",
		"access arn:aws:iam::111111111111:role/app-staging s3:ListBucket arn:aws:s3:::example-data-prod allowed_in=a allow/explicit-deny resource arn:aws:s3:::example-data-prod DenyInsecureTransport when aws:SecureTransport",
		"access arn:aws:iam::111111111111:role/app-staging s3:PutObject arn:aws:s3:::example-data-prod/x allowed_in=a allow/explicit-deny resource arn:aws:s3:::example-data-prod DenyInsecureTransport when aws:SecureTransport",
		"access arn:aws:iam::111111111111:role/deploy-staging lambda:GetFunction arn:aws:lambda:eu-west-1:222222222222:function:app-prod allowed_in=a allow/explicit-deny scp p-region-guard DenyOutsideRegions when aws:RequestedRegion",
		"access arn:aws:iam::111111111111:role/deploy-staging lambda:UpdateFunctionCode arn:aws:lambda:eu-west-1:222222222222:function:app-prod allowed_in=a allow/explicit-deny scp p-region-guard DenyOutsideRegions when aws:RequestedRegion",
		"structure boundary only_in=b arn:aws:iam::111111111111:role/app-staging arn:aws:iam::222222222222:role/app-prod arn:aws:iam::222222222222:policy/workload-boundary",
		"structure principal only_in=a arn:aws:iam::111111111111:role/debug-staging",
		"structure resource_policy only_in=b arn:aws:s3:::example-data-staging arn:aws:s3:::example-data-prod arn:aws:s3:::example-data-prod",
		"structure scp_attachment only_in=b 111111111111 p-region-guard",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r.Pairs.Principals != 2 || r.Pairs.Resources != 1 || len(r.Pairs.OnlyInA) != 1 || len(r.Pairs.OnlyInB) != 0 {
		t.Errorf("pairs: %+v", r.Pairs)
	}
	if strings.Join(r.NoOwner, ",") != "arn:aws:iam::111111111111:role/debug-staging" {
		t.Errorf("no_owner: %v", r.NoOwner)
	}
}

// TestNoFalseDrift: an environment against itself, and against a copy
// under other account IDs with the map, has no difference.
func TestNoFalseDrift(t *testing.T) {
	env := load(t, filepath.Join("..", "..", "examples", "env"))
	r, err := Compare(env, load(t, filepath.Join("..", "..", "examples", "env")), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Differences) != 0 {
		t.Errorf("an environment differs from itself: %+v", r.Differences[0])
	}
	if r.Pairs.Principals == 0 || r.Pairs.Resources != 3 {
		t.Errorf("pairs: %+v", r.Pairs)
	}
	dir := filepath.Join("..", "..", "examples", "drift")
	staging := load(t, filepath.Join(dir, "staging"))
	r, err = Compare(staging, load(t, filepath.Join(dir, "staging")), Options{Map: &Map{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Differences) != 0 {
		t.Errorf("staging differs from itself: %+v", r.Differences[0])
	}
}

func TestParseMap(t *testing.T) {
	for _, tc := range []struct {
		name, text, err string
	}{
		{"accounts and names", "accounts: {\"111111111111\": \"222222222222\"}\nnames: [{from: -staging, to: -prod}]\n", ""},
		{"empty", "", ""},
		{"a duplicate key", "accounts: {\"111111111111\": \"222222222222\"}\naccounts: {}\n", "given twice"},
		{"an unknown key", "acounts: {}\n", `unknown key "acounts"`},
		{"not an account ID", "accounts: {\"1111\": \"222222222222\"}\n", "12-digit"},
		{"two accounts onto one", "accounts: {\"111111111111\": \"222222222222\", \"333333333333\": \"222222222222\"}\n", "both map to"},
		{"an empty rewrite", "names: [{from: \"\", to: x}]\n", "from is empty"},
		{"not a mapping", "- a\n", "a mapping"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseMap([]byte(tc.text), "map.yaml")
			switch {
			case tc.err == "" && err != nil:
				t.Errorf("unexpected error %v", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err) || !strings.HasPrefix(err.Error(), "map.yaml")):
				t.Errorf("error %v, want one naming map.yaml and %q", err, tc.err)
			}
		})
	}
}

func TestTranslation(t *testing.T) {
	m := &Map{Accounts: map[string]string{"111111111111": "222222222222"}, Names: []Rewrite{{From: "-staging", To: "-prod"}}}
	n := m.translation()
	a := "arn:aws:iam::111111111111:role/app-staging"
	if got := n.ToB(a); got != "arn:aws:iam::222222222222:role/app-prod" {
		t.Errorf("ToB: %s", got)
	}
	if got := n.FromB(n.ToB(a)); got != a {
		t.Errorf("FromB(ToB): %s", got)
	}
}
