package iac

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/iamwhy/iamwhy/arn"
)

// LambdaPermission is one statement of a Lambda function's resource-based
// policy as AddPermission writes it (AWS::Lambda::Permission,
// aws_lambda_permission).
// https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
type LambdaPermission struct {
	StatementID   string
	Action        string
	Principal     string // a service principal, an account id, an ARN, or "*"
	SourceARN     string
	SourceAccount string
	// PrincipalOrgID limits the grant to an organisation's principals.
	PrincipalOrgID string
	// FunctionURLAuthType is set for lambda:InvokeFunctionUrl grants.
	FunctionURLAuthType string
	EventSourceToken    string
}

// Statement returns the statement Lambda adds for p on the function (or
// version or alias) ARN resource, in the shape `lambda get-policy` prints.
func (p LambdaPermission) Statement(partition, resource string) map[string]any {
	var principal any
	switch {
	case p.Principal == "*":
		principal = "*"
	case arn.IsAccountID(p.Principal):
		principal = map[string]any{"AWS": "arn:" + partition + ":iam::" + p.Principal + ":root"}
	case strings.HasPrefix(p.Principal, "arn:"):
		principal = map[string]any{"AWS": p.Principal}
	default:
		principal = map[string]any{"Service": p.Principal}
	}
	action := p.Action
	if action != "" && !strings.Contains(action, ":") {
		action = "lambda:" + action
	}
	s := map[string]any{"Effect": "Allow", "Principal": principal, "Action": action, "Resource": resource}
	if p.StatementID != "" {
		s["Sid"] = p.StatementID
	}
	cond := map[string]map[string]any{}
	add := func(op, key, v string) {
		if v == "" {
			return
		}
		if cond[op] == nil {
			cond[op] = map[string]any{}
		}
		cond[op][key] = v
	}
	// Lambda writes these keys as AWS:SourceArn and AWS:SourceAccount;
	// condition keys match case-insensitively, so the service reference's
	// spelling is used.
	add("ArnLike", "aws:SourceArn", p.SourceARN)
	add("StringEquals", "aws:SourceAccount", p.SourceAccount)
	add("StringEquals", "aws:PrincipalOrgID", p.PrincipalOrgID)
	add("StringEquals", "lambda:FunctionUrlAuthType", p.FunctionURLAuthType)
	add("StringEquals", "lambda:EventSourceToken", p.EventSourceToken)
	if len(cond) > 0 {
		s["Condition"] = cond
	}
	return s
}

// FunctionARN returns the ARN of the function a permission names: a
// function name, a full or partial ARN (ACCOUNT:function:NAME), with an
// optional qualifier (version or alias).
func FunctionARN(partition, region, account, name, qualifier string) (string, error) {
	var a string
	switch {
	case strings.HasPrefix(name, "arn:"):
		a = name
	case strings.Contains(name, ":function:"):
		a = "arn:" + partition + ":lambda:" + region + ":" + name
	case strings.Contains(name, ":"):
		// NAME:QUALIFIER
		n, q, _ := strings.Cut(name, ":")
		a = "arn:" + partition + ":lambda:" + region + ":" + account + ":function:" + n + ":" + q
	case name == "":
		return "", fmt.Errorf("no function name")
	default:
		a = "arn:" + partition + ":lambda:" + region + ":" + account + ":function:" + name
	}
	if qualifier != "" {
		a += ":" + qualifier
	}
	return a, nil
}

// MergeStatements returns a policy document holding the statements of the
// existing document (JSON; nil or empty for none) with those whose Sid is
// in remove or replaced by add left out, then add. Lambda keeps one policy
// per function, changed a statement at a time.
func MergeStatements(existing []byte, add []map[string]any, remove []string) ([]byte, error) {
	drop := map[string]bool{}
	for _, s := range remove {
		drop[s] = true
	}
	for _, s := range add {
		if sid, ok := s["Sid"].(string); ok {
			drop[sid] = true
		}
	}
	var stmts []any
	if len(existing) > 0 {
		var doc struct {
			Statement json.RawMessage
		}
		if err := json.Unmarshal(existing, &doc); err != nil {
			return nil, err
		}
		var list []map[string]any
		if err := json.Unmarshal(doc.Statement, &list); err != nil {
			var one map[string]any
			if err := json.Unmarshal(doc.Statement, &one); err != nil {
				return nil, fmt.Errorf("the existing policy's Statement is neither a list nor a statement")
			}
			list = []map[string]any{one}
		}
		for _, s := range list {
			if sid, ok := s["Sid"].(string); ok && drop[sid] {
				continue
			}
			stmts = append(stmts, s)
		}
	}
	for _, s := range add {
		stmts = append(stmts, s)
	}
	if stmts == nil {
		stmts = []any{}
	}
	return json.MarshalIndent(map[string]any{"Version": "2012-10-17", "Statement": stmts}, "", "  ")
}

// QueueARN turns an SQS queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)
// into the queue's ARN; an ARN is returned as it is.
func QueueARN(partition, u string) (string, bool) {
	if strings.HasPrefix(u, "arn:") {
		return u, true
	}
	rest, ok := strings.CutPrefix(u, "https://")
	if !ok {
		return "", false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 3 || parts[1] == "" || parts[2] == "" {
		return "", false
	}
	host := strings.Split(parts[0], ".")
	if len(host) < 3 || host[0] != "sqs" {
		return "", false
	}
	return "arn:" + partition + ":sqs:" + host[1] + ":" + parts[1] + ":" + parts[2], true
}

// WithImplicitResource returns a policy document (JSON) whose statements
// without Resource or NotResource name resource: an Amazon ECR repository
// policy omits Resource, since the policy applies to its repository.
// https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html
func WithImplicitResource(doc []byte, resource string) ([]byte, error) {
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		return nil, err
	}
	fill := func(s any) {
		if st, ok := s.(map[string]any); ok {
			_, r := st["Resource"]
			_, nr := st["NotResource"]
			if !r && !nr {
				st["Resource"] = resource
			}
		}
	}
	switch s := m["Statement"].(type) {
	case []any:
		for _, x := range s {
			fill(x)
		}
	default:
		fill(s)
	}
	return json.MarshalIndent(m, "", "  ")
}
