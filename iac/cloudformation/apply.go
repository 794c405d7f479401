package cloudformation

import (
	"fmt"
	"sort"
	"strings"

	"github.com/awslabs/goformation/v7/cloudformation/iam"

	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/iac"
	"github.com/iamwhy/iamwhy/policy"
	"github.com/iamwhy/iamwhy/snapshot"
)

// PlaceholderAccount stands for AWS::AccountId when neither the options
// nor the environment name the account (AWS's documentation example
// account); the result says so in a warning.
const PlaceholderAccount = "123456789012"

// PlaceholderRegion stands for AWS::Region when no region is given.
const PlaceholderRegion = "us-east-1"

// Options configure how a template is read.
type Options struct {
	// Account and Region are AWS::AccountId and AWS::Region (the stack's
	// account and region). Account empty: the only account of the
	// environment laid over, else PlaceholderAccount. Region empty:
	// PlaceholderRegion. AWS::Partition follows from the region.
	Account, Region string
	// Parameters are parameter values (ReadParameters reads the files
	// CloudFormation's tools write); Previous names parameters that keep
	// the deployed stack's value, unknown here.
	Parameters map[string]string
	Previous   map[string]bool
}

// Result says what reading a template did, so nothing is dropped silently.
type Result struct {
	Account, Region string
	// Applied counts resources laid over the environment.
	Applied int
	// Skipped lists resources of types that carry no IAM policy iamwhy
	// reads ("LOGICALID: TYPE").
	Skipped []string
	// Unknown lists the reasons of values only a deploy knows that
	// policies depend on (FILE:LINE:COL: ...).
	Unknown []string
	// StandIns lists resources whose generated (or deploy-time) name is
	// stood in for by their logical id ("LOGICALID: reason").
	StandIns []string
	// Warnings are problems that did not stop reading.
	Warnings []string
	// Policies are every policy document the template defines, for lint.
	Policies []Policy
}

// Policy is one policy document a template defines.
type Policy struct {
	// Document's Source is the template file, Line/Col the position of
	// the policy element; Unknown is set when a deploy decides it.
	Document *snapshot.Document
	Type     policy.Type
	// ResourceType is the CloudFormation type of the resource a
	// resource-based policy is attached to (AWS::S3::Bucket, ...).
	ResourceType string
	// Lines maps each line of Document.JSON to the template position of
	// the element that starts on it (also Document.Lines).
	Lines policy.SourceMap
	// Address names the policy in the template: LOGICALID.PROPERTY.
	Address string
}

// Where maps a line and column inside the policy's JSON text to the
// template's FILE:LINE:COL (the policy element's position when unknown).
func (p Policy) Where(line, col int) string {
	if line > 0 && line < len(p.Lines) && p.Lines[line].IsValid() {
		return p.Lines[line].String()
	}
	return p.Document.Where()
}

// Property types without goformation's UnmarshalJSON (which wants the
// whole resource and refuses properties it does not know).
type (
	roleProps  iam.Role
	userProps  iam.User
	groupProps iam.Group
)

// entity is a role, user or group as the stack leaves it.
type entity struct {
	kind, name, path string
	trust            *snapshot.Document
	boundary         string
	inline           []snapshot.InlinePolicy
	managed          []string
	groups           []string
	tags             []snapshot.Tag
	source           string
	base             bool // in the environment, not defined by the template
}

type reader struct {
	*resolver
	env     *snapshot.Environment
	res     *Result
	ents    map[string]*entity // "role/NAME"
	order   []string
	lambda  map[string]*lambdaPolicy
	lambdaK []string
}

