package analyze

import (
	"strings"

	"github.com/iamwhy/iamwhy/policy"
)

// This file is the table of checks: every check of IAM Access Analyzer's
// policy check reference
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html),
// named as Access Analyzer names it, and iamwhy's own checks. A finding
// names its check by IssueCode and LearnMoreLink, exactly as Access
// Analyzer's ValidatePolicy does, so that tools reading one read the other.

// TypeSet is a set of policy types a check applies to.
type TypeSet uint16

// Has reports whether t is in the set. A document of unknown use
// (policy.TypeAny) gets the checks that apply to every type.
func (s TypeSet) Has(t policy.Type) bool {
	if t == policy.TypeAny {
		return s&allTypes == allTypes
	}
	return s&(1<<uint(t)) != 0
}

func typeSet(ts ...policy.Type) TypeSet {
	var s TypeSet
	for _, t := range ts {
		s |= 1 << uint(t)
	}
	return s
}

var (
	identityTypes = typeSet(policy.TypeIdentity, policy.TypeBoundary, policy.TypeSession)
	resourceTypes = typeSet(policy.TypeResource, policy.TypeVPCEndpoint)
	trustType     = typeSet(policy.TypeTrust)
	scpType       = typeSet(policy.TypeSCP)
	rcpType       = typeSet(policy.TypeRCP)
	allTypes      = identityTypes | resourceTypes | trustType | scpType | rcpType
)

// Check is one lint check.
type Check struct {
	// IssueCode names the check, e.g. "PASS_ROLE_WITH_STAR_IN_RESOURCE".
	IssueCode string
	Severity  Severity
	// Title says in a few words what the check finds.
	Title string
	// LearnMoreLink is the page documenting the check: Access Analyzer's
	// reference with the check's anchor, or this project's documentation
	// for its own checks.
	LearnMoreLink string
	// Types are the policy types the check applies to.
	Types TypeSet
	// AccessAnalyzer marks the checks of Access Analyzer's reference.
	AccessAnalyzer bool
	// NotOffline is empty when Lint implements the check; otherwise it
	// says why the check cannot be made without AWS.
	NotOffline string
}

const (
	accessAnalyzerReference = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html"
	ownChecksDoc            = "https://github.com/iamwhy/iamwhy/blob/main/docs/lint.md"
)

