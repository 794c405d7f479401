package analyze

import (
	"fmt"
	"strings"
	"sync"

	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/internal/lazyre"
	"github.com/iamwhy/iamwhy/policy"
)

// resources checks each Resource/NotResource value: "*" or an ARN whose
// fields fit the ARN formats the service reference gives the service.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
func (l *linter) resources(si *stmtInfo) {
	s := si.s
	elem := elementName(s.Resource, "Resource")
	seen := make(map[string]bool, len(s.Resource.Values))
	var wild []string
	for _, v := range s.Resource.Values {
		if strings.ContainsAny(v.Text, "*?") {
			wild = append(wild, v.Text)
		}
	}
	for _, v := range s.Resource.Values {
		if seen[v.Text] {
			l.addS(si, "REDUNDANT_RESOURCE", v.Pos, "%s is listed twice in %s: the resource ARN is redundant; remove one", v.Text, elem)
		} else {
			for _, w := range wild {
				if w != v.Text && globCovers(w, v.Text) && !(strings.ContainsAny(v.Text, "*?") && globCovers(v.Text, w) && w > v.Text) {
					l.addS(si, "REDUNDANT_RESOURCE", v.Pos, "%s is redundant: %s in the same %s already covers it", v.Text, w, elem)
					break
				}
			}
		}
		seen[v.Text] = true
		l.variables(si, v, elem, true)
		if field, outside := policy.VariableOutsideResourcePart(v.Text); outside {
			l.addS(si, "VARIABLE_OUTSIDE_RESOURCE_PART", v.Pos, "%s %q has a policy variable in its %s field: AWS documents variables only in the part of the ARN that identifies the resource, so what AWS does with it is not known (iamwhy's evaluation says undetermined)", elem, v.Text, field)
		}
		if v.Text != "*" {
			l.arn(si, v, elem)
		}
	}
}

func literal(s string) bool { return !strings.ContainsAny(s, "*?$") }

func (l *linter) arn(si *stmtInfo, v policy.Value, elem string) {
	text := v.Text
	if strings.HasPrefix(text, "${") {
		return // a variable may stand for the whole ARN
	}
	if !strings.HasPrefix(text, "arn:") {
		l.addS(si, "INVALID_ARN_PREFIX", v.Pos, "%s %q: add the required prefix (arn) to the resource ARN, or use \"*\"", elem, text)
		return
	}
	a, ok := arn.Split(text)
	if !ok {
		l.addS(si, "MISSING_ARN_FIELD", v.Pos, "%s %q: resource ARNs must include at least 6 fields in the following structure: arn:partition:service:region:account:resource", elem, text)
		return
	}
	partition, service, region, account := a.Partition, a.Service, a.Region, a.Account
	if literal(partition) && !knownPartition(partition) {
		l.addS(si, "INVALID_PARTITION", v.Pos, "the resource ARN %s for the service %s does not support the partition %q: use the supported values: %s", text, service, partition, strings.Join(partitionNames(), ", "))
	}
	if literal(service) && service != strings.ToLower(service) {
		l.addS(si, "INVALID_ARN_SERVICE_CASE", v.Pos, "update the service name %s in the resource ARN %s to use all lowercase letters", service, text)
		service = strings.ToLower(service)
	}
	if literal(region) && region != "" && !knownRegion(region) {
		l.addS(si, "INVALID_ARN_REGION", v.Pos, "the Region %q in %s is not valid for this resource: update the resource ARN to include a supported Region", region, text)
		region = "us-east-1"
	}
	if literal(account) && account != "" && account != "aws" && !arn.IsAccountID(account) {
		l.addS(si, "INVALID_ARN_ACCOUNT", v.Pos, "the resource ARN account ID %q in %s is not valid: provide a 12-digit account ID", account, text)
		account = "111122223333"
	}
	if !l.knownARNService(service) || strings.Contains(a.Resource, "${") {
		return
	}
	// Whether the service's ARN formats take a Region and an account is
	// found by trying the ARN with the field changed: an ARN that fits
	// a format only without its Region has a Region the service does
	// not allow.
	fits := func(region, account string) bool {
		return len(l.c.ResourceTypesForARN("arn:"+partitionFor(partition)+":"+service+":"+region+":"+account+":"+a.Resource)) > 0
	}
	if fits(region, account) {
		return
	}
	fixedRegion := !literal(region) || region != "" && fits("", account)
	switch {
	case literal(region) && region != "" && fits("", account):
		l.addS(si, "ARN_REGION_NOT_ALLOWED", v.Pos, "the service %s does not support specifying a Region in the resource ARN %s: remove %q", service, text, region)
	case literal(account) && account != "" && fits(region, ""):
		l.addS(si, "ARN_ACCOUNT_NOT_ALLOWED", v.Pos, "the service %s does not support specifying an account ID in the resource ARN %s: remove %q", service, text, account)
	case literal(region) && region != "" && account != "" && fits("", ""):
		l.addS(si, "ARN_REGION_NOT_ALLOWED", v.Pos, "the service %s does not support specifying a Region or an account ID in the resource ARN %s", service, text)
	case literal(region) && region != "" && account == "" && fits(region, "111122223333"):
		l.addS(si, "MISSING_ARN_ACCOUNT", v.Pos, "the resource %s in the ARN %s is missing an account ID: provide a 12-digit account ID", a.Resource, text)
	case region == "" && fits("us-east-1", account):
		l.addS(si, "MISSING_ARN_REGION", v.Pos, "add a Region to the %s resource ARN %s", service, text)
	case region == "" && account == "" && fits("us-east-1", "111122223333"):
		l.addS(si, "MISSING_ARN_REGION", v.Pos, "add a Region (and the account ID) to the %s resource ARN %s", service, text)
	case literal(text) && !fixedRegion:
		l.addS(si, "INVALID_ARN_RESOURCE", v.Pos, "resource ARN %s does not match the expected ARN format of any %s resource type: update the resource portion of the ARN", text, service)
	}
}

