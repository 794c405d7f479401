package invoke

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/google/jsonschema-go/jsonschema"
)

// Tool is one question: what clients are told of it, and how its
// arguments become a command line.
type Tool struct {
	// Name is the tool's name (explain, who_can, trail_denied, ...).
	Name string
	// Title and Description say what it answers, for people and agents.
	Title, Description string
	// Schema is the JSON Schema of its arguments, an object.
	Schema *jsonschema.Schema

	resolved *jsonschema.Resolved
	// schema builds Schema and resolved (see prepareTools).
	schema func() (*jsonschema.Schema, *jsonschema.Resolved)
	// build decodes the arguments and fills the call's command line.
	build func(c *call, raw json.RawMessage) error
}

// prepareTools builds every tool's schema, once, when a tool is first
// asked for: building them when the package is initialised cost every
// iamwhy command some milliseconds of start-up, and only mcp and serve use
// them.
var prepareTools = sync.OnceFunc(func() {
	for _, t := range tools {
		t.Schema, t.resolved = t.schema()
	}
})

// define makes a Tool whose arguments are the JSON object In describes.
func define[In any](name, title, description string, build func(c *call, in *In) error) *Tool {
	return &Tool{
		Name: name, Title: title, Description: description,
		schema: func() (*jsonschema.Schema, *jsonschema.Resolved) {
			schema, err := jsonschema.For[In](schemaOptions)
			if err != nil {
				panic(fmt.Sprintf("invoke: tool %s: %v", name, err)) // a programming error, caught by every test
			}
			resolved, err := schema.Resolve(nil)
			if err != nil {
				panic(fmt.Sprintf("invoke: tool %s: %v", name, err))
			}
			return schema, resolved
		},
		build: func(c *call, raw json.RawMessage) error {
			in := new(In)
			if len(bytes.TrimSpace(raw)) > 0 {
				dec := json.NewDecoder(bytes.NewReader(raw))
				dec.DisallowUnknownFields()
				if err := dec.Decode(in); err != nil {
					return err
				}
			}
			return build(c, in)
		},
	}
}