// accessAnalyzerChecks is every check of the reference (the 153 of its
// current text, and "Unsupported symbol in variable", which earlier
// versions documented and Access Analyzer may still report): its anchor, its
// title and the policy types it concerns. The severity and the issue code
// follow from the anchor ("error-", "general-warning-",
// "security-warning-", "suggestion-" and the rest upper-cased).
//
// Earlier texts also had four SCP checks (SCP syntax error allow
// condition, allow NotAction, allow resource, NotResource) that the current
// reference no longer documents: SCPs now take Condition, NotAction,
// Resource ARNs and NotResource with either effect (the elements table of
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html),
// so those statements are valid and lint no longer reports them. "Type
// mismatch IP range" moved from the general warnings to the errors.
var accessAnalyzerChecks = []struct {
	anchor, title string
	types         TypeSet
	notOffline    string
}{
	{"error-arn-account-not-allowed", "ARN account not allowed", allTypes, ""},
	{"error-arn-region-not-allowed", "ARN Region not allowed", allTypes, ""},
	{"error-data-type-mismatch", "Data type mismatch", allTypes, ""},
	{"error-duplicate-keys-with-different-case", "Duplicate keys with different case", allTypes, ""},
	{"error-empty-variable", "Empty variable", allTypes, ""},
	{"error-federated-principal-not-supported", "Federated principal not supported", resourceTypes, ""},
	{"error-invalid-action", "Invalid action", allTypes, ""},
	{"error-invalid-arn-account", "Invalid ARN account", allTypes, ""},
	{"error-invalid-arn-prefix", "Invalid ARN prefix", allTypes, ""},
	{"error-invalid-arn-region", "Invalid ARN Region", allTypes, ""},
	{"error-invalid-arn-resource", "Invalid ARN resource", allTypes, ""},
	{"error-invalid-arn-service-case", "Invalid ARN service case", allTypes, ""},
	{"error-invalid-condition-data-type", "Invalid condition data type", allTypes, ""},
	{"error-invalid-condition-key-format", "Invalid condition key format", allTypes, ""},
	{"error-invalid-condition-multiple-boolean", "Invalid condition multiple Boolean", allTypes, ""},
	{"error-invalid-condition-operator", "Invalid condition operator", allTypes, ""},
	{"error-invalid-effect", "Invalid effect", allTypes, ""},
	{"error-invalid-federated-principal-syntax-in-role-trust-policy", "Invalid federated principal syntax in role trust policy", trustType, ""},
	{"error-invalid-global-condition-key", "Invalid global condition key", allTypes, ""},
	{"error-invalid-partition", "Invalid partition", allTypes, ""},
	{"error-invalid-policy-element", "Invalid policy element", allTypes, ""},
	{"error-invalid-principal-format", "Invalid principal format", resourceTypes | trustType | rcpType, ""},
	{"error-invalid-principal-key", "Invalid principal key", resourceTypes | trustType | rcpType, ""},
	{"error-invalid-region", "Invalid Region", allTypes, ""},
	{"error-invalid-service", "Invalid service", allTypes, ""},
	{"error-invalid-service-condition-key", "Invalid service condition key", allTypes, ""},
	{"error-invalid-service-in-action", "Invalid service in action", allTypes, ""},
	{"error-invalid-service-principal-format", "Invalid service principal format", resourceTypes | trustType, ""},
	{"error-invalid-variable-for-operator", "Invalid variable for operator", allTypes, ""},
	{"error-invalid-version", "Invalid version", allTypes, ""},
	{"error-invalid-vpc-format", "Invalid vpc format", allTypes, ""},
	{"error-invalid-vpce-format", "Invalid vpce format", allTypes, ""},
	{"error-json-syntax-error", "Json syntax error", allTypes, ""},
	{"error-mismatched-action-for-principal", "Mismatched action for principal", trustType, ""},
	{"error-missing-action", "Missing action", allTypes, ""},
	{"error-missing-action-for-condition-key", "Missing action for condition key", allTypes, ""},
	{"error-missing-action-for-roles-anywhere-trust-policy", "Missing action for roles anywhere trust policy", trustType, ""},
	{"error-missing-arn-field", "Missing ARN field", allTypes, ""},
	{"error-missing-arn-region", "Missing ARN Region", allTypes, ""},
	{"error-missing-brace-in-variable", "Missing brace in variable", allTypes, ""},
	{"error-missing-effect", "Missing effect", allTypes, ""},
	{"error-missing-principal", "Missing principal", resourceTypes | trustType | rcpType, ""},
	{"error-missing-qualifier", "Missing qualifier", allTypes, ""},
	{"error-missing-quote-in-variable", "Missing quote in variable", allTypes, ""},
	{"error-missing-resource", "Missing resource", identityTypes | resourceTypes | rcpType, ""},
	{"error-missing-statement", "Missing statement", allTypes, ""},
	{"error-missing-tag-key-in-condition", "Missing tag key in condition", allTypes, ""},
	{"error-null-with-if-exists", "Null with if exists", allTypes, ""},
	{"error-policy-size-exceeds-scp-quota", "Policy size exceeds SCP quota", scpType, ""},
	{"error-private-ip-address", "Private IP address", allTypes, ""},
	{"error-private-not-ip-address", "Private NotIpAddress", allTypes, ""},
	{"error-role-trust-policy-syntax-error-notprincipal", "Role trust policy syntax error notprincipal", trustType, ""},
	{"error-role-trust-policy-syntax-error-resource", "Role trust policy syntax error resource", trustType, ""},
	{"error-role-trust-policy-unsupported-wildcard-in-principal", "Role trust policy unsupported wildcard in principal", trustType, ""},
	{"error-scp-syntax-error-action-wildcard", "SCP syntax error action wildcard", scpType, ""},
	{"error-scp-syntax-error-principal", "SCP syntax error principal", scpType, ""},
	{"error-unique-sids-required", "Unique Sids required", identityTypes | trustType | scpType | rcpType, ""},
	{"error-unsupported-action-for-condition-key", "Unsupported action for condition key", allTypes, ""},
	{"error-unsupported-action-in-policy", "Unsupported action in policy", resourceTypes, ""},
	{"error-unsupported-condition-key-for-service-principal", "Unsupported condition key for service principal", resourceTypes | trustType, ""},
	{"error-unsupported-element-combination", "Unsupported element combination", allTypes, ""},
	{"error-unsupported-global-condition-key", "Unsupported global condition key", allTypes, ""},
	{"error-unsupported-principal", "Unsupported principal", identityTypes, ""},
	{"error-unsupported-resource-arn-in-policy", "Unsupported resource ARN in policy", resourceTypes, ""},
	{"error-unsupported-sid", "Unsupported Sid", identityTypes | trustType | scpType | rcpType, ""},
	{"error-unsupported-symbol-in-variable", "Unsupported symbol in variable", allTypes, ""},
	{"error-unsupported-space-in-variable", "Unsupported space in variable", allTypes, ""},
	{"error-unsupported-wildcard-in-principal", "Unsupported wildcard in principal", resourceTypes | trustType, ""},
	{"error-variable-unsupported-in-element", "Variable unsupported in element", allTypes, ""},
	{"error-variable-unsupported-in-version", "Variable unsupported in version", allTypes, ""},
	{"error-type-mismatch-ip-range", "Type mismatch IP range", allTypes, ""},
	{"error-policy-size-exceeds-rcp-quota", "Policy size exceeds RCP quota", rcpType, ""},
	{"error-rcp-syntax-error-principal", "RCP syntax error principal", rcpType, ""},
	{"error-rcp-syntax-error-allow", "RCP syntax error allow", rcpType, ""},
	{"error-rcp-syntax-error-notaction", "RCP syntax error NotAction", rcpType, ""},
	{"error-rcp-syntax-error-action", "RCP syntax error action", rcpType, ""},
	{"error-missing-arn-account", "Missing ARN account", allTypes, ""},
	{"error-invalid-kms-key-value", "Invalid kms key value", allTypes, ""},
	{"error-variable-usage-too-permissive", "Variable usage too permissive", allTypes, ""},
	{"error-wildcard-usage-too-permissive", "Wildcard usage too permissive", allTypes, ""},
	{"general-warning-create-slr-with-not-action-and-not-resource", "Create SLR with NotAction and NotResource", identityTypes, ""},
	{"general-warning-create-slr-with-not-resource", "Create SLR with NotResource", identityTypes, ""},
	{"general-warning-create-slr-with-star-in-action-and-not-resource", "Create SLR with star in action and NotResource", identityTypes, ""},
	{"general-warning-create-slr-with-star-in-action-and-resource", "Create SLR with star in action and resource", identityTypes, ""},
	{"general-warning-create-slr-with-star-in-resource", "Create SLR with star in resource", identityTypes, ""},
	{"general-warning-create-slr-with-star-in-resource-and-not-action", "Create SLR with star in resource and NotAction", identityTypes, ""},
	{"general-warning-deprecated-global-condition-key", "Deprecated global condition key", allTypes, ""},
	{"general-warning-invalid-date-value", "Invalid date value", allTypes, ""},
	{"general-warning-invalid-role-reference", "Invalid role reference", resourceTypes | trustType, ""},
	{"general-warning-invalid-user-reference", "Invalid user reference", resourceTypes | trustType, ""},
	{"general-warning-missing-version", "Missing version", allTypes, ""},
	{"general-warning-policy-size-exceeds-identity-policy-quota", "Policy size exceeds identity policy quota", identityTypes, ""},
	{"general-warning-policy-size-exceeds-resource-policy-quota", "Policy size exceeds resource policy quota", resourceTypes, ""},
	{"general-warning-policy-size-exceeds-role-trust-policy-quota", "Policy size exceeds role trust policy quota", trustType, ""},
	{"general-warning-specific-github-repo-and-branch-recommended", "Specific github repo and branch recommended", trustType, ""},
	{"general-warning-type-mismatch", "Type mismatch", allTypes, ""},
	{"general-warning-type-mismatch-boolean", "Type mismatch Boolean", allTypes, ""},
	{"general-warning-type-mismatch-date", "Type mismatch date", allTypes, ""},
	{"general-warning-type-mismatch-number", "Type mismatch number", allTypes, ""},
	{"general-warning-type-mismatch-string", "Type mismatch string", allTypes, ""},
	{"general-warning-unique-sids-recommended", "Unique Sids recommended", resourceTypes, ""},
	{"general-warning-wildcard-without-like-operator", "Wildcard without like operator", allTypes, ""},
	{"general-warning-rcp-missing-related-principal-condition-key", "RCP missing related principal condition key", rcpType, ""},
	{"general-warning-rcp-missing-related-service-principal-condition-key", "RCP missing related service principal condition key", rcpType, ""},
	{"general-warning-rcp-missing-service-condition-key-null-check", "RCP missing service condition key null check", rcpType, ""},
	{"general-warning-use-condition-key-only-with-supported-services", "Use condition key only with supported services", allTypes, ""},
	{"security-warning-allow-with-not-principal", "Allow with NotPrincipal", resourceTypes, ""},
	{"security-warning-deny-notaction-with-unsupported-tag-condition-key-for-service", "Deny NotAction with unsupported tag condition key for service", allTypes, ""},
	{"security-warning-deny-with-unsupported-tag-condition-key-for-service", "Deny with unsupported tag condition key for service", allTypes, ""},
	{"security-warning-forallvalues-with-single-valued-key", "ForAllValues with single valued key", allTypes, ""},
	{"security-warning-missing-condition-key-for-oidc-principal", "Missing condition key for oidc principal", trustType, ""},
	{"security-warning-missing-github-repo-condition-key", "Missing github repo condition key", trustType, ""},
	{"security-warning-missing-paired-condition-keys", "Missing paired condition keys", allTypes, ""},
	{"security-warning-pass-role-with-not-action-and-not-resource", "Pass role with NotAction and NotResource", identityTypes, ""},
	{"security-warning-pass-role-with-not-resource", "Pass role with NotResource", identityTypes, ""},
	{"security-warning-pass-role-with-star-in-action-and-not-resource", "Pass role with star in action and NotResource", identityTypes, ""},
	{"security-warning-pass-role-with-star-in-action-and-resource", "Pass role with star in action and resource", identityTypes, ""},
	{"security-warning-pass-role-with-star-in-resource", "Pass role with star in resource", identityTypes, ""},
	{"security-warning-pass-role-with-star-in-resource-and-not-action", "Pass role with star in resource and NotAction", identityTypes, ""},
	{"security-warning-restrict-access-to-service-principal", "Restrict access to service principal", resourceTypes, ""},
	{"security-warning-untrustworthy-condition-key", "Untrustworthy condition key", allTypes, ""},
	{"security-warning-string-like-operator-with-arn-condition-keys", "String like operator with ARN condition keys", allTypes, ""},
	{"security-warning-dynamodb-attributes-without-select", "DynamoDB attributes without select", allTypes, ""},
	{"security-warning-s3-prefix-in-negative-context", "S3 prefix in negative context", allTypes, ""},
	{"security-warning-foranyvalue-with-audience-claim-type", "ForAnyValue with audience claim type", allTypes, ""},
	{"suggestion-allow-notaction-with-unsupported-tag-condition-key-for-service", "Allow NotAction with unsupported tag condition key for service", allTypes, ""},
	{"suggestion-allow-with-unsupported-tag-condition-key-for-service", "Allow with unsupported tag condition key for service", allTypes, ""},
	{"suggestion-confirm-audience-claim-type", "Confirm audience claim type", trustType, ""},
	{"suggestion-empty-array-action", "Empty array action", allTypes, ""},
	{"suggestion-empty-array-condition", "Empty array condition", allTypes, ""},
	{"suggestion-empty-array-condition-forallvalues", "Empty array condition ForAllValues", allTypes, ""},
	{"suggestion-empty-array-condition-foranyvalue", "Empty array condition ForAnyValue", allTypes, ""},
	{"suggestion-empty-array-condition-ifexists", "Empty array condition IfExists", allTypes, ""},
	{"suggestion-empty-array-principal", "Empty array principal", resourceTypes | trustType | rcpType, ""},
	{"suggestion-empty-array-resource", "Empty array resource", allTypes, ""},
	{"suggestion-empty-object-condition", "Empty object condition", allTypes, ""},
	{"suggestion-empty-object-principal", "Empty object principal", resourceTypes | trustType | rcpType, ""},
	{"suggestion-empty-sid-value", "Empty Sid value", allTypes, ""},
	{"suggestion-improve-ip-range", "Improve IP range", allTypes, ""},
	{"suggestion-irrelevant-condition-key-in-policy", "Irrelevant condition key in policy", resourceTypes, ""},
	{"suggestion-null-with-qualifier", "Null with qualifier", allTypes, ""},
	{"suggestion-private-ip-address-subset", "Private IP address subset", allTypes, ""},
	{"suggestion-private-not-ip-address-subset", "Private NotIpAddress subset", allTypes, ""},
	{"suggestion-recommended-condition-key-for-service-principal", "Recommended condition key for service principal", resourceTypes, ""},
	{"suggestion-redundant-action", "Redundant action", allTypes, ""},
	{"suggestion-redundant-condition-value-num", "Redundant condition value num", allTypes, ""},
	{"suggestion-redundant-principal-in-role-trust-policy", "Redundant principal in role trust policy", trustType, ""},
	{"suggestion-redundant-resource", "Redundant resource", allTypes, ""},
	{"suggestion-redundant-statement", "Redundant statement", allTypes, ""},
	{"suggestion-wildcard-in-service-name", "Wildcard in service name", allTypes, ""},
	{"suggestion-equivalent-to-null-false", "Equivalent to null false", allTypes, ""},
	{"suggestion-equivalent-to-null-true", "Equivalent to null true", allTypes, ""},
	{"suggestion-redundant-key-due-to-wildcard-in-condition", "Redundant key due to wildcard in condition", allTypes, ""},
	{"suggestion-redundant-statement-due-to-wildcard-in-condition", "Redundant statement due to wildcard in condition", allTypes, ""},
}

