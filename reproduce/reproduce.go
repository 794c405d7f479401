// Package reproduce turns a denied call into the shell commands that make
// it again, safely, as the same identity: the troubleshooting guides'
// "reproduce it with an assumed role" step, done for the user.
//
// The identity is the one AWS decided for: a role session's role (assumed
// again with a session of its own, never the original session's
// credentials), or the IAM user (whose credentials the user supplies). The
// call is the AWS CLI command of the event's operation with the parameters
// the record carries, in the event's Region, with --dry-run where the API
// has one. A call that is not read-only (by the action's access level in
// the service reference) is marked so, and the plan says not to run it
// outside a test account.
package reproduce

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/internal/lazyre"
	"github.com/iamwhy/iamwhy/trail"
)

// Call is the AWS CLI command that makes the request again.
type Call struct {
	// Service and Operation are the AWS CLI's names (s3api, get-object).
	Service   string `json:"service"`
	Operation string `json:"operation"`
	// Args are the command's arguments after the operation, each a
	// separate word (not shell-quoted).
	Args []string `json:"args"`
	// Action is the IAM action the call needs, and AccessLevel its level
	// in the service reference (Read, List, Write, ...).
	Action      string `json:"action"`
	AccessLevel string `json:"access_level"`
	// ReadOnly is true for List and Read actions.
	ReadOnly bool `json:"read_only"`
	// DryRun is true when the command asks the API only to check
	// permissions (EC2's --dry-run).
	DryRun bool `json:"dry_run"`
}

// Plan is the reproduction of one denied call.
type Plan struct {
	// Principal is the identity the call was denied for; Role is the role
	// to assume (null for an IAM user or root).
	Principal string  `json:"principal"`
	Role      *string `json:"role"`
	Region    string  `json:"region"`
	Call      Call    `json:"call"`
	// API is the same call as the SDK makes it (what --run performs).
	API API `json:"api"`
	// Commands are the shell lines, in order.
	Commands []string `json:"commands"`
	// Notes say what could not be rebuilt and what to watch.
	Notes []string `json:"notes"`
}

// FromRecord builds the plan for a CloudTrail record.
func FromRecord(rec *trail.Record, cat *catalog.Catalog) (*Plan, error) {
	if cat == nil {
		cat = catalog.Default()
	}
	if rec.EventSource == "" || rec.EventName == "" {
		return nil, fmt.Errorf("the record names no eventSource and eventName")
	}
	p := &Plan{Region: rec.AWSRegion, Notes: []string{}}
	p.Principal = rec.UserIdentity.ARN
	switch rec.UserIdentity.Type {
	case "AssumedRole":
		if r := rec.UserIdentity.SessionContext.SessionIssuer.ARN; r != "" {
			p.Role = &r
		} else if r, ok := arn.SessionRoleARN(rec.UserIdentity.ARN); ok {
			p.Role = &r
			p.Notes = append(p.Notes, "the role's path is not in the session ARN: check the role ARN ("+r+")")
		}
	case "Root":
		p.Notes = append(p.Notes, "the call was made as the account's root user: reproduce it as root only if you must; prefer a role with the same permissions")
	case "AWSService":
		p.Notes = append(p.Notes, "the call was made by an AWS service ("+rec.UserIdentity.InvokedBy+"): it cannot be reproduced with your credentials")
	}
	actions, _ := cat.EventActions(rec.EventSource, rec.EventName)
	service := strings.TrimSuffix(rec.EventSource, ".amazonaws.com")
	c := Call{Service: cliService(service), Operation: kebab(stripVersion(rec.EventName))}
	if len(actions) > 0 {
		c.Action = actions[0]
		if a, ok := cat.Action(c.Action); ok {
			c.AccessLevel = a.Access.String()
			c.ReadOnly = a.Access == catalog.AccessRead || a.Access == catalog.AccessList
		}
	} else {
		p.Notes = append(p.Notes, fmt.Sprintf("the service reference maps %s %s to no action: its access level is unknown, so it is treated as a write", rec.EventSource, rec.EventName))
	}
	args, notes := parameters(service, rec.RequestParameters)
	p.API = apiFromRecord(service, stripVersion(rec.EventName), rec.RequestParameters)
	c.Args = args
	p.Notes = append(p.Notes, notes...)
	if service == "ec2" {
		// EC2 checks the permissions and stops: DryRunOperation when it
		// would be allowed, UnauthorizedOperation when not.
		// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/CommonParameters.html
		c.Args = append(c.Args, "--dry-run")
		c.DryRun = true
	}
	if c.Service == "s3api" && (c.Operation == "get-object" || c.Operation == "get-object-torrent") {
		c.Args = append(c.Args, "/dev/null")
	}
	if p.Region != "" {
		c.Args = append(c.Args, "--region", p.Region)
	}
	p.Call = c
	p.Commands = commands(p)
	return p, nil
}

