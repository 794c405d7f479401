package terraform

import (
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/iamwhy/iamwhy/iac"
	"github.com/iamwhy/iamwhy/snapshot"
)

// settingResource applies the resources that change a policy or setting
// of another resource: S3 Block Public Access (bucket and account),
// Lambda permissions, ECR repository policies and organisation policies.
// false when the type is none of them.
func (p *planReader) settingResource(c *change) bool {
	switch c.rc.Type {
	case "aws_s3_bucket_public_access_block":
		p.bucketPublicAccessBlock(c)
	case "aws_s3_account_public_access_block":
		p.accountPublicAccessBlock(c)
	case "aws_lambda_permission":
		p.lambdaPermission(c)
	case "aws_ecr_repository_policy":
		p.ecrRepositoryPolicy(c)
	case "aws_organizations_policy":
		p.orgPolicy(c)
	case "aws_organizations_policy_attachment":
		// After every policy of the plan, whatever the order of changes.
		p.attachments = append(p.attachments, c)
	default:
		return false
	}
	return true
}

// state is the object the change leaves (before, for a destroy).
func (c *change) state() value {
	if c.deleted {
		return c.before
	}
	return c.after
}

func (x value) boolean() bool { b, _ := x.v.(bool); return b && !x.unknown() }

// blockPublicAccess reads the four settings; ok is false when one is known
// only after apply.
func blockPublicAccess(v value) (*snapshot.BlockPublicAccess, string, bool) {
	for _, k := range []string{"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"} {
		if v.get(k).unknown() {
			return nil, v.get(k).path, false
		}
	}
	return &snapshot.BlockPublicAccess{BlockPublicAcls: v.get("block_public_acls").boolean(), BlockPublicPolicy: v.get("block_public_policy").boolean(),
		IgnorePublicAcls: v.get("ignore_public_acls").boolean(), RestrictPublicBuckets: v.get("restrict_public_buckets").boolean()}, "", true
}

// bucketPublicAccessBlock applies aws_s3_bucket_public_access_block to its
// bucket's record (destroyed: the bucket has no setting of its own).
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
func (p *planReader) bucketPublicAccessBlock(c *change) {
	b, ok := p.str(c, "bucket")
	if !ok {
		p.res.Warnings = append(p.res.Warnings, c.addr()+": the bucket is known only after apply; its public access block is left out")
		return
	}
	p.res.Applied++
	a := "arn:" + p.partition + ":s3:::" + b
	n := &snapshot.Resource{ARN: a, Account: p.acct, Source: p.source + " " + c.addr()}
	if old := p.env.Resources[a]; old != nil {
		cp := *old
		n = &cp
	}
	bpa, ok := p.changedBlock(c, "the public access block")
	if !ok {
		return
	}
	n.BlockPublicAccess = bpa
	p.env.PutResource(n)
}

// accountPublicAccessBlock applies aws_s3_account_public_access_block.
func (p *planReader) accountPublicAccessBlock(c *change) {
	acct := p.acct
	if s, ok := c.state().get("account_id").str(); ok {
		acct = s
	}
	p.res.Applied++
	old := p.env.S3Accounts[acct]
	n := &snapshot.S3Account{Source: p.source + " " + c.addr()}
	if old != nil {
		cp := *old
		n = &cp
	}
	bpa, ok := p.changedBlock(c, "the account's public access block")
	if !ok {
		return
	}
	n.BlockPublicAccess = bpa
	p.env.PutS3Account(acct, n)
}

// changedBlock is the public access block a change leaves: none when it
// deletes it; ok is false (with a warning naming what) when a setting is
// known only after apply.
func (p *planReader) changedBlock(c *change, what string) (*snapshot.BlockPublicAccess, bool) {
	if c.deleted {
		p.res.Removed++
		return nil, true
	}
	bpa, unk, ok := blockPublicAccess(c.after)
	if !ok {
		p.res.Warnings = append(p.res.Warnings, unk+" is known only after apply; "+what+" is left out")
		return nil, false
	}
	return bpa, true
}

// functionARN names the function a permission or reference names, with
// its qualifier.
func (p *planReader) functionARN(c *change) (string, bool) {
	name, ok := p.str(c, "function_name")
	if !ok {
		return "", false
	}
	q, _ := c.state().get("qualifier").str()
	if !strings.HasPrefix(name, "arn:") && p.region == "" {
		p.res.Warnings = append(p.res.Warnings, c.addr()+": function_name is not an ARN and the plan names no region: give --region")
		return "", false
	}
	a, err := iac.FunctionARN(p.partition, p.region, p.acct, name, q)
	return a, err == nil
}

