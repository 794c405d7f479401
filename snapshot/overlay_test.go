package snapshot

import "testing"

// TestOverlayPutReplacesAndRemoveDeletes checks the overlay rule: Put
// replaces the entity of the same name (keeping its place and counting it
// once), Remove deletes it from the account and from the ARN index, and the
// counts follow.
func TestOverlayPutReplacesAndRemoveDeletes(t *testing.T) {
	e := New(Options{NoCatalog: true})
	const acct = "111122223333"
	role := func(path string) *Role {
		return &Role{Name: "app", Account: acct, ARN: "arn:aws:iam::" + acct + ":role" + path + "app"}
	}
	first, second := role("/"), role("/svc/")
	e.PutRole(first)
	e.PutRole(&Role{Name: "other", Account: acct, ARN: "arn:aws:iam::" + acct + ":role/other"})
	e.PutRole(second)
	a := e.Accounts[acct]
	if e.Stats.Roles != 2 || len(a.Roles) != 2 || a.Roles[0] != second || e.roles[second.ARN] != second || e.roles[first.ARN] != nil {
		t.Fatalf("after replacing: stats %d, roles %v, index %v", e.Stats.Roles, a.Roles, e.roles)
	}
	e.RemoveRole(acct, "app")
	e.RemoveRole(acct, "app") // a second removal changes nothing
	if e.Stats.Roles != 1 || len(a.Roles) != 1 || a.Roles[0].Name != "other" || e.roles[second.ARN] != nil {
		t.Fatalf("after removing: stats %d, roles %v", e.Stats.Roles, a.Roles)
	}

	e.PutUser(&User{Name: "u", Account: acct, ARN: "arn:aws:iam::" + acct + ":user/u"})
	e.PutUser(&User{Name: "u", Account: acct, ARN: "arn:aws:iam::" + acct + ":user/u"})
	e.PutGroup(&Group{Name: "g", Account: acct})
	e.PutGroup(&Group{Name: "g", Account: acct})
	if e.Stats.Users != 1 || len(a.Users) != 1 || e.Stats.Groups != 1 || len(a.Groups) != 1 {
		t.Fatalf("users %d/%d groups %d/%d", e.Stats.Users, len(a.Users), e.Stats.Groups, len(a.Groups))
	}
	e.RemoveUser(acct, "u")
	e.RemoveGroup(acct, "g")
	if e.Stats.Users != 0 || len(a.Users) != 0 || len(e.users) != 0 || e.Stats.Groups != 0 || len(a.Groups) != 0 {
		t.Fatalf("after removing: users %d/%d groups %d/%d", e.Stats.Users, len(a.Users), e.Stats.Groups, len(a.Groups))
	}

	mp := &ManagedPolicy{ARN: "arn:aws:iam::" + acct + ":policy/p"}
	e.PutManagedPolicy(acct, mp)
	e.PutManagedPolicy(acct, &ManagedPolicy{ARN: mp.ARN})
	if e.Stats.ManagedPolicies != 1 || len(a.Policies) != 1 {
		t.Fatalf("managed policies %d/%d", e.Stats.ManagedPolicies, len(a.Policies))
	}
	e.RemoveManagedPolicy(mp.ARN)
	if e.Stats.ManagedPolicies != 0 || len(a.Policies) != 0 || e.ManagedPolicies[mp.ARN] != nil {
		t.Fatalf("after removing: managed policies %d/%d", e.Stats.ManagedPolicies, len(a.Policies))
	}
}
