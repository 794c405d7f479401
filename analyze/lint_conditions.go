package analyze

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/internal/lazyre"
	"github.com/iamwhy/iamwhy/policy"
)

// maxKeySupportActions bounds the actions whose supported keys are
// gathered for a key: a statement matching more (a service-wide wildcard
// across services) is not judged.
const maxKeySupportActions = 2000

// conditions checks each (operator, key, values) of the statement.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
func (l *linter) conditions(si *stmtInfo) {
	s := si.s
	for i := range s.Conditions {
		cond := &s.Conditions[i]
		op, ok := parseOperator(cond.Operator)
		if !ok {
			l.addS(si, "INVALID_CONDITION_OPERATOR", cond.OperatorPos, "the condition operator %s is not valid: use a valid condition operator", cond.Operator)
		} else {
			l.operatorForm(si, cond, op)
			l.values(si, cond, op)
		}
		l.conditionRecent(si, cond, op, ok)
		key, known := l.conditionKey(si, cond)
		if !known {
			continue
		}
		if ok {
			l.keyWithOperator(si, cond, op, key)
		}
		l.keyValues(si, cond, op, ok)
		if mis, canonical := caseDiffers(cond.Key, key); mis {
			l.addS(si, "CONDITION_KEY_CASE", cond.KeyPos, "%s is spelled %s in the service reference (keys match case-insensitively, but the reference's spelling avoids confusion)", cond.Key, canonical)
		}
		l.keyActions(si, cond, key)
	}
	l.pairedKeys(si)
	l.mfa(si)
}

func (l *linter) operatorForm(si *stmtInfo, cond *policy.Condition, op operator) {
	if op.family != famNull {
		return
	}
	if op.ifExists {
		l.addS(si, "NULL_WITH_IF_EXISTS", cond.OperatorPos, "the Null condition operator cannot be used with the IfExists suffix (%s): update the operator or the suffix", cond.Operator)
	}
	if op.set != "" {
		l.addS(si, "NULL_WITH_QUALIFIER", cond.OperatorPos, "avoid using the Null condition operator with the ForAllValues or ForAnyValue qualifiers (%s) because they always return true or false respectively", cond.Operator)
	}
}

// values checks each value against what the operator compares.
func (l *linter) values(si *stmtInfo, cond *policy.Condition, op operator) {
	if op.family == famBool && len(cond.Values) > 1 {
		l.addS(si, "INVALID_CONDITION_MULTIPLE_BOOLEAN", cond.Values[1].Pos, "the condition key %s does not support multiple Boolean values: use a single Boolean value", cond.Key)
	}
	for _, v := range cond.Values {
		if strings.Contains(v.Text, "${") {
			// "Conditions support variables when you use string
			// operators or ARN operators."
			if op.family != famString && op.family != famARN {
				l.addS(si, "INVALID_VARIABLE_FOR_OPERATOR", v.Pos, "policy variables can only be used with String and ARN operators, not with %s (%q)", cond.Operator, v.Text)
			} else {
				l.variables(si, v, "Condition", true)
			}
			continue
		}
		switch op.family {
		case famBool, famNull:
			if !strings.EqualFold(v.Text, "true") && !strings.EqualFold(v.Text, "false") {
				l.addS(si, "TYPE_MISMATCH_BOOLEAN", v.Pos, "add a valid Boolean value (true or false) for the condition operator %s, not %q", cond.Operator, v.Text)
			}
		case famNumeric:
			if _, err := strconv.ParseFloat(v.Text, 64); err != nil {
				l.addS(si, "TYPE_MISMATCH_NUMBER", v.Pos, "add a valid numeric value for the condition operator %s, not %q", cond.Operator, v.Text)
			}
		case famDate:
			if _, err := strconv.ParseInt(v.Text, 10, 64); err == nil {
				l.addS(si, "INVALID_DATE_VALUE", v.Pos, "the date %s (epoch seconds) might not resolve as expected: we recommend that you use the YYYY-MM-DD format or another ISO 8601 form", v.Text)
			} else if !validDate(v.Text) {
				l.addS(si, "TYPE_MISMATCH_DATE", v.Pos, "the date condition operator %s is used with an invalid value %q: specify a valid date using YYYY-MM-DD or other ISO 8601 date/time format", cond.Operator, v.Text)
			}
		case famIP:
			if _, ok := parseIPRange(v.Text); !ok {
				l.addS(si, "TYPE_MISMATCH_IP_RANGE", v.Pos, "the condition operator %s is used with an invalid IP range value %q: specify the IP range in standard CIDR format", cond.Operator, v.Text)
			} else if pfx, err := netip.ParsePrefix(v.Text); err == nil && pfx.Masked() != pfx {
				l.addS(si, "IMPROVE_IP_RANGE", v.Pos, "the non-zero bits in the IP address after the masked bits are ignored: replace %s with %s", v.Text, pfx.Masked())
			}
		case famBinary:
			if !validBase64(v.Text) {
				l.addS(si, "TYPE_MISMATCH_STRING", v.Pos, "add a valid base64-encoded string value for the condition operator %s, not %q", cond.Operator, v.Text)
			}
		case famString:
			if !op.like && strings.ContainsAny(v.Text, "*?") {
				l.addS(si, "WILDCARD_WITHOUT_LIKE_OPERATOR", v.Pos, "the condition value %q includes a * or ? character, which %s compares literally: if you meant to use a wildcard, update the condition operator to include Like", v.Text, cond.Operator)
			}
		}
	}
	if op.family == famNumeric && len(cond.Values) > 1 && !op.negated && op.set == "" {
		base := strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(cond.Operator, ""), "IfExists"))
		if strings.Contains(base, "less") || strings.Contains(base, "greater") {
			which := "greatest"
			if strings.Contains(base, "greater") {
				which = "least"
			}
			l.addS(si, "REDUNDANT_CONDITION_VALUE_NUM", cond.Values[1].Pos, "multiple values in %s are redundant: replace them with the %s single value for %s", cond.Operator, which, cond.Key)
		}
	}
}

