package trail

import (
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/eval"
	"github.com/iamwhy/iamwhy/internal/lazyre"
)

// RequestOptions say how a record becomes engine requests. The func fields
// are seams for the catalog, which trail does not depend on.
type RequestOptions struct {
	// Actions maps an event to the IAM action(s) its call needs
	// (catalog.EventActions); nil means ActionOf.
	Actions func(eventSource, eventName string) []string
	// Resources, when set, picks among the ARNs a record names those
	// each action is authorised on (catalog.ScopeResources): an S3
	// object call is authorised on the object, not on its bucket too,
	// and an action without resource types on "*". Nil keeps every ARN
	// for every action.
	Resources func(action string, arns []string) []string
	// PassRole adds an iam:PassRole request, with iam:PassedToService,
	// for each role the call passes to a service (PassedRoles).
	PassRole bool
	// CreateTags adds an ec2:CreateTags request, with ec2:CreateAction,
	// for each resource an EC2 call tags as it creates it
	// (TaggedAtCreation), and an ecs:TagResource request, with
	// ecs:CreateAction, for a resource an ECS create call tags.
	CreateTags bool
}

// CreateActionKey is the condition key that names the creating call of a
// tag-on-create request of the tagging action: "ec2:CreateAction" for
// ec2:CreateTags, "ecs:CreateAction" for ecs:TagResource.
func CreateActionKey(tagAction string) string {
	svc, _, _ := strings.Cut(tagAction, ":")
	return svc + ":CreateAction"
}

// Replay is a record rebuilt as the requests AWS authorised: one per IAM
// action the call needs and per resource it names.
type Replay struct {
	Requests []*eval.Request
	// RoleARN is, for a role session, the role's ARN as the record gives
	// it (sessionContext.sessionIssuer.arn, path included).
	RoleARN string
	// Unknown lists the context keys a record cannot carry but that
	// policies often test: tags, organisation IDs, the source VPC. A
	// decision that depends on them needs them from elsewhere (an
	// environment, --context).
	Unknown []string
	// Notes say what was assumed in rebuilding the request.
	Notes []string
	// FromResponse says that resources came from the response (the
	// resource a create call made): a cache of rebuilt calls keyed by
	// request must not reuse these requests for another call.
	FromResponse bool
	// Unnamed says why the requests are on "*" when the record named no
	// resource the rebuilding could make an ARN of (one of the Unnamed
	// constants); "" when it named one.
	Unnamed string
	// IDUnknown says that the resources are ARNs of the record's account
	// and Region with "*" for the resource's ID (IDUnknownResources): the
	// call was on a resource of that type there, and the record does not
	// say which.
	IDUnknown bool
}

// Why a record's requests are on "*" (Replay.Unnamed).
const (
	// UnnamedNoParameters: the record carries no request parameters
	// (null, as CloudTrail writes for throttled calls, or left out).
	UnnamedNoParameters = "the record carries no request parameters"
	// UnnamedNoARN: the parameters name no resource whose ARN can be
	// built from the record (none at all, or one named by another ID).
	UnnamedNoARN = "the record names no resource whose ARN can be built from it"
)

// unknownKeys are the global keys a CloudTrail record never carries.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
var unknownKeys = []string{"aws:PrincipalTag/*", "aws:ResourceTag/*", "aws:RequestTag/*", "aws:PrincipalOrgID",
	"aws:PrincipalOrgPaths", "aws:ResourceOrgID", "aws:SourceVpc", "aws:CalledVia", "aws:SourceArn", "aws:SourceAccount"}

