package trail

import (
	"encoding/json"
	"sort"
	"strings"

	"github.com/iamwhy/iamwhy/internal/lazyre"
)

// PassedRole is a role a call passed to a service: the call needed
// iam:PassRole on Role, with iam:PassedToService equal to Service.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
type PassedRole struct {
	Role    string
	Service string
}

// roleARN is an IAM role ARN as request parameters carry it.
var roleARN = lazyre.New(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]+$`)

// passRoleService is the service principal a role is passed to, where it
// is not the event source's: ECS task roles are passed to
// ecs-tasks.amazonaws.com, not to ecs.amazonaws.com.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
var passRoleService = map[string]string{
	"ecs.amazonaws.com": "ecs-tasks.amazonaws.com",
}

// notPassing are the parameters that name a role without passing it: the
// role to assume (sts), or the role an IAM call manages.
var notPassing = map[string]bool{"sts.amazonaws.com": true, "iam.amazonaws.com": true}

// PassedRoles lists the roles a successful write call passed to the
// service it called: request parameters whose value is a role ARN (a
// Lambda function's role, an ECS task's taskRoleArn and executionRoleArn,
// a CloudFormation stack's roleARN, a state machine's roleArn, an
// EventBridge target's roleArn, ...). Read-only calls and calls to STS and
// IAM (which name a role to assume or to manage, not to pass) pass none.
// Sorted, without duplicates.
func PassedRoles(r *Record) []PassedRole {
	if r.ReadOnly == "true" || notPassing[r.EventSource] || len(r.RequestParameters) == 0 {
		return nil
	}
	if strings.HasPrefix(r.EventName, "Get") || strings.HasPrefix(r.EventName, "Describe") || strings.HasPrefix(r.EventName, "List") {
		return nil
	}
	var p any
	if err := json.Unmarshal(r.RequestParameters, &p); err != nil {
		return nil
	}
	service := r.EventSource
	if s, ok := passRoleService[service]; ok {
		service = s
	}
	seen := map[string]bool{}
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > 16 {
			return
		}
		switch x := v.(type) {
		case string:
			if roleARN().MatchString(x) && !seen[x] {
				seen[x] = true
			}
		case []any:
			for _, e := range x {
				walk(e, depth+1)
			}
		case map[string]any:
			for _, e := range x {
				walk(e, depth+1)
			}
		}
	}
	walk(p, 0)
	out := make([]PassedRole, 0, len(seen))
	for role := range seen {
		out = append(out, PassedRole{Role: role, Service: service})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Role < out[j].Role })
	return out
}
