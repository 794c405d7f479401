package cloudformation

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/awslabs/goformation/v7/cloudformation/ecr"
	"github.com/awslabs/goformation/v7/cloudformation/iam"
	"github.com/awslabs/goformation/v7/cloudformation/lambda"
	"github.com/awslabs/goformation/v7/cloudformation/organizations"
	"github.com/awslabs/goformation/v7/cloudformation/s3"
	"github.com/awslabs/goformation/v7/cloudformation/secretsmanager"
	"github.com/awslabs/goformation/v7/cloudformation/sns"
	"github.com/awslabs/goformation/v7/cloudformation/sqs"
	"gopkg.in/yaml.v3"

	"github.com/iamwhy/iamwhy/iac"
	"github.com/iamwhy/iamwhy/policy"
	"github.com/iamwhy/iamwhy/snapshot"
)

type (
	managedPolicyProps iam.ManagedPolicy
	policyProps        iam.Policy
	rolePolicyProps    iam.RolePolicy
	userPolicyProps    iam.UserPolicy
	groupPolicyProps   iam.GroupPolicy
	groupAdditionProps iam.UserToGroupAddition
	bucketPolicyProps  s3.BucketPolicy
	bpaProps           s3.Bucket_PublicAccessBlockConfiguration
	queuePolicyProps   sqs.QueuePolicy
	topicPolicyProps   sns.TopicPolicy
	permissionProps    lambda.Permission
	orgPolicyProps     organizations.Policy
	repositoryProps    ecr.Repository
	secretPolicyProps  secretsmanager.ResourcePolicy
)

func nodeAt(line, col int) *yaml.Node { return &yaml.Node{Line: line, Column: col} }

