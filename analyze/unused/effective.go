package unused

import (
	"fmt"
	"strings"

	"github.com/iamwhy/iamwhy/policy"
	"github.com/iamwhy/iamwhy/snapshot"
)

// Layers that can take a granted action away whatever the resource and
// context, as ActionStatus.BlockedBy names them.
const (
	BlockedByBoundary = "boundary"
	BlockedBySCP      = "scp"
)

// ceiling is a policy layer that caps what identity policies grant (a
// permissions boundary, one level of SCPs): an action is allowed through
// it only if one of its Allow statements reaches the action (on some
// resource, under some condition) and no unconditional Deny on every
// resource takes it.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
type ceiling struct {
	layer, name string
	allow       map[string]bool
	deny        map[string]bool
}

// blocked says why the layer refuses action everywhere, "" when it
// does not.
func (c *ceiling) blocked(action string) string {
	if c.deny[action] {
		return "refused by " + c.name + " (a Deny on every resource, without condition)"
	}
	if !c.allow[action] {
		return "refused by " + c.name + " (no Allow statement reaches it)"
	}
	return ""
}

// ceilingOf expands the Allow and unconditional Deny statements of a
// layer's documents. ok is false when a document is not known (the layer
// then blocks nothing we can tell).
func (a *Analyzer) ceilingOf(layer, name string, docs []*snapshot.Document, typ policy.Type) (c *ceiling, ok bool) {
	c = &ceiling{layer: layer, name: name, allow: map[string]bool{}, deny: map[string]bool{}}
	for _, d := range docs {
		if d == nil || d.Unknown != "" {
			return nil, false
		}
		doc, err := d.Policy(typ)
		if err != nil {
			return nil, false
		}
		for i := range doc.Statements {
			s := &doc.Statements[i]
			switch {
			case s.Effect == policy.Allow:
				for act := range a.expandCached(s.Action) {
					c.allow[act] = true
				}
			case s.Effect == policy.Deny && len(s.Conditions) == 0 && allResources(s.Resource):
				for act := range a.expandCached(s.Action) {
					c.deny[act] = true
				}
			}
		}
	}
	return c, true
}

// expandCached is expand, remembered per element text: SCPs such as
// FullAWSAccess ("*") are shared by every principal of an organisation.
func (a *Analyzer) expandCached(l policy.List) map[string]bool {
	var b strings.Builder
	if l.Not {
		b.WriteString("!")
	}
	for _, v := range l.Values {
		b.WriteString(v.Text)
		b.WriteByte(0)
	}
	key := b.String()
	if m, ok := a.expansions[key]; ok {
		return m
	}
	m := a.expand(l)
	a.expansions[key] = m
	return m
}

// ceilings are the layers that cap a principal's identity policies: its
// permissions boundary, and each SCP level of its account (SCPs do not
// restrict the management account's principals nor service-linked roles).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
func (a *Analyzer) ceilings(st *principalState) (out []*ceiling, notes []string) {
	if b := st.p.Boundary; b != nil {
		name := "the permissions boundary " + b.ARN
		if c, ok := a.ceilingOf(BlockedByBoundary, name, []*snapshot.Document{b.Document}, policy.TypeBoundary); ok {
			out = append(out, c)
		} else {
			notes = append(notes, "the permissions boundary "+b.ARN+" is not known: actions it may refuse are listed as granted")
		}
	}
	if a.env.IsManagementAccount(st.account) || st.p.IsServiceLinkedRole() {
		return out, notes
	}
	levels, governed := a.env.SCPLevels(st.account)
	if !governed {
		return out, notes
	}
	for i, lv := range levels {
		c, cached := a.scpLevels[lv.Node]
		if !cached {
			var docs []*snapshot.Document
			var ids []string
			for _, p := range lv.Policies {
				docs = append(docs, p.Document)
				ids = append(ids, p.ID)
			}
			name := fmt.Sprintf("the SCPs of %s (level %d: %s)", lv.Node.ID, i, strings.Join(ids, ", "))
			if len(ids) == 0 {
				name = fmt.Sprintf("%s (level %d), which has no SCP", lv.Node.ID, i)
			}
			var ok bool
			if c, ok = a.ceilingOf(BlockedBySCP, name, docs, policy.TypeSCP); !ok {
				c = nil
			}
			a.scpLevels[lv.Node] = c
		}
		if c == nil {
			notes = append(notes, fmt.Sprintf("an SCP of %s is not known: actions it may refuse are listed as granted", lv.Node.ID))
			continue
		}
		out = append(out, c)
	}
	return out, notes
}

// applyCeilings marks the granted actions a ceiling refuses everywhere.
func (a *Analyzer) applyCeilings(st *principalState) {
	cs, notes := a.ceilings(st)
	st.notes = append(st.notes, notes...)
	if len(cs) == 0 {
		return
	}
	for act := range st.grants {
		for _, c := range cs {
			if why := c.blocked(act); why != "" {
				st.blocked[act] = blockedAction{layer: c.layer, reason: why}
				break
			}
		}
	}
}

// blockedAction is a granted action a ceiling refuses everywhere.
type blockedAction struct{ layer, reason string }