func parseIPRange(v string) (netip.Prefix, bool) {
	if p, err := netip.ParsePrefix(v); err == nil {
		return p, true
	}
	if a, err := netip.ParseAddr(v); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}

// conditionKey resolves the key, reporting keys that do not exist.
func (l *linter) conditionKey(si *stmtInfo, cond *policy.Condition) (*catalog.ConditionKey, bool) {
	name := cond.Key
	prefix, rest, hasColon := strings.Cut(name, ":")
	if !hasColon || prefix == "" || rest == "" {
		l.addS(si, "INVALID_CONDITION_KEY_FORMAT", cond.KeyPos, "the condition key format of %q is not valid: use the format service:keyname", name)
		return nil, false
	}
	lower := strings.ToLower(name)
	if lower == "aws:arn" {
		l.addS(si, "UNSUPPORTED_GLOBAL_CONDITION_KEY", cond.KeyPos, "the condition key aws:ARN is not supported: use aws:PrincipalArn or aws:SourceArn instead")
		l.addS(si, "DEPRECATED_GLOBAL_CONDITION_KEY", cond.KeyPos, "we recommend that you update aws:ARN to use the newer condition key aws:PrincipalArn")
		return nil, false
	}
	for _, tag := range []string{"resourcetag", "requesttag", "principaltag", "existingobjecttag", "requestobjecttag"} {
		if r := strings.ToLower(rest); r == tag || r == tag+"/" {
			l.addS(si, "MISSING_TAG_KEY_IN_CONDITION", cond.KeyPos, "the condition key %s must include a tag key to control access based on tags: use the format %s/tag-key and specify a key name for tag-key", name, strings.TrimSuffix(name, "/"))
			return nil, false
		}
	}
	key, known := l.conditionKeyOf(name)
	if known {
		return key, true
	}
	var code, msg string
	switch {
	case strings.EqualFold(prefix, "aws"):
		code, msg = "INVALID_GLOBAL_CONDITION_KEY", fmt.Sprintf("the condition key %s does not exist: use a valid condition key", name)
	case l.knownServicePrefix(prefix):
		code, msg = "INVALID_SERVICE_CONDITION_KEY", fmt.Sprintf("the condition key %s does not exist in the service %s: use a valid condition key", name, strings.ToLower(prefix))
	case l.c.KnownKeyPrefix(prefix) || strings.Contains(prefix, "."):
		// An identity provider's namespace ("accounts.google.com",
		// an OIDC provider URL): the claims it carries are the
		// provider's, not the reference's.
		return nil, false
	default:
		code, msg = "INVALID_SERVICE", fmt.Sprintf("the service %s in the condition key %s does not exist: use a valid service name", prefix, name)
	}
	if l.evidence().keys[strings.ToLower(name)] {
		l.notInReference(si, cond.KeyPos, code, "the condition key "+name)
	} else {
		l.addS(si, code, cond.KeyPos, "%s", msg)
	}
	return nil, false
}

