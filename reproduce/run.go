package reproduce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/iamwhy/iamwhy/errorcode"
)

// SessionName is the role session name of every reproduction, so that
// CloudTrail shows which calls iamwhy made.
const SessionName = "iamwhy-reproduce"

// The answers AWS can give to a reproduced call.
const (
	// AnswerAllowed: the call succeeded, or an EC2 dry run answered
	// DryRunOperation ("Request would have succeeded").
	AnswerAllowed = "allowed"
	// AnswerDenied: AWS answered with an access-denied error code.
	AnswerDenied = "denied"
	// AnswerError: AWS answered with an error that is not an
	// authorization decision (a missing object, a throttled call, a
	// parameter it refused). Whether the caller is authorized stays
	// unknown.
	AnswerError = "error"
)

// Runner performs a Plan through the AWS SDK for Go v2: it assumes the
// plan's role with a session of its own (SessionName), then makes the
// rebuilt call with those temporary credentials.
type Runner struct {
	// Config is the caller's AWS configuration: its credentials assume the
	// role (or, for an IAM user, are that user's). Its HTTPClient carries
	// every request, so tests give recorded responses there.
	Config aws.Config
	// AllowWrites lets a call run whose action is not read-only (List or
	// Read) in the service reference. Without it such a call is refused
	// with a *RefusedError before any request is made.
	AllowWrites bool
	// DryRunWrites lets a call that is not read-only run when it is an
	// EC2 dry run, which checks the permissions and changes nothing.
	DryRunWrites bool
	// SessionName is the role session name; "" is SessionName.
	SessionName string

	// identities caches each identity once obtained (a role's temporary
	// credentials, the caller's identity), and the error when it could
	// not be: a run of many calls as one role assumes it once. A Runner
	// is safe for concurrent use.
	mu         sync.Mutex
	identities map[string]*identity
}

// identity is an obtained identity: its credentials and ARN.
type identity struct {
	creds aws.CredentialsProvider
	arn   string
	err   error
}

// Run is what AWS answered to a reproduced call.
type Run struct {
	// Identity is the ARN the call was made as: the new role session, or
	// the IAM user.
	Identity string `json:"identity"`
	Region   string `json:"region"`
	// Operation is SERVICE:Operation as the SDK called it.
	Operation string `json:"operation"`
	DryRun    bool   `json:"dry_run"`
	// Answer is AnswerAllowed, AnswerDenied or AnswerError.
	Answer       string  `json:"answer"`
	ErrorCode    *string `json:"error_code"`
	ErrorMessage *string `json:"error_message"`
	// Deny is, for a denial, what AWS's message says of its kind:
	// "explicit", "implicit", or null when the message does not say.
	Deny       *string `json:"deny"`
	HTTPStatus *int    `json:"http_status"`
	RequestID  *string `json:"request_id"`
	// NotSent are parameters of the plan the SDK's input has no member
	// for, or whose value is not of the member's type: the call went
	// without them.
	NotSent []string `json:"not_sent"`
	// Comparison relates the answer to the record and to iamwhy's own
	// decision; set by Compare, null before.
	Comparison *Comparison `json:"comparison"`
}

// RefusedError is returned when a call is not made because it is not safe
// or not possible: a write without AllowWrites, a caller whose credentials
// nobody can hold (the root user, an AWS service).
type RefusedError struct {
	Reason string
}

func (e *RefusedError) Error() string { return e.Reason }

