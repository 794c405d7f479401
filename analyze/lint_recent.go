package analyze

import (
	"strings"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/internal/lazyre"
	"github.com/iamwhy/iamwhy/policy"
)

// The checks of this file are the ones Access Analyzer's policy check
// reference added after its 2023 text: condition-value patterns that are
// too permissive or always (never) match, keys that cannot be trusted or
// work only with some services, and the RCP condition-key warnings.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html

// sensitiveKeys: "The use of wildcards in these condition keys does not
// have any valid use cases, even with a substring of the key value with a
// wildcard."
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sensitive
var sensitiveKeys = map[string]bool{
	"aws:principalaccount": true, "aws:principalorgid": true, "aws:resourceaccount": true, "aws:resourceorgid": true,
	"aws:sourceaccount": true, "aws:sourceorgid": true, "aws:sourcevpc": true, "aws:sourcevpce": true,
	"aws:vpceaccount": true, "aws:vpceorgid": true,
}

// wholeSensitiveVariable is a value that is exactly one variable naming a
// sensitive key, as in AWS's data perimeter examples
// ("aws:ResourceOrgID": "${aws:PrincipalOrgID}"): it resolves to the
// caller's own single account or organization, not to a pattern.
var wholeSensitiveVariable = lazyre.New(`^\$\{([^},' ]+)\}$`)

// conditionRecent runs the per-condition checks of this file.
func (l *linter) conditionRecent(si *stmtInfo, cond *policy.Condition, op operator, opKnown bool) {
	lk := strings.ToLower(cond.Key)
	if lk == "aws:useragent" {
		// "aws:UserAgent should not be used to prevent unauthorized
		// parties from making direct AWS requests": the caller sets it.
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-useragent
		l.addS(si, "UNTRUSTWORTHY_CONDITION_KEY", cond.KeyPos, "the %s condition key is not recommended for access control as it can be spoofed or manipulated by the caller (it is the client's User-Agent header)", cond.Key)
	}
	if !opKnown {
		return
	}
	if isAudienceKey(cond.Key) && op.set == "ForAnyValue" {
		l.addS(si, "FORANYVALUE_WITH_AUDIENCE_CLAIM_TYPE", cond.OperatorPos, "using ForAnyValue qualifier with the single-valued condition key %s can be overly permissive: we recommend that you remove ForAnyValue:", cond.Key)
	}
	if lk == "s3:prefix" && op.family == famString && (si.s.Effect == policy.Deny) != op.negated {
		// A Deny with a positive operator, or an Allow with a negated
		// one, is bypassed by a shorter prefix.
		l.addS(si, "S3_PREFIX_IN_NEGATIVE_CONTEXT", cond.KeyPos, "using the s3:prefix condition key in a Deny statement or with a negated string operator (%s in an %s statement) does not block listing the objects under the matching prefixes: a request that specifies a shorter prefix does not match the condition and can still list those objects; use s3:prefix with StringLike in an Allow statement, or a Deny statement with StringNotLike", cond.Operator, si.s.Effect)
	}
	l.wildcardOnly(si, cond, op)
	l.tooPermissive(si, cond, op, lk)
	if lk == "aws:vpceaccount" || lk == "aws:vpceorgid" || lk == "aws:vpceorgpaths" {
		l.vpceKeyServices(si, cond, lk)
	}
	if key, ok := l.conditionKeyOf(cond.Key); ok {
		if op.family == famString && op.like && key.Type.Elem() == catalog.KeyARN {
			// "AWS recommends that you use ARN operators instead of
			// string operators when comparing ARNs."
			l.addS(si, "STRING_LIKE_OPERATOR_WITH_ARN_CONDITION_KEYS", cond.OperatorPos, "use the operator type %s instead of operator %s for the condition key %s (an ARN key: ARN operators compare each ARN field)", arnOperatorFor(cond.Operator), cond.Operator, cond.Key)
		}
		l.arnKeyWithStringOperator(si, cond, op, key)
		if kmsKeyARNKey(key) {
			l.kmsKeyValues(si, cond, op)
		}
	}
}

// arnOperatorFor names the ARN operator that replaces a string one.
func arnOperatorFor(operator string) string {
	r := strings.NewReplacer("StringNotLike", "ArnNotLike", "StringLike", "ArnLike")
	return r.Replace(operator)
}

