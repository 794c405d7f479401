package analyze

import (
	"strings"

	"github.com/iamwhy/iamwhy/arn"
	"github.com/iamwhy/iamwhy/internal/lazyre"
	"github.com/iamwhy/iamwhy/policy"
)

// principalChecks are the checks of a statement's Principal: its values'
// formats, and what trust and resource policies grant through them.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
func (l *linter) principalChecks(si *stmtInfo) {
	s := si.s
	pr := s.Principal
	if !pr.Present {
		return
	}
	for _, e := range pr.Entries {
		l.principalValue(si, e)
	}
	if pr.Not {
		return
	}
	public := pr.Wildcard
	for _, e := range pr.Entries {
		if e.Kind == policy.PrincipalAWS && e.Value == "*" {
			public = true
		}
	}
	if public {
		l.addS(si, "ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL", pr.Pos, "\"Principal\": \"*\" is not supported in the principal element of a role trust policy: replace the wildcard with a valid principal value")
		if s.Effect == policy.Allow && !narrowed(s) {
			l.addS(si, "PUBLIC_PRINCIPAL", pr.Pos, "Principal \"*\" without a condition on the caller (aws:PrincipalOrgID, aws:PrincipalAccount, aws:SourceArn, aws:SourceVpce, ...) allows anyone, anonymous callers included")
		}
	}
	l.redundantPrincipals(si)
	l.servicePrincipals(si)
	if s.Effect == policy.Allow {
		l.trustActions(si)
		l.oidc(si)
	}
}

