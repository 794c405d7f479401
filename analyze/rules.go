package analyze

// Documentation pages the rules rest on.
const (
	docGrammar      = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html"
	docPolicyTypes  = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html"
	docAction       = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html"
	docSAR          = "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"
	docARN          = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html"
	docOperators    = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"
	docCondition    = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html"
	docGlobalKeys   = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html"
	docPassRole     = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html"
	docNotAction    = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html"
	docNotResource  = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html"
	docPrincipal    = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"
	docSwitchRole   = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_permissions-to-switch.html"
	docLeastPriv    = "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"
	docOIDCGitHub   = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html"
	docEvaluation   = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"
	docPolicyChecks = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html"
)

// Rules is every check Lint makes, by code.
var Rules = []Rule{
	// Errors: the policy does not work as written.
	{"POLICY_SYNTAX", SeverityError, "The document breaks the policy grammar", docGrammar},
	{"POLICY_TYPE_ELEMENT", SeverityError, "An element is required, or not allowed, in this policy type", docPolicyTypes},
	{"UNKNOWN_SERVICE", SeverityError, "The action's service prefix is not a service", docAction},
	{"UNKNOWN_ACTION", SeverityError, "The action does not exist, or the pattern matches no action", docSAR},
	{"MALFORMED_ARN", SeverityError, "A resource is neither \"*\" nor an ARN", docARN},
	{"UNKNOWN_CONDITION_OPERATOR", SeverityError, "The condition operator does not exist", docOperators},
	{"INVALID_CONDITION_VALUE", SeverityError, "A condition value is not of the operator's type", docOperators},
	{"OPERATOR_KEY_TYPE_MISMATCH", SeverityError, "The operator compares a different type than the key has", docOperators},
	{"UNKNOWN_GLOBAL_CONDITION_KEY", SeverityError, "An aws: condition key that does not exist", docGlobalKeys},

	// Security warnings: the policy grants more than is likely meant.
	{"PASS_ROLE_WITH_STAR_IN_RESOURCE", SeveritySecurityWarning, "iam:PassRole allowed on every role", docPassRole},
	{"ALLOW_WITH_NOT_ACTION", SeveritySecurityWarning, "Allow with NotAction grants every other action", docNotAction},
	{"ALLOW_WITH_NOT_RESOURCE", SeveritySecurityWarning, "Allow with NotResource grants on every other resource", docNotResource},
	{"PUBLIC_PRINCIPAL", SeveritySecurityWarning, "Anyone may call: wildcard principal without a narrowing condition", docPrincipal},
	{"TRUST_ANY_ACCOUNT", SeveritySecurityWarning, "The role trusts every AWS account", docPrincipal},
	{"OIDC_TRUST_WITHOUT_SUBJECT", SeveritySecurityWarning, "A GitHub OIDC trust without a sub condition trusts every repository", docOIDCGitHub},
	{"ASSUME_ROLE_ON_ANY_ROLE", SeveritySecurityWarning, "sts:AssumeRole allowed on every role", docSwitchRole},
	{"FULL_IAM_ACCESS", SeveritySecurityWarning, "Every IAM action allowed on every resource", docLeastPriv},

	// Warnings: part of the policy can never apply.
	{"ACTION_RESOURCE_MISMATCH", SeverityWarning, "The action works on none of the statement's resources", docSAR},
	{"UNSUPPORTED_CONDITION_KEY", SeverityWarning, "None of the statement's actions supports the condition key", docSAR},
	{"UNKNOWN_SERVICE_CONDITION_KEY", SeverityWarning, "A service condition key the service reference does not list", docSAR},
	{"CONDITION_KEY_CASE", SeverityWarning, "A condition key spelled in another case than the reference's", docCondition},
	{"REDUNDANT_STATEMENT", SeverityWarning, "Another statement already covers this one", docEvaluation},

	// Suggestions: the policy can be written more simply.
	{"DUPLICATE_ACTION", SeveritySuggestion, "The action is listed twice", docPolicyChecks},
	{"REDUNDANT_ACTION", SeveritySuggestion, "A wildcard in the same statement already covers the action", docPolicyChecks},
	{"DUPLICATE_RESOURCE", SeveritySuggestion, "The resource is listed twice", docPolicyChecks},
	{"COLLAPSIBLE_ACTIONS", SeveritySuggestion, "The listed actions are exactly what a wildcard matches", docAction},
	{"EMPTY_CONDITION_BLOCK", SeveritySuggestion, "A Condition or operator block that tests nothing", docCondition},
}

var ruleIndex = func() map[string]*Rule {
	m := make(map[string]*Rule, len(Rules))
	for i := range Rules {
		m[Rules[i].Code] = &Rules[i]
	}
	return m
}()

// RuleFor returns the rule with the code.
func RuleFor(code string) (*Rule, bool) {
	r, ok := ruleIndex[code]
	return r, ok
}