func (l *linter) knownServicePrefix(prefix string) bool {
	_, ok := l.c.Service(strings.ToLower(prefix))
	return ok
}

// caseDiffers compares the key as written with the reference's spelling.
// For a templated key only the literal text before the variable is
// compared (the variable part is the user's: a tag key).
func caseDiffers(written string, k *catalog.ConditionKey) (bool, string) {
	canonical := k.Name
	if k.IsTemplate() {
		cut := strings.IndexAny(canonical, "$<")
		if cut > len(written) || cut <= 0 {
			return false, ""
		}
		return written[:cut] != canonical[:cut], canonical[:cut] + written[cut:]
	}
	return written != canonical, canonical
}

// keyWithOperator checks the operator and its qualifiers against the
// key's type.
func (l *linter) keyWithOperator(si *stmtInfo, cond *policy.Condition, op operator, key *catalog.ConditionKey) {
	if key.Type == catalog.KeyUnknown {
		return
	}
	if op.family != famNull && !op.family.fitsKeyType(key.Type.Elem().String()) {
		l.addS(si, "TYPE_MISMATCH", cond.OperatorPos, "use the operator type %s instead of operator %s for the condition key %s (%s %s key)", operatorsFor(key.Type.Elem()), cond.Operator, cond.Key, article(key.Type.String()), key.Type)
	}
	if op.family == famNull {
		return
	}
	// Multivalued keys need a set operator, and a set operator on a
	// single-valued key makes ForAllValues true when the key is absent.
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
	switch {
	case key.Type.IsArray() && op.set == "" && l.evidence().unqualified[strings.ToLower(cond.Key)]:
		l.notInReference(si, cond.OperatorPos, "MISSING_QUALIFIER", "the use of "+cond.Key+" as a single-valued key (the reference types it "+key.Type.String()+"; AWS managed policies compare it without ForAllValues or ForAnyValue)")
	case key.Type.IsArray() && op.set == "":
		l.addS(si, "MISSING_QUALIFIER", cond.OperatorPos, "the request context key %s has multiple values: use the ForAllValues or ForAnyValue condition key qualifiers with %s", cond.Key, cond.Operator)
	case !key.Type.IsArray() && op.set == "ForAllValues" && !isAudienceKey(cond.Key):
		l.addS(si, "FORALLVALUES_WITH_SINGLE_VALUED_KEY", cond.OperatorPos, "using ForAllValues qualifier with the single-valued condition key %s can be overly permissive (it holds when the key is absent): we recommend that you remove ForAllValues:", cond.Key)
	}
	if isAudienceKey(cond.Key) && op.set != "" && !strings.HasPrefix(strings.ToLower(cond.Key), "token.actions.githubusercontent.com") {
		l.addS(si, "CONFIRM_AUDIENCE_CLAIM_TYPE", cond.OperatorPos, "the 'aud' (audience) claim key %s identifies the recipients the JSON web token is intended for: audience claims can be multivalued or single-valued; if the claim is single-valued, do not use the %s qualifier", cond.Key, op.set)
	}
}

// isAudienceKey: an OIDC provider's aud claim ("<provider>:aud").
func isAudienceKey(key string) bool {
	lk := strings.ToLower(key)
	i := strings.LastIndexByte(lk, ':')
	return i > 0 && strings.Contains(lk[:i], ".") && lk[i+1:] == "aud"
}

func operatorsFor(t catalog.KeyType) string {
	switch t.String() {
	case "Numeric":
		return "Numeric"
	case "Date":
		return "Date"
	case "Bool":
		return "Bool"
	case "Binary":
		return "Binary"
	case "IPAddress":
		return "IpAddress"
	case "ARN":
		return "ARN or String"
	}
	return "String"
}

var (
	vpcID  = lazyre.New(`^vpc-([0-9a-f]{8}|[0-9a-f]{17})$`)
	vpceID = lazyre.New(`^vpce-([0-9a-f]{8}|[0-9a-f]{17})$`)
)

// regionKeys are the condition keys whose values are Region codes.
var regionKeys = map[string]bool{"aws:requestedregion": true, "ec2:region": true}

