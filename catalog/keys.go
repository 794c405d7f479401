package catalog

import (
	"strings"
	"unsafe"
)

// ConditionKey looks up a condition key by name, case-insensitively
// (condition key names are not case-sensitive:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html).
// A concrete key such as "aws:ResourceTag/Owner", "aws:PrincipalTag/team"
// or "s3:ExistingObjectTag/env" resolves to its template
// ("aws:ResourceTag/${TagKey}", ...). Global keys win over a service's
// copy of the same name.
func (c *Catalog) ConditionKey(name string) (*ConditionKey, bool) {
	if k, ok := c.keys[name]; ok {
		return k, true
	}
	var buf [256]byte
	b, ok := lowerInto(buf[:], name)
	if !ok {
		return c.conditionKeyLong(strings.ToLower(name))
	}
	if k, ok := c.keys[string(b)]; ok {
		return k, true
	}
	// The lower-cased bytes live on this frame and are not modified
	// while the template matcher reads them, so viewing them as a string
	// is safe and keeps the lookup free of allocation.
	return c.matchKeyTemplate(unsafe.String(unsafe.SliceData(b), len(b)))
}

func (c *Catalog) conditionKeyLong(lname string) (*ConditionKey, bool) {
	if k, ok := c.keys[lname]; ok {
		return k, true
	}
	return c.matchKeyTemplate(lname)
}

// matchKeyTemplate finds the templated key lname (lower case) is an
// instance of. A template needs at least one character for its variable,
// so "aws:ResourceTag/" alone matches nothing.
func (c *Catalog) matchKeyTemplate(lname string) (*ConditionKey, bool) {
	if i := strings.IndexByte(lname, ':'); i >= 0 {
		for _, kt := range c.keyTmpl[lname[:i]] {
			if kt.t.match(lname) {
				return kt.key, true
			}
		}
	}
	for _, kt := range c.keyTmplOther {
		if kt.t.match(lname) {
			return kt.key, true
		}
	}
	return oidcClaimKey(lname)
}

// oidcClaimKeys are the keys IAM offers for every OIDC identity provider,
// named after the provider's URL ("token.actions.githubusercontent.com:sub",
// "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE:aud"). The service reference
// lists claim keys only for some providers, so these are known here.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
var oidcClaimKeys = map[string]*ConditionKey{
	"aud":  {Name: "${ProviderURL}:aud", Type: KeyString, Service: "sts", desc: -1},
	"sub":  {Name: "${ProviderURL}:sub", Type: KeyString, Service: "sts", desc: -1},
	"azp":  {Name: "${ProviderURL}:azp", Type: KeyString, Service: "sts", desc: -1},
	"oaud": {Name: "${ProviderURL}:oaud", Type: KeyString, Service: "sts", desc: -1},
	"amr":  {Name: "${ProviderURL}:amr", Type: KeyArrayOfString, Service: "sts", desc: -1},
}

// oidcClaimKey recognises "<provider URL>:<claim>": a prefix with a dot
// (a host name, perhaps with a path) and one of the claims above.
func oidcClaimKey(lname string) (*ConditionKey, bool) {
	i := strings.LastIndexByte(lname, ':')
	if i <= 0 || !strings.Contains(lname[:i], ".") {
		return nil, false
	}
	k, ok := oidcClaimKeys[lname[i+1:]]
	return k, ok
}

// KeyType returns the value type of a condition key, resolving templated
// keys as ConditionKey does. The engine calls it for every context key, so
// a hit costs a map lookup or two and allocates nothing.
func (c *Catalog) KeyType(name string) (KeyType, bool) {
	k, ok := c.ConditionKey(name)
	if !ok {
		return KeyUnknown, false
	}
	return k.Type, true
}

// KnownKeyPrefix reports whether condition keys may use the prefix (the
// part before ':'): "aws", a service prefix, or one of the reference's
// other key namespaces (such as identity-provider keys like
// "accounts.google.com" that sts defines).
func (c *Catalog) KnownKeyPrefix(prefix string) bool {
	return c.keyPrefixes[strings.ToLower(prefix)]
}
