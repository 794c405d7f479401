package accessdiff

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/policy"
	"github.com/iamwhy/iamwhy/snapshot"
)

// Comparing two environments decides only the requests a difference
// between them can reach. Each principal, resource and account is
// summarised on each side as the statements of each of its layer slots
// (identity, boundary, each SCP level; a resource's policy; each RCP level
// of an account), written out in one canonical form and translated into
// environment A's names, and a structural part (which layers exist, tags,
// organisation ids, S3 settings). The decision on a request is a function
// of the statements of each slot that match it and of the structure: when
// the structure is the same and no statement that differs can match the
// request, both sides decide it alike, so it is not decided at all.

// stmtRef is one statement of a slot with its canonical text.
type stmtRef struct {
	text string
	st   *policy.Statement
}

// summary is one principal, resource or account on one side.
type sideSummary struct {
	slots      map[string][]stmtRef
	structural string
}

func newSummary() *sideSummary { return &sideSummary{slots: map[string][]stmtRef{}} }

// add records a policy's statements under slot, in A's names.
func (s *sideSummary) add(slot string, p *eval.Policy, fromB func(string) string) {
	if p == nil || p.Doc == nil {
		s.structural += slot + ":opaque;"
		return
	}
	for i := range p.Doc.Statements {
		st := &p.Doc.Statements[i]
		s.slots[slot] = append(s.slots[slot], stmtRef{text: fromB(statementText(p.Doc.Version, st)), st: st})
	}
}

// statementText is a statement's canonical JSON without its Sid (a renamed
// Sid changes no decision) or positions.
func statementText(version string, st *policy.Statement) string {
	cp := *st
	cp.Sid, cp.Index = "", 0
	b, _ := (&policy.Policy{Version: version, Statements: []policy.Statement{cp}}).MarshalJSON()
	return string(b)
}

// changed lists the statements of slots that are not on both sides (as a
// multiset of texts), from either side.
func changed(a, b *sideSummary) []*policy.Statement {
	var out []*policy.Statement
	slots := map[string]bool{}
	for k := range a.slots {
		slots[k] = true
	}
	for k := range b.slots {
		slots[k] = true
	}
	for slot := range slots {
		count := map[string]int{}
		for _, r := range a.slots[slot] {
			count[r.text]++
		}
		for _, r := range b.slots[slot] {
			count[r.text]--
		}
		for _, side := range [][]stmtRef{a.slots[slot], b.slots[slot]} {
			for _, r := range side {
				if count[r.text] != 0 {
					out = append(out, r.st)
				}
			}
		}
	}
	return out
}

// principalSummary summarises the principal-side layers (identity,
// boundary, SCPs) and the context the environment gives the principal.
func principalSummary(l *eval.Layers, ctx *eval.Context, fromB func(string) string) *sideSummary {
	s := newSummary()
	for _, p := range l.Identity {
		s.add("identity", p, fromB)
	}
	if l.Boundary != nil {
		s.structural += "boundary;"
		s.add("boundary", l.Boundary, fromB)
	}
	s.structural += fmt.Sprintf("scp-levels:%d;", len(l.SCP))
	if l.SCP == nil {
		s.structural += "ungoverned;"
	}
	for i, lv := range l.SCP {
		s.structural += fmt.Sprintf("scp%d:%d;", i, len(lv))
		for _, p := range lv {
			s.add(fmt.Sprintf("scp%d", i), p, fromB)
		}
	}
	for _, u := range l.Unknown {
		if u.Layer != eval.LayerResource && u.Layer != eval.LayerRCP {
			s.structural += "unknown:" + string(u.Layer) + "=" + fromB(u.Reason) + ";"
		}
	}
	var keys []string
	for _, k := range ctx.Keys() {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "aws:principaltag/") || lk == "aws:principalorgid" || lk == "aws:principalorgpaths" {
			v, _ := ctx.Get(k)
			keys = append(keys, lk+"="+fromB(strings.Join(v, "\x00")))
		}
	}
	sort.Strings(keys)
	s.structural += strings.Join(keys, ";")
	return s
}