// ownChecks are iamwhy's checks that Access Analyzer lacks.
var ownChecks = []Check{
	{IssueCode: "DUPLICATE_ELEMENT", Severity: SeverityError, Title: "An element or key appears twice in one JSON object", Types: allTypes},
	{IssueCode: "ALLOW_WITH_NOT_ACTION", Severity: SeveritySecurityWarning, Title: "Allow with NotAction grants every other action", Types: identityTypes | resourceTypes | trustType},
	{IssueCode: "ALLOW_WITH_NOT_RESOURCE", Severity: SeveritySecurityWarning, Title: "Allow with NotResource grants on every other resource", Types: identityTypes | resourceTypes},
	{IssueCode: "PUBLIC_PRINCIPAL", Severity: SeveritySecurityWarning, Title: "Anyone may call: wildcard principal without a condition on the caller", Types: typeSet(policy.TypeResource)},
	{IssueCode: "ASSUME_ROLE_ON_ANY_ROLE", Severity: SeveritySecurityWarning, Title: "sts:AssumeRole allowed on every role", Types: identityTypes},
	{IssueCode: "FULL_IAM_ACCESS", Severity: SeveritySecurityWarning, Title: "Every IAM action allowed on every resource", Types: identityTypes},
	{IssueCode: "PRIVILEGE_ESCALATION", Severity: SeveritySecurityWarning, Title: "The policy grants a known privilege-escalation combination of actions", Types: identityTypes},
	{IssueCode: "IMPOSSIBLE_MFA_CONDITION", Severity: SeverityWarning, Title: "An MFA condition that can never work as meant", Types: allTypes},
	{IssueCode: "ACTION_RESOURCE_MISMATCH", Severity: SeverityWarning, Title: "The action works on none of the statement's resources", Types: allTypes},
	{IssueCode: "VARIABLE_OUTSIDE_RESOURCE_PART", Severity: SeverityWarning, Title: "A policy variable in an ARN's partition, service, Region or account", Types: allTypes},
	{IssueCode: "ACCESS_GRANTED", Severity: SeverityError, Title: "The policy grants an action --check-access-not-granted forbids (offline CheckAccessNotGranted)", Types: allTypes},
	{IssueCode: "PUBLIC_ACCESS", Severity: SeverityError, Title: "The resource policy allows public access (offline CheckNoPublicAccess)", Types: allTypes},
	{IssueCode: "RESOURCE_ELEMENT_NOT_ALLOWED", Severity: SeverityError, Title: "A Resource element in a resource policy whose service refuses one (Amazon ECR repository policies)", Types: typeSet(policy.TypeResource)},
	{IssueCode: "RCP_SYNTAX_ERROR", Severity: SeverityError, Title: "An element or value resource control policies do not support", Types: rcpType},
	{IssueCode: "RESOURCE_POLICY_PRIVILEGE_ESCALATION", Severity: SeverityWarning, Title: "A bucket permission (policy, ACL, lifecycle) lets the principal grant itself object permissions the policy withholds", Types: identityTypes},
	{IssueCode: "RESOURCE_STAR", Severity: SeveritySuggestion, Title: "Resource \"*\" for actions that can be limited to resource ARNs", Types: identityTypes},
	{IssueCode: "RESOURCE_EFFECTIVELY_STAR", Severity: SeveritySuggestion, Title: "Resource patterns that match every resource the actions work on", Types: identityTypes},
	{IssueCode: "ARN_KEY_WITH_STRING_OPERATOR", Severity: SeveritySuggestion, Title: "An exact string operator on an ARN condition key", Types: allTypes},
	{IssueCode: "CONDITION_KEY_CASE", Severity: SeveritySuggestion, Title: "A condition key spelled in another case than the reference's", Types: allTypes},
	{IssueCode: "NOT_IN_SERVICE_REFERENCE", Severity: SeverityWarning, Title: "A service, action, condition key or key use that the IAM service reference lacks but AWS managed policies use", Types: allTypes},
	{IssueCode: "COLLAPSIBLE_ACTIONS", Severity: SeveritySuggestion, Title: "The listed actions are exactly what a wildcard matches", Types: allTypes},
}

