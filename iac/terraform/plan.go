package terraform

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/iamwhy/iamwhy/policy"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/inputfile"
	"github.com/iamwhy/iamwhy/snapshot"
)

// Options configure how a plan is read.
type Options struct {
	// Account is the account the plan deploys to when the plan itself
	// does not say (no ARN, data.aws_caller_identity or provider
	// allowed_account_ids names one).
	Account string
	// Region is the region of the plan's regional resources named without
	// an ARN (a Lambda function_name, an ECR repository) when the AWS
	// provider's configuration does not say.
	Region string
}

// Result says what applying a plan did, so nothing is dropped silently.
type Result struct {
	// Account is the account the planned resources belong to.
	Account string
	// Applied counts resources whose planned state was laid over the
	// environment; Removed those the plan destroys.
	Applied, Removed int
	// Skipped lists resources of types that carry no IAM policy iamwhy
	// reads ("ADDRESS: TYPE"), so the caller can report them.
	Skipped []string
	// Unknown lists the addresses of policy values known only after
	// apply: decisions that depend on them are undetermined.
	Unknown []string
	// Warnings are problems that did not stop reading.
	Warnings []string
}

// ReadFile reads and decodes a plan file (regular files only, within the
// inputfile size limit).
func ReadFile(path string) (*tfjson.Plan, error) {
	data, err := inputfile.Read(path)
	if err != nil {
		return nil, err
	}
	return Decode(data, path)
}

// Decode decodes the JSON of `terraform show -json PLANFILE`; errors name
// name:line:col.
func Decode(data []byte, name string) (*tfjson.Plan, error) {
	var probe json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			l, c := lineCol(data, se.Offset)
			return nil, fmt.Errorf("%s: %v", policy.At(name, l, c), err)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var p tfjson.Plan
	if err := p.UnmarshalJSON(data); err != nil {
		return nil, fmt.Errorf("%s: not a Terraform plan (terraform show -json PLANFILE): %w", name, err)
	}
	return &p, nil
}