// other reads a resource that is not a role, user, group or SAM function;
// false when iamwhy reads nothing from its type.
func (r *reader) other(res *Resource, cond *val) (bool, error) {
	switch res.Type {
	case "AWS::IAM::ManagedPolicy", "AWS::IAM::Policy", "AWS::IAM::RolePolicy", "AWS::IAM::UserPolicy", "AWS::IAM::GroupPolicy",
		"AWS::IAM::UserToGroupAddition", "AWS::S3::BucketPolicy", "AWS::S3::Bucket", "AWS::KMS::Key", "AWS::SQS::QueuePolicy",
		"AWS::SNS::TopicPolicy", "AWS::Lambda::Permission", "AWS::Organizations::Policy", "AWS::ECR::Repository",
		"AWS::SecretsManager::ResourcePolicy":
	case "AWS::SQS::Queue", "AWS::SNS::Topic", "AWS::Lambda::Function", "AWS::SecretsManager::Secret":
		// Their policies are separate resources (QueuePolicy, TopicPolicy,
		// Permission, ResourcePolicy).
		return true, nil
	default:
		return false, nil
	}
	p, err := r.props(res)
	if err != nil || p == nil {
		return true, err
	}
	r.res.Applied++
	switch res.Type {
	case "AWS::IAM::ManagedPolicy":
		var x iam.ManagedPolicy
		if err := p.decode((*managedPolicyProps)(&x), "Path", "Roles", "Users", "Groups"); err != nil {
			return true, r.wrap(err)
		}
		a, _, err := r.arnOf(res)
		if err != nil {
			return true, err
		}
		nv, _ := r.name(res)
		path := "/"
		if x.Path != nil {
			path = *x.Path
		}
		d := r.doc(p.field("PolicyDocument"), cond, "managed policy "+nv.s, res.LogicalID+".PolicyDocument", policy.TypeIdentity, "")
		if d == nil {
			r.res.Warnings = append(r.res.Warnings, res.LogicalID+": no PolicyDocument")
			return true, nil
		}
		r.env.PutManagedPolicy(r.account, &snapshot.ManagedPolicy{ARN: a, Name: nv.s, Path: path, DefaultVersion: "v1", Document: d,
			Source: r.t.at(res.Line, res.Col) + " " + res.LogicalID})
		r.attach(p, res, x.Roles, x.Users, x.Groups, func(e *entity) { e.addManaged(a) })
	case "AWS::IAM::Policy":
		var x iam.Policy
		if err := p.decode((*policyProps)(&x), "PolicyName", "Roles", "Users", "Groups"); err != nil {
			return true, r.wrap(err)
		}
		name := r.policyName(p, x.PolicyName)
		d := r.doc(p.field("PolicyDocument"), cond, "inline policy "+name, res.LogicalID+".PolicyDocument", policy.TypeIdentity, "")
		r.attach(p, res, x.Roles, x.Users, x.Groups, func(e *entity) { e.addInline(name, d) })
	case "AWS::IAM::RolePolicy", "AWS::IAM::UserPolicy", "AWS::IAM::GroupPolicy":
		var name, owner, kind string
		switch res.Type {
		case "AWS::IAM::RolePolicy":
			var x iam.RolePolicy
			err = p.decode((*rolePolicyProps)(&x), "PolicyName", "RoleName")
			name, owner, kind = x.PolicyName, x.RoleName, "role"
		case "AWS::IAM::UserPolicy":
			var x iam.UserPolicy
			err = p.decode((*userPolicyProps)(&x), "PolicyName", "UserName")
			name, owner, kind = x.PolicyName, x.UserName, "user"
		default:
			var x iam.GroupPolicy
			err = p.decode((*groupPolicyProps)(&x), "PolicyName", "GroupName")
			name, owner, kind = x.PolicyName, x.GroupName, "group"
		}
		if err != nil {
			return true, r.wrap(err)
		}
		name = r.policyName(p, name)
		if _, unk := p.isUnknown(owner); unk || owner == "" {
			r.res.Warnings = append(r.res.Warnings, res.LogicalID+": the "+kind+" it is attached to is known only at deploy; the policy is left out")
			return true, nil
		}
		d := r.doc(p.field("PolicyDocument"), cond, "inline policy "+name+" of "+kind+" "+owner, res.LogicalID+".PolicyDocument", policy.TypeIdentity, "")
		r.entityFor(kind, owner).addInline(name, d)
	case "AWS::IAM::UserToGroupAddition":
		var x iam.UserToGroupAddition
		if err := p.decode((*groupAdditionProps)(&x), "GroupName", "Users"); err != nil {
			return true, r.wrap(err)
		}
		for _, u := range x.Users {
			if _, unk := p.isUnknown(u); unk {
				continue
			}
			e := r.entityFor("user", u)
			e.groups = append(iac.RemoveString(e.groups, x.GroupName), x.GroupName)
		}
	case "AWS::S3::BucketPolicy":
		var x s3.BucketPolicy
		if err := p.decode((*bucketPolicyProps)(&x), "Bucket"); err != nil {
			return true, r.wrap(err)
		}
		if u, unk := p.isUnknown(x.Bucket); unk || x.Bucket == "" {
			r.leftOut(p, res, "Bucket", u)
			return true, nil
		}
		target := "arn:" + r.partition + ":s3:::" + strings.TrimPrefix(x.Bucket, "arn:"+r.partition+":s3:::")
		d := r.doc(p.field("PolicyDocument"), cond, "bucket policy of "+target, res.LogicalID+".PolicyDocument", policy.TypeResource, "AWS::S3::Bucket")
		r.putResource(target, d, res, func(old *snapshot.Resource, n *snapshot.Resource) { n.BlockPublicAccess = old.BlockPublicAccess })
	case "AWS::S3::Bucket":
		a, _, err := r.arnOf(res)
		if err != nil {
			return true, err
		}
		var bpa *snapshot.BlockPublicAccess
		if b := p.field("PublicAccessBlockConfiguration"); b != nil && b.unknown() == nil {
			var x s3.Bucket_PublicAccessBlockConfiguration
			bp := &props{res: res, v: b}
			if err := bp.decode((*bpaProps)(&x), "BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"); err != nil {
				return true, r.wrap(err)
			}
			bpa = &snapshot.BlockPublicAccess{BlockPublicAcls: isTrue(x.BlockPublicAcls), BlockPublicPolicy: isTrue(x.BlockPublicPolicy),
				IgnorePublicAcls: isTrue(x.IgnorePublicAcls), RestrictPublicBuckets: isTrue(x.RestrictPublicBuckets)}
		} else if b != nil {
			r.res.Warnings = append(r.res.Warnings, res.LogicalID+".PublicAccessBlockConfiguration is known only at deploy ("+b.unknown().s+"); not applied")
		}
		// The bucket's policy is its AWS::S3::BucketPolicy's: keep one
		// already there.
		old := r.env.Resources[a]
		n := &snapshot.Resource{ARN: a, Account: r.account, BlockPublicAccess: bpa, Source: r.t.at(res.Line, res.Col) + " " + res.LogicalID}
		if old != nil {
			n.Policy = old.Policy
			if bpa == nil {
				n.BlockPublicAccess = old.BlockPublicAccess
			}
		}
		r.env.PutResource(n)
	case "AWS::KMS::Key":
		a, _, err := r.arnOf(res)
		if err != nil {
			return true, err
		}
		d := r.doc(p.field("KeyPolicy"), cond, "key policy of "+a, res.LogicalID+".KeyPolicy", policy.TypeResource, "AWS::KMS::Key")
		r.putResource(a, d, res, nil)
	case "AWS::SQS::QueuePolicy":
		var x sqs.QueuePolicy
		if err := p.decode((*queuePolicyProps)(&x), "Queues"); err != nil {
			return true, r.wrap(err)
		}
		r.eachTarget(p, res, x.Queues, "Queues", cond, "AWS::SQS::Queue", func(s string) (string, bool) { return iac.QueueARN(r.partition, s) })
	case "AWS::SNS::TopicPolicy":
		var x sns.TopicPolicy
		if err := p.decode((*topicPolicyProps)(&x), "Topics"); err != nil {
			return true, r.wrap(err)
		}
		r.eachTarget(p, res, x.Topics, "Topics", cond, "AWS::SNS::Topic", func(s string) (string, bool) { return s, strings.HasPrefix(s, "arn:") })
	case "AWS::SecretsManager::ResourcePolicy":
		var x secretsmanager.ResourcePolicy
		if err := p.decode((*secretPolicyProps)(&x), "SecretId"); err != nil {
			return true, r.wrap(err)
		}
		if u, unk := p.isUnknown(x.SecretId); unk || !strings.HasPrefix(x.SecretId, "arn:") {
			r.leftOut(p, res, "SecretId", u)
			return true, nil
		}
		d := r.doc(p.field("ResourcePolicy"), cond, "resource policy of "+x.SecretId, res.LogicalID+".ResourcePolicy", policy.TypeResource, "AWS::SecretsManager::Secret")
		r.putResource(x.SecretId, d, res, nil)
	case "AWS::ECR::Repository":
		var x ecr.Repository
		if err := p.decode((*repositoryProps)(&x)); err != nil {
			return true, r.wrap(err)
		}
		if p.field("RepositoryPolicyText") == nil {
			return true, nil
		}
		a, _, err := r.arnOf(res)
		if err != nil {
			return true, err
		}
		d := r.doc(p.field("RepositoryPolicyText"), cond, "repository policy of "+a, res.LogicalID+".RepositoryPolicyText", policy.TypeResource, "AWS::ECR::Repository")
		if d != nil && d.Unknown == "" {
			// Statements without Resource apply to the repository; the
			// template's line map no longer fits the rewritten text.
			if data, err := iac.WithImplicitResource(d.JSON, a); err == nil && !bytes.Equal(data, d.JSON) {
				d.JSON, d.Lines, d.Encoding = data, nil, snapshot.EncodingString
			}
		}
		r.putResource(a, d, res, nil)
	case "AWS::Lambda::Permission":
		var x lambda.Permission
		if err := p.decode((*permissionProps)(&x), "Action", "FunctionName", "Principal", "SourceArn", "SourceAccount", "PrincipalOrgID", "FunctionUrlAuthType", "EventSourceToken"); err != nil {
			return true, r.wrap(err)
		}
		return true, r.permission(p, res, &x, cond)
	case "AWS::Organizations::Policy":
		var x organizations.Policy
		if err := p.decode((*orgPolicyProps)(&x), "Name", "Type", "TargetIds"); err != nil {
			return true, r.wrap(err)
		}
		r.orgPolicy(p, res, &x, cond)
	}
	return true, nil
}