// Checks is every check: Access Analyzer's, then iamwhy's own.
var Checks = func() []Check {
	out := make([]Check, 0, len(accessAnalyzerChecks)+len(ownChecks))
	for _, c := range accessAnalyzerChecks {
		sev, code := severityOfAnchor(c.anchor)
		out = append(out, Check{IssueCode: code, Severity: sev, Title: c.title,
			LearnMoreLink: accessAnalyzerReference + "#access-analyzer-reference-policy-checks-" + c.anchor,
			Types:         c.types, AccessAnalyzer: true, NotOffline: c.notOffline})
	}
	for _, c := range ownChecks {
		c.LearnMoreLink = ownChecksDoc + "#" + strings.ToLower(strings.ReplaceAll(c.IssueCode, "_", "-"))
		out = append(out, c)
	}
	return out
}()

// severityOfAnchor splits a reference anchor ("security-warning-pass-role-...")
// into its severity and issue code.
func severityOfAnchor(anchor string) (Severity, string) {
	for _, p := range []struct {
		prefix string
		sev    Severity
	}{{"error-", SeverityError}, {"general-warning-", SeverityWarning}, {"security-warning-", SeveritySecurityWarning}, {"suggestion-", SeveritySuggestion}} {
		if rest, ok := strings.CutPrefix(anchor, p.prefix); ok {
			return p.sev, strings.ToUpper(strings.ReplaceAll(rest, "-", "_"))
		}
	}
	panic("analyze: reference anchor without a severity: " + anchor)
}

var checkIndex = func() map[string]*Check {
	m := make(map[string]*Check, len(Checks))
	for i := range Checks {
		m[Checks[i].IssueCode] = &Checks[i]
	}
	return m
}()

// CheckFor returns the check with the issue code.
func CheckFor(code string) (*Check, bool) {
	c, ok := checkIndex[code]
	return c, ok
}
