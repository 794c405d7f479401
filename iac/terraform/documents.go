package terraform

import (
	"sort"
	"strings"

	"github.com/iamwhy/iamwhy/policy"
	"github.com/iamwhy/iamwhy/snapshot"
)

// PlanPolicy is one policy document a plan defines, for linting.
type PlanPolicy struct {
	// Document's Source is "PLANFILE ADDRESS.ATTRIBUTE"; Unknown is set
	// when the document is known only after apply.
	Document *snapshot.Document
	Type     policy.Type
	// ResourceType is the CloudFormation-style type of the resource a
	// resource-based policy is attached to (AWS::S3::Bucket, ...), "" else.
	ResourceType string
}

// Policies lists the documents of env that came from the plan read as
// source (LoadFiles names documents "SOURCE ADDRESS.ATTRIBUTE"), sorted by
// location.
func Policies(env *snapshot.Environment, source string) []PlanPolicy {
	var out []PlanPolicy
	add := func(d *snapshot.Document, t policy.Type, rt string) {
		if d != nil && strings.HasPrefix(d.Source, source+" ") {
			out = append(out, PlanPolicy{Document: d, Type: t, ResourceType: rt})
		}
	}
	for _, a := range env.Accounts {
		for _, r := range a.Roles {
			add(r.Trust, policy.TypeTrust, "")
			for _, ip := range r.InlinePolicies {
				add(ip.Document, policy.TypeIdentity, "")
			}
		}
		for _, u := range a.Users {
			for _, ip := range u.InlinePolicies {
				add(ip.Document, policy.TypeIdentity, "")
			}
		}
		for _, g := range a.Groups {
			for _, ip := range g.InlinePolicies {
				add(ip.Document, policy.TypeIdentity, "")
			}
		}
	}
	for _, m := range env.ManagedPolicies {
		add(m.Document, policy.TypeIdentity, "")
	}
	for _, r := range env.Resources {
		add(r.Policy, policy.TypeResource, map[string]string{
			"s3:bucket": "AWS::S3::Bucket", "kms:key": "AWS::KMS::Key", "sqs:queue": "AWS::SQS::Queue",
			"sns:topic": "AWS::SNS::Topic", "secretsmanager:secret": "AWS::SecretsManager::Secret",
			"lambda:function": "AWS::Lambda::Function", "ecr:repository": "AWS::ECR::Repository",
		}[r.ResourceType()])
	}
	if o := env.Organization; o != nil {
		for _, op := range o.Policies {
			t := policy.TypeSCP
			if op.Document != nil && strings.HasPrefix(op.Document.Name, "resource control policy") {
				t = policy.TypeRCP
			}
			add(op.Document, t, "")
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Document.Source < out[j].Document.Source })
	return out
}