func isTrue(b *bool) bool { return b != nil && *b }

func (r *reader) policyName(p *props, name string) string {
	if u, ok := p.isUnknown(name); ok {
		return "(" + u.s + ")"
	}
	return name
}

func (r *reader) leftOut(p *props, res *Resource, prop string, u *val) {
	if u == nil {
		u = p.field(prop).unknown()
	}
	why := "is not an ARN"
	if p.field(prop) == nil {
		why = "is missing"
	}
	if u != nil {
		why = "is known only at deploy (" + u.s + ")"
	}
	r.res.Warnings = append(r.res.Warnings, fmt.Sprintf("%s: %s.%s %s; the policy is left out", r.t.at(res.Line, res.Col), res.LogicalID, prop, why))
}

// attach applies f to the roles, users and groups a policy names.
func (r *reader) attach(p *props, res *Resource, roles, users, groups []string, f func(*entity)) {
	for kind, names := range map[string][]string{"role": roles, "user": users, "group": groups} {
		for _, n := range names {
			if u, ok := p.isUnknown(n); ok {
				r.res.Warnings = append(r.res.Warnings, fmt.Sprintf("%s: a %s it is attached to is known only at deploy (%s); that attachment is left out", res.LogicalID, kind, u.s))
				continue
			}
			f(r.entityFor(kind, n))
		}
	}
}

