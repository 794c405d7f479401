package snapshot

// Overlay methods change an environment in place, the way a planned
// change (a Terraform plan, a CloudFormation template) changes the
// accounts: Put replaces the entity with the same name (or ARN) or adds
// it, Remove deletes it. They reopen a finished environment; call Finish
// again before using it.

func (e *Environment) reopen() {
	e.finished = false
	e.cc.mu.Lock()
	e.cc.m = nil
	e.cc.mu.Unlock()
}

// PutRole adds r to its account (r.Account), replacing the role of the
// same name.
func (e *Environment) PutRole(r *Role) {
	e.reopen()
	a := e.account(r.Account)
	if old, replaced := putNamed(&a.Roles, a.rolesByName, r.Name, r); replaced {
		delete(e.roles, old.ARN)
	} else {
		e.Stats.Roles++
	}
	e.roles[r.ARN] = r
}

// RemoveRole deletes the role named name from account.
func (e *Environment) RemoveRole(account, name string) {
	e.reopen()
	if a := e.Accounts[account]; a != nil {
		if old, ok := removeNamed(&a.Roles, a.rolesByName, name); ok {
			delete(e.roles, old.ARN)
			e.Stats.Roles--
		}
	}
}

// PutUser adds u to its account, replacing the user of the same name.
func (e *Environment) PutUser(u *User) {
	e.reopen()
	a := e.account(u.Account)
	if old, replaced := putNamed(&a.Users, a.usersByName, u.Name, u); replaced {
		delete(e.users, old.ARN)
	} else {
		e.Stats.Users++
	}
	e.users[u.ARN] = u
}

// RemoveUser deletes the user named name from account.
func (e *Environment) RemoveUser(account, name string) {
	e.reopen()
	if a := e.Accounts[account]; a != nil {
		if old, ok := removeNamed(&a.Users, a.usersByName, name); ok {
			delete(e.users, old.ARN)
			e.Stats.Users--
		}
	}
}

// PutGroup adds g to its account, replacing the group of the same name.
func (e *Environment) PutGroup(g *Group) {
	e.reopen()
	a := e.account(g.Account)
	if _, replaced := putNamed(&a.Groups, a.groupsByName, g.Name, g); !replaced {
		e.Stats.Groups++
	}
}

// RemoveGroup deletes the group named name from account.
func (e *Environment) RemoveGroup(account, name string) {
	e.reopen()
	if a := e.Accounts[account]; a != nil {
		if _, ok := removeNamed(&a.Groups, a.groupsByName, name); ok {
			e.Stats.Groups--
		}
	}
}

// putNamed puts x, named name, in an account's list and its by-name index:
// in place of the entity of the same name (returned, replaced true), or
// at the end. Stats count entities, so only an added one counts.
func putNamed[T comparable](list *[]T, byName map[string]T, name string, x T) (old T, replaced bool) {
	old, replaced = byName[name]
	if replaced {
		for i, y := range *list {
			if y == old {
				(*list)[i] = x
			}
		}
	} else {
		*list = append(*list, x)
	}
	byName[name] = x
	return old, replaced
}

// removeNamed deletes the entity named name from an account's list and its
// by-name index, returning it.
func removeNamed[T comparable](list *[]T, byName map[string]T, name string) (old T, ok bool) {
	if old, ok = byName[name]; ok {
		delete(byName, name)
		*list = removeFrom(*list, old)
	}
	return old, ok
}

// PutManagedPolicy adds a customer managed policy of account, replacing
// the policy with the same ARN.
func (e *Environment) PutManagedPolicy(account string, m *ManagedPolicy) {
	e.reopen()
	a := e.account(account)
	old := e.ManagedPolicies[m.ARN]
	if old != nil {
		a.Policies = removeFrom(a.Policies, old)
	}
	a.Policies = append(a.Policies, m)
	e.ManagedPolicies[m.ARN] = m
	if e.missing[m.ARN] {
		delete(e.missing, m.ARN)
		e.Missing = removeFrom(e.Missing, m.ARN)
	}
	if old == nil {
		e.Stats.ManagedPolicies++
	}
}