// wildcardOnly: a Like operator with the value "*" matches every value
// the key can have, so the condition only tests whether the key is
// present (Null false), absent (Null true), always holds or never does.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
func (l *linter) wildcardOnly(si *stmtInfo, cond *policy.Condition, op operator) {
	if !op.like {
		return
	}
	star := false
	for _, v := range cond.Values {
		if v.Text == "*" {
			star = true
		}
	}
	if !star {
		return
	}
	switch {
	case op.negated && op.set == "ForAnyValue" && !op.ifExists:
		// No value is "not like *": the condition never holds.
		l.addS(si, "REDUNDANT_STATEMENT_DUE_TO_WILDCARD_IN_CONDITION", cond.KeyPos, "the key %s in the condition block of %s does not match any values (no value is unlike \"*\"): the statement never applies; remove this key or the statement", cond.Key, cond.Operator)
	case op.negated:
		l.addS(si, "EQUIVALENT_TO_NULL_TRUE", cond.KeyPos, "we recommend replacing the key %s in the condition block of %s with {\"Null\": {\"%s\": \"true\"}}: the condition holds only when the key is absent", cond.Key, cond.Operator, cond.Key)
	case op.ifExists || op.set == "ForAllValues":
		l.addS(si, "REDUNDANT_KEY_DUE_TO_WILDCARD_IN_CONDITION", cond.KeyPos, "the key %s in the condition block of %s is redundant because it is always matched (present or not, every value is like \"*\"): remove this key to simplify the condition", cond.Key, cond.Operator)
	default:
		l.addS(si, "EQUIVALENT_TO_NULL_FALSE", cond.KeyPos, "we recommend replacing the key %s in the condition block of %s with {\"Null\": {\"%s\": \"false\"}}: the condition holds whenever the key is present", cond.Key, cond.Operator, cond.Key)
	}
}

// tooPermissive: wildcards and policy variables in the sensitive keys,
// and in aws:userid anywhere but after the colon that ends the unique ID
// of a role ("AIDACKCEVSQ6C2EXAMPLE:*" or "*:*", not "*").
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-error-wildcard-usage-too-permissive
func (l *linter) tooPermissive(si *stmtInfo, cond *policy.Condition, op operator, lk string) {
	if op.family != famString {
		return
	}
	for _, v := range cond.Values {
		hasVar := strings.Contains(v.Text, "${")
		hasWild := op.like && strings.ContainsAny(strings.NewReplacer("${*}", "", "${?}", "").Replace(v.Text), "*?")
		switch {
		case sensitiveKeys[lk]:
			if hasWild {
				l.addS(si, "WILDCARD_USAGE_TOO_PERMISSIVE", v.Pos, "the wildcard is not allowed in the condition key %s (%q): AWS considers the key sensitive, and a wildcard might match it to any value; list the exact values", cond.Key, v.Text)
			}
			if m := wholeSensitiveVariable().FindStringSubmatch(v.Text); hasVar && (m == nil || !sensitiveKeys[strings.ToLower(m[1])]) {
				l.addS(si, "VARIABLE_USAGE_TOO_PERMISSIVE", v.Pos, "the policy variable is not allowed in the condition key %s (%q): AWS considers the key sensitive, and policy variables can be evaluated as effective wildcards", cond.Key, v.Text)
			}
		case lk == "aws:userid":
			left, _, hasColon := strings.Cut(v.Text, ":")
			if hasWild && strings.ContainsAny(left, "*?") && !(hasColon && left == "*") {
				l.addS(si, "WILDCARD_USAGE_TOO_PERMISSIVE", v.Pos, "overly permissive use of wildcard with aws:userid (%q): use the wildcard on the right side of the colon or as the only character on the left side of a colon, as in AIDACKCEVSQ6C2EXAMPLE:* or *:*", v.Text)
			}
			if hasVar && strings.Contains(left, "${") && !(hasColon && wholeSensitiveVariable().MatchString(left)) {
				l.addS(si, "VARIABLE_USAGE_TOO_PERMISSIVE", v.Pos, "overly permissive use of policy variable with aws:userid (%q): use the policy variable on the right side of the colon or as the only text on the left side of a colon", v.Text)
			}
		}
	}
}