// commands writes the shell lines: assume the role, export its temporary
// credentials, make the call.
func commands(p *Plan) []string {
	var out []string
	if p.Role != nil {
		out = append(out,
			"# Assume the role the denied session belonged to (your credentials must be allowed to).",
			"creds=$(aws sts assume-role --role-arn "+shellQuote(*p.Role)+" --role-session-name iamwhy-reproduce --query Credentials --output json)",
			`export AWS_ACCESS_KEY_ID=$(printf '%s' "$creds" | jq -r .AccessKeyId)`,
			`export AWS_SECRET_ACCESS_KEY=$(printf '%s' "$creds" | jq -r .SecretAccessKey)`,
			`export AWS_SESSION_TOKEN=$(printf '%s' "$creds" | jq -r .SessionToken)`,
			"aws sts get-caller-identity   # should name the role, with session iamwhy-reproduce")
	} else if strings.Contains(p.Principal, ":user/") {
		out = append(out, "# Use the credentials of "+p.Principal+" (a profile of that user: export AWS_PROFILE=...).",
			"aws sts get-caller-identity   # should name "+p.Principal)
	}
	switch {
	case p.Call.DryRun:
		out = append(out, "# --dry-run: EC2 checks the permissions only (DryRunOperation means allowed, UnauthorizedOperation denied).")
	case !p.Call.ReadOnly:
		out = append(out, "# NOT read-only ("+orUnknown(p.Call.AccessLevel)+"): this call changes things; run it only in a test account.")
	}
	words := append([]string{"aws", p.Call.Service, p.Call.Operation}, p.Call.Args...)
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = shellQuote(w)
	}
	out = append(out, strings.Join(quoted, " "))
	return out
}

func orUnknown(s string) string {
	if s == "" {
		return "access level unknown"
	}
	return s
}

// cliService is the AWS CLI's command for a service's endpoint prefix.
func cliService(prefix string) string {
	if s, ok := map[string]string{
		"s3": "s3api", "monitoring": "cloudwatch", "elasticloadbalancing": "elbv2", "email": "ses",
		"states": "stepfunctions", "execute-api": "apigateway", "es": "es", "iam": "iam",
	}[prefix]; ok {
		return s
	}
	return prefix
}

var versionSuffix = lazyre.New(`\d{8}(v\d+)?$`)

// stripVersion drops the API version some services append to event names
// (Lambda's GetFunction20150331v2).
func stripVersion(name string) string { return versionSuffix().ReplaceAllString(name, "") }

// kebab turns an operation or parameter name into the AWS CLI's spelling:
// GetObject -> get-object, DescribeDBInstances -> describe-db-instances,
// ListObjectsV2 -> list-objects-v2, bucketName -> bucket-name.
func kebab(s string) string {
	var b strings.Builder
	r := []rune(s)
	for i, c := range r {
		upper := c >= 'A' && c <= 'Z'
		if upper && i > 0 {
			prevLower := r[i-1] >= 'a' && r[i-1] <= 'z' || r[i-1] >= '0' && r[i-1] <= '9'
			nextLower := i+1 < len(r) && r[i+1] >= 'a' && r[i+1] <= 'z'
			prevUpper := r[i-1] >= 'A' && r[i-1] <= 'Z'
			if prevLower || (prevUpper && nextLower) {
				b.WriteByte('-')
			}
		}
		if upper {
			c += 'a' - 'A'
		}
		b.WriteRune(c)
	}
	return b.String()
}

// s3Params are the S3 request parameters that have CLI options; the rest
// (Host, x-id, acl sub-resources) are how the REST call was addressed.
var s3Params = map[string]string{"bucketName": "--bucket", "key": "--key", "prefix": "--prefix", "versionId": "--version-id",
	"delimiter": "--delimiter", "max-keys": "--max-keys", "continuation-token": "--continuation-token", "uploadId": "--upload-id"}