// RemoveManagedPolicy deletes the managed policy with the given ARN.
func (e *Environment) RemoveManagedPolicy(arn string) {
	e.reopen()
	old := e.ManagedPolicies[arn]
	if old == nil {
		return
	}
	delete(e.ManagedPolicies, arn)
	e.Stats.ManagedPolicies--
	if a := e.Accounts[accountOfARN(arn)]; a != nil {
		a.Policies = removeFrom(a.Policies, old)
	}
}

// PutResource adds the resource record r, replacing the record with the
// same ARN.
func (e *Environment) PutResource(r *Resource) {
	e.reopen()
	if _, ok := e.Resources[r.ARN]; !ok {
		e.Stats.Resources++
	}
	e.Resources[r.ARN] = r
}

// RemoveResource deletes the record of the resource with the given ARN.
func (e *Environment) RemoveResource(arn string) {
	e.reopen()
	if _, ok := e.Resources[arn]; ok {
		delete(e.Resources, arn)
		e.Stats.Resources--
	}
}

func removeFrom[T comparable](s []T, x T) []T {
	out := s[:0]
	for _, v := range s {
		if v != x {
			out = append(out, v)
		}
	}
	return out
}

// PutOrgPolicy adds the SCP (rcp false) or RCP p to the organisation,
// replacing the policy with the same id, and attaches it to the nodes
// targets names (root, OU or account ids). It returns the targets the
// organisation does not hold; ok is false when the environment has no
// organisation to add it to.
func (e *Environment) PutOrgPolicy(p *OrgPolicy, rcp bool, targets []string) (missing []string, ok bool) {
	o := e.Organization
	if o == nil || o.Root == nil {
		return targets, false
	}
	e.reopen()
	if o.Policies == nil {
		o.Policies = map[string]*OrgPolicy{}
	}
	o.Policies[p.ID] = p
	nodes := map[string]*OrgNode{}
	o.walk(func(n *OrgNode) { nodes[n.ID] = n })
	for _, t := range targets {
		n := nodes[t]
		if n == nil {
			missing = append(missing, t)
			continue
		}
		list := &n.SCPs
		if rcp {
			list = &n.RCPs
		}
		*list = append(removeFrom(*list, p.ID), p.ID)
	}
	return missing, true
}

// PutS3Account sets an account's S3 settings (account-level Block Public
// Access), replacing what was recorded.
func (e *Environment) PutS3Account(account string, s *S3Account) {
	e.reopen()
	if e.S3Accounts == nil {
		e.S3Accounts = map[string]*S3Account{}
	}
	e.S3Accounts[account] = s
}

// RemoveOrgPolicy deletes an organisation policy and its attachments.
func (e *Environment) RemoveOrgPolicy(id string) {
	o := e.Organization
	if o == nil {
		return
	}
	e.reopen()
	delete(o.Policies, id)
	o.walk(func(n *OrgNode) {
		n.SCPs = removeFrom(n.SCPs, id)
		n.RCPs = removeFrom(n.RCPs, id)
	})
}

// DetachOrgPolicy detaches an organisation policy from one node.
func (e *Environment) DetachOrgPolicy(id, target string) {
	o := e.Organization
	if o == nil {
		return
	}
	e.reopen()
	o.walk(func(n *OrgNode) {
		if n.ID == target {
			n.SCPs = removeFrom(n.SCPs, id)
			n.RCPs = removeFrom(n.RCPs, id)
		}
	})
}

// walk calls f on every node of the organisation tree.
func (o *Organization) walk(f func(*OrgNode)) {
	var rec func(n *OrgNode)
	rec = func(n *OrgNode) {
		f(n)
		for _, c := range n.OUs {
			rec(c)
		}
		for _, c := range n.Accounts {
			rec(c)
		}
	}
	if o.Root != nil {
		rec(o.Root)
	}
}