// keyValues checks values against what the key holds.
func (l *linter) keyValues(si *stmtInfo, cond *policy.Condition, op operator, opKnown bool) {
	lk := strings.ToLower(cond.Key)
	switch {
	case regionKeys[lk]:
		for _, v := range cond.Values {
			if literal(v.Text) && !knownRegion(v.Text) {
				l.addS(si, "INVALID_REGION", v.Pos, "the Region %q is not valid: update the condition value to a supported Region", v.Text)
			}
		}
	case lk == "aws:sourcevpc":
		for _, v := range cond.Values {
			if literal(v.Text) && !vpcID().MatchString(v.Text) {
				l.addS(si, "INVALID_VPC_FORMAT", v.Pos, "the VPC identifier %q in the condition key value is not valid: use the prefix 'vpc-' followed by 8 or 17 alphanumeric characters", v.Text)
			}
		}
	case lk == "aws:sourcevpce":
		for _, v := range cond.Values {
			if literal(v.Text) && !vpceID().MatchString(v.Text) {
				l.addS(si, "INVALID_VPCE_FORMAT", v.Pos, "the VPCE identifier %q in the condition key value is not valid: use the prefix 'vpce-' followed by 8 or 17 alphanumeric characters", v.Text)
			}
		}
	case lk == "aws:sourceip" && opKnown && op.family == famIP:
		l.privateIPs(si, cond, op)
	}
}

// privateIPs: "aws:SourceIp works only for public IP address ranges";
// requests from a VPC carry aws:VpcSourceIp instead.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceip
func (l *linter) privateIPs(si *stmtInfo, cond *policy.Condition, op operator) {
	private, public := 0, 0
	for _, v := range cond.Values {
		p, ok := parseIPRange(v.Text)
		if !ok {
			continue
		}
		if isPrivate(p) {
			private++
		} else {
			public++
		}
	}
	if private == 0 {
		return
	}
	at := cond.Values[0].Pos
	switch {
	case public == 0 && !op.negated:
		l.addS(si, "PRIVATE_IP_ADDRESS", at, "aws:SourceIp works only for public IP address ranges: the values for %s include only private IP addresses and will not have the desired effect; update them to public addresses (or use aws:VpcSourceIp)", cond.Key)
	case public == 0:
		l.addS(si, "PRIVATE_NOT_IP_ADDRESS", at, "the values for condition key %s include only private IP addresses and have no effect: aws:SourceIp works only for public IP address ranges (use aws:VpcSourceIp)", cond.Key)
	case !op.negated:
		l.addS(si, "PRIVATE_IP_ADDRESS_SUBSET", at, "the values for condition key %s include a mix of private and public IP addresses: the private addresses will not have the desired effect; to define permissions for private IP ranges, use aws:VpcSourceIp", cond.Key)
	default:
		l.addS(si, "PRIVATE_NOT_IP_ADDRESS_SUBSET", at, "the values for condition key %s include a mix of private and public IP addresses: the private addresses have no effect; to define permissions for private IP ranges, use aws:VpcSourceIp", cond.Key)
	}
}

// isPrivate: RFC 1918, RFC 4193 and the other non-routable ranges.
func isPrivate(p netip.Prefix) bool {
	a := p.Addr()
	if !(a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast()) {
		return false
	}
	// The whole range must be private: 10.0.0.0/7 is not.
	for _, r := range []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16", "fc00::/7", "::1/128", "fe80::/10"} {
		q := netip.MustParsePrefix(r)
		if q.Contains(a) && p.Bits() >= q.Bits() {
			return true
		}
	}
	return false
}

// pairedKeys: "Always use the aws:VpcSourceIp condition key with the
// aws:SourceVpc, aws:SourceVpce, or aws:SourceVpcArn condition keys. If
// you don't, a policy might permit API calls from an unexpected VPC that
// uses the same or overlapping IP CIDR."
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-vpcsourceip
// Access Analyzer's example of the check is this pair; the reference
// names no other.
func (l *linter) pairedKeys(si *stmtInfo) {
	has := map[string]*policy.Condition{}
	for i := range si.s.Conditions {
		has[strings.ToLower(si.s.Conditions[i].Key)] = &si.s.Conditions[i]
	}
	if c := has["aws:vpcsourceip"]; c != nil && has["aws:sourcevpc"] == nil && has["aws:sourcevpce"] == nil && has["aws:sourcevpcarn"] == nil {
		l.addS(si, "MISSING_PAIRED_CONDITION_KEYS", c.KeyPos, "using the condition key %s can be overly permissive without also using the following condition keys: aws:SourceVpc, aws:SourceVpce or aws:SourceVpcArn (the same private address exists in many VPCs); we recommend that you add one to the same condition block", c.Key)
	}
}