// The arguments of each tool.
type (
	explainArgs struct {
		Message string `json:"message" jsonschema:"the access-denied error as pasted: CLI or SDK error text, a JSON or XML error body, or a CloudTrail record"`
	}
	diagnoseArgs struct {
		Message   string                  `json:"message,omitempty" jsonschema:"an access-denied error message to replay"`
		Event     any                     `json:"event,omitempty" jsonschema:"a CloudTrail record (a JSON object, or its text) to replay"`
		Principal string                  `json:"principal,omitempty" jsonschema:"the caller's ARN, for an explicit request or when the input does not name it"`
		Action    string                  `json:"action,omitempty" jsonschema:"the action, e.g. s3:GetObject"`
		Resource  string                  `json:"resource,omitempty" jsonschema:"the resource ARN"`
		Context   map[string]contextValue `json:"context,omitempty" jsonschema:"request context keys and values, e.g. {\"aws:RequestedRegion\": \"eu-west-1\"}"`
	}
	policiesArgs struct {
		Identity          []any   `json:"identity,omitempty" jsonschema:"identity-based policies (managed and inline)"`
		Resource          any     `json:"resource,omitempty" jsonschema:"the resource-based policy of the resource"`
		Boundary          any     `json:"boundary,omitempty" jsonschema:"the permissions boundary"`
		Session           []any   `json:"session,omitempty" jsonschema:"session policies"`
		SCP               [][]any `json:"scp,omitempty" jsonschema:"SCPs, one list per organisation level, root first"`
		RCP               [][]any `json:"rcp,omitempty" jsonschema:"customer RCPs, one list per organisation level, root first"`
		VPCEndpoint       any     `json:"vpc_endpoint,omitempty" jsonschema:"the policy of the VPC endpoint the request went through"`
		ManagementAccount string  `json:"management_account,omitempty" jsonschema:"the organisation's management account"`
	}
	simulateArgs struct {
		Principal string                  `json:"principal" jsonschema:"the caller's ARN"`
		Action    string                  `json:"action" jsonschema:"the action, e.g. s3:GetObject"`
		Resource  string                  `json:"resource,omitempty" jsonschema:"the resource ARN (default *)"`
		Context   map[string]contextValue `json:"context,omitempty" jsonschema:"request context keys and values"`
		Policies  *policiesArgs           `json:"policies,omitempty" jsonschema:"the policies of each layer; without them the server's environment gives every layer"`
	}
	whoCanArgs struct {
		Action   string                  `json:"action" jsonschema:"the action, e.g. s3:GetObject"`
		Resource string                  `json:"resource" jsonschema:"the resource ARN"`
		Context  map[string]contextValue `json:"context,omitempty" jsonschema:"request context keys and values"`
	}
	canArgs struct {
		Principal string   `json:"principal" jsonschema:"the principal's ARN in the environment"`
		Services  []string `json:"services,omitempty" jsonschema:"service prefixes to consider, e.g. [\"s3\"] (default every service)"`
		Resource  string   `json:"resource,omitempty" jsonschema:"decide on this resource only"`
	}
	lintArgs struct {
		Policy     any    `json:"policy" jsonschema:"the policy document (a JSON object, or its JSON text)"`
		PolicyType string `json:"policy_type,omitempty" jsonschema:"identity, resource, boundary, session, scp, rcp, trust or vpc_endpoint (default identity)"`
	}
	trailDeniedArgs struct{}
	generateArgs    struct {
		Principal      string `json:"principal" jsonschema:"a role ARN (all its sessions), an IAM user ARN or a session ARN"`
		IncludeDenied  bool   `json:"include_denied,omitempty" jsonschema:"also grant the principal's access-denied calls"`
		AllowWildcards bool   `json:"allow_wildcards,omitempty" jsonschema:"write service:Verb* where every action it matches is granted anyway"`
		GroupResources bool   `json:"group_resources,omitempty" jsonschema:"group a statement's ARNs into their longest common prefix plus *"`
	}
	unusedArgs struct {
		Principal string `json:"principal,omitempty" jsonschema:"only this user or role ARN (default every user and role of the environment)"`
		Since     string `json:"since,omitempty" jsonschema:"only calls at or after this time (RFC 3339, YYYY-MM-DD, or a duration ago such as 90d)"`
		Until     string `json:"until,omitempty" jsonschema:"only calls before this time (same forms as since)"`
	}
	driftArgs struct {
		Region   string `json:"region,omitempty" jsonschema:"aws:RequestedRegion for requests on resources whose ARN names no region (default us-east-1)"`
		OwnerTag string `json:"owner_tag,omitempty" jsonschema:"the tag whose value names a principal's owner (default owner)"`
	}
	trustArgs struct {
		Account      string `json:"account,omitempty" jsonschema:"only edges into or out of this account"`
		Principal    string `json:"principal,omitempty" jsonschema:"only edges from or to this principal"`
		ExternalOnly bool   `json:"external_only,omitempty" jsonschema:"only edges from outside the organisation"`
		Depth        int    `json:"depth,omitempty" jsonschema:"how long a role chain to follow (default 3)"`
	}
	accessDiffArgs struct {
		Old        any    `json:"old" jsonschema:"the policy as it is (a JSON object, or its JSON text)"`
		New        any    `json:"new" jsonschema:"the policy as proposed"`
		PolicyType string `json:"policy_type,omitempty" jsonschema:"identity, resource, scp, ... (default identity)"`
	}
)

// policyTypes are the values lint and access-diff take.
var policyTypes = map[string]bool{
	"identity": true, "resource": true, "boundary": true, "session": true,
	"scp": true, "rcp": true, "trust": true, "vpc_endpoint": true,
}

