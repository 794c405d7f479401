package catalog

import "strings"

// The methods in this file let a *Catalog serve as the engine's service
// reference (eval.Reference) without package eval importing catalog.

// LookupAction returns the action's canonical spelling, whether its service
// prefix is known and whether the action is.
func (c *Catalog) LookupAction(action string) (canonical string, serviceKnown, actionKnown bool) {
	if a, ok := c.Action(action); ok {
		return a.FullName, true, true
	}
	prefix, _, ok := strings.Cut(action, ":")
	if !ok {
		return action, false, false
	}
	_, serviceKnown = c.Service(prefix)
	return action, serviceKnown, false
}

// KeyTypeName is KeyType with the type spelled as the reference spells it
// ("String", "ArrayOfARN", ...).
func (c *Catalog) KeyTypeName(key string) (typ string, ok bool) {
	t, ok := c.KeyType(key)
	if !ok {
		return "", false
	}
	return t.String(), true
}

// ActionAppliesTo reports whether the resource ARN fits one of the resource
// types the action works on. known is false when the catalog cannot tell:
// the action is unknown, the resource is "*" or fits no resource type's
// ARN format, or the action lists no resource types (it supports only "*",
// so a specific ARN is not how its requests are authorised).
func (c *Catalog) ActionAppliesTo(action, resource string) (applies, known bool) {
	a, ok := c.Action(action)
	if !ok || len(a.Resources) == 0 || resource == "*" {
		return false, false
	}
	types := c.ResourceTypesForARN(resource)
	if len(types) == 0 {
		return false, false
	}
	for _, t := range types {
		for _, r := range a.Resources {
			if r.Type == t {
				return true, true
			}
		}
	}
	return false, true
}
