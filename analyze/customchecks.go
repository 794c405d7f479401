package analyze

import (
	"strings"

	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/policy"
)

// Offline versions of Access Analyzer's custom policy checks
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-custom-policy-checks.html):
// CheckAccessNotGranted (the policy must not grant the actions, on the
// resources when given) and CheckNoPublicAccess (a resource policy must
// not allow public access). Like Access Analyzer, they answer whether the
// policy can grant the access: an Allow whose conditions might hold
// counts, an unconditional Deny covering the access takes it back.

// CustomChecks are the custom checks Lint runs besides validation.
type CustomChecks struct {
	// AccessNotGranted lists actions ("s3:PutObject") the policy must not
	// grant; Resources, when not empty, limit the check to requests on
	// them.
	AccessNotGranted []string
	Resources        []string
	// NoPublicAccess reports statements that make a resource policy
	// public in the sense of S3's "meaning of public" (eval.PublicPolicyStatements).
	NoPublicAccess bool
}

func (l *linter) customChecks(p *policy.Policy, cc *CustomChecks) {
	if cc == nil {
		return
	}
	for _, action := range cc.AccessNotGranted {
		resources := cc.Resources
		if len(resources) == 0 {
			resources = []string{""}
		}
		for _, r := range resources {
			if s := accessGranted(p, action, r); s != nil {
				on := ""
				if r != "" {
					on = " on " + r
				}
				cond := ""
				if len(s.Conditions) > 0 {
					cond = " when its conditions hold"
				}
				l.add("ACCESS_GRANTED", at(s.Action.Pos, s.Pos), s.Label(), "statement %s grants %s%s%s, which --check-access-not-granted says the policy must not grant", s.Label(), action, on, cond)
			}
		}
	}
	if cc.NoPublicAccess {
		for _, ps := range eval.PublicPolicyStatements(p) {
			s := &p.Statements[ps.Index]
			l.add("PUBLIC_ACCESS", at(s.Principal.Pos, s.Pos), s.Label(), "statement %s allows public access: %s", s.Label(), ps.Reason)
		}
	}
}

func at(p, fallback policy.Pos) policy.Pos {
	if p.IsValid() {
		return p
	}
	return fallback
}

// accessGranted returns the first Allow statement that can grant the
// action (on the resource, "" for any), unless an unconditional Deny
// covers the same request.
func accessGranted(p *policy.Policy, action, resource string) *policy.Statement {
	var allow *policy.Statement
	for i := range p.Statements {
		s := &p.Statements[i]
		if grants(s, action) == "" || !resourceReached(s, resource, s.Effect == policy.Deny) {
			continue
		}
		if s.Effect == policy.Deny && len(s.Conditions) == 0 && !s.Principal.Not {
			return nil
		}
		if s.Effect == policy.Allow && allow == nil {
			allow = s
		}
	}
	return allow
}

// resourceReached: the statement's resource block matches the resource
// ("" stands for some resource). For a Deny the answer must be certain,
// so "" is reached only by "*".
func resourceReached(s *policy.Statement, resource string, certain bool) bool {
	if !s.Resource.Present {
		return true // trust policies: the role itself
	}
	if resource == "" {
		if !certain {
			return true
		}
		return !s.Resource.Not && hasValue(s.Resource.Values, "*")
	}
	matched := false
	for _, v := range s.Resource.Values {
		if globMatch(v.Text, resource) || strings.Contains(v.Text, "${") && !certain {
			matched = true
			break
		}
	}
	return matched != s.Resource.Not
}