// putResource records a resource-based policy; keep copies settings of the
// record it replaces.
func (r *reader) putResource(a string, d *snapshot.Document, res *Resource, keep func(old, n *snapshot.Resource)) {
	n := &snapshot.Resource{ARN: a, Account: r.account, Policy: d, Source: r.t.at(res.Line, res.Col) + " " + res.LogicalID}
	if old := r.env.Resources[a]; old != nil && keep != nil {
		keep(old, n)
	}
	r.env.PutResource(n)
}

func (r *reader) eachTarget(p *props, res *Resource, targets []string, prop string, cond *val, rt string, toARN func(string) (string, bool)) {
	if f := p.field(prop); f != nil && f.k == kUnknown {
		r.leftOut(p, res, prop, f)
		return
	}
	for _, t := range targets {
		u, unk := p.isUnknown(t)
		a, ok := toARN(t)
		if unk || !ok {
			r.leftOut(p, res, prop, u)
			continue
		}
		d := r.doc(p.field("PolicyDocument"), cond, "resource policy of "+a, res.LogicalID+".PolicyDocument", policy.TypeResource, rt)
		r.putResource(a, d, res, nil)
	}
}

// lambdaPolicy collects the permissions of one function.
type lambdaPolicy struct {
	arn     string
	stmts   []map[string]any
	unknown *snapshot.Document
	res     *Resource
}

func (r *reader) permission(p *props, res *Resource, x *lambda.Permission, cond *val) error {
	if u, ok := p.isUnknown(x.FunctionName); ok || x.FunctionName == "" {
		r.leftOut(p, res, "FunctionName", u)
		return nil
	}
	fn, err := iac.FunctionARN(r.partition, r.region, r.account, x.FunctionName, "")
	if err != nil {
		return r.errf(nodeAt(res.Line, res.Col), "%s: %v", res.LogicalID, err)
	}
	lp := r.lambda[fn]
	if lp == nil {
		lp = &lambdaPolicy{arn: fn, res: res}
		r.lambda[fn] = lp
		r.lambdaK = append(r.lambdaK, fn)
	}
	perm := iac.LambdaPermission{StatementID: res.LogicalID, Action: x.Action, Principal: x.Principal}
	strs := map[*string]*string{&perm.SourceARN: x.SourceArn, &perm.SourceAccount: x.SourceAccount, &perm.PrincipalOrgID: x.PrincipalOrgID,
		&perm.FunctionURLAuthType: x.FunctionUrlAuthType, &perm.EventSourceToken: x.EventSourceToken}
	for dst, src := range strs {
		if src != nil {
			*dst = *src
		}
	}
	var unknown *val
	for _, f := range []string{"Action", "Principal", "SourceArn", "SourceAccount", "PrincipalOrgID", "FunctionUrlAuthType", "EventSourceToken"} {
		if u := p.field(f).unknown(); u != nil && unknown == nil {
			unknown = u
		}
	}
	switch {
	case cond != nil:
		unknown = cond
	}
	if unknown != nil {
		d := &snapshot.Document{Source: r.t.File, Line: res.Line, Col: res.Col, Name: "resource policy of " + fn,
			Unknown: res.LogicalID + " (a permission of " + fn + ") is known only at deploy: " + unknown.s}
		r.res.Unknown = append(r.res.Unknown, d.Unknown)
		lp.unknown = d
		return nil
	}
	lp.stmts = append(lp.stmts, perm.Statement(r.partition, fn))
	return nil
}