// partitionFor: the ARN formats name the partition with a variable, so
// any known partition fits; a wildcard or unknown one is tried as "aws".
func partitionFor(p string) string {
	if knownPartition(p) {
		return p
	}
	return "aws"
}

var arnServices sync.Map // *catalog.Catalog -> map[string]bool

// knownARNService reports whether some resource type's ARN format uses
// the service namespace.
func (l *linter) knownARNService(service string) bool {
	m, ok := arnServices.Load(l.c)
	if !ok {
		set := map[string]bool{}
		for _, svc := range l.c.Services() {
			for _, rt := range svc.ResourceTypes {
				for _, f := range rt.ARNFormats {
					if parts := strings.SplitN(f, ":", 4); len(parts) == 4 {
						set[parts[2]] = true
					}
				}
			}
		}
		arnServices.Store(l.c, set)
		m = set
	}
	return m.(map[string]bool)[service]
}

// globMatch matches IAM's resource wildcards (* any run, ? one
// character), case-sensitively as ARNs compare.
// policyVariable is a ${...} reference in a Resource value.
var policyVariable = lazyre.New(`\$\{[^}]*\}`)

// globCovers reports whether every resource ARN that pattern a matches is
// matched by pattern b, under the ARN matching of the Resource element: `*`
// any run of characters, `?` one, everything else itself, case-sensitive
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
// a's `*` must fall in a `*` of b, a's `?` in a `?` or `*` of b, a's other
// characters match themselves. A policy variable in a can take any value,
// so it counts as a `*`; b with a variable covers nothing here, its
// values not being known. Dynamic programming keeps it O(len(a)·len(b)).
func globCovers(b, a string) bool {
	if strings.Contains(b, "${") {
		return false
	}
	a = policyVariable().ReplaceAllString(a, "*")
	if !strings.ContainsAny(a, "*?") {
		return globMatch(b, a)
	}
	// m[j] reports whether a[:i] is covered by b[:j], row by row.
	m := make([]bool, len(b)+1)
	next := make([]bool, len(b)+1)
	m[0] = true
	for j := 1; j <= len(b) && b[j-1] == '*'; j++ {
		m[j] = true
	}
	for i := 1; i <= len(a); i++ {
		next[0] = false
		for j := 1; j <= len(b); j++ {
			switch b[j-1] {
			case '*':
				// b's star absorbs a[i-1] (any symbol) or matches empty.
				next[j] = m[j] || next[j-1]
			case '?':
				next[j] = a[i-1] != '*' && m[j-1]
			default:
				next[j] = a[i-1] == b[j-1] && m[j-1]
			}
		}
		m, next = next, m
	}
	return m[len(b)]
}