func lineCol(data []byte, off int64) (int, int) {
	line, col := 1, 1
	for i := int64(0); i < off-1 && i < int64(len(data)); i++ {
		if data[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// LoadFiles reads plans and lays them, in order, over base (nil: an
// empty environment), then finishes the environment.
func LoadFiles(base *snapshot.Environment, paths []string, opts Options) (*snapshot.Environment, []*Result, error) {
	env := base
	if env == nil {
		env = snapshot.New(snapshot.Options{})
	}
	var results []*Result
	for _, p := range paths {
		plan, err := ReadFile(p)
		if err != nil {
			return nil, nil, err
		}
		r, err := Apply(env, plan, p, opts)
		if err != nil {
			return nil, nil, err
		}
		results = append(results, r)
		for _, w := range r.Warnings {
			env.Warnings = append(env.Warnings, p+": "+w)
		}
		for _, s := range r.Skipped {
			env.Warnings = append(env.Warnings, p+": "+s+" (not read: no IAM policy iamwhy reads)")
		}
	}
	if err := env.Finish(); err != nil {
		return nil, nil, err
	}
	return env, results, nil
}

// change is one resource instance of the plan with its state after apply.
type change struct {
	rc      *tfjson.ResourceChange
	after   value // planned state ("" when destroyed)
	before  value
	deleted bool // destroyed and not created again
}

func (c *change) addr() string { return c.rc.Address }

// Apply lays the planned state of plan over env: the entities, managed
// policies and resource policies the plan creates, updates or destroys.
// source names the plan in locations. Call env.Finish afterwards (LoadFiles
// does).
func Apply(env *snapshot.Environment, plan *tfjson.Plan, source string, opts Options) (*Result, error) {
	r := &Result{}
	p := &planReader{env: env, plan: plan, source: source, res: r, partition: "aws", orgTypes: map[string]bool{}}
	for _, rc := range plan.ResourceChanges {
		if rc == nil || rc.Change == nil || rc.DeposedKey != "" {
			continue
		}
		c := &change{rc: rc,
			after:  value{v: rc.Change.After, u: rc.Change.AfterUnknown, path: rc.Address},
			before: value{v: rc.Change.Before, path: rc.Address},
		}
		c.deleted = rc.Change.Actions.Delete()
		p.changes = append(p.changes, c)
	}
	acct, err := p.account(opts.Account)
	if err != nil {
		return nil, err
	}
	r.Account = acct
	p.acct = acct
	p.region = p.providerRegion(opts.Region)
	if err := p.apply(); err != nil {
		return nil, err
	}
	sort.Strings(r.Unknown)
	return r, nil
}

type planReader struct {
	env       *snapshot.Environment
	plan      *tfjson.Plan
	source    string
	res       *Result
	changes   []*change
	acct      string
	partition string
	region    string
	// orgTypes says, for the organisation policies the plan defines (by
	// id), whether each is an RCP; attachments apply after them.
	orgTypes    map[string]bool
	attachments []*change
}

// account finds the account the plan deploys to: an ARN in the plan,
// data.aws_caller_identity, the provider's allowed_account_ids, else the
// one given.
func (p *planReader) account(given string) (string, error) {
	found := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case string:
			if a, ok := arn.Split(t); ok && arn.IsAccountID(a.Account) {
				found[a.Account] = true
				if a.Partition != "" {
					p.partition = a.Partition
				}
			}
		case map[string]any:
			for _, x := range t {
				walk(x)
			}
		case []any:
			for _, x := range t {
				walk(x)
			}
		}
	}
	for _, c := range p.changes {
		if c.rc.Type == "aws_caller_identity" {
			if id, ok := c.after.get("account_id").str(); ok {
				return id, nil
			}
		}
	}
	if p.plan.PriorState != nil && p.plan.PriorState.Values != nil {
		if id := callerIdentity(p.plan.PriorState.Values.RootModule); id != "" {
			return id, nil
		}
	}
	if p.plan.Config != nil {
		for _, pc := range p.plan.Config.ProviderConfigs {
			if pc == nil || pc.Name != "aws" || pc.Expressions == nil {
				continue
			}
			if e := pc.Expressions["allowed_account_ids"]; e != nil && e.ExpressionData != nil {
				if l, ok := e.ConstantValue.([]any); ok && len(l) == 1 {
					if s, ok := l[0].(string); ok && arn.IsAccountID(s) {
						return s, nil
					}
				}
			}
		}
	}
	for _, c := range p.changes {
		walk(c.rc.Change.After)
		walk(c.rc.Change.Before)
	}
	// AWS-owned ARNs (arn:aws:iam::aws:policy/...) carry no account id.
	switch ids := sortedKeys(found); {
	case len(ids) == 1:
		return ids[0], nil
	case given != "":
		return given, nil
	case len(ids) == 0:
		return "", fmt.Errorf("%s: the plan names no account (no ARN, data.aws_caller_identity or allowed_account_ids): give --account", p.source)
	default:
		return "", fmt.Errorf("%s: the plan names several accounts (%s): give --account", p.source, strings.Join(ids, ", "))
	}
}

// providerRegion is the AWS provider's region when the configuration
// gives it as a constant, else the one given.
func (p *planReader) providerRegion(given string) string {
	if p.plan.Config != nil {
		for _, pc := range p.plan.Config.ProviderConfigs {
			if pc == nil || pc.Name != "aws" || pc.Alias != "" || pc.Expressions == nil {
				continue
			}
			if e := pc.Expressions["region"]; e != nil && e.ExpressionData != nil {
				if s, ok := e.ConstantValue.(string); ok && s != "" {
					return s
				}
			}
		}
	}
	return given
}

func callerIdentity(m *tfjson.StateModule) string {
	if m == nil {
		return ""
	}
	for _, r := range m.Resources {
		if r != nil && r.Mode == tfjson.DataResourceMode && r.Type == "aws_caller_identity" {
			if s, ok := r.AttributeValues["account_id"].(string); ok && arn.IsAccountID(s) {
				return s
			}
		}
	}
	for _, c := range m.ChildModules {
		if id := callerIdentity(c); id != "" {
			return id
		}
	}
	return ""
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