// lambdaPermission applies an aws_lambda_permission: one statement of the
// function's resource-based policy, added to (or, destroyed, removed from)
// the policy the environment holds.
// https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
func (p *planReader) lambdaPermission(c *change) {
	fn, ok := p.functionARN(c)
	if !ok {
		p.res.Warnings = append(p.res.Warnings, c.addr()+": the function is not known before apply; the permission is left out")
		return
	}
	p.res.Applied++
	v := c.state()
	sid, _ := v.get("statement_id").str()
	src := p.source + " " + c.addr()
	old := p.env.Resources[fn]
	var existing []byte
	if old != nil && old.Policy != nil {
		if old.Policy.Unknown != "" {
			return // already unknown
		}
		existing = old.Policy.JSON
	}
	put := func(d *snapshot.Document) {
		n := &snapshot.Resource{ARN: fn, Account: p.acct, Policy: d, Source: src}
		p.env.PutResource(n)
	}
	if c.deleted {
		p.res.Removed++
		if sid == "" || existing == nil {
			return
		}
		data, err := iac.MergeStatements(existing, nil, []string{sid})
		if err == nil {
			put(&snapshot.Document{JSON: data, Source: src, Encoding: snapshot.EncodingString, Name: "resource policy of " + fn})
		}
		return
	}
	perm := iac.LambdaPermission{StatementID: sid}
	fields := map[string]*string{"action": &perm.Action, "principal": &perm.Principal, "source_arn": &perm.SourceARN,
		"source_account": &perm.SourceAccount, "principal_org_id": &perm.PrincipalOrgID,
		"function_url_auth_type": &perm.FunctionURLAuthType, "event_source_token": &perm.EventSourceToken}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		x := v.get(k)
		if s, ok := p.str(c, k); ok {
			*fields[k] = s
		} else if x.unknown() {
			p.res.Unknown = append(p.res.Unknown, x.path)
			put(&snapshot.Document{Source: src + "." + k, Name: "resource policy of " + fn, Unknown: x.path + " is known only after apply"})
			return
		}
	}
	if sid == "" && v.get("statement_id").unknown() {
		// statement_id_prefix: the Sid only matters for later removal.
		perm.StatementID = ""
	}
	data, err := iac.MergeStatements(existing, []map[string]any{perm.Statement(p.partition, fn)}, nil)
	if err != nil {
		p.res.Warnings = append(p.res.Warnings, c.addr()+": the function's policy in the environment: "+err.Error())
		return
	}
	put(&snapshot.Document{JSON: data, Source: src, Encoding: snapshot.EncodingString, Name: "resource policy of " + fn + " (" + c.addr() + ")"})
}

// ecrRepositoryPolicy applies aws_ecr_repository_policy.
func (p *planReader) ecrRepositoryPolicy(c *change) {
	repo, ok := p.str(c, "repository")
	if !ok || (p.region == "" && !strings.HasPrefix(repo, "arn:")) {
		p.res.Warnings = append(p.res.Warnings, c.addr()+": the repository (or the plan's region: give --region) is not known; the policy is left out")
		return
	}
	a := repo
	if !strings.HasPrefix(repo, "arn:") {
		a = "arn:" + p.partition + ":ecr:" + p.region + ":" + p.acct + ":repository/" + repo
	}
	p.res.Applied++
	src := p.source + " " + c.addr()
	if c.deleted {
		p.res.Removed++
		p.env.PutResource(&snapshot.Resource{ARN: a, Account: p.acct, Source: src})
		return
	}
	d := p.doc(c, c.after.get("policy"), "repository policy of "+a)
	if d != nil && d.Unknown == "" {
		if data, err := iac.WithImplicitResource(d.JSON, a); err == nil {
			d.JSON = data
		}
	}
	p.env.PutResource(&snapshot.Resource{ARN: a, Account: p.acct, Policy: d, Source: src})
}

// orgPolicyID is an aws_organizations_policy's id: from the plan, or, for
// a policy apply creates, its address standing in for the id.
func orgPolicyID(c *change) string {
	if id, ok := c.state().get("id").str(); ok {
		return id
	}
	return c.addr()
}