func globMatch(p, s string) bool {
	px, sx, nextP, nextS := 0, 0, -1, -1
	for px < len(p) || sx < len(s) {
		if px < len(p) {
			switch p[px] {
			case '*':
				nextP, nextS = px, sx+1
				px++
				continue
			case '?':
				if sx < len(s) {
					px++
					sx++
					continue
				}
			default:
				if sx < len(s) && s[sx] == p[px] {
					px++
					sx++
					continue
				}
			}
		}
		if nextS > 0 && nextS <= len(s) {
			px, sx = nextP, nextS
			continue
		}
		return false
	}
	return true
}

// actionResourceMismatch warns when an action works on none of the
// statement's resources: such a pairing can never match a request, so the
// statement does less than it says. A wildcard action is expanded: it is
// a mismatch when none of the actions it matches fits (s3:*Bucket* on
// object ARNs only). Only definite mismatches are reported: a resource
// with wildcards or variables is judged by what it may match.
func (l *linter) actionResourceMismatch(si *stmtInfo) {
	s := si.s
	if !s.Resource.Present || s.Resource.Not || len(s.Resource.Values) == 0 {
		return
	}
	for _, v := range s.Resource.Values {
		if v.Text == "*" || !strings.HasPrefix(v.Text, "arn:") {
			return
		}
	}
	// One finding per statement and kind, at the first action concerned,
	// so a long action list does not bury the rest of the report.
	var starOnly, mismatched []string
	var starPos, misPos policy.Pos
	for i, v := range s.Action.Values {
		if si.actions[i] == nil || v.Text == "*" {
			continue
		}
		if strings.ContainsAny(v.Text, "*?") {
			if len(si.actions[i]) > maxKeySupportActions {
				continue
			}
			fits := false
			for _, a := range si.actions[i] {
				if len(a.Resources) > 0 && l.anyResourceFits(a, s.Resource.Values) {
					fits = true
					break
				}
			}
			if !fits {
				if mismatched == nil {
					misPos = v.Pos
				}
				mismatched = append(mismatched, fmt.Sprintf("%s (none of the %d actions it matches)", v.Text, len(si.actions[i])))
			}
			continue
		}
		a := si.actions[i][0]
		switch {
		case len(a.Resources) == 0:
			if starOnly == nil {
				starPos = v.Pos
			}
			starOnly = append(starOnly, a.FullName)
		case !l.anyResourceFits(a, s.Resource.Values):
			if mismatched == nil {
				misPos = v.Pos
			}
			mismatched = append(mismatched, fmt.Sprintf("%s (works on %s)", a.FullName, typeNames(a)))
		}
	}
	if starOnly != nil {
		l.addS(si, "ACTION_RESOURCE_MISMATCH", starPos, "%s: no resource-level permissions (the reference lists no resource type), so AWS requires Resource \"*\" and this statement's resources never apply to %s", listSome(starOnly), pronoun(len(starOnly)))
	}
	if mismatched != nil {
		l.addS(si, "ACTION_RESOURCE_MISMATCH", misPos, "none of the statement's resources is of a type %s works on: %s", pluralVerb(len(mismatched)), listSome(mismatched))
	}
}

// listSome joins names, eliding past five.
func listSome(names []string) string {
	if len(names) <= 5 {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:5], ", "), len(names)-5)
}

func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

func pluralVerb(n int) string {
	if n == 1 {
		return "the action"
	}
	return "each action"
}

// anyResourceFits reports whether some resource value may be of a type
// the action works on (true when it cannot tell).
func (l *linter) anyResourceFits(a *catalog.Action, values []policy.Value) bool {
	for _, v := range values {
		var may, known bool
		if strings.ContainsAny(v.Text, "*?") || strings.Contains(v.Text, "${") {
			may, known = l.c.ActionMayApplyTo(a.FullName, v.Text)
		} else {
			may, known = l.c.ActionAppliesTo(a.FullName, v.Text)
		}
		if may || !known {
			return true
		}
	}
	return false
}

func typeNames(a *catalog.Action) string {
	names := make([]string, len(a.Resources))
	for i, r := range a.Resources {
		names[i] = r.Type.Name
	}
	return strings.Join(names, ", ")
}
