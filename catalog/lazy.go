package catalog

import (
	"fmt"
	"strings"

	"github.com/iamwhy/iamwhy/catalog/internal/catdata"
)

// A service's actions are four fifths of the reference, and a command
// usually asks about a few services: `iamwhy check` on a suite of S3, KMS
// and DynamoDB cases needs three of some four hundred. So the catalog is
// loaded with every service's actions read only to be checked and counted
// (readActions without build), and a service's actions are decoded the
// first time the service is asked for: by Service, Action, MatchActions,
// ActionsForResource or Services (which decodes them all). Everything
// that hands out a *Service does so, so its Actions field is always
// filled when a caller sees it.

// decoded returns s with its actions decoded.
func (s *Service) decoded() *Service {
	if s.cat != nil {
		s.actOnce.Do(s.decodeActions)
	}
	return s
}

func (s *Service) decodeActions() {
	r := s.cat.table.At(s.actionsAt)
	if _, err := s.readActions(r, true); err != nil {
		// readActions read the same bytes without error when the
		// catalog was loaded.
		panic(fmt.Sprintf("catalog: service %s: %v", s.Prefix, err))
	}
}

// readActions reads the service's actions section. Without build it only
// checks it (every reference in range, every resource type known, every
// action inside the service) and returns the count; with build it fills
// s.Actions and the service's index of lower-case names.
func (s *Service) readActions(r *catdata.Reader, build bool) (int, error) {
	n := r.Count()
	if !build {
		for i := 0; i < n && r.Err() == nil; i++ {
			full := r.Str()
			r.Str() // access level
			nr := r.Count()
			for k := 0; k < nr && r.Err() == nil; k++ {
				if name := r.Str(); s.resourceTypeNamed(name) == nil && r.Err() == nil {
					return 0, fmt.Errorf("%w: action %s names unknown resource type %q", catdata.ErrCorrupt, full, name)
				}
				r.Bool()
				r.SkipStrs()
				r.SkipStrs()
			}
			r.SkipStrs()
			r.SkipStrs()
			if !strings.HasPrefix(full, s.Prefix+":") && r.Err() == nil {
				return 0, fmt.Errorf("%w: action %q outside service %s", catdata.ErrCorrupt, full, s.Prefix)
			}
		}
		return n, r.Err()
	}
	actions := pointers[Action](n)
	byName := make(map[string]*Action, n)
	var resArena []ActionResource // one backing store for the actions' Resources
	// Lower-cased names share one string (one allocation, not one per
	// action).
	var lower strings.Builder
	for i, a := range actions {
		a.Service = s
		a.FullName = r.Str()
		a.desc = s.descBase + int32(i)
		a.Access = accessLevelOf(r.Str())
		if nr := r.Count(); nr > 0 {
			if nr > cap(resArena)-len(resArena) {
				resArena = make([]ActionResource, 0, max(nr, 4*(n-i)))
			}
			start := len(resArena)
			resArena = resArena[:start+nr]
			a.Resources = resArena[start : start+nr : start+nr]
			for k := range a.Resources {
				name := r.Str()
				rt := s.resourceTypeNamed(name)
				if rt == nil && r.Err() == nil {
					return 0, fmt.Errorf("%w: action %s names unknown resource type %q", catdata.ErrCorrupt, a.FullName, name)
				}
				a.Resources[k] = ActionResource{Type: rt, Required: r.Bool(), ConditionKeys: normaliseKeys(r.Strs()), DependentActions: r.Strs()}
			}
		}
		a.ConditionKeys = normaliseKeys(r.Strs())
		a.DependentActions = r.Strs()
		lower.WriteString(a.FullName)
	}
	if err := r.Err(); err != nil {
		return 0, err
	}
	names := strings.ToLower(lower.String())
	if len(names) != lower.Len() {
		// ToLower changed the length: a non-ASCII name. Index them one by one.
		for _, a := range actions {
			byName[strings.ToLower(a.FullName)] = a
		}
	} else {
		off := 0
		for _, a := range actions {
			byName[names[off:off+len(a.FullName)]] = a
			off += len(a.FullName)
		}
	}
	s.Actions, s.byName = actions, byName
	return n, nil
}

// skipActions steps over a service's actions section and returns its
// count, reading only the lengths of its lists: readActions without build,
// minus the checks. A corrupt stream still ends in r.Err, not a panic.
func skipActions(r *catdata.Reader) int {
	n := r.Count()
	for i := 0; i < n && r.Err() == nil; i++ {
		r.SkipUints(2) // name, access level
		nr := r.Count()
		for k := 0; k < nr && r.Err() == nil; k++ {
			r.SkipUints(1) // resource type
			r.Bool()
			r.SkipRefs() // condition keys
			r.SkipRefs() // dependent actions
		}
		r.SkipRefs()
		r.SkipRefs()
	}
	return n
}

// resourceTypeNamed finds the service's resource type an action names,
// ignoring case; when two types differ only in case, the later one, as an
// index by lower-case name would keep.
func (s *Service) resourceTypeNamed(name string) *ResourceType {
	if s.asciiTypes && ascii(name) {
		// Every action of the reference names its types, each checked
		// when the catalog loads: for ASCII names lower-casing keeps the
		// length, so only names of the same length are compared.
		for i := len(s.ResourceTypes) - 1; i >= 0; i-- {
			if rt := s.ResourceTypes[i]; len(rt.Name) == len(name) && asciiLowerEqual(rt.Name, name) {
				return rt
			}
		}
		return nil
	}
	for i := len(s.ResourceTypes) - 1; i >= 0; i-- {
		if rt := s.ResourceTypes[i]; sameLower(rt.Name, name) {
			return rt
		}
	}
	return nil
}

// sameLower is strings.ToLower(a) == strings.ToLower(b), without
// allocating for ASCII text.
func sameLower(a, b string) bool {
	if a == b {
		return true
	}
	if len(a) != len(b) {
		// Lower-casing keeps the length of ASCII text.
		if ascii(a) && ascii(b) {
			return false
		}
		return lowerEqual(a, b)
	}
	for i := 0; i < len(a); i++ {
		ca, cb := a[i], b[i]
		if ca >= 0x80 || cb >= 0x80 {
			return lowerEqual(a, b)
		}
		if lower(ca) != lower(cb) {
			return false
		}
	}
	return true
}

// lowerEqual compares the lower-cased forms. It is not strings.EqualFold:
// that uses Unicode simple folding, which matches pairs (such as the Kelvin
// sign and k) that lower-casing keeps apart, and the catalog's keys are
// defined by lower-casing.
func lowerEqual(a, b string) bool {
	la, lb := strings.ToLower(a), strings.ToLower(b)
	return la == lb
}

// asciiLowerEqual is sameLower for two ASCII strings of one length.
func asciiLowerEqual(a, b string) bool {
	for i := 0; i < len(a); i++ {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