// tools are every tool, in the order they are listed.
var tools = []*Tool{
	define("explain", "Explain an access-denied error",
		"Reads an AWS access-denied error as pasted and tells what it says: principal, action, resource, "+
			"deny kind, policy type, and the next checks. Returns `iamwhy explain --output json`.",
		func(c *call, in *explainArgs) error {
			if err := required("message", in.Message); err != nil {
				return err
			}
			c.args = []string{"explain", "--output", "json", "-"}
			c.stdin = []byte(in.Message)
			return nil
		}),
	define("diagnose", "Diagnose a denial against the environment",
		"Replays a denied request (an error message, a CloudTrail record, or principal/action/resource) in the "+
			"server's environment and names the root cause (layer, policy, statement, condition) with fixes "+
			"proven by re-simulation. Returns `iamwhy diagnose --output json`.",
		func(c *call, in *diagnoseArgs) error {
			if err := c.needEnv(); err != nil {
				return err
			}
			c.args = append([]string{"diagnose", "--output", "json"}, c.cfg.EnvArgs...)
			given := 0
			if in.Message != "" {
				given++
			}
			if in.Event != nil {
				given++
			}
			if in.Principal != "" && in.Message == "" && in.Event == nil {
				given++
			}
			if given != 1 {
				return fmt.Errorf("give one of message, event, or principal with action and resource")
			}
			for _, f := range []struct{ flag, v string }{{"--principal", in.Principal}, {"--action", in.Action}, {"--resource", in.Resource}} {
				if f.v != "" {
					c.args = append(c.args, f.flag, f.v)
				}
			}
			ctxArgs, err := contextArgs(in.Context)
			if err != nil {
				return err
			}
			c.args = append(c.args, ctxArgs...)
			switch {
			case in.Event != nil:
				ev, err := jsonObject("event", "CloudTrail record", in.Event)
				if err != nil {
					return err
				}
				p, err := c.file("event.json", ev)
				if err != nil {
					return err
				}
				c.args = append(c.args, "--event", p)
			case in.Message != "":
				c.args = append(c.args, "-")
				c.stdin = []byte(in.Message)
			default:
				if in.Action == "" {
					return fmt.Errorf("action is required with principal")
				}
			}
			return nil
		}),
	define("simulate", "Simulate one request",
		"Decides one request through every policy layer (identity, resource, boundary, session, SCP, RCP, VPC "+
			"endpoint), from the given policies or from the server's environment, with the deciding statement and "+
			"the near misses. Returns `iamwhy simulate --output json`.",
		func(c *call, in *simulateArgs) error {
			if err := required("principal", in.Principal); err != nil {
				return err
			}
			if err := required("action", in.Action); err != nil {
				return err
			}
			c.args = []string{"simulate", "--output", "json", "--principal", in.Principal, "--action", in.Action}
			if in.Resource != "" {
				c.args = append(c.args, "--resource", in.Resource)
			}
			ctxArgs, err := contextArgs(in.Context)
			if err != nil {
				return err
			}
			c.args = append(c.args, ctxArgs...)
			if in.Policies == nil {
				if err := c.needEnv(); err != nil {
					return fmt.Errorf("%v, or give policies", err)
				}
				c.args = append(c.args, c.cfg.EnvArgs...)
				return nil
			}
			return c.policyFlags(in.Policies)
		}),
	define("who_can", "Who can perform an action on a resource",
		"Lists the principals of the server's environment allowed the action on the resource, and those allowed "+
			"only if conditions hold. Returns `iamwhy who-can --output json`.",
		func(c *call, in *whoCanArgs) error {
			if err := c.needEnv(); err != nil {
				return err
			}
			if err := required("action", in.Action); err != nil {
				return err
			}
			if err := required("resource", in.Resource); err != nil {
				return err
			}
			c.args = append([]string{"who-can", "--output", "json"}, c.cfg.EnvArgs...)
			ctxArgs, err := contextArgs(in.Context)
			if err != nil {
				return err
			}
			c.args = append(append(c.args, ctxArgs...), "--", in.Action, in.Resource)
			return nil
		}),
	define("can", "What a principal can do",
		"Effective permissions of a principal of the server's environment, by service and access level. "+
			"Returns `iamwhy can --output json`.",
		func(c *call, in *canArgs) error {
			if err := c.needEnv(); err != nil {
				return err
			}
			if err := required("principal", in.Principal); err != nil {
				return err
			}
			c.args = append([]string{"can", "--output", "json"}, c.cfg.EnvArgs...)
			for _, s := range in.Services {
				if s == "" || strings.ContainsAny(s, ", ") {
					return fmt.Errorf("services: %q is not a service prefix", s)
				}
				c.args = append(c.args, "--service", s)
			}
			if in.Resource != "" {
				c.args = append(c.args, "--resource", in.Resource)
			}
			c.args = append(c.args, "--", in.Principal)
			return nil
		}),
	define("lint", "Lint a policy",
		"Validates a policy document the way IAM Access Analyzer's validate-policy does, offline: errors, "+
			"security warnings, warnings and suggestions. Returns `iamwhy lint --output json`.",
		func(c *call, in *lintArgs) error {
			doc, err := document("policy", in.Policy)
			if err != nil {
				return err
			}
			t, err := policyType(in.PolicyType)
			if err != nil {
				return err
			}
			// Every finding is returned; the exit status of --fail-on does
			// not turn findings into an error.
			c.args = []string{"lint", "--output", "json", "--policy-type", t, "-"}
			c.stdin = doc
			return nil
		}),
	define("trail_denied", "Denials in the loaded trail",
		"Every access-denied event of the server's CloudTrail input, grouped by principal, action, resource and "+
			"what the message says. Returns `iamwhy trail denied --output json`.",
		func(c *call, _ *trailDeniedArgs) error {
			if err := c.needTrail(); err != nil {
				return err
			}
			c.args = append([]string{"trail", "denied", "--output", "json", "--"}, c.cfg.Trails...)
			return nil
		}),
	define("generate", "Least-privilege policy from CloudTrail",
		"Generates the policy that allows exactly what the principal did in the server's CloudTrail input, "+
			"verified by replay. Returns `iamwhy generate --output json`; a principal with no counted call "+
			"(none in the trail, or only denied calls without include_denied) is an error saying how much was read.",
		func(c *call, in *generateArgs) error {
			if err := c.needTrail(); err != nil {
				return err
			}
			if err := required("principal", in.Principal); err != nil {
				return err
			}
			// With an environment the policy is also verified under the
			// principal's boundary, SCPs, RCPs and resource policies.
			c.args = append([]string{"generate", "--output", "json", "--principal", in.Principal}, c.cfg.EnvArgs...)
			for _, f := range []struct {
				flag string
				on   bool
			}{{"--include-denied", in.IncludeDenied}, {"--allow-wildcards", in.AllowWildcards}, {"--group-resources", in.GroupResources}} {
				if f.on {
					c.args = append(c.args, f.flag)
				}
			}
			c.args = append(append(c.args, "--"), c.cfg.Trails...)
			return nil
		}),
	define("unused", "Granted but unused permissions",
		"For each user and role of the server's environment, every action its identity policies grant, as used, "+
			"unused or unknown (with the reason) in the server's CloudTrail input, and a removal proposal per "+
			"policy verified by re-simulation. Returns `iamwhy unused --output json`.",
		func(c *call, in *unusedArgs) error {
			if err := c.needEnv(); err != nil {
				return err
			}
			if err := c.needTrail(); err != nil {
				return err
			}
			c.args = append([]string{"unused", "--output", "json", "--no-progress"}, c.cfg.EnvArgs...)
			for _, f := range []struct{ flag, v string }{{"--principal", in.Principal}, {"--since", in.Since}, {"--until", in.Until}} {
				if v := strings.TrimSpace(f.v); v != "" {
					c.args = append(c.args, f.flag, v)
				}
			}
			c.args = append(append(c.args, "--"), c.cfg.Trails...)
			return nil
		}),
	define("drift", "Staging against production",
		"Pairs the principals and resources of the server's two environments (after the account and name map) "+
			"and reports what only one side has and every paired request one allows and the other does not, with "+
			"the layer, policy and statement that make the difference. Returns `iamwhy drift --output json`.",
		func(c *call, in *driftArgs) error {
			d := c.cfg.Drift
			if !d.Given() {
				return fmt.Errorf("the server was started without two environments to compare (iamwhy mcp --env A --drift-env B)")
			}
			c.args = []string{"drift", "--output", "json"}
			if d.Map != "" {
				c.args = append(c.args, "--map", d.Map)
			}
			for _, f := range []struct{ flag, v string }{{"--region", in.Region}, {"--owner-tag", in.OwnerTag}} {
				if v := strings.TrimSpace(f.v); v != "" {
					c.args = append(c.args, f.flag, v)
				}
			}
			c.args = append(c.args, "--", d.A, d.B)
			return nil
		}),
	define("trust", "Cross-account trust",
		"Every edge by which a principal of one account, or from outside the organisation, reaches a role or "+
			"resource of another, each re-checked by the engine. Returns `iamwhy trust --output json`.",
		func(c *call, in *trustArgs) error {
			if err := c.needEnv(); err != nil {
				return err
			}
			c.args = append([]string{"trust", "--output", "json"}, c.cfg.EnvArgs...)
			if in.Account != "" {
				c.args = append(c.args, "--account", in.Account)
			}
			if in.Principal != "" {
				c.args = append(c.args, "--principal", in.Principal)
			}
			if in.ExternalOnly {
				c.args = append(c.args, "--external-only")
			}
			if in.Depth < 0 {
				return fmt.Errorf("depth %d: want 1 or more", in.Depth)
			}
			if in.Depth > 0 {
				c.args = append(c.args, "--depth", fmt.Sprint(in.Depth))
			}
			return nil
		}),
	define("access_diff", "New access between two policies",
		"What the new policy allows that the old one does not (and what it no longer allows), offline: the "+
			"question of Access Analyzer's CheckNoNewAccess. Returns `iamwhy access-diff --output json`.",
		func(c *call, in *accessDiffArgs) error {
			t, err := policyType(in.PolicyType)
			if err != nil {
				return err
			}
			c.args = []string{"access-diff", "--output", "json", "--policy-type", t}
			var paths []string
			for _, d := range []struct {
				name string
				v    any
			}{{"old", in.Old}, {"new", in.New}} {
				doc, err := document(d.name, d.v)
				if err != nil {
					return err
				}
				p, err := c.file(d.name+".json", doc)
				if err != nil {
					return err
				}
				paths = append(paths, p)
			}
			c.args = append(append(c.args, "--"), paths...)
			return nil
		}),
}

