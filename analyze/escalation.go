package analyze

import (
	"strings"

	"github.com/iamwhy/iamwhy/policy"
)

// escalation is a known way for a principal holding the actions to gain
// more permissions than it was granted.
type escalation struct {
	name    string
	actions []string
	how     string
	// passedTo is the first label of the service principal the path
	// passes a role to ("ec2" for ec2.amazonaws.com), for paths that
	// include iam:PassRole.
	passedTo string
}

// escalations are the published privilege-escalation paths of AWS IAM:
// Rhino Security Labs, "AWS IAM Privilege Escalation – Methods and
// Mitigation" (https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/),
// and the lists Cloudsplaining and PMapper check
// (https://github.com/salesforce/cloudsplaining, https://github.com/nccgroup/PMapper).
var escalations = []escalation{
	{"CreateNewPolicyVersion", []string{"iam:CreatePolicyVersion"}, "create a new default version of a managed policy attached to itself, granting anything", ""},
	{"SetExistingDefaultPolicyVersion", []string{"iam:SetDefaultPolicyVersion"}, "make a more permissive older version of a policy the default", ""},
	{"CreateEC2WithExistingInstanceProfile", []string{"iam:PassRole", "ec2:RunInstances"}, "launch an instance with a more privileged role and use its credentials", "ec2"},
	{"CreateAccessKey", []string{"iam:CreateAccessKey"}, "create access keys for other users", ""},
	{"CreateLoginProfile", []string{"iam:CreateLoginProfile"}, "set a console password for other users", ""},
	{"UpdateLoginProfile", []string{"iam:UpdateLoginProfile"}, "change other users' console passwords", ""},
	{"AttachUserPolicy", []string{"iam:AttachUserPolicy"}, "attach any managed policy to a user", ""},
	{"AttachGroupPolicy", []string{"iam:AttachGroupPolicy"}, "attach any managed policy to a group", ""},
	{"AttachRolePolicy", []string{"iam:AttachRolePolicy", "sts:AssumeRole"}, "attach any managed policy to a role it can assume", ""},
	{"PutUserPolicy", []string{"iam:PutUserPolicy"}, "write an inline policy granting anything to a user", ""},
	{"PutGroupPolicy", []string{"iam:PutGroupPolicy"}, "write an inline policy granting anything to a group", ""},
	{"PutRolePolicy", []string{"iam:PutRolePolicy", "sts:AssumeRole"}, "write an inline policy granting anything to a role it can assume", ""},
	{"AddUserToGroup", []string{"iam:AddUserToGroup"}, "add itself to a more privileged group", ""},
	{"UpdateRolePolicyToAssumeIt", []string{"iam:UpdateAssumeRolePolicy", "sts:AssumeRole"}, "rewrite a role's trust policy to let itself assume the role", ""},
	{"PassExistingRoleToNewLambdaThenInvoke", []string{"iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"}, "run code as a more privileged role through a new Lambda function", "lambda"},
	{"PassExistingRoleToNewLambdaThenTriggerWithNewDynamo", []string{"iam:PassRole", "lambda:CreateFunction", "lambda:CreateEventSourceMapping"}, "run code as a more privileged role through a Lambda function triggered by an event source", "lambda"},
	{"EditExistingLambdaFunctionWithRole", []string{"lambda:UpdateFunctionCode"}, "replace the code of a function that runs as a more privileged role", ""},
	{"PassExistingRoleToNewGlueDevEndpoint", []string{"iam:PassRole", "glue:CreateDevEndpoint"}, "reach a more privileged role's credentials through a new Glue development endpoint", "glue"},
	{"UpdateExistingGlueDevEndpoint", []string{"glue:UpdateDevEndpoint"}, "add an SSH key to a Glue endpoint that runs as a more privileged role", ""},
	{"PassExistingRoleToCloudFormation", []string{"iam:PassRole", "cloudformation:CreateStack"}, "create resources as a more privileged role through a CloudFormation stack", "cloudformation"},
	{"PassExistingRoleToNewDataPipeline", []string{"iam:PassRole", "datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition"}, "run commands as a more privileged role through a Data Pipeline", "datapipeline"},
	{"PassExistingRoleToNewCodeStarProject", []string{"iam:PassRole", "codestar:CreateProject"}, "create resources as a more privileged role through a CodeStar project", "codestar"},
	{"PassExistingRoleToNewSageMakerNotebook", []string{"iam:PassRole", "sagemaker:CreateNotebookInstance", "sagemaker:CreatePresignedNotebookInstanceUrl"}, "open a notebook that runs as a more privileged role", "sagemaker"},
	{"PassExistingRoleToNewCodeBuildProject", []string{"iam:PassRole", "codebuild:CreateProject", "codebuild:StartBuild"}, "run a build as a more privileged role", "codebuild"},
	{"PassExistingRoleToNewECSTask", []string{"iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:RunTask"}, "run a container task as a more privileged role", "ecs-tasks"},
}

// privilegeEscalation warns when the Allow statements of an identity
// policy together grant every action of a known escalation path. An
// action counts when an Allow statement's Action (or NotAction) block
// reaches it on resources named with a wildcard (or NotResource): the
// paths work by choosing a more privileged role, user, group or policy,
// which a statement naming its resources does not allow. An iam:PassRole
// grant limited by a binding iam:PassedToService condition to other
// services than the path's does not count (passesTo).
func (l *linter) privilegeEscalation(stmts []*stmtInfo) {
	if !checkIndex["PRIVILEGE_ESCALATION"].Types.Has(l.t) {
		return
	}
	var allows []*stmtInfo
	for _, si := range stmts {
		if si.s.Effect == policy.Allow && wildResources(si.s) {
			allows = append(allows, si)
		}
	}
	if len(allows) == 0 {
		return
	}
	for _, e := range escalations {
		var first *stmtInfo
		var at policy.Pos
		ok := true
		for _, a := range e.actions {
			var by *stmtInfo
			for _, si := range allows {
				if grants(si.s, a) != "" && (a != "iam:PassRole" || passesTo(si.s, e.passedTo)) {
					by = si
					break
				}
			}
			if by == nil {
				ok = false
				break
			}
			if first == nil {
				first, at = by, by.s.Action.Pos
			}
		}
		if ok {
			l.addS(first, "PRIVILEGE_ESCALATION", at, "the policy grants %s, the privilege-escalation path %s: a principal holding it can %s; restrict the resources (and add conditions) or remove an action", strings.Join(e.actions, " + "), e.name, e.how)
		}
	}
}

// passesTo reports whether the statement's iam:PassRole grant can pass a
// role to the service whose principal starts with label: a condition on
// iam:PassedToService that must hold and names fixed services limits the
// grant to them (bindingValues), any other condition does not.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
func passesTo(s *policy.Statement, label string) bool {
	vals := bindingValues(s, "iam:PassedToService")
	if vals == nil {
		return true
	}
	for _, v := range vals {
		first, _, _ := strings.Cut(v, ".")
		if strings.EqualFold(first, label) {
			return true
		}
	}
	return false
}

// wildResources: the statement's resources include a wildcard pattern or
// are given by NotResource.
func wildResources(s *policy.Statement) bool {
	if s.Resource.Not {
		return true
	}
	for _, v := range s.Resource.Values {
		if strings.ContainsAny(v.Text, "*?") {
			return true
		}
	}
	return false
}