// orgPolicy applies an aws_organizations_policy (SCPs and RCPs; other
// types carry no IAM policy). Its attachments are the
// aws_organizations_policy_attachment resources.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
func (p *planReader) orgPolicy(c *change) {
	typ, _ := c.state().get("type").str()
	var rcp bool
	switch typ {
	case "", "SERVICE_CONTROL_POLICY":
	case "RESOURCE_CONTROL_POLICY":
		rcp = true
	default:
		p.res.Skipped = append(p.res.Skipped, c.addr()+": "+c.rc.Type+" of type "+typ)
		return
	}
	p.res.Applied++
	id := orgPolicyID(c)
	if p.env.Organization == nil {
		p.res.Warnings = append(p.res.Warnings, c.addr()+": the environment holds no organisation; the policy is not applied")
		return
	}
	if c.deleted {
		p.res.Removed++
		p.env.RemoveOrgPolicy(id)
		return
	}
	name, _ := c.after.get("name").str()
	d := p.doc(c, c.after.get("content"), strings.ToLower(strings.ReplaceAll(typ, "_", " "))+" "+name)
	if d == nil {
		return
	}
	if typ == "" {
		d.Name = "service control policy " + name
	}
	p.env.PutOrgPolicy(&snapshot.OrgPolicy{ID: id, Document: d}, rcp, nil)
	p.orgTypes[id] = rcp
}

// orgAttachment applies an aws_organizations_policy_attachment.
func (p *planReader) orgAttachment(c *change) {
	target, ok := p.str(c, "target_id")
	if !ok {
		p.res.Warnings = append(p.res.Warnings, c.addr()+": the target is known only after apply; the attachment is left out")
		return
	}
	id, ok := c.state().get("policy_id").str()
	if !ok {
		// policy_id = aws_organizations_policy.x.id: the stand-in id of
		// the policy the plan creates.
		id, ok = p.referencedAddress(c, "policy_id", "aws_organizations_policy")
	}
	if !ok {
		p.res.Warnings = append(p.res.Warnings, c.addr()+": the policy is known only after apply; the attachment is left out")
		return
	}
	p.res.Applied++
	if p.env.Organization == nil {
		p.res.Warnings = append(p.res.Warnings, c.addr()+": the environment holds no organisation; the attachment is not applied")
		return
	}
	if c.deleted {
		p.res.Removed++
		p.env.DetachOrgPolicy(id, target)
		return
	}
	rcp, known := p.orgTypes[id]
	if !known {
		rcp = p.env.Organization.Policies[id] != nil && p.isRCP(id)
	}
	pol := p.env.Organization.Policies[id]
	if pol == nil {
		p.res.Warnings = append(p.res.Warnings, c.addr()+": policy "+id+" is neither in the plan nor in the organisation; the attachment is left out")
		return
	}
	if missing, _ := p.env.PutOrgPolicy(pol, rcp, []string{target}); len(missing) > 0 {
		p.res.Warnings = append(p.res.Warnings, c.addr()+": target "+target+" is not in the organisation")
	}
}

// isRCP reports whether an organisation policy already attached somewhere
// is attached as an RCP.
func (p *planReader) isRCP(id string) bool {
	var found bool
	var walk func(n *snapshot.OrgNode)
	walk = func(n *snapshot.OrgNode) {
		for _, x := range n.RCPs {
			if x == id {
				found = true
			}
		}
		for _, c := range n.OUs {
			walk(c)
		}
		for _, c := range n.Accounts {
			walk(c)
		}
	}
	if p.env.Organization.Root != nil {
		walk(p.env.Organization.Root)
	}
	return found
}

// referencedAddress returns the address of the resource of type typ an
// attribute's configuration expression refers to (same module).
func (p *planReader) referencedAddress(c *change, attr, typ string) (string, bool) {
	cr := p.configResource(c.rc)
	if cr == nil || cr.Expressions == nil {
		return "", false
	}
	e := cr.Expressions[attr]
	if e == nil || e.ExpressionData == nil {
		return "", false
	}
	for _, ref := range e.References {
		parts := strings.Split(ref, ".")
		if len(parts) >= 2 && parts[0] == typ {
			for _, o := range p.changes {
				if o.rc.Mode == tfjson.ManagedResourceMode && o.rc.Type == typ && o.rc.Name == parts[1] && o.rc.ModuleAddress == c.rc.ModuleAddress {
					return orgPolicyID(o), true
				}
			}
		}
	}
	return "", false
}