// ToReplay rebuilds the requests of a record: the principal (a user, a role
// session and its role, the root user, a service, anonymous), the IAM
// action(s) through opts.Actions, the resource(s) from resources[], the
// request parameters of common services, or the error message, and the
// context keys the record lets us rebuild (aws:CurrentTime,
// aws:EpochTime, aws:SourceIp, aws:RequestedRegion, aws:SourceVpce,
// aws:MultiFactorAuthPresent, aws:TokenIssueTime, aws:PrincipalArn,
// aws:PrincipalAccount, aws:userid, aws:username, aws:SecureTransport,
// aws:UserAgent, aws:ViaAWSService).
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
func ToReplay(r *Record, opts RequestOptions) *Replay {
	rp := &Replay{Unknown: append([]string(nil), unknownKeys...)}
	principal, roleARN := replayPrincipal(r, rp)
	rp.RoleARN = roleARN

	targets, resAccount := replayTargets(r, opts, rp)

	ctx := &eval.Context{}
	set := func(k, v string) {
		if v != "" {
			ctx.Set(k, v)
		}
	}
	if !r.Time.IsZero() {
		set("aws:CurrentTime", r.Time.UTC().Format(time.RFC3339))
		set("aws:EpochTime", strconv.FormatInt(r.Time.Unix(), 10))
	}
	set("aws:RequestedRegion", r.AWSRegion)
	set("aws:UserAgent", r.UserAgent)
	switch {
	case r.VPCEndpointID != "":
		// Requests through a VPC endpoint carry aws:SourceVpce and no
		// aws:SourceIp (the private address is aws:VpcSourceIp).
		set("aws:SourceVpce", r.VPCEndpointID)
		rp.Notes = append(rp.Notes, "the request came through VPC endpoint "+r.VPCEndpointID+": aws:SourceIp is absent; aws:SourceVpc is not in the record")
	case isServiceAddress(r.SourceIPAddress):
		rp.Notes = append(rp.Notes, "sourceIPAddress is "+r.SourceIPAddress+" (an AWS service called on the principal's behalf): aws:SourceIp is the service's address and is not rebuilt")
	default:
		set("aws:SourceIp", r.SourceIPAddress)
	}
	u := &r.UserIdentity
	temporary := strings.HasPrefix(u.AccessKeyID, "ASIA") || u.Type == "AssumedRole" || u.Type == "FederatedUser"
	if temporary {
		// Only temporary credentials carry MFA state and an issue time.
		set("aws:MultiFactorAuthPresent", strings.ToLower(u.SessionContext.MFAAuthenticated))
		if t, err := time.Parse(time.RFC3339, u.SessionContext.CreationDate); err == nil {
			set("aws:TokenIssueTime", t.UTC().Format(time.RFC3339))
		}
	}
	set("aws:userid", u.PrincipalID)
	if u.Type == "IAMUser" {
		set("aws:username", u.UserName)
	}
	if u.AccountID != "" && u.Type != "AWSService" {
		set("aws:PrincipalAccount", u.AccountID)
	}
	if r.TLSDetails != nil && r.TLSDetails.TLSVersion != "" {
		set("aws:SecureTransport", "true")
	} else {
		rp.Unknown = append(rp.Unknown, "aws:SecureTransport")
	}
	if u.InvokedBy != "" {
		set("aws:ViaAWSService", "true")
		rp.Notes = append(rp.Notes, "invoked by "+u.InvokedBy+": aws:ViaAWSService is true, and aws:CalledVia is not in the record")
	}
	sort.Strings(rp.Unknown)

	for _, t := range targets {
		req := &eval.Request{Principal: principal, Action: t.Action, Resource: t.Resource, Context: ctx.Clone()}
		switch {
		case t.passed:
			req.Context.Set("iam:PassedToService", t.PassedTo)
		case t.CreateAction != "":
			req.Context.Set(CreateActionKey(t.Action), t.CreateAction)
		default:
			req.ResourceAccount = resAccount
		}
		req.FillPrincipalContext(roleARN)
		rp.Requests = append(rp.Requests, req)
	}
	return rp
}

// Target is one request a record rebuilds into, without its principal and
// context: an action and the resource it is authorised on.
type Target struct {
	Action   string
	Resource string
	// PassedTo is, for the iam:PassRole request of a role the call passed
	// (RequestOptions.PassRole), the service it was passed to
	// (iam:PassedToService); "" otherwise.
	PassedTo string
	passed   bool
	// CreateAction is, for the tagging request of tags given at creation
	// (RequestOptions.CreateTags), the creating call (the value of
	// CreateActionKey(Action)); "" otherwise.
	CreateAction string
}