// parameters rebuilds the CLI options from requestParameters.
func parameters(service string, raw json.RawMessage) (args, notes []string) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var params map[string]json.RawMessage
	if err := json.Unmarshal(raw, &params); err != nil {
		return nil, []string{"requestParameters is not an object: no parameters rebuilt"}
	}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := params[k]
		if service == "s3" {
			if opt, ok := s3Params[k]; ok {
				args = append(args, opt, scalar(v))
			}
			continue
		}
		if service == "ec2" && strings.HasSuffix(k, "Set") {
			if ids := setItems(v); len(ids) > 0 {
				name := strings.TrimSuffix(k, "Set")
				args = append(args, "--"+kebab(strings.TrimSuffix(name, "s"))+"-ids")
				args = append(args, ids...)
				continue
			}
			notes = append(notes, fmt.Sprintf("the parameter %s was not rebuilt (a set the CLI writes differently): add it by hand", k))
			continue
		}
		args = append(args, "--"+kebab(k), scalar(v))
	}
	return args, notes
}

// scalar is a parameter value as one CLI word: a string as is, anything
// else as its JSON.
func scalar(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	return string(v)
}

// setItems reads EC2's {"items": [{"instanceId": "i-1"}]} shape.
func setItems(v json.RawMessage) []string {
	var set struct {
		Items []map[string]json.RawMessage `json:"items"`
	}
	if json.Unmarshal(v, &set) != nil {
		return nil
	}
	var out []string
	for _, it := range set.Items {
		if len(it) != 1 {
			return nil
		}
		for _, val := range it {
			out = append(out, scalar(val))
		}
	}
	return out
}

// shellQuote quotes a word for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@%+,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// FromRequest builds the plan from what an access-denied message says: the
// caller, the action and the resource. A message carries no parameters
// beyond the resource and no Region, so the plan says what to add.
func FromRequest(principal, action, resource string, cat *catalog.Catalog) (*Plan, error) {
	if cat == nil {
		cat = catalog.Default()
	}
	a, ok := cat.Action(action)
	if !ok {
		return nil, fmt.Errorf("%s is not an action of the service reference", action)
	}
	p := &Plan{Principal: principal, Notes: []string{"the message names no Region: add --region with the Region of the failing call"}}
	if role, ok := arn.SessionRoleARN(principal); ok && strings.Contains(principal, ":assumed-role/") {
		p.Role = &role
		p.Notes = append(p.Notes, "the role's path is not in the session ARN: check the role ARN ("+role+")")
	} else if arn.PrincipalKindOf(principal) == arn.PrincipalRole {
		// A role itself: assumed as it is.
		p.Role = &principal
	}
	c := Call{Service: cliService(a.Service.Prefix), Operation: kebab(a.Name()), Action: a.FullName, AccessLevel: a.Access.String(),
		ReadOnly: a.Access == catalog.AccessRead || a.Access == catalog.AccessList}
	api, apiNotes := apiFromRequest(a.FullName, a.Service.Prefix, a.Name(), resource)
	p.API = api
	if op, ok := requestOperations[a.FullName]; ok {
		c.Operation = kebab(op)
	}
	if r, ok := arn.Parse(resource); ok && r.Region != "" {
		// A regional resource is called in its own Region.
		p.Region = r.Region
		p.Notes = p.Notes[1:]
	}
	if bucket, isObject, ok := arn.S3Bucket(resource); ok && a.Service.Prefix == "s3" {
		c.Args = append(c.Args, "--bucket", bucket)
		if isObject {
			c.Args = append(c.Args, "--key", resource[strings.Index(resource, bucket)+len(bucket)+1:])
		}
		if c.Operation == "get-object" {
			c.Args = append(c.Args, "/dev/null")
		}
	} else {
		for _, n := range apiNotes {
			p.Notes = append(p.Notes, n+" (aws "+c.Service+" "+c.Operation+" help)")
		}
		c.Args = append(c.Args, cliArgs(api.Parameters)...)
	}
	if a.Service.Prefix == "ec2" {
		c.Args = append(c.Args, "--dry-run")
		c.DryRun = true
	}
	if p.Region != "" {
		c.Args = append(c.Args, "--region", p.Region)
	}
	p.Call = c
	p.Commands = commands(p)
	return p, nil
}

// WithRole replaces the role the plan assumes (the role's real ARN, with
// its path, from an environment).
func (p *Plan) WithRole(role string) {
	p.Role = &role
	kept := p.Notes[:0]
	for _, n := range p.Notes {
		if !strings.HasPrefix(n, "the role's path is not in the session ARN") {
			kept = append(kept, n)
		}
	}
	p.Notes = kept
	p.Commands = commands(p)
}