// keyActions checks a service key against the statement's actions: a
// key an action does not support is absent from its requests, so the
// condition is not evaluated as written for it.
func (l *linter) keyActions(si *stmtInfo, cond *policy.Condition, key *catalog.ConditionKey) {
	s := si.s
	if key.Global || s.Action.Not || !si.allKnown {
		return
	}
	// Identity providers' claim keys ("<provider URL>:sub") are not in
	// the reference's lists for sts's actions.
	if prefix, _, _ := strings.Cut(cond.Key, ":"); strings.Contains(prefix, ".") {
		return
	}
	n := 0
	for _, as := range si.actions {
		n += len(as)
	}
	if n > maxKeySupportActions || n == 0 {
		return
	}
	var unsupported, byAWS []string
	for i, as := range si.actions {
		// "If the Action element has actions with wildcards, IAM Access
		// Analyzer doesn't evaluate those actions for this error."
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-error-unsupported-action-for-condition-key
		if strings.ContainsAny(s.Action.Values[i].Text, "*?") {
			continue
		}
		any := false
		for _, a := range as {
			if actionSupportsKey(a, key.Name) {
				any = true
				break
			}
		}
		if !any {
			if ev := l.evidence(); ev.keyActions[strings.ToLower(s.Action.Values[i].Text)+"\x00"+strings.ToLower(cond.Key)] {
				byAWS = append(byAWS, s.Action.Values[i].Text)
			} else {
				unsupported = append(unsupported, s.Action.Values[i].Text)
			}
		}
	}
	if len(byAWS) > 0 {
		l.notInReference(si, cond.KeyPos, "UNSUPPORTED_ACTION_FOR_CONDITION_KEY", "the support of the condition key "+cond.Key+" by "+listSome(byAWS)+" (AWS managed policies combine them in one statement)")
	}
	if len(unsupported) > 0 {
		l.addS(si, "UNSUPPORTED_ACTION_FOR_CONDITION_KEY", cond.KeyPos, "the following actions: %s are not supported by the condition key %s: the condition will not be evaluated for these actions as written; we recommend that you move these actions to a different statement without this condition key", listSome(unsupported), cond.Key)
	}
}

func actionSupportsKey(a *catalog.Action, key string) bool {
	if containsFold(a.ConditionKeys, key) {
		return true
	}
	for _, r := range a.Resources {
		if containsFold(r.ConditionKeys, key) || containsFold(r.Type.ConditionKeys, key) {
			return true
		}
	}
	return false
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if len(x) == len(s) && strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// mfa: aws:MultiFactorAuthPresent is absent, not false, in requests
// signed with long-term access keys, so "Bool false" matches nothing in
// those requests: in an Allow it grants nobody it seems to, and in a Deny
// it does not deny access-key callers without MFA. BoolIfExists (or Null)
// says what such statements mean.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-multifactorauthpresent
func (l *linter) mfa(si *stmtInfo) {
	for i := range si.s.Conditions {
		c := &si.s.Conditions[i]
		if !strings.EqualFold(c.Key, "aws:MultiFactorAuthPresent") {
			continue
		}
		op, ok := parseOperator(c.Operator)
		if !ok || op.family != famBool || op.ifExists || len(c.Values) != 1 || !strings.EqualFold(c.Values[0].Text, "false") {
			continue
		}
		if si.s.Effect == policy.Allow {
			l.addS(si, "IMPOSSIBLE_MFA_CONDITION", c.KeyPos, "Allow with Bool aws:MultiFactorAuthPresent false never matches requests signed with long-term access keys (the key is absent there, not false): to allow only without MFA is rarely meant; to require MFA, deny with BoolIfExists false")
		} else {
			l.addS(si, "IMPOSSIBLE_MFA_CONDITION", c.KeyPos, "Deny with Bool aws:MultiFactorAuthPresent false does not deny requests signed with long-term access keys (the key is absent there, not false): use BoolIfExists so that requests without MFA information are denied too")
		}
	}
}

// article is "an" before a vowel sound as the type names begin, else "a".
func article(word string) string {
	if word != "" && strings.ContainsRune("AEIOUaeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}
