package snapshot

import (
	"fmt"
	"runtime"
	"sort"
	"sync"
)

// AddAuthorizationDetailsFiles reads several authorization-details files,
// in parallel (one worker per CPU), and adds them in the order given, so
// the result and the first error reported are those of reading them one
// after the other.
func (e *Environment) AddAuthorizationDetailsFiles(paths []string) error {
	parts := make([]*Environment, len(paths))
	errs := make([]error, len(paths))
	workers := runtime.GOMAXPROCS(0)
	if workers > len(paths) {
		workers = len(paths)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				part := New(e.opts)
				errs[i] = part.AddAuthorizationDetailsFile(paths[i])
				parts[i] = part
			}
		}()
	}
	for i := range paths {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, part := range parts {
		if errs[i] != nil {
			return errs[i]
		}
		if err := e.merge(part); err != nil {
			return err
		}
	}
	return nil
}

// merge adds the IAM entities and policies of part, which holds only
// authorization details, checking for entities given twice.
func (e *Environment) merge(part *Environment) error {
	for _, id := range sortedKeys(part.Accounts) {
		pa := part.Accounts[id]
		a := e.account(id)
		for _, u := range pa.Users {
			if prev, dup := a.usersByName[u.Name]; dup {
				return fmt.Errorf("%s: user %s appears twice (first at %s)", u.Source, u.Name, prev.Source)
			}
			a.Users = append(a.Users, u)
			a.usersByName[u.Name] = u
			e.users[u.ARN] = u
		}
		for _, g := range pa.Groups {
			if prev, dup := a.groupsByName[g.Name]; dup {
				return fmt.Errorf("%s: group %s appears twice (first at %s)", g.Source, g.Name, prev.Source)
			}
			a.Groups = append(a.Groups, g)
			a.groupsByName[g.Name] = g
		}
		for _, r := range pa.Roles {
			if prev, dup := a.rolesByName[r.Name]; dup {
				return fmt.Errorf("%s: role %s appears twice (first at %s)", r.Source, r.Name, prev.Source)
			}
			a.Roles = append(a.Roles, r)
			a.rolesByName[r.Name] = r
			e.roles[r.ARN] = r
		}
		a.Policies = append(a.Policies, pa.Policies...)
		for _, s := range pa.Sources {
			e.noteSource(a, s)
		}
	}
	for _, arn := range sortedKeys(part.ManagedPolicies) {
		mp := part.ManagedPolicies[arn]
		if prev := e.ManagedPolicies[arn]; prev != nil {
			if mp.AWSManaged {
				e.Stats.DuplicateAWSManaged++
				part.Stats.ManagedPolicies--
				continue
			}
			return fmt.Errorf("%s: managed policy %s appears twice (first at %s)", mp.Source, arn, prev.Source)
		}
		e.ManagedPolicies[arn] = mp
	}
	s, ps := &e.Stats, part.Stats
	s.AuthorizationFiles += ps.AuthorizationFiles
	s.Pages += ps.Pages
	s.Users += ps.Users
	s.Groups += ps.Groups
	s.Roles += ps.Roles
	s.ManagedPolicies += ps.ManagedPolicies
	s.NonDefaultVersions += ps.NonDefaultVersions
	s.DuplicateAWSManaged += ps.DuplicateAWSManaged
	s.SkippedFields += ps.SkippedFields
	s.UnparsedDates += ps.UnparsedDates
	e.Warnings = append(e.Warnings, part.Warnings...)
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