// vpceKeyServices are the services that set aws:VpceAccount,
// aws:VpceOrgID and aws:VpceOrgPaths ("This condition key is currently
// supported for a select set of AWS services ... Always scope the
// condition key to supported services"); iam:PassRole is excepted.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-vpceaccount
var (
	vpceAccountServices = wordSet("apprunner discovery athena servicediscovery applicationinsights cloudformation comprehendmedical compute-optimizer ecr ecs kinesisanalytics route53 datasync dynamodb ebs scheduler firehose gamelift medical-imaging healthlake omics iam iotfleetwise iotwireless kms lambda payment-cryptography polly acm-pca rbin rekognition servicequotas s3 shield storagegateway ssm-contacts textract transcribe transfer")
	vpceOrgIDServices   = wordSet("apprunner discovery athena b2bi servicediscovery applicationinsights cloudformation cognito-identity comprehendmedical compute-optimizer dms ds-data dynamodb ecr ecs kinesisanalytics route53 datasync ebs scheduler firehose gamelift medical-imaging healthlake omics iam identitystore iotfleetwise iottwinmaker iotwireless cassandra kms lambda network-firewall payment-cryptography sms-voice polly pricing acm-pca rbin rekognition servicequotas ses shield s3 sqs storagegateway ssm-contacts textract transcribe transfer workmail")
	vpceKeySupport      = map[string]map[string]bool{"aws:vpceaccount": vpceAccountServices, "aws:vpceorgid": vpceOrgIDServices, "aws:vpceorgpaths": vpceAccountServices}
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

func (l *linter) vpceKeyServices(si *stmtInfo, cond *policy.Condition, lk string) {
	s := si.s
	supported := vpceKeySupport[lk]
	var outside []string
	if s.Action.Not {
		outside = append(outside, "NotAction")
	}
	for _, a := range s.Action.Values {
		prefix, name, ok := strings.Cut(strings.ToLower(a.Text), ":")
		switch {
		case a.Text == "*" || !ok || strings.ContainsAny(prefix, "*?"):
			outside = append(outside, a.Text)
		case !supported[prefix] || prefix == "iam" && globMatch(name, "passrole"):
			outside = append(outside, a.Text)
		}
	}
	if len(outside) > 0 {
		l.addS(si, "USE_CONDITION_KEY_ONLY_WITH_SUPPORTED_SERVICES", cond.KeyPos, "the condition key %s works only with specific AWS services and must be scoped to supported services in your policies: %s", cond.Key, listSome(outside))
	}
}

// kmsKeyARNKey: the service keys whose values are KMS key ARNs (ARN-typed
// keys naming a KMS key, such as s3:x-amz-server-side-encryption-aws-kms-key-id).
func kmsKeyARNKey(k *catalog.ConditionKey) bool {
	n := strings.ToLower(k.Name)
	return k.Type.Elem() == catalog.KeyARN && strings.Contains(n, "kms") && strings.Contains(n, "key") && !strings.HasPrefix(n, "kms:")
}

// kmsKeyARN is a key ARN: arn:partition:kms:region:account:key/key-id.
// https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id-key-ARN
var kmsKeyARN = lazyre.New(`^arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$`)

func (l *linter) kmsKeyValues(si *stmtInfo, cond *policy.Condition, op operator) {
	if op.family == famNull {
		return
	}
	for _, v := range cond.Values {
		if strings.Contains(v.Text, "${") {
			continue
		}
		ok := kmsKeyARN().MatchString(v.Text)
		if !ok && op.like && strings.ContainsAny(v.Text, "*?") {
			// A pattern: each field must be able to match a key ARN.
			f := strings.SplitN(v.Text, ":", 6)
			ok = len(f) == 6 && f[0] == "arn" && globMatch(f[2], "kms") && (globMatch(f[5], "key/x") || strings.HasPrefix(f[5], "key/"))
		}
		if !ok {
			l.addS(si, "INVALID_KMS_KEY_VALUE", v.Pos, "the %s condition key value must be a valid KMS key ARN (arn:partition:kms:region:account-id:key/key-id), not %q", cond.Key, v.Text)
		}
	}
}

// statementRecent runs the per-statement checks of this file.
func (l *linter) statementRecent(si *stmtInfo) {
	s := si.s
	var attributes *policy.Condition
	selectSpecific := false
	for i := range s.Conditions {
		c := &s.Conditions[i]
		switch strings.ToLower(c.Key) {
		case "dynamodb:attributes":
			attributes = c
		case "dynamodb:select":
			op, ok := parseOperator(c.Operator)
			if ok && op.family == famString && !op.negated && !op.like && len(c.Values) == 1 && c.Values[0].Text == "SPECIFIC_ATTRIBUTES" {
				selectSpecific = true
			}
		}
	}
	// "DynamoDB evaluates dynamodb:Attributes only for requests that
	// specify the attributes to return."
	// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html
	if attributes != nil && !selectSpecific && s.Effect == policy.Allow {
		l.addS(si, "DYNAMODB_ATTRIBUTES_WITHOUT_SELECT", attributes.KeyPos, "restricting %s without also setting dynamodb:Select to SPECIFIC_ATTRIBUTES allows all attributes to be returned on read requests that omit a projection expression: add a StringEquals condition that sets dynamodb:Select to SPECIFIC_ATTRIBUTES", attributes.Key)
	}
	if l.t == policy.TypeRCP {
		l.rcpConditionKeys(si)
	}
}

// principalKeys are the keys that describe the calling principal, and
// serviceSourceKeys the keys a service principal's calls carry.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principal-properties
var (
	principalKeys     = wordSet("aws:principalarn aws:principalaccount aws:principalorgpaths aws:principalorgid aws:principaltype aws:userid aws:username")
	serviceSourceKeys = wordSet("aws:sourceaccount aws:sourcearn aws:sourceorgid aws:sourceorgpaths")
)

// rcpConditionKeys: RCPs also apply to AWS service principals, so a
// statement about principals should exempt services
// (BoolIfExists aws:PrincipalIsAWSService false), one about the services'
// sources should apply only to services (... true) and check that the
// source key is present (Null aws:SourceAccount or aws:SourceArn false).
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_examples.html
func (l *linter) rcpConditionKeys(si *stmtInfo) {
	s := si.s
	isService := map[string]bool{}
	nullChecked := false
	for i := range s.Conditions {
		c := &s.Conditions[i]
		op, ok := parseOperator(c.Operator)
		if !ok || len(c.Values) != 1 {
			continue
		}
		lk := strings.ToLower(c.Key)
		val := strings.ToLower(c.Values[0].Text)
		switch {
		case lk == "aws:principalisawsservice" && op.family == famBool && op.set == "":
			isService[val] = true
		case op.family == famNull && (lk == "aws:sourceaccount" || lk == "aws:sourcearn") && val == "false":
			nullChecked = true
		}
	}
	for i := range s.Conditions {
		c := &s.Conditions[i]
		op, ok := parseOperator(c.Operator)
		if !ok || op.family == famNull {
			continue
		}
		lk := strings.ToLower(c.Key)
		switch {
		case principalKeys[lk] || strings.HasPrefix(lk, "aws:principaltag/"):
			if !isService["false"] {
				l.addS(si, "RCP_MISSING_RELATED_PRINCIPAL_CONDITION_KEY", c.KeyPos, "RCPs impact IAM roles, users, and AWS service principals: to prevent unintended impact to services acting on your behalf using a service principal, add \"BoolIfExists\": {\"aws:PrincipalIsAWSService\": \"false\"} to the Condition block whenever a principal key (%s) is used", c.Key)
			}
		case serviceSourceKeys[lk]:
			if !isService["true"] {
				l.addS(si, "RCP_MISSING_RELATED_SERVICE_PRINCIPAL_CONDITION_KEY", c.KeyPos, "RCPs impact IAM roles, users, and AWS service principals: to prevent unintended impact to your principals, add \"BoolIfExists\": {\"aws:PrincipalIsAWSService\": \"true\"} to the Condition block whenever the key %s is used", c.Key)
			}
			if !nullChecked {
				l.addS(si, "RCP_MISSING_SERVICE_CONDITION_KEY_NULL_CHECK", c.KeyPos, "the service may have an integration that does not send the %s condition key: to prevent unintended impact to services acting on your behalf, add \"Null\": {\"aws:SourceAccount\": \"false\"} or \"Null\": {\"aws:SourceArn\": \"false\"} to the Condition block", c.Key)
			}
		}
	}
}
