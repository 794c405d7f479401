package terraform

import (
	"fmt"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/iamwhy/iamwhy/iac"
	"github.com/iamwhy/iamwhy/snapshot"
)

// entity is a user, group or role as it will be after apply.
type entity struct {
	kind     string // "role", "user", "group"
	name     string
	path     string
	removed  bool
	trust    *snapshot.Document
	boundary string
	// boundaryUnknown is the address of a boundary known only after apply.
	boundaryUnknown string
	inline          map[string]*snapshot.Document
	managed         map[string]bool
	// unknownManaged are attachments whose policy ARN is known only
	// after apply, by address.
	unknownManaged []string
	groups         []string
	tags           []snapshot.Tag
	source         string
	base           bool // taken from the environment, not defined by the plan
}

func (p *planReader) arnOf(kind, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:" + p.partition + ":iam::" + p.acct + ":" + kind + path + name
}

// doc turns a policy attribute into a document: its JSON text, or a
// document not known until apply named by the attribute's address.
func (p *planReader) doc(c *change, v value, what string) *snapshot.Document {
	if s, ok := v.str(); ok {
		return &snapshot.Document{JSON: []byte(s), Source: p.source + " " + v.path, Encoding: snapshot.EncodingString, Name: what + " (" + v.path + ")"}
	}
	if s, ok := p.fromReference(c, v); ok {
		return &snapshot.Document{JSON: []byte(s), Source: p.source + " " + v.path, Encoding: snapshot.EncodingString, Name: what + " (" + v.path + ")"}
	}
	if v.unknown() {
		p.res.Unknown = append(p.res.Unknown, v.path)
		return &snapshot.Document{Source: p.source + " " + v.path, Name: what + " (" + v.path + ")",
			Unknown: v.path + " is known only after apply"}
	}
	return nil
}

// str returns a string attribute, resolved through the configuration's
// references when the plan computes it (policy_arn = aws_iam_policy.x.arn).
func (p *planReader) str(c *change, key string) (string, bool) {
	v := c.after
	if c.deleted {
		v = c.before
	}
	if s, ok := v.get(key).str(); ok {
		return s, true
	}
	return p.fromReference(c, v.get(key))
}