// resourceSummary summarises a resource record or a role as the target of
// a request: its policy (a role's trust policy) and its S3 and KMS
// settings.
func resourceSummary(env *snapshot.Environment, target string, fromB func(string) string) *sideSummary {
	s := newSummary()
	if r, ok := env.Role(target); ok {
		s.structural = "role;"
		if r.Trust == nil {
			s.structural += "no-trust;"
			return s
		}
		addDocument(s, "resource", r.Trust, policy.TypeTrust, fromB)
		return s
	}
	r := env.Resources[target]
	if r == nil {
		return nil
	}
	s.structural = "record;"
	if r.Policy != nil {
		addDocument(s, "resource", r.Policy, policy.TypeResource, fromB)
	} else {
		s.structural += "no-policy;"
	}
	settings := struct {
		BPA           any `json:"bpa"`
		Ownership     any `json:"ownership"`
		ACL           any `json:"acl"`
		Grants        any `json:"grants"`
		Bucket        string
		NetworkOrigin string
		VpcID         string
	}{r.BlockPublicAccess, r.ObjectOwnership, r.ACL, r.Grants, r.Bucket, r.NetworkOrigin, r.VpcID}
	b, _ := json.Marshal(settings)
	s.structural += fromB(string(b))
	return s
}

// addDocument adds a snapshot document's statements; a document that is
// unknown or does not parse is structural (its text stands for it).
func addDocument(s *sideSummary, slot string, d *snapshot.Document, t policy.Type, fromB func(string) string) {
	if d.Unknown != "" {
		s.structural += slot + ":unknown=" + fromB(d.Unknown) + ";"
		return
	}
	p, err := d.Policy(t)
	if err != nil {
		s.structural += slot + ":invalid=" + fromB(string(d.JSON)) + ";"
		return
	}
	for i := range p.Statements {
		st := &p.Statements[i]
		s.slots[slot] = append(s.slots[slot], stmtRef{text: fromB(statementText(p.Version, st)), st: st})
	}
}

// accountSummary summarises what applies to every resource of an account:
// its RCP levels, its S3 account settings and its organisation.
func accountSummary(env *snapshot.Environment, account string, fromB func(string) string) *sideSummary {
	s := newSummary()
	if levels, governed := env.RCPLevels(account); governed {
		s.structural += fmt.Sprintf("rcp-levels:%d;", len(levels))
		for i, lv := range levels {
			s.structural += fmt.Sprintf("rcp%d:%d;", i, len(lv.Policies))
			for _, op := range lv.Policies {
				addDocument(s, fmt.Sprintf("rcp%d", i), op.Document, policy.TypeRCP, fromB)
			}
		}
	}
	if id, ok := env.AccountOrgID(account); ok {
		s.structural += "org=" + fromB(id) + ";"
	}
	if a := env.S3Accounts[account]; a != nil {
		b, _ := json.Marshal(a.BlockPublicAccess)
		s.structural += "s3account=" + string(b) + ";"
	}
	if env.Accounts[account] != nil {
		s.structural += "collected;"
	}
	return s
}

// same reports whether two summaries are equal: same structure, and the
// same statements in every slot.
func same(a, b *sideSummary) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.structural == b.structural && len(changed(a, b)) == 0
}

// principalsOf lists the users and roles of an environment.
func principalsOf(env *snapshot.Environment) []string {
	var out []string
	for _, id := range env.AccountIDs() {
		a := env.Accounts[id]
		if a == nil {
			continue
		}
		for _, u := range a.Users {
			out = append(out, u.ARN)
		}
		for _, r := range a.Roles {
			out = append(out, r.ARN)
		}
	}
	return out
}

// targetsOf lists the resources with a record and the roles of an
// environment: the resources whose own policy a request meets.
func targetsOf(env *snapshot.Environment) []string {
	var out []string
	for a, r := range env.Resources {
		if r != nil && r.ARN != "" {
			out = append(out, a)
		}
	}
	for _, id := range env.AccountIDs() {
		if a := env.Accounts[id]; a != nil {
			for _, r := range a.Roles {
				out = append(out, r.ARN)
			}
		}
	}
	sort.Strings(out)
	return out
}