// Run performs the plan: it assumes the role (or checks that the caller
// is the plan's IAM user), then makes the call. An error means no answer
// was obtained (refused, the role could not be assumed, the SDK has no
// such operation, the request never reached AWS); an API error of the call
// itself is the Run's answer.
func (r *Runner) Run(ctx context.Context, p *Plan) (*Run, error) {
	if err := r.refuse(p); err != nil {
		return nil, err
	}
	region := p.Region
	if region == "" {
		region = r.Config.Region
	}
	if region == "" {
		if p.API.Service != "iam" && p.API.Service != "sts" {
			return nil, fmt.Errorf("the call's Region is not known: give --region")
		}
		// IAM and STS are global; the SDK still needs a Region to sign.
		region = "us-east-1"
	}
	base := r.Config.Copy()
	base.Region = region
	cfg, identity, err := r.identity(ctx, base, p)
	if err != nil {
		return nil, err
	}
	out := &Run{Identity: identity, Region: region, Operation: p.API.Service + ":" + p.API.Operation, NotSent: []string{}}
	client, ok := sdkClient(p.API.Service, cfg)
	if !ok {
		return nil, &RefusedError{Reason: fmt.Sprintf("--run does not perform %s calls (no SDK client for the service %q): run the printed command instead", p.API.Service, p.API.Service)}
	}
	method := reflect.ValueOf(client).MethodByName(p.API.Operation)
	if !method.IsValid() || method.Type().NumIn() != 3 || method.Type().NumOut() != 2 {
		return nil, fmt.Errorf("the SDK's %s client has no operation %s", p.API.Service, p.API.Operation)
	}
	in := reflect.New(method.Type().In(1).Elem())
	out.NotSent = fill(in.Elem(), p.API.Parameters)
	if f := in.Elem().FieldByName("DryRun"); p.API.Service == "ec2" && f.IsValid() {
		// EC2 checks the permissions and stops
		// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/CommonParameters.html).
		f.Set(reflect.ValueOf(aws.Bool(true)))
		out.DryRun = true
	} else if p.API.Service == "ec2" && !p.Call.ReadOnly {
		return nil, &RefusedError{Reason: fmt.Sprintf("ec2 %s has no DryRun parameter: it would really run", p.API.Operation)}
	}
	res := method.Call([]reflect.Value{reflect.ValueOf(ctx), in})
	closeBody(res[0])
	var callErr error
	if e := res[1].Interface(); e != nil {
		callErr = e.(error)
	}
	if err := out.answer(callErr); err != nil {
		return nil, fmt.Errorf("%s: %w", out.Operation, err)
	}
	return out, nil
}

// refuse says why a plan must not run.
func (r *Runner) refuse(p *Plan) error {
	switch {
	case p.API.Service == "" || p.API.Operation == "":
		return &RefusedError{Reason: "the plan names no API call"}
	case p.Role == nil && !strings.Contains(p.Principal, ":user/"):
		return &RefusedError{Reason: fmt.Sprintf("the call was made as %s, whose credentials iamwhy cannot obtain (only a role session or an IAM user can be reproduced)", orUnknown(p.Principal))}
	case !p.Call.ReadOnly && !r.AllowWrites && !(r.DryRunWrites && p.Call.DryRun):
		level := orUnknown(p.Call.AccessLevel)
		msg := fmt.Sprintf("refused: %s is not read-only (%s) and may change the account; pass --allow-writes to perform it", orUnknown(p.Call.Action), level)
		if p.API.Service == "ec2" {
			msg += " (EC2 is called with DryRun, which only checks the permissions)"
		}
		return &RefusedError{Reason: msg}
	}
	return nil
}