func (p *planReader) apply() error {
	ents := map[string]*entity{} // "role/NAME"
	get := func(kind, name string) *entity {
		k := kind + "/" + name
		if e := ents[k]; e != nil {
			return e
		}
		e := &entity{kind: kind, name: name, inline: map[string]*snapshot.Document{}, managed: map[string]bool{}, base: true}
		p.fromEnvironment(e)
		ents[k] = e
		return e
	}
	// Entities first, so that the policies attached to them apply on top.
	for _, c := range p.changes {
		kind, ok := map[string]string{"aws_iam_role": "role", "aws_iam_user": "user", "aws_iam_group": "group"}[c.rc.Type]
		if !ok || c.rc.Mode != tfjson.ManagedResourceMode {
			continue
		}
		name, ok := p.str(c, "name")
		if !ok {
			p.res.Warnings = append(p.res.Warnings, c.addr()+": the "+kind+"'s name is known only after apply (name_prefix?); it is left out")
			continue
		}
		e := get(kind, name)
		e.base = false
		e.source = p.source + " " + c.addr()
		p.res.Applied++
		if c.deleted {
			e.removed = true
			p.res.Removed++
			p.res.Applied--
			continue
		}
		e.removed = false
		v := c.after
		e.path, _ = v.get("path").str()
		if kind == "role" {
			e.trust = p.doc(c, v.get("assume_role_policy"), "trust policy of role "+name)
		}
		if kind != "group" {
			e.boundary, _ = v.get("permissions_boundary").str()
			if e.boundary == "" && v.get("permissions_boundary").unknown() {
				if s, ok := p.fromReference(c, v.get("permissions_boundary")); ok {
					e.boundary = s
				} else {
					e.boundaryUnknown = v.get("permissions_boundary").path
					p.res.Unknown = append(p.res.Unknown, e.boundaryUnknown)
				}
			}
			e.tags = tagsOf(v.get("tags"))
		}
		if kind == "role" {
			// inline_policy and managed_policy_arns are echoes of the role's
			// current policies unless configured: known echoes are kept and
			// the aws_iam_role_policy / attachment resources win over them.
			if blocks, unk := v.get("inline_policy").list(); !unk {
				for _, b := range blocks {
					if n, ok := b.get("name").str(); ok {
						if d := p.doc(c, b.get("policy"), "inline policy "+n+" of role "+name); d != nil {
							e.inline[n] = d
						}
					}
				}
			}
			if arns, unk := v.get("managed_policy_arns").strings(); !unk {
				for _, a := range arns {
					e.managed[a] = true
				}
			}
		}
	}
	for _, c := range p.changes {
		if c.rc.Mode != tfjson.ManagedResourceMode {
			continue
		}
		switch c.rc.Type {
		case "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy":
			kind := strings.TrimSuffix(strings.TrimPrefix(c.rc.Type, "aws_iam_"), "_policy")
			owner, ok1 := p.str(c, kind)
			name, ok2 := p.str(c, "name")
			if !ok1 || !ok2 {
				p.res.Warnings = append(p.res.Warnings, c.addr()+": the "+kind+" or the policy name is known only after apply; the policy is left out")
				continue
			}
			e := get(kind, owner)
			p.res.Applied++
			if c.deleted {
				delete(e.inline, name)
				p.res.Removed++
				continue
			}
			if d := p.doc(c, c.after.get("policy"), "inline policy "+name+" of "+kind+" "+owner); d != nil {
				e.inline[name] = d
			}
		case "aws_iam_role_policy_attachment", "aws_iam_user_policy_attachment", "aws_iam_group_policy_attachment":
			kind := strings.TrimSuffix(strings.TrimPrefix(c.rc.Type, "aws_iam_"), "_policy_attachment")
			owner, ok := p.str(c, kind)
			if !ok {
				p.res.Warnings = append(p.res.Warnings, c.addr()+": the "+kind+" is known only after apply; the attachment is left out")
				continue
			}
			e := get(kind, owner)
			p.res.Applied++
			pa, ok := p.str(c, "policy_arn")
			switch {
			case c.deleted:
				if ok {
					delete(e.managed, pa)
				}
				p.res.Removed++
			case ok:
				e.managed[pa] = true
			default:
				e.unknownManaged = append(e.unknownManaged, c.addr()+".policy_arn")
				p.res.Unknown = append(p.res.Unknown, c.addr()+".policy_arn")
			}
		case "aws_iam_policy_attachment":
			pa, ok := p.str(c, "policy_arn")
			p.res.Applied++
			for _, kind := range []string{"role", "user", "group"} {
				v := c.after
				if c.deleted {
					v = c.before
				}
				names, _ := v.get(kind + "s").strings()
				for _, n := range names {
					e := get(kind, n)
					switch {
					case c.deleted && ok:
						delete(e.managed, pa)
					case ok:
						e.managed[pa] = true
					default:
						e.unknownManaged = append(e.unknownManaged, c.addr()+".policy_arn")
						p.res.Unknown = append(p.res.Unknown, c.addr()+".policy_arn")
					}
				}
			}
		case "aws_iam_user_group_membership":
			user, ok := p.str(c, "user")
			if !ok {
				continue
			}
			e := get("user", user)
			p.res.Applied++
			v := c.after
			if c.deleted {
				v = c.before
			}
			groups, _ := v.get("groups").strings()
			for _, g := range groups {
				e.groups = iac.RemoveString(e.groups, g)
				if !c.deleted {
					e.groups = append(e.groups, g)
				}
			}
		case "aws_iam_policy":
			p.managedPolicy(c)
		case "aws_iam_role", "aws_iam_user", "aws_iam_group":
		default:
			if !p.resourcePolicy(c) && !p.settingResource(c) {
				p.res.Skipped = append(p.res.Skipped, c.addr()+": "+c.rc.Type)
			}
		}
	}
	for _, c := range p.attachments {
		p.orgAttachment(c)
	}
	keys := make([]string, 0, len(ents))
	for k := range ents {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p.put(ents[k])
	}
	return nil
}

func tagsOf(v value) []snapshot.Tag {
	m, _ := v.v.(map[string]any)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []snapshot.Tag
	for _, k := range keys {
		if s, ok := m[k].(string); ok {
			out = append(out, snapshot.Tag{Key: k, Value: s})
		}
	}
	return out
}

// fromEnvironment starts an entity the plan does not define from the
// environment it is laid over (policies attached to an existing role).
func (p *planReader) fromEnvironment(e *entity) {
	x, ok := iac.Lookup(p.env, p.acct, e.kind, e.name)
	if !ok {
		return
	}
	e.path, e.trust, e.boundary, e.tags, e.source, e.groups = x.Path, x.Trust, x.Boundary, x.Tags, x.Source, x.Groups
	for _, ip := range x.Inline {
		e.inline[ip.Name] = ip.Document
	}
	for _, m := range x.Managed {
		e.managed[m] = true
	}
}