// needEnv refuses a tool that needs an environment when none was loaded.
func (c *call) needEnv() error {
	if len(c.cfg.EnvArgs) == 0 {
		return fmt.Errorf("the server was started without an environment (iamwhy mcp --env DIR)")
	}
	return nil
}

// needTrail refuses a trail tool when no trail was loaded.
func (c *call) needTrail() error {
	if len(c.cfg.Trails) == 0 {
		return fmt.Errorf("the server was started without a trail (iamwhy mcp --trail PATH)")
	}
	return nil
}

// policyType checks a policy_type argument; empty means identity.
func policyType(t string) (string, error) {
	if t == "" {
		return "identity", nil
	}
	if !policyTypes[t] {
		return "", fmt.Errorf("policy_type %q: want one of identity, resource, boundary, session, scp, rcp, trust, vpc_endpoint", t)
	}
	return t, nil
}

// policyFlags writes each given policy to the call's private directory and
// adds the simulate flag of its layer.
func (c *call) policyFlags(p *policiesArgs) error {
	add := func(flag, name string, v any) error {
		doc, err := document(name, v)
		if err != nil {
			return err
		}
		path, err := c.file(name+".json", doc)
		if err != nil {
			return err
		}
		c.args = append(c.args, flag, "file://"+path)
		return nil
	}
	for i, d := range p.Identity {
		if err := add("--policy", fmt.Sprintf("policies.identity[%d]", i), d); err != nil {
			return err
		}
	}
	for i, d := range p.Session {
		if err := add("--session-policy", fmt.Sprintf("policies.session[%d]", i), d); err != nil {
			return err
		}
	}
	for _, one := range []struct {
		flag, name string
		v          any
	}{{"--resource-policy", "policies.resource", p.Resource}, {"--boundary", "policies.boundary", p.Boundary}, {"--vpc-endpoint-policy", "policies.vpc_endpoint", p.VPCEndpoint}} {
		if one.v != nil {
			if err := add(one.flag, one.name, one.v); err != nil {
				return err
			}
		}
	}
	for _, org := range []struct {
		flag, name string
		levels     [][]any
	}{{"--scp", "scp", p.SCP}, {"--rcp", "rcp", p.RCP}} {
		for li, level := range org.levels {
			var paths []string
			for i, d := range level {
				name := fmt.Sprintf("policies.%s[%d][%d]", org.name, li, i)
				doc, err := document(name, d)
				if err != nil {
					return err
				}
				path, err := c.file(name+".json", doc)
				if err != nil {
					return err
				}
				paths = append(paths, "file://"+path)
			}
			c.args = append(c.args, org.flag, strings.Join(paths, ","))
		}
	}
	if p.ManagementAccount != "" {
		c.args = append(c.args, "--management-account", p.ManagementAccount)
	}
	return nil
}
