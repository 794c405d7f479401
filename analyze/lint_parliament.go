package analyze

import (
	"strings"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/internal/lazyre"
	"github.com/iamwhy/iamwhy/policy"
)

// Checks parliament (https://github.com/duo-labs/parliament) makes and
// Access Analyzer does not: Resource "*" where the actions take resource
// ARNs, resource patterns that amount to "*", S3 bucket permissions that
// let a principal grant itself the object permissions it was not given,
// and string operators on ARN keys.

// resourceStar: an Allow names Resource "*" for actions that work on
// resource types, so it reaches every resource of those types when the
// service lets the policy name them.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege
func (l *linter) resourceStar(si *stmtInfo) {
	s := si.s
	if s.Effect != policy.Allow || s.Resource.Not || s.Action.Not {
		return
	}
	var star *policy.Value
	for i := range s.Resource.Values {
		if s.Resource.Values[i].Text == "*" {
			star = &s.Resource.Values[i]
		}
	}
	if star == nil {
		return
	}
	var scoped []string
	seen := map[string]bool{}
	for _, as := range si.actions {
		for _, a := range as {
			if len(a.Resources) > 0 && !seen[a.FullName] {
				seen[a.FullName] = true
				scoped = append(scoped, a.FullName)
			}
		}
	}
	if len(scoped) > 0 {
		l.addS(si, "RESOURCE_STAR", star.Pos, "Resource \"*\" is used for %d action(s) that can be limited to resource ARNs (%s): name the resources", len(scoped), listSome(scoped))
	}
}

// formatVariable is a ${...} field of an ARN format.
var formatVariable = lazyre.New(`\$\{[^}]*\}`)

// resourceEffectivelyStar: the statement names no "*", but its resource
// patterns match every ARN of every resource type its actions work on
// ("arn:*:cloudtrail:*:*:trail/*"), which is Resource "*" written longer.
func (l *linter) resourceEffectivelyStar(si *stmtInfo) {
	s := si.s
	if s.Effect != policy.Allow || s.Resource.Not || s.Action.Not || !si.allKnown || len(s.Resource.Values) == 0 {
		return
	}
	for _, v := range s.Resource.Values {
		if v.Text == "*" || strings.Contains(v.Text, "${") {
			return
		}
	}
	formats := map[string]bool{}
	for _, as := range si.actions {
		for _, a := range as {
			if len(a.Resources) == 0 {
				return // an action that needs "*": the patterns cannot be "*"
			}
			for _, r := range a.Resources {
				for _, f := range r.Type.ARNFormats {
					formats[formatVariable().ReplaceAllString(f, "*")] = true
				}
			}
		}
	}
	if len(formats) == 0 {
		return
	}
	for f := range formats {
		covered := false
		for _, v := range s.Resource.Values {
			if globMatch(v.Text, f) {
				covered = true
				break
			}
		}
		if !covered {
			return
		}
	}
	l.addS(si, "RESOURCE_EFFECTIVELY_STAR", s.Resource.Pos, "the resource patterns match every resource of every type the statement's actions work on (every partition, Region and account): the statement is Resource \"*\" in effect; name the resources")
}

// bucketEscalations: a principal allowed to set a bucket's policy or ACL
// (or its lifecycle, which expires objects) can grant itself, or anyone,
// the object permissions the policy withholds.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html
var bucketEscalations = []struct{ bucket, object string }{
	{"s3:PutBucketPolicy", "s3:PutObject"}, {"s3:PutBucketPolicy", "s3:GetObject"}, {"s3:PutBucketPolicy", "s3:DeleteObject"},
	{"s3:PutBucketAcl", "s3:PutObject"}, {"s3:PutBucketAcl", "s3:GetObject"}, {"s3:PutBucketAcl", "s3:DeleteObject"},
	{"s3:PutLifecycleConfiguration", "s3:DeleteObject"},
}

// resourcePolicyEscalation reports, for each resource an Allow names
// with a bucket permission, the object permissions the policy does not
// grant on that bucket's objects.
func (l *linter) resourcePolicyEscalation(p *policy.Policy, stmts []*stmtInfo) {
	if !checkIndex["RESOURCE_POLICY_PRIVILEGE_ESCALATION"].Types.Has(l.t) {
		return
	}
	reported := map[string]bool{}
	for _, si := range stmts {
		s := si.s
		if s.Effect != policy.Allow || s.Resource.Not {
			continue
		}
		for _, e := range bucketEscalations {
			if grants(s, e.bucket) == "" {
				continue
			}
			for _, v := range s.Resource.Values {
				if accessGranted(p, e.bucket, v.Text) == nil {
					continue // denied there
				}
				// A bucket permission on a value that names only objects
				// (arn:aws:s3:::b/*) grants nothing: the bucket action is
				// authorised on the bucket's ARN alone.
				if may, known := l.c.ActionMayApplyTo(e.bucket, v.Text); known && !may {
					continue
				}
				objects := ""
				if v.Text != "*" {
					objects = v.Text
					if !strings.Contains(strings.TrimPrefix(v.Text, "arn:"), "/") {
						objects += "/*"
					}
				}
				if accessGranted(p, e.object, objects) != nil || reported[v.Text+e.bucket+e.object] {
					continue
				}
				reported[v.Text+e.bucket+e.object] = true
				where := "objects in " + v.Text
				if v.Text == "*" {
					where = "any object"
				}
				l.addS(si, "RESOURCE_POLICY_PRIVILEGE_ESCALATION", v.Pos, "%s is allowed on %s but %s is not allowed on %s: a principal that can change the bucket's policy or ACL can grant itself %s", e.bucket, v.Text, e.object, where, e.object)
			}
		}
	}
}

// arnKeyWithStringOperator: StringEquals and the other exact string
// operators work on ARN keys, but "AWS recommends that you use ARN
// operators instead of string operators when comparing ARNs"
// (the Data type notes of the ARN keys in
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).
// The Like forms are Access Analyzer's STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS.
func (l *linter) arnKeyWithStringOperator(si *stmtInfo, cond *policy.Condition, op operator, key *catalog.ConditionKey) {
	if op.family == famString && !op.like && key.Type.Elem() == catalog.KeyARN && !strings.Contains(strings.ToLower(cond.Operator), "ignorecase") {
		l.addS(si, "ARN_KEY_WITH_STRING_OPERATOR", cond.OperatorPos, "%s compares the ARN key %s as a string: it works, but an ARN operator (%s) is what AWS recommends for ARNs", cond.Operator, cond.Key, strings.NewReplacer("StringNotEquals", "ArnNotEquals", "StringEquals", "ArnEquals").Replace(cond.Operator))
	}
}
