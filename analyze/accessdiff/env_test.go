package accessdiff

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/iamwhy/iamwhy/snapshot"
)

// edit is a change to one file of a copy of examples/env.
type edit struct {
	file    string
	pattern string // a regular expression
	repl    string
}

// variant copies examples/env and applies the edits; each edit must match.
func variant(t *testing.T, edits ...edit) *snapshot.Environment {
	t.Helper()
	src := filepath.Join("..", "..", "examples", "env")
	dst := t.TempDir()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, e := range edits {
			if e.file == filepath.ToSlash(rel) {
				re := regexp.MustCompile(e.pattern)
				if !re.Match(data) {
					t.Fatalf("edit %q matches nothing in %s", e.pattern, rel)
				}
				data = re.ReplaceAll(data, []byte(e.repl))
			}
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	env, err := snapshot.LoadFile(dst, snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

const (
	appAccount  = "accounts/111122223333/authorization-details.json"
	bucketFile  = "resources/444455556666/s3/example-data-config.json"
	configRole  = "arn:aws:iam::111122223333:role/service-role/config-reader"
	developer   = "arn:aws:iam::111122223333:role/developer"
	alice       = "arn:aws:iam::111122223333:user/alice"
	dataBucket  = "arn:aws:s3:::example-data-config"
	eventsQueue = "arn:aws:sqs:eu-west-1:111122223333:config-events"
)

type wantAccess struct {
	kind, principal, action, resource string
	conditional                       bool
}

func TestEnvironments(t *testing.T) {
	base := variant(t)
	cases := []struct {
		name  string
		edits []edit
		want  []wantAccess // each must be found
		// onlyPrincipals: every difference is for one of these.
		onlyPrincipals []string
		none           bool // no difference at all
		noNew          bool
		// exhaustive: also check the pruned comparison against one that
		// decides every request.
		exhaustive bool
	}{
		{name: "the same environment is no difference", none: true},
		{name: "renamed Sids are no difference", none: true, edits: []edit{
			{appAccount, `"ReadConfigBucket"`, `"ReadTheBucket"`},
			{bucketFile, `"DenyInsecureTransport"`, `"TLSOnly"`},
		}},
		{name: "an action added to an identity policy is new access for that principal only",
			edits:          []edit{{appAccount, `"Action": "sqs:SendMessage"`, `"Action": ["sqs:SendMessage", "sqs:ReceiveMessage"]`}},
			want:           []wantAccess{{"new", configRole, "sqs:ReceiveMessage", eventsQueue, false}},
			onlyPrincipals: []string{configRole}, exhaustive: true},
		{name: "a cross-account write the bucket policy does not allow is no new access",
			edits: []edit{{appAccount, `"s3:GetObject",\s*"s3:ListBucket"`, `"s3:GetObject", "s3:ListBucket", "s3:PutObject"`}},
			none:  true},
		{name: "a principal added to a bucket policy is new access across accounts",
			edits: []edit{{bucketFile, `"AWS": "arn:aws:iam::111122223333:role/service-role/config-reader"`,
				`"AWS": ["arn:aws:iam::111122223333:role/service-role/config-reader", "arn:aws:iam::111122223333:role/developer"]`}},
			want:           []wantAccess{{"new", developer, "s3:GetObject", dataBucket + "/*", false}, {"new", developer, "s3:ListBucket", dataBucket, false}},
			onlyPrincipals: []string{developer}, exhaustive: true},
		{name: "a trust policy without its MFA condition is new access to assume the role",
			edits: []edit{{appAccount, `,\s*"Condition": \{\s*"Bool": \{\s*"aws:MultiFactorAuthPresent": "true"\s*\}\s*\}`, ``}},
			want:  []wantAccess{{"new", alice, "sts:AssumeRole", developer, false}}},
		{name: "a removed permissions boundary is new access outside it",
			edits:          []edit{{appAccount, `"PermissionsBoundary": \{[^}]*\},`, ``}},
			want:           []wantAccess{{"new", developer, "iam:CreateRole", "arn:aws:iam::111122223333:role/app/*", false}},
			onlyPrincipals: []string{developer}},
		{name: "a removed region guard SCP is new access only outside the approved regions",
			edits: []edit{{"organization.yaml", `scp: \[p-FullAWSAccess, p-region-guard\]`, `scp: [p-FullAWSAccess]`}},
			want:  []wantAccess{{"new", configRole, "sqs:SendMessage", eventsQueue, true}}},
		{name: "an added Deny is removed access",
			edits: []edit{{bucketFile, `"Sid": "DenyInsecureTransport",\s*"Effect": "Deny",\s*"Principal": "\*",\s*"Action": "s3:\*",`,
				`"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",`},
				{bucketFile, `"Condition": \{"Bool": \{"aws:SecureTransport": "false"\}\}`, `"Condition": {"Bool": {"aws:SecureTransport": "true"}}`}},
			want:       []wantAccess{{"removed", configRole, "s3:GetObject", dataBucket + "/*", true}, {"new", configRole, "s3:GetObject", dataBucket + "/*", true}},
			exhaustive: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			other := variant(t, tc.edits...)
			res, err := Environments(base, other, EnvOptions{})
			if err != nil {
				t.Fatal(err)
			}
			all := append(append(append([]Access{}, res.NewAccess...), res.RemovedAccess...), res.Undetermined...)
			if tc.none && len(all) > 0 {
				t.Fatalf("want no difference, got %d, first %+v", len(all), all[0])
			}
			if tc.noNew && len(res.NewAccess) > 0 {
				t.Errorf("want no new access, got %+v", res.NewAccess[0])
			}
			if len(tc.edits) == 0 && res.Requests != 0 {
				t.Errorf("identical environments decided %d requests, want 0", res.Requests)
			}
			for _, w := range tc.want {
				list := res.NewAccess
				if w.kind == "removed" {
					list = res.RemovedAccess
				}
				found := false
				for _, a := range list {
					if a.Principal == w.principal && a.Action == w.action && a.Resource == w.resource {
						found = true
						if w.conditional != (len(a.Conditions) > 0) {
							t.Errorf("%s %s: conditions %v, want conditional=%v", w.action, w.resource, a.Conditions, w.conditional)
						}
						if w.kind == "new" && a.GrantedBy == nil {
							t.Errorf("%s %s: no granting statement", w.action, w.resource)
						}
					}
				}
				if !found {
					t.Errorf("missing %s %s %s on %s; got %d new, %d removed, %d undetermined: %+v", w.kind, w.principal, w.action, w.resource,
						len(res.NewAccess), len(res.RemovedAccess), len(res.Undetermined), sample(all))
				}
			}
			if tc.onlyPrincipals != nil {
				for _, a := range all {
					if !contains(tc.onlyPrincipals, a.Principal) {
						t.Errorf("difference for %s, want only %v: %+v", a.Principal, tc.onlyPrincipals, a)
					}
				}
			}
			// Deciding only what a difference can reach finds what deciding
			// everything finds.
			if !tc.exhaustive || testing.Short() || raceEnabled {
				return
			}
			ex, err := CompareEnvironments(base, other, EnvOptions{exhaustive: true})
			if err != nil {
				t.Fatal(err)
			}
			pruned, err := CompareEnvironments(base, other, EnvOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if pruned.Requests > ex.Requests {
				t.Errorf("pruned comparison decided %d requests, exhaustive %d", pruned.Requests, ex.Requests)
			}
			exKeys, prKeys := map[string]bool{}, map[string]bool{}
			for _, d := range ex.Differences {
				exKeys[d.Kind+" "+d.Principal+" "+d.Action] = true
			}
			for _, d := range pruned.Differences {
				prKeys[d.Kind+" "+d.Principal+" "+d.Action] = true
			}
			for k := range exKeys {
				if !prKeys[k] {
					t.Errorf("the exhaustive comparison finds %s, the pruned one does not", k)
				}
			}
			for k := range prKeys {
				if !exKeys[k] {
					t.Errorf("the pruned comparison finds %s, the exhaustive one does not", k)
				}
			}
		})
	}
}

func sample(as []Access) []Access {
	if len(as) > 5 {
		return as[:5]
	}
	return as
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestEnvironmentsNames compares environments whose names differ through
// a map: the same policies under other account IDs and names are no
// difference.
func TestEnvironmentsNames(t *testing.T) {
	base := variant(t)
	renamed := variant(t,
		edit{appAccount, `111122223333`, `777788889999`},
		edit{appAccount, `config-reader`, `config-reader-prod`},
		edit{bucketFile, `111122223333`, `777788889999`},
		edit{bucketFile, `config-reader`, `config-reader-prod`},
		edit{"resources/111122223333/sqs/config-events.json", `111122223333`, `777788889999`},
		edit{"resources/111122223333/sqs/config-events.json", `config-reader`, `config-reader-prod`},
		edit{"organization.yaml", `111122223333`, `777788889999`},
	)
	names := testNames{strings.NewReplacer("111122223333", "777788889999", "config-reader", "config-reader-prod"),
		strings.NewReplacer("777788889999", "111122223333", "config-reader-prod", "config-reader")}
	res, err := CompareEnvironments(base, renamed, EnvOptions{Names: names, Paired: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Differences) > 0 {
		t.Fatalf("want no difference, got %d: %+v", len(res.Differences), res.Differences[0])
	}
	if len(res.OnlyInA) > 0 || len(res.OnlyInB) > 0 {
		t.Errorf("unpaired principals: %v %v", res.OnlyInA, res.OnlyInB)
	}
}

type testNames struct{ to, from *strings.Replacer }

func (n testNames) ToB(s string) string   { return n.to.Replace(s) }
func (n testNames) FromB(s string) string { return n.from.Replace(s) }
