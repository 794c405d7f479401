package terraform

import (
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/iamwhy/iamwhy/iac"
	"github.com/iamwhy/iamwhy/snapshot"
)

// resourcePolicy applies a resource-based policy resource; false when the
// type is not one iamwhy reads.
func (p *planReader) resourcePolicy(c *change) bool {
	var target string
	var ok bool
	switch c.rc.Type {
	case "aws_s3_bucket_policy":
		var b string
		if b, ok = p.str(c, "bucket"); ok {
			target = "arn:" + p.partition + ":s3:::" + b
		}
	case "aws_kms_key":
		target, ok = p.str(c, "arn")
	case "aws_kms_key_policy":
		target, ok = p.str(c, "key_id")
		if ok && !strings.HasPrefix(target, "arn:") {
			ok = false // a bare key id needs the region; the key's ARN does not
			p.res.Warnings = append(p.res.Warnings, c.addr()+": key_id is not an ARN; the key policy is left out")
			p.res.Applied--
		}
	case "aws_sqs_queue_policy":
		var u string
		if u, ok = p.str(c, "queue_url"); ok {
			target, ok = iac.QueueARN(p.partition, u)
		}
	case "aws_sns_topic_policy":
		target, ok = p.str(c, "arn")
	case "aws_secretsmanager_secret_policy":
		target, ok = p.str(c, "secret_arn")
	case "aws_s3_bucket":
		// A bucket the plan manages exists after apply and belongs to the
		// plan's account; its policy is aws_s3_bucket_policy's (its own
		// policy attribute is an echo), so a record already there wins.
		b, ok := p.str(c, "bucket")
		if !ok {
			p.res.Warnings = append(p.res.Warnings, c.addr()+": the bucket's name is known only after apply; it is left out")
			return true
		}
		target = "arn:" + p.partition + ":s3:::" + b
		p.res.Applied++
		switch {
		case c.deleted:
			p.res.Removed++
			p.env.RemoveResource(target)
		case p.env.Resources[target] == nil:
			p.env.PutResource(&snapshot.Resource{ARN: target, Account: p.acct, Source: p.source + " " + c.addr()})
		}
		return true
	case "aws_lambda_function", "aws_sqs_queue", "aws_sns_topic", "aws_secretsmanager_secret":
		// Their policy attributes are echoes: the *_policy resources manage
		// the policies.
		return true
	default:
		return false
	}
	p.res.Applied++
	if !ok {
		p.res.Warnings = append(p.res.Warnings, c.addr()+": the resource the policy is attached to is known only after apply; the policy is left out")
		return true
	}
	if c.deleted {
		p.res.Removed++
		if c.rc.Type == "aws_kms_key" {
			p.env.RemoveResource(target)
			return true
		}
		// The resource stays without a policy.
		p.env.PutResource(&snapshot.Resource{ARN: target, Account: p.acct, Source: p.source + " " + c.addr()})
		return true
	}
	d := p.doc(c, c.after.get("policy"), "resource policy of "+target)
	p.env.PutResource(&snapshot.Resource{ARN: target, Account: p.acct, Policy: d, Source: p.source + " " + c.addr()})
	return true
}

// fromReference resolves an attribute the plan computes from its
// configuration: an expression that refers to one attribute of another
// resource of the same module whose value follows from known names
// (aws_iam_policy.x.arn, aws_iam_role.x.name) or is rendered
// (data.aws_iam_policy_document.x.json).
func (p *planReader) fromReference(c *change, v value) (string, bool) {
	attr := v.path[strings.LastIndexByte(v.path, '.')+1:]
	if strings.ContainsAny(attr, "[]") {
		return "", false
	}
	cr := p.configResource(c.rc)
	if cr == nil || cr.Expressions == nil {
		return "", false
	}
	e := cr.Expressions[attr]
	if e == nil || e.ExpressionData == nil || len(e.References) == 0 {
		return "", false
	}
	// References list the attribute first, then the resource
	// ("aws_iam_policy.x.arn", "aws_iam_policy.x").
	ref := e.References[0]
	mode := tfjson.ManagedResourceMode
	if r, ok := strings.CutPrefix(ref, "data."); ok {
		ref, mode = r, tfjson.DataResourceMode
	}
	parts := strings.Split(ref, ".")
	if len(parts) != 3 {
		return "", false
	}
	for _, o := range p.changes {
		if o.rc.Mode != mode || o.rc.Type != parts[0] || o.rc.Name != parts[1] || o.rc.ModuleAddress != c.rc.ModuleAddress || o.rc.Index != nil {
			continue
		}
		if s, ok := o.after.get(parts[2]).str(); ok {
			return s, true
		}
		switch {
		case o.rc.Type == "aws_iam_policy" && (parts[2] == "arn" || parts[2] == "id"):
			return p.policyARN(o)
		case (o.rc.Type == "aws_iam_role" || o.rc.Type == "aws_iam_user" || o.rc.Type == "aws_iam_group") && (parts[2] == "name" || parts[2] == "id"):
			return o.after.get("name").str()
		case o.rc.Type == "aws_lambda_function" && (parts[2] == "arn" || parts[2] == "qualified_arn"):
			if parts[2] == "qualified_arn" {
				return "", false
			}
			return p.functionARN(o)
		case o.rc.Type == "aws_iam_role" && parts[2] == "arn":
			name, ok := o.after.get("name").str()
			if !ok {
				return "", false
			}
			path, _ := o.after.get("path").str()
			if path == "" {
				path = "/"
			}
			return p.arnOf("role", path, name), true
		}
	}
	// A data source read at plan time is in the prior state.
	if mode == tfjson.DataResourceMode && p.plan.PriorState != nil && p.plan.PriorState.Values != nil {
		if m := stateModule(p.plan.PriorState.Values.RootModule, c.rc.ModuleAddress); m != nil {
			for _, r := range m.Resources {
				if r.Mode == mode && r.Type == parts[0] && r.Name == parts[1] && r.Index == nil {
					if s, ok := r.AttributeValues[parts[2]].(string); ok && s != "" {
						return s, true
					}
				}
			}
		}
	}
	return "", false
}

func stateModule(m *tfjson.StateModule, addr string) *tfjson.StateModule {
	if addr == "" || m == nil {
		return m
	}
	for _, c := range m.ChildModules {
		if c.Address == addr {
			return c
		}
		if strings.HasPrefix(addr, c.Address+".") {
			return stateModule(c, addr)
		}
	}
	return nil
}

// configResource finds the configuration of a resource instance: its
// module's block (module calls followed by name; instance keys dropped).
func (p *planReader) configResource(rc *tfjson.ResourceChange) *tfjson.ConfigResource {
	if p.plan.Config == nil || p.plan.Config.RootModule == nil {
		return nil
	}
	m := p.plan.Config.RootModule
	if rc.ModuleAddress != "" {
		for _, part := range strings.Split(rc.ModuleAddress, "module.")[1:] {
			name := strings.TrimSuffix(part, ".")
			if i := strings.IndexByte(name, '['); i >= 0 {
				name = name[:i]
			}
			call := m.ModuleCalls[name]
			if call == nil || call.Module == nil {
				return nil
			}
			m = call.Module
		}
	}
	want := rc.Type + "." + rc.Name
	if rc.Mode == tfjson.DataResourceMode {
		want = "data." + want
	}
	for _, r := range m.Resources {
		if r.Address == want {
			return r
		}
	}
	return nil
}