var (
	uniqueID         = lazyre.New(`^A[A-Z0-9]{3}[A-Z0-9]{12,}$`)
	servicePrincipal = lazyre.New(`^[a-z0-9][a-z0-9.-]*\.(amazonaws\.com|amazonaws\.com\.cn|amazon\.com|c2s\.ic\.gov|sc2s\.sgov\.gov)$`)
	providerARN      = lazyre.New(`^arn:aws[a-z-]*:iam::[0-9]{12}:(saml-provider|oidc-provider)/.+$`)
	domainName       = lazyre.New(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(/.*)?$`)
)

// accountID is an AWS account ID as a principal or ARN field.
var accountID = lazyre.New(`^[0-9]{12}$`)

// validAWSPrincipal reports whether v can name principals under the AWS
// key: "*", an account ID, the unique ID AWS stores for a deleted user or
// role, or the ARN of an account root, user, role, assumed-role session
// or federated user session. CloudFront origin access identities are IAM
// users of the pseudo-account "cloudfront".
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html
func validAWSPrincipal(v string) bool {
	if v == "*" || accountID().MatchString(v) || uniqueID().MatchString(v) {
		return true
	}
	a, ok := arn.Split(v)
	if !ok || a.Region != "" {
		return false
	}
	switch a.PrincipalKind() {
	case arn.PrincipalRoot, arn.PrincipalUser, arn.PrincipalRole, arn.PrincipalAssumedRole, arn.PrincipalFederatedUser:
		return accountID().MatchString(a.Account) || (a.Account == "cloudfront" && strings.HasPrefix(a.Resource, "user/CloudFront Origin Access Identity "))
	}
	return false
}

func (l *linter) principalValue(si *stmtInfo, e policy.PrincipalEntry) {
	v := e.Value
	if strings.Contains(v, "${") {
		l.addS(si, "VARIABLE_UNSUPPORTED_IN_ELEMENT", e.Pos, "policy variables are supported in the Resource and Condition elements: remove the policy variable from the principal %q", v)
		return
	}
	if strings.ContainsAny(v, "*?") && !(e.Kind == policy.PrincipalAWS && v == "*") {
		l.addS(si, "UNSUPPORTED_WILDCARD_IN_PRINCIPAL", e.Pos, "wildcards (*, ?) are not supported with the principal key %s (%q): replace the wildcard with a valid principal value, and use a condition such as aws:PrincipalArn with ArnLike to match names", e.Kind, v)
		return
	}
	switch e.Kind {
	case policy.PrincipalAWS:
		if !validAWSPrincipal(v) {
			l.addS(si, "INVALID_PRINCIPAL_FORMAT", e.Pos, "the Principal element contents are not valid: the AWS principal %q is neither an account ID, the ARN of an account, user, role, role session or federated user, nor \"*\"; specify one of those", v)
			return
		}
		// Unique IDs: "AROA" roles, "AIDA" users
		// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids).
		if uniqueID().MatchString(v) {
			switch v[:4] {
			case "AROA":
				l.addS(si, "INVALID_ROLE_REFERENCE", e.Pos, "the Principal element includes the IAM role ID %s: we recommend that you use a role ARN instead (AWS stores the ID when the role exists and shows it when the role is deleted)", v)
			case "AIDA":
				l.addS(si, "INVALID_USER_REFERENCE", e.Pos, "the Principal element includes the IAM user ID %s: we recommend that you use a user ARN instead", v)
			}
		}
	case policy.PrincipalService:
		if !servicePrincipal().MatchString(v) {
			l.addS(si, "INVALID_SERVICE_PRINCIPAL_FORMAT", e.Pos, "the service principal %q does not match the expected format: use the format servicename.amazonaws.com", v)
		}
	case policy.PrincipalFederated:
		// Bucket policies and other resource policies cannot name
		// identity providers; role trust policies can.
		l.addS(si, "FEDERATED_PRINCIPAL_NOT_SUPPORTED", e.Pos, "the policy type does not support a federated identity provider (%s) in the principal element: use a supported principal", v)
		if !providerARN().MatchString(v) && !domainName().MatchString(v) {
			l.addS(si, "INVALID_FEDERATED_PRINCIPAL_SYNTAX_IN_ROLE_TRUST_POLICY", e.Pos, "the principal value %q specifies a federated principal that does not match the expected format: update the federated principal to a domain name or a SAML or OIDC provider ARN", v)
		}
	}
}

// narrowingKeys are the condition keys that limit who may call, or from
// where, so a wildcard principal with a positive condition on one of them
// is not public. (Access Analyzer treats the same keys as limiting access:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-concepts.html)
var narrowingKeys = map[string]bool{
	"aws:principalaccount": true, "aws:principalarn": true, "aws:principalorgid": true, "aws:principalorgpaths": true,
	"aws:sourcearn": true, "aws:sourceaccount": true, "aws:sourceowner": true, "aws:sourceorgid": true, "aws:sourceorgpaths": true,
	"aws:sourcevpc": true, "aws:sourcevpce": true, "aws:sourceip": true, "aws:vpcsourceip": true,
	"aws:userid": true, "aws:username": true, "aws:principalservicename": true,
	"aws:vpceaccount": true, "aws:vpceorgid": true, "aws:vpceorgpaths": true,
	"kms:calleraccount": true, "s3:dataaccesspointaccount": true,
}

// narrowed reports whether the statement has a condition that limits the
// callers: a narrowing key under an operator that requires a match (not
// negated, not IfExists, not Null).
func narrowed(s *policy.Statement) bool {
	for _, c := range s.Conditions {
		op, ok := parseOperator(c.Operator)
		if !ok || op.negated || op.ifExists || op.family == famNull {
			continue
		}
		if narrowingKeys[strings.ToLower(c.Key)] {
			return true
		}
	}
	return false
}

// redundantPrincipals: an assumed-role session ARN next to its role's ARN
// adds nothing to a trust policy (the role covers its sessions' role).
func (l *linter) redundantPrincipals(si *stmtInfo) {
	roles := map[string]bool{}
	for _, e := range si.s.Principal.Entries {
		if e.Kind == policy.PrincipalAWS && arn.PrincipalKindOf(e.Value) == arn.PrincipalRole {
			a, _ := arn.Split(e.Value)
			_, name := arn.PathName(a.Resource)
			roles[a.Account+"/"+name] = true
		}
	}
	for _, e := range si.s.Principal.Entries {
		if e.Kind != policy.PrincipalAWS {
			continue
		}
		role, _, ok := arn.SessionRole(e.Value)
		if ok && roles[arn.Account(e.Value)+"/"+role] {
			l.addS(si, "REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY", e.Pos, "the assumed-role principal %s is redundant with its parent role %s: remove the assumed-role principal", e.Value, role)
		}
	}
}

// sourceKeys scope a service principal to the resource or account it
// acts for, against the confused deputy problem.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html#cross-service-confused-deputy-prevention
var sourceKeys = map[string]bool{"aws:sourcearn": true, "aws:sourceaccount": true, "aws:sourceorgid": true, "aws:sourceorgpaths": true, "aws:sourceowner": true}

// servicePrincipalUnsupportedKeys are keys a request made by a service
// principal does not carry: the caller is a service, not a principal of
// an organization ("you can't use the aws:PrincipalOrgID condition key
// with the service principal cloudfront.amazonaws.com"). The condition
// key reference says aws:PrincipalOrgID and aws:PrincipalOrgPaths are
// present "only if the principal is a member of an organization" and
// aws:PrincipalTag only for IAM users and roles with tags; aws:PrincipalAccount
// is "included in the request context for all requests", so it is not
// listed.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principal-properties
var servicePrincipalUnsupportedKeys = []string{"aws:principalorgid", "aws:principalorgpaths", "aws:principaltag/"}

func (l *linter) servicePrincipals(si *stmtInfo) {
	s := si.s
	var service *policy.PrincipalEntry
	onlyServices := !s.Principal.Wildcard
	for i, e := range s.Principal.Entries {
		if e.Kind == policy.PrincipalService {
			if service == nil {
				service = &s.Principal.Entries[i]
			}
		} else {
			onlyServices = false
		}
	}
	if service == nil {
		return
	}
	if onlyServices {
		var bad []string
		for _, c := range s.Conditions {
			lk := strings.ToLower(c.Key)
			for _, k := range servicePrincipalUnsupportedKeys {
				if lk == k || strings.HasSuffix(k, "/") && strings.HasPrefix(lk, k) {
					bad = append(bad, c.Key)
				}
			}
		}
		if len(bad) > 0 {
			l.addS(si, "UNSUPPORTED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL", service.Pos, "the following condition keys are not supported when used with the service principal %s: %s", service.Value, strings.Join(bad, ", "))
		}
	}
	if s.Effect != policy.Allow {
		return
	}
	var other string
	for _, c := range s.Conditions {
		if sourceKeys[strings.ToLower(c.Key)] {
			return
		}
		if other == "" {
			other = c.Key
		}
	}
	if other != "" {
		l.addS(si, "RECOMMENDED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL", service.Pos, "to restrict access to the service principal %s operating on your behalf, we recommend aws:SourceArn or aws:SourceAccount instead of %s", service.Value, other)
		return
	}
	l.addS(si, "RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL", service.Pos, "granting access to the service principal %s without specifying a source is overly permissive: use the aws:SourceArn or aws:SourceAccount condition key to scope access to a specific source", service.Value)
}

// providerKind classifies a Federated principal: "saml", "oidc" or "".
func providerKind(v string) string {
	switch {
	case strings.Contains(v, ":saml-provider/"):
		return "saml"
	case strings.Contains(v, ":oidc-provider/"), !strings.HasPrefix(v, "arn:") && strings.Contains(v, "."):
		return "oidc"
	}
	return ""
}

// trustActions: which sts action each kind of principal assumes a role
// with. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp.html
func (l *linter) trustActions(si *stmtInfo) {
	s := si.s
	if s.Action.Not {
		return
	}
	explicit := map[string]policy.Value{}
	for _, v := range s.Action.Values {
		explicit[strings.ToLower(v.Text)] = v
	}
	var saml, oidc, other []string
	for _, e := range s.Principal.Entries {
		switch {
		case e.Kind == policy.PrincipalFederated && providerKind(e.Value) == "saml":
			saml = append(saml, e.Value)
		case e.Kind == policy.PrincipalFederated && providerKind(e.Value) == "oidc":
			oidc = append(oidc, e.Value)
		case e.Kind == policy.PrincipalAWS || e.Kind == policy.PrincipalService:
			other = append(other, e.Value)
		}
	}
	mismatch := func(action string, principals []string) {
		if v, ok := explicit[strings.ToLower(action)]; ok && len(principals) > 0 {
			l.addS(si, "MISMATCHED_ACTION_FOR_PRINCIPAL", v.Pos, "the %s action is invalid with the following principal(s): %s: use a SAML provider principal with the sts:AssumeRoleWithSAML action or an OIDC provider principal with the sts:AssumeRoleWithWebIdentity action; ensure the provider is Federated if you use either of the two options", v.Text, strings.Join(principals, ", "))
		}
	}
	mismatch("sts:AssumeRoleWithSAML", append(append([]string(nil), oidc...), other...))
	mismatch("sts:AssumeRoleWithWebIdentity", append(append([]string(nil), saml...), other...))
	if len(other) == 0 {
		mismatch("sts:AssumeRole", append(append([]string(nil), saml...), oidc...))
	}
	// IAM Roles Anywhere: "The rolesanywhere.amazonaws.com service
	// principal requires the sts:AssumeRole, sts:SetSourceIdentity, and
	// sts:TagSession permissions".
	// https://docs.aws.amazon.com/rolesanywhere/latest/userguide/trust-model.html
	for _, e := range s.Principal.Entries {
		if e.Kind != policy.PrincipalService || e.Value != "rolesanywhere.amazonaws.com" {
			continue
		}
		var missing []string
		for _, a := range []string{"sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"} {
			if grants(s, a) == "" {
				missing = append(missing, a)
			}
		}
		if len(missing) > 0 {
			l.addS(si, "MISSING_ACTION_FOR_ROLES_ANYWHERE_TRUST_POLICY", s.Action.Pos, "the rolesanywhere.amazonaws.com service principal requires the sts:AssumeRole, sts:SetSourceIdentity, and sts:TagSession permissions to assume a role: add %s", strings.Join(missing, ", "))
		}
	}
	// Keys that only the session-tagging and source-identity actions
	// set: without the action in the block, the condition never sees
	// them. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html
	for _, c := range s.Conditions {
		lk := strings.ToLower(c.Key)
		need := ""
		switch {
		case strings.HasPrefix(lk, "aws:requesttag/"), lk == "aws:tagkeys", lk == "sts:transitivetagkeys":
			need = "sts:TagSession"
		case lk == "sts:sourceidentity":
			need = "sts:SetSourceIdentity"
		}
		if need != "" && l.t == policy.TypeTrust && grants(s, need) == "" {
			l.addS(si, "MISSING_ACTION_FOR_CONDITION_KEY", c.KeyPos, "the %s action must be in the action block to allow setting values for the condition key %s: add %s to the action block", need, c.Key, need)
		}
	}
}

// oidc: a role trusting an OpenID Connect provider trusts every token the
// provider issues unless a condition names the audience or subject; for
// GitHub, every repository's workflows.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
func (l *linter) oidc(si *stmtInfo) {
	s := si.s
	for _, e := range s.Principal.Entries {
		if e.Kind != policy.PrincipalFederated || providerKind(e.Value) != "oidc" {
			continue
		}
		host := e.Value
		if i := strings.Index(host, ":oidc-provider/"); i >= 0 {
			host = host[i+len(":oidc-provider/"):]
		}
		host = strings.ToLower(host)
		if host == "cognito-identity.amazonaws.com" || host == "accounts.google.com" || host == "graph.facebook.com" || host == "www.amazon.com" {
			if !hasPrefixCondition(s, host+":") {
				l.addS(si, "MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL", e.Pos, "using an OpenID Connect principal (%s) without a condition can be overly permissive: add condition keys with the prefix %s: (the audience %s:aud) so that only the intended identities assume the role", e.Value, host, host)
			}
			continue
		}
		if host == "token.actions.githubusercontent.com" {
			sub := positiveCondition(s, host+":sub")
			if sub == nil {
				l.addS(si, "MISSING_GITHUB_REPO_CONDITION_KEY", e.Pos, "granting a federated GitHub principal permissions without a condition on token.actions.githubusercontent.com:sub can allow more sources to assume the role than you intended (every repository's workflows): add the key and specify the repository and branch in the value")
				continue
			}
			for _, v := range sub.Values {
				if !githubRepoFixed(v.Text) {
					l.addS(si, "SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED", v.Pos, "using a wildcard (*) in token.actions.githubusercontent.com:sub (%q) can allow requests from more repositories than you intended: specify the value with the repository and branch name", v.Text)
				}
			}
			continue
		}
		if !hasPrefixCondition(s, host+":") {
			l.addS(si, "MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL", e.Pos, "using an OpenID Connect principal (%s) without a condition can be overly permissive: add condition keys with the prefix %s: (such as %s:aud and %s:sub) so that only the intended identity provider tokens assume the role", e.Value, host, host, host)
		}
	}
}

// githubRepoFixed: a sub value names one repository ("repo:OWNER/NAME:..."
// with no wildcard before the part after the repository).
func githubRepoFixed(v string) bool {
	rest, ok := strings.CutPrefix(v, "repo:")
	if !ok {
		// Other subject forms ("environment:...") are GitHub's
		// customisations; only wildcards make them broad.
		return !strings.ContainsAny(v, "*?")
	}
	repo, _, _ := strings.Cut(rest, ":")
	return !strings.ContainsAny(repo, "*?") && strings.Contains(repo, "/")
}

func hasPrefixCondition(s *policy.Statement, prefix string) bool {
	for _, c := range s.Conditions {
		if strings.HasPrefix(strings.ToLower(c.Key), prefix) {
			return true
		}
	}
	return false
}

func positiveCondition(s *policy.Statement, key string) *policy.Condition {
	for i, c := range s.Conditions {
		op, ok := parseOperator(c.Operator)
		if ok && !op.negated && op.family != famNull && strings.EqualFold(c.Key, key) {
			return &s.Conditions[i]
		}
	}
	return nil
}