// Apply lays the resources of t over env. Call env.Finish afterwards
// (LoadFiles does).
func Apply(env *snapshot.Environment, t *Template, opts Options) (*Result, error) {
	acct := opts.Account
	var warnings []string
	if acct == "" {
		switch len(env.Accounts) {
		case 0:
			acct = PlaceholderAccount
			warnings = append(warnings, "no account given (--account): AWS::AccountId stands for "+PlaceholderAccount)
		case 1:
			for id := range env.Accounts {
				acct = id
			}
		default:
			// Laid over several accounts, a placeholder would change none
			// of them: a green result would not be true.
			ids := make([]string, 0, len(env.Accounts))
			for id := range env.Accounts {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			return nil, fmt.Errorf("%s: the environment holds several accounts (%s): give the template's account (--account, or account: in templates:)", t.File, strings.Join(ids, ", "))
		}
	}
	region := opts.Region
	if region == "" {
		region = PlaceholderRegion
	}
	t.addSAMRoles()
	rs := &resolver{t: t, account: acct, region: region, partition: arn.PartitionOfRegion(region),
		given: opts.Parameters, previous: opts.Previous,
		conds: map[string]*val{}, condBusy: map[string]bool{}, names: map[string]*val{}, nameBusy: map[string]bool{},
		standIns: map[string]string{}, arns: map[string]string{}, arnBusy: map[string]bool{}}
	for name := range opts.Parameters {
		if _, ok := t.Parameters[name]; !ok {
			warnings = append(warnings, "parameter "+name+" is given but the template does not declare it")
		}
	}
	r := &reader{resolver: rs, env: env, res: &Result{Account: acct, Region: region, Warnings: warnings},
		ents: map[string]*entity{}, lambda: map[string]*lambdaPolicy{}}
	for _, x := range t.Transforms {
		if !strings.HasPrefix(x, "AWS::Serverless") {
			r.res.Warnings = append(r.res.Warnings, "transform "+x+" is not expanded: what it adds is not read")
		}
	}
	if err := r.apply(); err != nil {
		return nil, err
	}
	r.res.Warnings = append(r.res.Warnings, r.warnings...)
	ids := make([]string, 0, len(r.standIns))
	for id := range r.standIns {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if _, ok := t.byID[id]; ok {
			r.res.StandIns = append(r.res.StandIns, id+": "+r.standIns[id]+"; the logical id stands in for its name")
		}
	}
	sort.Strings(r.res.Unknown)
	return r.res, nil
}

// created resolves a resource's Condition: false when the stack does not
// create it, and the unknown condition when a deploy decides.
func (r *reader) created(res *Resource) (bool, *val, error) {
	if res.Condition == "" {
		return true, nil, nil
	}
	at := nodeAt(res.Line, res.Col)
	c, err := r.condition(at, res.Condition)
	if err != nil {
		return false, nil, err
	}
	if c.k == kUnknown {
		return true, c, nil
	}
	return c.b, nil, nil
}

func (r *reader) apply() error {
	// Entities first, so that the policies attached to them apply on top.
	var rest []*Resource
	for _, res := range r.t.Resources {
		ok, cond, err := r.created(res)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		switch res.Type {
		case "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group":
			if err := r.entity(res, cond); err != nil {
				return err
			}
		case "AWS::Serverless::Function":
			if err := r.function(res, cond); err != nil {
				return err
			}
		default:
			rest = append(rest, res)
		}
	}
	for _, res := range rest {
		_, cond, _ := r.created(res)
		handled, err := r.other(res, cond)
		if err != nil {
			return err
		}
		if !handled {
			r.res.Skipped = append(r.res.Skipped, res.LogicalID+": "+res.Type)
		}
	}
	for _, k := range r.lambdaK {
		if err := r.putLambda(r.lambda[k]); err != nil {
			return err
		}
	}
	for _, k := range r.order {
		r.put(r.ents[k])
	}
	return nil
}

// props resolves a resource's properties.
func (r *reader) props(res *Resource) (*props, error) {
	p := &props{res: res, v: &val{k: kMap, line: res.Line, col: res.Col}}
	if res.Properties != nil {
		v, err := r.eval(res.Properties)
		if err != nil {
			return nil, err
		}
		if v.k == kUnknown {
			r.res.Warnings = append(r.res.Warnings, res.LogicalID+": its Properties are known only at deploy ("+v.s+"); it is left out")
			return nil, nil
		}
		if v.k != kMap {
			return nil, r.errf(res.Properties, "resource %s: Properties must be a mapping", res.LogicalID)
		}
		p.v = v
	}
	return p, nil
}

// doc turns a resolved policy property into a document: nil when absent,
// unknown (with the reason) when a deploy decides any of it or the
// resource's condition.
func (r *reader) doc(v *val, cond *val, what, address string, t policy.Type, resourceType string) *snapshot.Document {
	if v == nil || v.k == kNull {
		return nil
	}
	d := &snapshot.Document{Source: r.t.File, Line: v.line, Col: v.col, Name: what + " (" + address + ")"}
	pol := Policy{Document: d, Type: t, ResourceType: resourceType, Address: address}
	switch u := v.unknown(); {
	case cond != nil:
		d.Unknown = "whether " + address + " exists is decided at deploy: " + cond.s
	case u != nil:
		d.Unknown = address + " is known only at deploy: " + u.s
	case v.k == kStr:
		d.JSON, d.Encoding = []byte(v.s), snapshot.EncodingString
	default:
		d.JSON, pol.Lines = render(v, r.t.File)
		d.Encoding, d.Lines = snapshot.EncodingYAML, pol.Lines
		if len(d.JSON) > policy.MaxYAMLDocument {
			d.JSON, d.Lines, pol.Lines = nil, nil, nil
			d.Unknown = fmt.Sprintf("%s: %s is larger than %d bytes once resolved; it is not read", r.t.at(v.line, v.col), address, policy.MaxYAMLDocument)
		}
	}
	if d.Unknown != "" {
		r.res.Unknown = append(r.res.Unknown, d.Unknown)
	}
	r.res.Policies = append(r.res.Policies, pol)
	return d
}

func (r *reader) entityFor(kind, name string) *entity {
	k := kind + "/" + name
	if e := r.ents[k]; e != nil {
		return e
	}
	e := &entity{kind: kind, name: name, base: true}
	r.fromEnvironment(e)
	r.ents[k] = e
	r.order = append(r.order, k)
	return e
}

// fromEnvironment starts an entity the template does not define from the
// environment (a policy the stack attaches to an existing role).
func (r *reader) fromEnvironment(e *entity) {
	x, ok := iac.Lookup(r.env, r.account, e.kind, e.name)
	if !ok {
		return
	}
	e.path, e.trust, e.boundary, e.tags, e.source, e.groups = x.Path, x.Trust, x.Boundary, x.Tags, x.Source, x.Groups
	e.inline, e.managed = x.Inline, x.Managed
}

func (e *entity) addInline(name string, d *snapshot.Document) {
	for i, ip := range e.inline {
		if ip.Name == name {
			e.inline[i].Document = d
			return
		}
	}
	e.inline = append(e.inline, snapshot.InlinePolicy{Name: name, Document: d})
}

func (e *entity) addManaged(a string) {
	for _, m := range e.managed {
		if m == a {
			return
		}
	}
	e.managed = append(e.managed, a)
}

// entity reads an AWS::IAM::Role, User or Group.
func (r *reader) entity(res *Resource, cond *val) error {
	p, err := r.props(res)
	if err != nil || p == nil {
		return err
	}
	nv, err := r.name(res)
	if err != nil {
		return err
	}
	kind := strings.ToLower(strings.TrimPrefix(res.Type, "AWS::IAM::"))
	e := &entity{kind: kind, name: nv.s, source: r.t.at(res.Line, res.Col) + " " + res.LogicalID}
	if why, ok := r.standIns[res.LogicalID]; ok {
		e.source += " (" + why + ")"
	}
	// Decoded with goformation's types; the policies' documents are read
	// from the resolved values, which keep their template positions.
	var fields struct {
		Path, PermissionsBoundary *string
		ManagedPolicyArns, Groups []string
		Policies                  []iam.Role_Policy
	}
	names := []string{"Path", "ManagedPolicyArns"}
	switch kind {
	case "role":
		var x iam.Role
		err = p.decode((*roleProps)(&x), append(names, "PermissionsBoundary")...)
		fields.Path, fields.PermissionsBoundary, fields.ManagedPolicyArns = x.Path, x.PermissionsBoundary, x.ManagedPolicyArns
	case "user":
		var x iam.User
		err = p.decode((*userProps)(&x), append(names, "PermissionsBoundary", "Groups")...)
		fields.Path, fields.PermissionsBoundary, fields.ManagedPolicyArns, fields.Groups = x.Path, x.PermissionsBoundary, x.ManagedPolicyArns, x.Groups
	case "group":
		var x iam.Group
		err = p.decode((*groupProps)(&x), names...)
		fields.Path, fields.ManagedPolicyArns = x.Path, x.ManagedPolicyArns
	}
	if err != nil {
		return r.wrap(err)
	}
	// Policies: entries a deploy decides (an Fn::If on an unknown
	// condition) are unknown inline policies; the others are decoded as
	// goformation's Role_Policy (users' and groups' have the same shape).
	pl := p.field("Policies")
	var known []*val
	var index []int
	kp := &props{res: res}
	if pl != nil && pl.k == kList {
		for i, x := range pl.list {
			if x.k == kUnknown {
				addr := fmt.Sprintf("%s.Policies[%d]", res.LogicalID, i)
				e.addInline("("+addr+")", r.doc(x, cond, "inline policy "+addr, addr, policy.TypeIdentity, ""))
				continue
			}
			known, index = append(known, x), append(index, i)
		}
		kp.v = &val{k: kMap, keys: []string{"Policies"}, vals: []*val{{k: kList, list: known, line: pl.line, col: pl.col}}}
		if err := kp.decode(&struct{ Policies *[]iam.Role_Policy }{&fields.Policies}, "Policies"); err != nil {
			return r.wrap(err)
		}
	}
	policies := fields.Policies
	if fields.Path != nil {
		e.path = *fields.Path
	}
	if kind == "role" {
		e.trust = r.doc(p.field("AssumeRolePolicyDocument"), cond, "trust policy of role "+e.name, res.LogicalID+".AssumeRolePolicyDocument", policy.TypeTrust, "")
	}
	if kind != "group" {
		if b := p.field("PermissionsBoundary"); b != nil {
			if u := b.unknown(); u != nil {
				e.boundary = r.unknownManaged(res.LogicalID+".PermissionsBoundary", u)
			} else if fields.PermissionsBoundary != nil {
				e.boundary = *fields.PermissionsBoundary
			}
		}
		e.tags = r.tags(p.field("Tags"))
	}
	for _, g := range fields.Groups {
		if u, ok := p.isUnknown(g); ok {
			r.res.Warnings = append(r.res.Warnings, res.LogicalID+": a group is known only at deploy ("+u.s+"); that membership is left out")
			continue
		}
		e.groups = append(e.groups, g)
	}
	if m := p.field("ManagedPolicyArns"); m != nil {
		r.managedList(e, m, res.LogicalID+".ManagedPolicyArns", cond)
	}
	if pl != nil && pl.k == kUnknown {
		e.addInline("("+res.LogicalID+".Policies)", r.doc(pl, cond, "inline policies of "+kind+" "+e.name, res.LogicalID+".Policies", policy.TypeIdentity, ""))
	} else {
		for i, ip := range policies {
			name := ip.PolicyName
			if u, ok := kp.isUnknown(name); ok {
				name = "(" + u.s + ")"
			}
			addr := fmt.Sprintf("%s.Policies[%d].PolicyDocument", res.LogicalID, index[i])
			e.addInline(name, r.doc(known[i].get("PolicyDocument"), cond, "inline policy "+name+" of "+kind+" "+e.name, addr, policy.TypeIdentity, ""))
		}
	}
	k := kind + "/" + e.name
	if _, ok := r.ents[k]; !ok {
		r.order = append(r.order, k)
	}
	r.ents[k] = e
	r.res.Applied++
	return nil
}

func (r *reader) wrap(err error) error {
	if strings.HasPrefix(err.Error(), r.t.File+":") {
		return err
	}
	return fmt.Errorf("%s:%w", r.t.File, err)
}

// managedList attaches the managed policies of a ManagedPolicyArns list;
// an unknown entry is an identity policy that exists and is not known.
func (r *reader) managedList(e *entity, m *val, address string, cond *val) {
	items := []*val{m}
	if m.k == kList {
		items = m.list
	}
	for i, x := range items {
		s, ok := x.str()
		switch {
		case x.k == kUnknown || !ok:
			u := x.unknown()
			if u == nil {
				u = x
			}
			addr := fmt.Sprintf("%s[%d]", address, i)
			d := &snapshot.Document{Source: r.t.File, Line: x.line, Col: x.col, Name: "managed policy attached by " + addr,
				Unknown: addr + " is known only at deploy: " + u.s}
			r.res.Unknown = append(r.res.Unknown, d.Unknown)
			e.addInline("("+addr+")", d)
		case cond != nil:
			d := &snapshot.Document{Source: r.t.File, Line: x.line, Col: x.col, Name: "managed policy " + s,
				Unknown: "whether " + address + " attaches " + s + " is decided at deploy: " + cond.s}
			r.res.Unknown = append(r.res.Unknown, d.Unknown)
			e.addInline("("+s+")", d)
		default:
			e.addManaged(s)
		}
	}
}

// unknownManaged keeps a permissions boundary a deploy decides as an
// unknown managed policy named for its address.
func (r *reader) unknownManaged(address string, u *val) string {
	a := "arn:" + r.partition + ":iam::" + r.account + ":policy/iamwhy-unknown/" + strings.ReplaceAll(address, "/", "_")
	d := &snapshot.Document{Source: r.t.File, Line: u.line, Col: u.col, Name: "permissions boundary " + address, Unknown: address + " is known only at deploy: " + u.s}
	r.res.Unknown = append(r.res.Unknown, d.Unknown)
	r.env.PutManagedPolicy(r.account, &snapshot.ManagedPolicy{ARN: a, Name: address, Path: "/iamwhy-unknown/", Document: d, Source: r.t.at(u.line, u.col)})
	return a
}

func (r *reader) tags(v *val) []snapshot.Tag {
	if v == nil || v.k != kList {
		return nil
	}
	var out []snapshot.Tag
	for _, x := range v.list {
		k, ok1 := x.get("Key").str()
		val, ok2 := x.get("Value").str()
		if ok1 && ok2 {
			out = append(out, snapshot.Tag{Key: k, Value: val})
		}
	}
	return out
}

// put writes an entity into the environment.
func (r *reader) put(e *entity) {
	if e.base && e.source == "" {
		r.res.Warnings = append(r.res.Warnings, fmt.Sprintf("%s %s has policies in the template but is neither created by it nor in the environment; it is left out", e.kind, e.name))
		return
	}
	path := e.path
	if path == "" {
		path = "/"
	}
	a := "arn:" + r.partition + ":iam::" + r.account + ":" + e.kind + path + e.name
	var managed []snapshot.AttachedManagedPolicy
	for _, m := range e.managed {
		managed = append(managed, snapshot.AttachedManagedPolicy{Name: lastPart(m), ARN: m})
	}
	switch e.kind {
	case "role":
		r.env.PutRole(&snapshot.Role{Account: r.account, ARN: a, Path: path, Name: e.name, Trust: e.trust,
			InlinePolicies: e.inline, ManagedPolicies: managed, BoundaryARN: e.boundary, Tags: e.tags, Source: e.source})
	case "user":
		r.env.PutUser(&snapshot.User{Account: r.account, ARN: a, Path: path, Name: e.name, Groups: e.groups,
			InlinePolicies: e.inline, ManagedPolicies: managed, BoundaryARN: e.boundary, Tags: e.tags, Source: e.source})
	case "group":
		r.env.PutGroup(&snapshot.Group{Account: r.account, ARN: a, Path: path, Name: e.name,
			InlinePolicies: e.inline, ManagedPolicies: managed, Source: e.source})
	}
}

func lastPart(s string) string {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}