// TargetMembers are the record members ReplayTargets reads: a caller that
// reads with Options.Members and names them can rebuild targets without
// Record.DecodeAll.
var TargetMembers = []string{"eventSource", "eventName", "awsRegion", "recipientAccountId", "readOnly",
	"userIdentity.type", "userIdentity.arn", "userIdentity.accountId",
	"requestParameters", "responseElements", "resources", "errorMessage"}

// ReplayTargets returns the action and resource of each request
// ToReplay(r, opts) rebuilds, in the same order, without the cost of
// their principal and context: for callers that keep few requests and
// only need to know which a call makes. fromResponse is
// Replay.FromResponse.
func ReplayTargets(r *Record, opts RequestOptions) (targets []Target, fromResponse bool) {
	var rp Replay
	targets, _ = replayTargets(r, opts, &rp)
	return targets, rp.FromResponse
}

// replayTargets lists the requests' actions (opts.Actions, else ActionOf)
// and resources (scoped per action by opts.Resources), then, with
// opts.CreateTags, one ec2:CreateTags per resource tagged at creation,
// and with opts.PassRole one iam:PassRole per role passed; resAccount is
// the owning account resources[] gives.
func replayTargets(r *Record, opts RequestOptions, rp *Replay) (targets []Target, resAccount string) {
	actions := []string{ActionOf(r)}
	if opts.Actions != nil {
		if a := opts.Actions(r.EventSource, r.EventName); len(a) > 0 {
			actions = a
		}
	}
	resources, resAccount, listed := replayResources(r, rp)
	var alt []string // the parameters' ARNs, when resources[] named the resources
	altDone := false
	for _, a := range actions {
		scoped := resources
		if opts.Resources != nil {
			scoped = opts.Resources(a, resources)
			if len(scoped) == 1 && scoped[0] == "*" && listed {
				// resources[] names none of the action's resources (a log
				// group for logs:CreateLogStream, which is authorised on
				// the log stream): the request parameters may.
				if !altDone {
					altDone = true
					if p := resourceFromParameters(r); p != "" {
						alt = append(alt, p)
					}
					alt = usableARNs(append(alt, resourcesFromParameters(r)...), "request parameters", rp)
				}
				if len(alt) > 0 {
					scoped = opts.Resources(a, alt)
				}
			}
		}
		for _, res := range scoped {
			targets = append(targets, Target{Action: a, Resource: res})
		}
	}
	if opts.CreateTags {
		for _, res := range TaggedAtCreation(r) {
			targets = append(targets, Target{Action: "ec2:CreateTags", Resource: res, CreateAction: r.EventName})
		}
		for _, res := range ecsTaggedAtCreation(r) {
			targets = append(targets, Target{Action: "ecs:TagResource", Resource: res, CreateAction: r.EventName})
		}
	}
	if opts.PassRole {
		for _, pr := range PassedRoles(r) {
			targets = append(targets, Target{Action: "iam:PassRole", Resource: pr.Role, PassedTo: pr.Service, passed: true})
		}
	}
	return targets, resAccount
}

func isServiceAddress(ip string) bool {
	return strings.HasSuffix(ip, ".amazonaws.com") || strings.EqualFold(ip, "AWS Internal")
}

// replayPrincipal names the caller as the engine takes it.
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
func replayPrincipal(r *Record, rp *Replay) (principal, roleARN string) {
	u := &r.UserIdentity
	switch u.Type {
	case "AssumedRole":
		return u.ARN, u.SessionContext.SessionIssuer.ARN
	case "IAMUser", "Root", "FederatedUser", "Role":
		return u.ARN, ""
	case "AWSService":
		return u.InvokedBy, ""
	case "AWSAccount":
		if u.PrincipalID == "ANONYMOUS_PRINCIPAL" || u.AccountID == "anonymous" {
			return "anonymous", ""
		}
		rp.Notes = append(rp.Notes, "the caller is in another account ("+u.AccountID+"); the record does not name which principal, so its account root stands in")
		if u.AccountID != "" {
			return "arn:aws:iam::" + u.AccountID + ":root", ""
		}
	}
	if u.ARN != "" {
		return u.ARN, ""
	}
	rp.Notes = append(rp.Notes, "the record's userIdentity (type "+u.Type+") names no IAM principal")
	return "", ""
}