// identity returns the configuration whose credentials are the denied
// identity's, and that identity's ARN.
func (r *Runner) identity(ctx context.Context, cfg aws.Config, p *Plan) (aws.Config, string, error) {
	key := p.Principal
	if p.Role != nil {
		key = *p.Role
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	id, ok := r.identities[key]
	if !ok {
		id = r.obtain(ctx, cfg, p)
		if r.identities == nil {
			r.identities = map[string]*identity{}
		}
		r.identities[key] = id
	}
	if id.err != nil {
		return cfg, "", id.err
	}
	if id.creds != nil {
		cfg.Credentials = id.creds
	}
	return cfg, id.arn, nil
}

// obtain assumes the plan's role, or checks that the caller is the plan's
// IAM user.
func (r *Runner) obtain(ctx context.Context, cfg aws.Config, p *Plan) *identity {
	client := sts.NewFromConfig(cfg)
	if p.Role == nil {
		// An IAM user: the credentials must be that user's own.
		who, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return &identity{err: fmt.Errorf("sts get-caller-identity: %w", err)}
		}
		if got := aws.ToString(who.Arn); got != p.Principal {
			return &identity{err: &RefusedError{Reason: fmt.Sprintf("the credentials are %s's, not %s's: give a profile of that user (--profile)", got, p.Principal)}}
		}
		return &identity{arn: p.Principal}
	}
	name := r.SessionName
	if name == "" {
		name = SessionName
	}
	got, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: p.Role, RoleSessionName: aws.String(name)})
	if err != nil {
		return &identity{err: fmt.Errorf("sts assume-role %s: %w (your credentials must be allowed to assume it, and its trust policy must trust them)", *p.Role, err)}
	}
	c := got.Credentials
	if c == nil {
		return &identity{err: fmt.Errorf("sts assume-role %s: the answer holds no credentials", *p.Role)}
	}
	id := &identity{arn: *p.Role, creds: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(
		aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)))}
	if got.AssumedRoleUser != nil && got.AssumedRoleUser.Arn != nil {
		id.arn = *got.AssumedRoleUser.Arn
	}
	return id
}

// answer classifies the call's error: none is allowed, an access-denied
// code is denied, EC2's DryRunOperation is allowed, another API error is
// no authorization answer. An error that is not AWS's answer (the request
// never reached it) is returned.
func (out *Run) answer(err error) error {
	if err == nil {
		out.Answer = AnswerAllowed
		return nil
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		return err
	}
	code, msg := api.ErrorCode(), api.ErrorMessage()
	out.ErrorCode, out.ErrorMessage = &code, &msg
	var resp *awshttp.ResponseError
	if errors.As(err, &resp) {
		status := resp.HTTPStatusCode()
		out.HTTPStatus = &status
		if id := resp.ServiceRequestID(); id != "" {
			out.RequestID = &id
		}
	}
	switch {
	case code == "DryRunOperation":
		// "Request would have succeeded, but DryRun flag is set."
		out.Answer = AnswerAllowed
	case errorcode.IsAccessDenied(code):
		out.Answer = AnswerDenied
		if kind := denyKind(msg); kind != "" {
			out.Deny = &kind
		}
	default:
		out.Answer = AnswerError
	}
	return nil
}

// denyKind reads an access-denied message's "with an explicit deny" or
// "because no ... policy allows" (the forms of
// https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html#access-denied-error-messages).
func denyKind(msg string) string {
	m := strings.ToLower(msg)
	switch {
	case strings.Contains(m, "explicit deny"):
		return "explicit"
	case strings.Contains(m, "because no ") && strings.Contains(m, " allows"):
		return "implicit"
	}
	return ""
}

// fill sets the input's members from the parameters, matching names
// case-insensitively as CloudTrail writes them in lower camel case. It
// returns the parameters it could not set.
func fill(in reflect.Value, params map[string]json.RawMessage) []string {
	fields := map[string]int{}
	t := in.Type()
	for i := 0; i < t.NumField(); i++ {
		if t.Field(i).IsExported() {
			fields[strings.ToLower(t.Field(i).Name)] = i
		}
	}
	notSent := []string{}
	for name, raw := range params {
		i, ok := fields[strings.ToLower(name)]
		if !ok {
			notSent = append(notSent, name+" (no such member of "+t.Name()+")")
			continue
		}
		v := reflect.New(t.Field(i).Type)
		if err := json.Unmarshal(raw, v.Interface()); err != nil {
			notSent = append(notSent, name+" (not of the member's type)")
			continue
		}
		in.Field(i).Set(v.Elem())
	}
	sort.Strings(notSent)
	return notSent
}

// closeBody closes a streamed output (S3's GetObject body) unread: the
// answer is in the status, the object is not wanted.
func closeBody(out reflect.Value) {
	if out.Kind() != reflect.Pointer || out.IsNil() {
		return
	}
	if f := out.Elem().FieldByName("Body"); f.IsValid() && f.Kind() == reflect.Interface && !f.IsNil() {
		if c, ok := f.Interface().(io.Closer); ok {
			_ = c.Close()
		}
	}
}