// putLambda writes a function's policy: the permissions of the template
// added to the policy the environment holds.
func (r *reader) putLambda(lp *lambdaPolicy) error {
	src := r.t.at(lp.res.Line, lp.res.Col) + " " + lp.res.LogicalID
	if lp.unknown != nil {
		r.env.PutResource(&snapshot.Resource{ARN: lp.arn, Account: r.account, Policy: lp.unknown, Source: src})
		r.res.Policies = append(r.res.Policies, Policy{Document: lp.unknown, Type: policy.TypeResource, ResourceType: "AWS::Lambda::Function", Address: lp.res.LogicalID})
		return nil
	}
	var existing []byte
	if old := r.env.Resources[lp.arn]; old != nil && old.Policy != nil {
		if old.Policy.Unknown != "" {
			return nil
		}
		existing = old.Policy.JSON
	}
	data, err := iac.MergeStatements(existing, lp.stmts, nil)
	if err != nil {
		return fmt.Errorf("%s: the policy of %s in the environment: %v", src, lp.arn, err)
	}
	d := &snapshot.Document{JSON: data, Source: r.t.File, Line: lp.res.Line, Col: lp.res.Col, Encoding: snapshot.EncodingYAML,
		Name: "resource policy of " + lp.arn + " (AWS::Lambda::Permission)"}
	r.env.PutResource(&snapshot.Resource{ARN: lp.arn, Account: r.account, Policy: d, Source: src})
	r.res.Policies = append(r.res.Policies, Policy{Document: d, Type: policy.TypeResource, ResourceType: "AWS::Lambda::Function", Address: lp.res.LogicalID})
	return nil
}

// orgPolicy applies an AWS::Organizations::Policy: an SCP or RCP attached
// to the organisation's nodes (its id is generated: the logical id stands
// in for it).
func (r *reader) orgPolicy(p *props, res *Resource, x *organizations.Policy, cond *val) {
	var rcp bool
	switch x.Type {
	case "SERVICE_CONTROL_POLICY":
	case "RESOURCE_CONTROL_POLICY":
		rcp = true
	default:
		r.res.Skipped = append(r.res.Skipped, res.LogicalID+": "+res.Type+" of type "+x.Type)
		return
	}
	d := r.doc(p.field("Content"), cond, strings.ToLower(strings.ReplaceAll(x.Type, "_", " "))+" "+x.Name, res.LogicalID+".Content", policy.TypeSCP, "")
	if rcp {
		r.res.Policies[len(r.res.Policies)-1].Type = policy.TypeRCP
	}
	if d == nil {
		return
	}
	var targets []string
	for _, t := range x.TargetIds {
		if u, ok := p.isUnknown(t); ok {
			r.res.Warnings = append(r.res.Warnings, res.LogicalID+": a target is known only at deploy ("+u.s+"); that attachment is left out")
			continue
		}
		targets = append(targets, t)
	}
	missing, ok := r.env.PutOrgPolicy(&snapshot.OrgPolicy{ID: res.LogicalID, Document: d}, rcp, targets)
	switch {
	case !ok:
		r.res.Warnings = append(r.res.Warnings, res.LogicalID+": the environment holds no organisation; the policy is not attached")
	case len(missing) > 0:
		sort.Strings(missing)
		r.res.Warnings = append(r.res.Warnings, res.LogicalID+": targets not in the organisation: "+strings.Join(missing, ", "))
	}
}