// unusableARN says why s cannot be a request's resource, or "" when it
// can: it must be an ARN, in one of AWS's partitions, in UTF-8.
// FuzzRowRecord found a record whose "arn:0:0:::0" went into a generated
// policy (lint refuses it), and one whose ARN ended in a byte that is not
// UTF-8: a policy document is JSON, which writes that byte as U+FFFD, so
// the policy would name another resource than the call did.
func unusableARN(s string) string {
	a, ok := arn.Parse(s)
	switch {
	case !ok:
		return "not an ARN"
	case !arn.KnownPartition(a.Partition):
		return "not an ARN of an AWS partition"
	case a.Service != strings.ToLower(a.Service):
		// Service prefixes are lowercase; lint refuses any other
		// (INVALID_ARN_SERVICE_CASE), and no AWS resource has one.
		return "its service is not in lowercase"
	case !utf8.ValidString(s):
		return "not UTF-8"
	}
	return ""
}

// usableARNs keeps the ARNs unusableARN accepts, in order; each other one is
// noted as coming from where and not used. A parameter that holds an ARN
// is passed on as written, so a hand-made record can give any text.
func usableARNs(arns []string, from string, rp *Replay) []string {
	out := arns[:0:0]
	for _, a := range arns {
		why := unusableARN(a)
		if why == "" {
			out = append(out, a)
			continue
		}
		rp.Notes = append(rp.Notes, from+" name "+strconv.Quote(a)+", "+why+": not used")
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// replayResources finds the resource ARNs of a record, and the owning
// account when the record says; listed says they are resources[]'s.
func replayResources(r *Record, rp *Replay) ([]string, string, bool) {
	var out []string
	account := ""
	for _, res := range r.Resources {
		if res.ARN != "" {
			// A resources[] entry that is not an ARN of one of AWS's
			// partitions (a damaged or hand-made record) names nothing
			// a policy can hold: it is noted, not used as a resource.
			if why := unusableARN(res.ARN); why != "" {
				rp.Notes = append(rp.Notes, "resources[] entry "+strconv.Quote(res.ARN)+" is "+why+": not used")
				continue
			}
			out = append(out, res.ARN)
			if account == "" {
				account = res.AccountID
			}
		}
	}
	if len(out) > 0 {
		return out, account, true
	}
	if arn := resourceFromParameters(r); arn != "" && usableARNs([]string{arn}, "request parameters", rp) != nil {
		return []string{arn}, "", false
	}
	// The resource an EC2 create call makes, beside those its
	// parameters name.
	created := ec2Created(r)
	if arns := usableARNs(append(resourcesFromParameters(r), created...), "request parameters", rp); len(arns) > 0 {
		return arns, "", false
	}
	if arns := resourcesFromResponse(r); len(arns) > 0 {
		rp.FromResponse = true
		return arns, "", false
	}
	// The error message may name the resource; an unusable resources[]
	// entry was noted above and is not taken again here.
	if res := ResourceOf(r); res != "" {
		if unusableARN(res) == "" {
			return []string{res}, "", false
		}
	}
	if arns := IDUnknownResources(r); len(arns) > 0 {
		rp.IDUnknown = true
		rp.Notes = append(rp.Notes, "the record names no ID of the resource; the request is replayed on any resource of its type in the record's account and Region")
		return arns, "", false
	}
	rp.Notes = append(rp.Notes, "the record names no resource; the request is replayed on \"*\" (right for actions without resource types)")
	switch {
	case len(r.RequestParameters) == 0 || string(r.RequestParameters) == "null":
		rp.Unnamed = UnnamedNoParameters
	default:
		rp.Unnamed = UnnamedNoARN
	}
	return []string{"*"}, "", false
}

// secretSuffix ends a full secret ARN: "-" and six random characters.
var secretSuffix = lazyre.New(`:secret:.+-[A-Za-z0-9]{6}$`)

// resourceFromParameters builds the target ARN from the request
// parameters of the services whose parameters name it.
func resourceFromParameters(r *Record) string {
	if len(r.RequestParameters) == 0 || string(r.RequestParameters) == "null" {
		return ""
	}
	var p map[string]any
	if err := json.Unmarshal(r.RequestParameters, &p); err != nil {
		return ""
	}
	str := func(k string) string {
		if v, ok := p[k].(string); ok {
			return v
		}
		return ""
	}
	partition := arn.PartitionOfRegion(r.AWSRegion)
	acct := r.RecipientAccountID
	if acct == "" {
		acct = r.UserIdentity.AccountID
	}
	regional := func(svc, res string) string {
		return "arn:" + partition + ":" + svc + ":" + r.AWSRegion + ":" + acct + ":" + res
	}
	isARN := func(s string) bool { return strings.HasPrefix(s, "arn:") }
	svc, _, _ := strings.Cut(r.EventSource, ".")
	switch svc {
	case "s3":
		b := str("bucketName")
		if b == "" {
			return ""
		}
		if k := str("key"); k != "" {
			return "arn:" + partition + ":s3:::" + b + "/" + k
		}
		return "arn:" + partition + ":s3:::" + b
	case "sts":
		return str("roleArn")
	case "sns":
		if t := str("topicArn"); t != "" {
			return t
		}
		return str("targetArn")
	case "sqs":
		if q := str("queueUrl"); q != "" {
			if u, err := url.Parse(q); err == nil {
				parts := strings.Split(strings.Trim(u.Path, "/"), "/")
				if len(parts) == 2 {
					return "arn:" + partition + ":sqs:" + r.AWSRegion + ":" + parts[0] + ":" + parts[1]
				}
			}
		}
	case "kms":
		k := str("keyId")
		switch {
		case isARN(k):
			return k
		case strings.HasPrefix(k, "alias/"):
			return regional("kms", k)
		case k != "":
			return regional("kms", "key/"+k)
		}
	case "secretsmanager":
		s := str("secretId")
		if isARN(s) {
			// Secrets Manager accepts a partial ARN, without the random
			// "-" and six characters that end the secret's ARN; the
			// policy must match the full one.
			// https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_examples.html
			if !secretSuffix().MatchString(s) {
				return s + "-??????"
			}
			return s
		}
		if s != "" {
			// A secret's ARN ends in a random suffix that the name does
			// not carry; the wildcard stands for it.
			return regional("secretsmanager", "secret:"+s+"-??????")
		}
	case "lambda":
		f := str("functionName")
		if isARN(f) {
			return f
		}
		if f != "" {
			return regional("lambda", "function:"+f)
		}
	case "dynamodb":
		if t := str("tableName"); t != "" {
			return regional("dynamodb", "table/"+t)
		}
	case "iam":
		// CreateRole, CreateUser and CreateGroup carry the entity's path,
		// which is part of its ARN ("role/app/new-role"); other calls name
		// the entity without it.
		path := "/"
		if p := str("path"); strings.HasPrefix(p, "/") && strings.HasSuffix(p, "/") {
			path = p
		}
		// A call naming an entity and a policy (AttachUserPolicy,
		// DetachRolePolicy, PutRolePermissionsBoundary) names both:
		// resourcesFromParameters lists the two, and each action keeps
		// the one its resource type is (the user for AttachUserPolicy).
		// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
		entity := str("roleName") != "" || str("userName") != "" || str("groupName") != ""
		switch {
		case str("policyArn") != "" && entity, str("instanceProfileName") != "":
			return ""
		case str("policyArn") != "":
			return str("policyArn")
		case str("roleName") != "":
			return "arn:" + partition + ":iam::" + acct + ":role" + path + str("roleName")
		case str("userName") != "":
			return "arn:" + partition + ":iam::" + acct + ":user" + path + str("userName")
		case str("groupName") != "":
			return "arn:" + partition + ":iam::" + acct + ":group" + path + str("groupName")
		}
	case "ec2":
		// resourcesFromParameters names the instance with the other
		// resources a call names (AttachVolume's volume).
	case "logs":
		// A call naming a log stream too is resourcesFromParameters'.
		if g := str("logGroupName"); g != "" && str("logStreamName") == "" {
			return regional("logs", "log-group:"+g)
		}
	case "ssm":
		if n := str("name"); n != "" && r.EventName == "GetParameter" {
			return regional("ssm", "parameter/"+strings.TrimPrefix(n, "/"))
		}
	}
	return ""
}