// put writes an entity into the environment.
func (p *planReader) put(e *entity) {
	if e.base && e.source == "" {
		// Policies attached to an entity neither the plan nor the
		// environment holds: nobody can be evaluated as it.
		p.res.Warnings = append(p.res.Warnings, fmt.Sprintf("%s %s has policies in the plan but is neither created by it nor in the environment; it is left out", e.kind, e.name))
		return
	}
	if e.removed {
		switch e.kind {
		case "role":
			p.env.RemoveRole(p.acct, e.name)
		case "user":
			p.env.RemoveUser(p.acct, e.name)
		case "group":
			p.env.RemoveGroup(p.acct, e.name)
		}
		return
	}
	arnStr := p.arnOf(e.kind, e.path, e.name)
	names := make([]string, 0, len(e.inline))
	for n := range e.inline {
		names = append(names, n)
	}
	sort.Strings(names)
	var inline []snapshot.InlinePolicy
	for _, n := range names {
		inline = append(inline, snapshot.InlinePolicy{Name: n, Document: e.inline[n]})
	}
	// An attachment whose policy is known only after apply is an identity
	// policy that exists and is not known.
	for _, a := range e.unknownManaged {
		inline = append(inline, snapshot.InlinePolicy{Name: "(" + a + ")", Document: &snapshot.Document{
			Source: p.source + " " + a, Name: "managed policy attached by " + a, Unknown: a + " is known only after apply"}})
	}
	var managed []snapshot.AttachedManagedPolicy
	for _, a := range sortedKeys(e.managed) {
		managed = append(managed, snapshot.AttachedManagedPolicy{Name: lastPart(a), ARN: a})
	}
	path := e.path
	if path == "" {
		path = "/"
	}
	if e.boundaryUnknown != "" {
		// Keep the boundary as an unknown managed policy under a name that
		// says where it comes from.
		e.boundary = "arn:" + p.partition + ":iam::" + p.acct + ":policy/iamwhy-unknown/" + strings.ReplaceAll(e.boundaryUnknown, "/", "_")
		p.env.PutManagedPolicy(p.acct, &snapshot.ManagedPolicy{ARN: e.boundary, Name: e.boundaryUnknown, Path: "/iamwhy-unknown/",
			Document: &snapshot.Document{Source: p.source + " " + e.boundaryUnknown, Name: "permissions boundary " + e.boundaryUnknown, Unknown: e.boundaryUnknown + " is known only after apply"},
			Source:   p.source + " " + e.boundaryUnknown})
	}
	switch e.kind {
	case "role":
		p.env.PutRole(&snapshot.Role{Account: p.acct, ARN: arnStr, Path: path, Name: e.name, Trust: e.trust,
			InlinePolicies: inline, ManagedPolicies: managed, BoundaryARN: e.boundary, Tags: e.tags, Source: e.source})
	case "user":
		p.env.PutUser(&snapshot.User{Account: p.acct, ARN: arnStr, Path: path, Name: e.name, Groups: e.groups,
			InlinePolicies: inline, ManagedPolicies: managed, BoundaryARN: e.boundary, Tags: e.tags, Source: e.source})
	case "group":
		p.env.PutGroup(&snapshot.Group{Account: p.acct, ARN: arnStr, Path: path, Name: e.name,
			InlinePolicies: inline, ManagedPolicies: managed, Source: e.source})
	}
}

func lastPart(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// managedPolicy applies an aws_iam_policy.
func (p *planReader) managedPolicy(c *change) {
	a, ok := p.policyARN(c)
	if !ok {
		p.res.Warnings = append(p.res.Warnings, c.addr()+": the policy's ARN is known only after apply (name_prefix?); it is left out")
		return
	}
	p.res.Applied++
	if c.deleted {
		p.env.RemoveManagedPolicy(a)
		p.res.Removed++
		return
	}
	name, _ := c.after.get("name").str()
	path, _ := c.after.get("path").str()
	if path == "" {
		path = "/"
	}
	d := p.doc(c, c.after.get("policy"), "managed policy "+name)
	if d == nil {
		p.res.Warnings = append(p.res.Warnings, c.addr()+": no policy document")
		return
	}
	p.env.PutManagedPolicy(p.acct, &snapshot.ManagedPolicy{ARN: a, Name: name, Path: path, DefaultVersion: "v1", Document: d, Source: p.source + " " + c.addr()})
}

// policyARN is an aws_iam_policy's ARN: from the plan, or from its name
// and path (arn:PARTITION:iam::ACCOUNT:policy/PATH/NAME).
func (p *planReader) policyARN(c *change) (string, bool) {
	v := c.after
	if c.deleted {
		v = c.before
	}
	if a, ok := v.get("arn").str(); ok {
		return a, true
	}
	name, ok := v.get("name").str()
	if !ok {
		return "", false
	}
	path, _ := v.get("path").str()
	if path == "" {
		path = "/"
	}
	return p.arnOf("policy", path, name), true
}
