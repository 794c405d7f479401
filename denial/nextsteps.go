package denial

import (
	"fmt"
	"strings"

	"github.com/iamwhy/iamwhy/arn"
)

// nextSteps lists concrete checks, most decisive first, for what d says.
// Each step names the layer to open and the command that shows it; the
// pitfalls come from the IAM and S3 troubleshooting guides cited in the
// package documentation.
func nextSteps(d *Denial) []string {
	s := &steps{d: d}
	if d.Encoded && d.Decoded == nil {
		s.add("Decode the authorization failure message to see the principal, action, resource, matched statements and request context: `aws sts decode-authorization-message --encoded-message <message> --query DecodedMessage --output text` (needs sts:DecodeAuthorizationMessage), or rerun with `iamwhy explain --decode`.")
	}
	if d.AuthorizationID != nil {
		s.add(fmt.Sprintf("Fetch AWS's own evaluation of this request: `aws iam-toolbox get-request-authorization-details --authorization-id %s` (Access Troubleshooter, preview; kept at least 24 hours).", *d.AuthorizationID))
	}
	if bodiless403(d) {
		s.add("A 403 without an error body (S3 answers HEAD requests such as HeadObject and HeadBucket so) does not say why: repeat the call as a GET (`aws s3api get-object --bucket <bucket> --key <key> /dev/null`, or `aws s3api list-objects-v2 --bucket <bucket> --max-items 1`) to get S3's error code and message; a wrong signature, a skewed clock or expired credentials answer 403 too.")
	}
	if d.AccessKeyID != "" {
		s.add(fmt.Sprintf("The message names access key %s: `aws sts get-access-key-info --access-key-id %s` tells its account, and `aws iam get-access-key-last-used --access-key-id %s` (in that account) its user; check that these are the credentials you meant to use.", d.AccessKeyID, d.AccessKeyID, d.AccessKeyID))
	}
	if strings.Contains(strings.ToLower(d.Message), "iam user access not activated") {
		s.add("IAM users and roles cannot use Billing and Cost Management until the account's root user activates \"IAM user and role access to Billing information\" (Account settings page of the console); after that, identity-based policies decide as usual.")
	}
	switch {
	case d.BlockPublicAccess != "":
		s.blockPublicAccess()
	case d.KMSCiphertext:
		s.kms(true)
	case d.PolicyType == PolicySCP:
		s.scp()
	case d.PolicyType == PolicyRCP:
		s.rcp()
	case d.PolicyType == PolicyVPCEndpoint:
		s.vpcEndpoint()
	case d.PolicyType == PolicyBoundary:
		s.boundary()
	case d.PolicyType == PolicySession:
		s.session()
	case d.PolicyType == PolicyResource:
		s.resourcePolicy()
	case d.PolicyType == PolicyIdentity:
		s.identity()
	default:
		s.unknownLayer()
	}
	if d.Decoded != nil && len(d.Decoded.Conditions) > 0 {
		var kv []string
		for _, c := range d.Decoded.Conditions {
			kv = append(kv, c.Key+"="+strings.Join(c.Values, ","))
		}
		s.add(fmt.Sprintf("Compare the request context from the decoded message with the Condition blocks of those policies: %s.", strings.Join(kv, "; ")))
	}
	if d.Via != PolicyUnknown && d.Via != "" {
		s.add(fmt.Sprintf("The request passed through a %s on its way: once the %s is fixed, the %s must allow it too.", layerName(d.Via), layerName(d.PolicyType), layerName(d.Via)))
	}
	for _, t := range d.AlsoImplicit {
		if t != d.PolicyType {
			s.add(fmt.Sprintf("The message also says no %s allows the action: after the explicit deny is lifted, add an Allow there as well.", layerName(t)))
		}
	}
	if d.CrossAccount != nil && *d.CrossAccount {
		s.add("Cross-account request: both sides must allow it, the caller's identity-based policies in its own account and the resource's policy (bucket, key, queue, topic, secret policy or role trust policy) in the resource's account; see \"Cross-account policy evaluation logic\".")
	}
	if d.Service != nil && *d.Service == "kms" && !d.KMSCiphertext && d.PolicyType != PolicyResource {
		s.kms(false)
	}
	if s3Generic(d) {
		s.s3Extra()
	} else if d.Service != nil && *d.Service == "s3" && d.PolicyType != PolicySCP && d.PolicyType != PolicyRCP && d.BlockPublicAccess == "" && d.Deny != DenyExplicit {
		s.s3Extra()
	}
	if d.Deny != DenyExplicit && d.BlockPublicAccess == "" {
		s.add("If a policy was changed moments ago, retry after a short wait: IAM changes are eventually consistent and can take seconds to apply everywhere.")
	}
	return s.list
}

type steps struct {
	d    *Denial
	list []string
}

func (s *steps) add(step string) { s.list = append(s.list, step) }

// Description is the readable name of a policy type ("service control
// policy (SCP)"); PolicyUnknown gives "policy".
func (t PolicyType) Description() string { return layerName(t) }

// layerName is the readable name of a policy type.
func layerName(t PolicyType) string {
	switch t {
	case PolicyIdentity:
		return "identity-based policy"
	case PolicyResource:
		return "resource-based policy"
	case PolicyBoundary:
		return "permissions boundary"
	case PolicySession:
		return "session policy"
	case PolicySCP:
		return "service control policy (SCP)"
	case PolicyRCP:
		return "resource control policy (RCP)"
	case PolicyVPCEndpoint:
		return "VPC endpoint policy"
	}
	return "policy"
}

func (s *steps) action() string {
	if s.d.Action != nil {
		return *s.d.Action
	}
	return "the action"
}

func (s *steps) resource() string {
	if s.d.Resource != nil {
		return *s.d.Resource
	}
	return "the resource"
}

// principalPolicies says how to list the policies attached to the
// principal, by principal type.
func (s *steps) principalPolicies() string {
	d := s.d
	if d.Principal == nil {
		return "`aws sts get-caller-identity` (with the same credentials) to learn which user or role made the call, then its attached and inline policies"
	}
	p := *d.Principal
	switch d.PrincipalType {
	case PrincipalAssumedRole:
		role, _ := roleOfSession(p)
		return fmt.Sprintf("the policies of role %s (the session %s acts with its role's policies): `aws iam list-attached-role-policies --role-name %s` and `aws iam list-role-policies --role-name %s`", role, p, role, role)
	case PrincipalRole:
		n := nameAfter(p)
		return fmt.Sprintf("the policies of role %s: `aws iam list-attached-role-policies --role-name %s` and `aws iam list-role-policies --role-name %s`", n, n, n)
	case PrincipalUser:
		n := nameAfter(p)
		return fmt.Sprintf("the policies of user %s and of its groups: `aws iam list-attached-user-policies --user-name %s`, `aws iam list-user-policies --user-name %s` and `aws iam list-groups-for-user --user-name %s`", n, n, n, n)
	case PrincipalFederatedUser:
		return fmt.Sprintf("the policies of the IAM user that called GetFederationToken for %s, intersected with the session policy it passed", p)
	case PrincipalAnonymous:
		return "no identity-based policies (an anonymous, unsigned request has none: only a resource-based policy can allow it, and S3 Block Public Access may override that)"
	case PrincipalRoot:
		return "none: the root user is not limited by identity-based policies, so look at SCPs, RCPs and resource policies instead"
	}
	return fmt.Sprintf("the identity-based policies of %s", p)
}

func (s *steps) simulate() {
	d := s.d
	if d.Principal == nil || d.Action == nil {
		return
	}
	src := *d.Principal
	switch d.PrincipalType {
	case PrincipalAssumedRole:
		role, _ := roleOfSession(src)
		src = fmt.Sprintf("arn:aws:iam::%s:role/<path/>%s", deref(d.Account, "ACCOUNT"), role)
	case PrincipalUser, PrincipalRole:
	default:
		return
	}
	res := ""
	if d.Resource != nil && strings.HasPrefix(*d.Resource, "arn:") {
		res = " --resource-arns " + shellQuote(*d.Resource)
	}
	s.add(fmt.Sprintf("Reproduce it offline with the identity-based policies: `aws iam simulate-principal-policy --policy-source-arn %s --action-names %s%s` (add --context-entries for the condition keys your policies use).", src, *d.Action, res))
}

func deref(p *string, def string) string {
	if p == nil {
		return def
	}
	return *p
}

// conditionPitfalls names the condition keys that most often make a
// statement match in one environment and not another.
const conditionPitfalls = "Condition keys that differ between environments: aws:RequestedRegion (a Region guardrail; global services such as IAM, STS and CloudFront are called in us-east-1), aws:SourceIp and aws:SourceVpc/aws:SourceVpce (calls through a VPC endpoint carry no public source IP), aws:MultiFactorAuthPresent, aws:PrincipalTag and aws:ResourceTag"

func (s *steps) identity() {
	d := s.d
	if d.Deny == DenyExplicit {
		if d.PolicyARN != nil {
			s.add(fmt.Sprintf("Open the denying identity-based policy %s: `aws iam get-policy --policy-arn %s` for its default version, then `aws iam get-policy-version --policy-arn %s --version-id <DefaultVersionId>`, and find the Deny statement that matches %s.", *d.PolicyARN, *d.PolicyARN, *d.PolicyARN, s.action()))
		} else {
			s.add(fmt.Sprintf("Find the Deny statement matching %s on %s in %s.", s.action(), s.resource(), s.principalPolicies()))
		}
		s.add(conditionPitfalls + ": check the Deny statement's Condition against the request.")
		return
	}
	s.add(fmt.Sprintf("No identity-based policy allows %s on %s: open %s and add or fix an Allow.", s.action(), s.resource(), s.principalPolicies()))
	arnHint := ""
	if deref(d.Service, "") == "s3" {
		arnHint = " (for S3, bucket actions need arn:aws:s3:::BUCKET, object actions arn:aws:s3:::BUCKET/KEY)"
	}
	s.add("In the statement that should allow it, compare the Action spelling and the Resource ARN form with the request" + arnHint + ", and its Condition keys. " + conditionPitfalls + ".")
	s.simulate()
}

// resourcePolicyCommand says how to read the resource-based policy of the
// denied resource, by service.
func (s *steps) resourcePolicyCommand() string {
	d := s.d
	svc := deref(d.Service, "")
	res := deref(d.Resource, "<resource>")
	switch {
	case d.Action != nil && strings.EqualFold(*d.Action, "sts:AssumeRoleWithWebIdentity"):
		return "the role's trust policy: `aws iam get-role --role-name <role> --query Role.AssumeRolePolicyDocument`; its Principal must be the OIDC provider (\"Federated\": \"arn:aws:iam::ACCOUNT:oidc-provider/HOST\") and its conditions on HOST:aud and HOST:sub must match the token (for GitHub Actions, sub is repo:OWNER/REPO:ref:refs/heads/BRANCH or repo:OWNER/REPO:environment:NAME), and the provider must exist (`aws iam list-open-id-connect-providers`)"
	case d.Action != nil && strings.HasPrefix(strings.ToLower(*d.Action), "sts:assumerole"):
		role := nameAfter(res)
		if role == "" {
			role = "<role>"
		}
		return fmt.Sprintf("the trust policy of role %s: `aws iam get-role --role-name %s --query Role.AssumeRolePolicyDocument` (its Principal must name %s, or its account, and any Condition such as sts:ExternalId or aws:PrincipalOrgID must hold)", role, role, policyPrincipal(d))
	case svc == "s3":
		bucket := "<bucket>"
		if _, _, _, _, r, ok := arnParts(res); ok {
			bucket = strings.SplitN(r, "/", 2)[0]
		}
		return fmt.Sprintf("the bucket policy: `aws s3api get-bucket-policy --bucket %s --query Policy --output text` (and the access point policy if the request used one)", bucket)
	case svc == "kms":
		return fmt.Sprintf("the key policy: `aws kms get-key-policy --key-id %s --policy-name default` (a key policy must allow the principal itself, or the account so that IAM policies count)", res)
	case svc == "sqs":
		return fmt.Sprintf("the queue policy: `aws sqs get-queue-attributes --queue-url <queue-url of %s> --attribute-names Policy`", res)
	case svc == "sns":
		return fmt.Sprintf("the topic policy: `aws sns get-topic-attributes --topic-arn %s --query Attributes.Policy`", res)
	case svc == "secretsmanager":
		return fmt.Sprintf("the secret's resource policy: `aws secretsmanager get-resource-policy --secret-id %s`", res)
	case svc == "lambda":
		return fmt.Sprintf("the function's resource policy: `aws lambda get-policy --function-name %s`", res)
	case svc == "ecr":
		return fmt.Sprintf("the repository policy: `aws ecr get-repository-policy --repository-name %s`", nameAfter(res))
	case svc == "execute-api":
		return "the API's resource policy: `aws apigateway get-rest-api --rest-api-id <api-id> --query policy`"
	}
	return fmt.Sprintf("the resource-based policy of %s (where its service has one)", res)
}

// shellQuote quotes a command argument that holds characters a shell would
// expand or split on.
func shellQuote(s string) string {
	if !strings.ContainsAny(s, " *?$&;|<>()'\"\\`![]{}") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func (s *steps) resourcePolicy() {
	d := s.d
	if d.Deny == DenyExplicit {
		s.add(fmt.Sprintf("Find the Deny statement matching %s in %s.", s.action(), s.resourcePolicyCommand()))
		s.add("Resource-policy guardrails usually deny on a Condition: aws:SourceVpce/aws:SourceVpc, aws:SecureTransport, aws:PrincipalOrgID, aws:PrincipalArn exceptions, s3:x-amz-server-side-encryption; compare each with the request.")
		return
	}
	if d.Deny == DenyUnknown && d.Service != nil && *d.Service == "kms" {
		s.kms(false)
		return
	}
	s.add(fmt.Sprintf("No resource-based policy allows %s: open %s and add an Allow for %s.", s.action(), s.resourcePolicyCommand(), policyPrincipal(d)))
	if d.CrossAccount == nil || !*d.CrossAccount {
		s.add("A resource-based policy is required when the caller is in another account; within one account an identity-based Allow is enough for most services (not for KMS keys and role trust, whose policies must always allow).")
	}
}

func (s *steps) boundary() {
	d := s.d
	who := s.principalPolicies()
	getPB := "`aws iam get-role --role-name <role> --query Role.PermissionsBoundary` (or `aws iam get-user --user-name <user> --query User.PermissionsBoundary`)"
	switch d.PrincipalType {
	case PrincipalAssumedRole:
		role, _ := roleOfSession(*d.Principal)
		getPB = fmt.Sprintf("`aws iam get-role --role-name %s --query Role.PermissionsBoundary`", role)
	case PrincipalRole:
		getPB = fmt.Sprintf("`aws iam get-role --role-name %s --query Role.PermissionsBoundary`", nameAfter(*d.Principal))
	case PrincipalUser:
		getPB = fmt.Sprintf("`aws iam get-user --user-name %s --query User.PermissionsBoundary`", nameAfter(*d.Principal))
	}
	_ = who
	if d.PolicyARN != nil {
		s.add(fmt.Sprintf("Open the permissions boundary %s: `aws iam get-policy-version --policy-arn %s --version-id $(aws iam get-policy --policy-arn %s --query Policy.DefaultVersionId --output text)` and find the Deny matching %s.", *d.PolicyARN, *d.PolicyARN, *d.PolicyARN, s.action()))
	} else {
		s.add(fmt.Sprintf("Find the permissions boundary: %s, then read its default version with `aws iam get-policy-version`.", getPB))
	}
	if d.Deny == DenyExplicit {
		s.add(fmt.Sprintf("A Deny in the boundary matches %s; "+conditionPitfalls+".", s.action()))
		return
	}
	s.add(fmt.Sprintf("The boundary has no Allow for %s: effective permissions are the intersection of the boundary and the identity-based policies, so an Allow in the role's or user's own policy is not enough; add %s to the boundary (often owned by a platform team).", s.action(), s.action()))
}

func (s *steps) session() {
	d := s.d
	if d.PolicyARN != nil {
		s.add(fmt.Sprintf("The session was created with the managed session policy %s: read it with `aws iam get-policy-version --policy-arn %s --version-id <DefaultVersionId>`.", *d.PolicyARN, *d.PolicyARN))
	}
	who := "whoever created the session"
	if d.PrincipalType == PrincipalAssumedRole {
		role, _ := roleOfSession(*d.Principal)
		who = fmt.Sprintf("whoever called AssumeRole on role %s (a CI/CD pipeline, an SSO or federation tool, a service)", role)
	}
	s.add(fmt.Sprintf("A session policy is passed by %s with --policy or --policy-arns and is not visible in IAM: find the AssumeRole (or GetFederationToken, AssumeRoleWithWebIdentity, AssumeRoleWithSAML) event for this session in CloudTrail and read requestParameters.policy and policyArns.", who))
	if d.Deny == DenyExplicit {
		s.add(fmt.Sprintf("A Deny in the session policy matches %s: the caller must pass a session policy without it.", s.action()))
	} else {
		s.add(fmt.Sprintf("The session policy does not allow %s: session permissions are the intersection of the role's policies and the session policy, so the caller must pass a session policy that allows %s on %s (or none).", s.action(), s.action(), s.resource()))
	}
}

func (s *steps) scp() {
	d := s.d
	if d.PolicyARN != nil {
		id := (*d.PolicyARN)[strings.LastIndexByte(*d.PolicyARN, '/')+1:]
		s.add(fmt.Sprintf("The deny is in SCP %s. SCPs cannot be read from a member account: in the organization's management account (or a delegated administrator) run `aws organizations describe-policy --policy-id %s` and find the Deny matching %s.", *d.PolicyARN, id, s.action()))
	} else {
		target := "<account-id>"
		if d.Account != nil {
			target = *d.Account
		}
		s.add(fmt.Sprintf("The deny is in a service control policy, which cannot be read from a member account: in the management account (or a delegated administrator) list the SCPs that apply with `aws organizations list-policies-for-target --target-id %s --filter SERVICE_CONTROL_POLICY`, and do the same for each parent OU up to the root (`aws organizations list-parents --child-id %s`).", target, target))
	}
	if d.Deny == DenyImplicit {
		s.add(fmt.Sprintf("No SCP allows %s: with allow-list SCPs every level (root, each OU, the account) must allow the action; find the level whose SCPs lack it.", s.action()))
	} else {
		s.add("An SCP message says \"explicit deny\" also when no SCP allows the action (IAM troubleshooting guide): check both a Deny and a missing Allow at every level from the root to the account.")
		s.add("SCP guardrails usually deny on a Condition: aws:RequestedRegion (Region restrictions deny global services called in us-east-1 unless exempted), aws:PrincipalArn exceptions for admin roles, aws:PrincipalOrgID; compare each with the request.")
	}
	s.add("An SCP cannot be fixed from the member account: ask the organization's administrators for an exception, naming the principal, the action and the resource.")
}

func (s *steps) rcp() {
	d := s.d
	if d.PolicyARN != nil {
		id := (*d.PolicyARN)[strings.LastIndexByte(*d.PolicyARN, '/')+1:]
		s.add(fmt.Sprintf("The deny is in resource control policy %s, applied to the resource's account. In the organization's management account run `aws organizations describe-policy --policy-id %s` and find the Deny matching %s.", *d.PolicyARN, id, s.action()))
	} else {
		s.add("The deny is in a resource control policy on the resource's account, not readable from a member account: in the management account run `aws organizations list-policies-for-target --target-id <resource-account-id> --filter RESOURCE_CONTROL_POLICY` for the account and its parent OUs.")
	}
	s.add("RCP guardrails usually deny on aws:PrincipalOrgID / aws:PrincipalAccount (callers outside the organization), aws:SecureTransport or encryption headers; check which condition the request fails. Only the organization's administrators can change it.")
}

func (s *steps) vpcEndpoint() {
	d := s.d
	svc := deref(d.Service, "<service>")
	s.add(fmt.Sprintf("The request went through a VPC endpoint whose policy does not allow it: `aws ec2 describe-vpc-endpoints --filters Name=service-name,Values=com.amazonaws.<region>.%s --query 'VpcEndpoints[].[VpcEndpointId,PolicyDocument]'` and check that the policy allows %s on %s for this principal.", svc, s.action(), s.resource()))
	s.add("This is why a call can work from a laptop and fail from inside the VPC: only requests routed through the endpoint are evaluated against its policy.")
}

func (s *steps) blockPublicAccess() {
	d := s.d
	bucket := "<bucket>"
	if d.Resource != nil {
		if _, _, _, _, r, ok := arnParts(*d.Resource); ok {
			bucket = strings.SplitN(r, "/", 2)[0]
		}
	}
	s.add(fmt.Sprintf("S3 Block Public Access (%s) rejected a public ACL or policy. Check the bucket and the account settings: `aws s3api get-public-access-block --bucket %s` and `aws s3control get-public-access-block --account-id %s`.", d.BlockPublicAccess, bucket, deref(d.Account, "<account-id>")))
	s.add("Rather than turning Block Public Access off, grant the specific principals in the bucket policy, or serve the content through CloudFront with origin access control.")
}

func (s *steps) kms(ciphertext bool) {
	d := s.d
	if ciphertext {
		s.add("KMS could not use the key of this ciphertext: the key does not exist, is in another Region, or the caller may not use it. Find the key (CloudTrail's kms Decrypt event names it; for S3 `aws s3api head-object` shows SSEKMSKeyId) and check it with `aws kms describe-key --key-id <key-arn>` (state Enabled, same Region).")
	}
	s.add(fmt.Sprintf("The KMS key policy must allow %s for %s: `aws kms get-key-policy --key-id <key-arn> --policy-name default`; unless the key policy delegates to the account (\"Principal\": {\"AWS\": \"arn:aws:iam::ACCOUNT:root\"}), IAM policies alone do not grant key use. Also check grants (`aws kms list-grants --key-id <key-arn>`) and kms:ViaService / kms:EncryptionContext conditions.", kmsActionHint(d), policyPrincipal(d)))
	if d.Operation != nil || (d.Service != nil && *d.Service == "s3") {
		s.add("With S3 SSE-KMS the caller needs kms:Decrypt to read objects and kms:GenerateDataKey to write them (both for multipart uploads), in its own policies and in the key policy; an AWS managed key (aws/s3) cannot be shared across accounts.")
	}
}

func kmsActionHint(d *Denial) string {
	if d.Action != nil && strings.HasPrefix(*d.Action, "kms:") {
		return *d.Action
	}
	return "kms:Decrypt (reads) or kms:GenerateDataKey (writes)"
}

func (s *steps) s3Extra() {
	d := s.d
	if d.PolicyType == PolicyUnknown {
		if d.Service == nil {
			s.add("If the call went to Amazon S3 (its generic wording is \"Access Denied\"), check the bucket policy (`aws s3api get-bucket-policy --bucket <bucket>`) as well as the caller's policies.")
		}
		s.add("S3 answers a plain \"Access Denied\" to cross-account requests from outside the bucket owner's organization; also check object ownership (an object written by another account with ACLs enabled is not governed by the bucket policy: `aws s3api get-bucket-ownership-controls`), SSE-KMS key permissions, S3 Block Public Access, a VPC endpoint policy and Requester Pays.")
		s.add("Without s3:ListBucket on the bucket, a GetObject for a key that does not exist answers 403 Access Denied instead of 404: check that the key exists.")
	}
}

func (s *steps) unknownLayer() {
	d := s.d
	if d.Deny == DenyExplicit {
		s.add(fmt.Sprintf("A Deny statement matched but the message does not say where: search for a Deny matching %s in, in order, %s; the permissions boundary; the session policy; %s; the SCPs and RCPs (from the management account); a VPC endpoint policy.", s.action(), s.principalPolicies(), s.resourcePolicyCommand()))
		s.add(conditionPitfalls + ".")
		return
	}
	if d.Action != nil && (strings.EqualFold(*d.Action, "sts:AssumeRoleWithWebIdentity") || strings.EqualFold(*d.Action, "sts:AssumeRoleWithSAML")) {
		// A federated caller has no identity-based policy: the role's
		// trust policy alone decides (with SCPs/RCPs of the role's account).
		s.add(fmt.Sprintf("Only the role's trust policy can allow %s for a federated caller: open %s.", s.action(), s.resourcePolicyCommand()))
		s.add("Also check an RCP on the role's account and, if DurationSeconds was passed, the role's maximum session duration.")
		return
	}
	if d.Action != nil && strings.HasPrefix(strings.ToLower(*d.Action), "sts:assumerole") {
		s.add(fmt.Sprintf("Role assumption needs two allows: the caller's identity-based policy must allow %s on %s, and %s.", s.action(), s.resource(), s.resourcePolicyCommand()))
		s.simulate()
		s.add("Also check an SCP of the caller's or the role's account, the caller's permissions boundary, and the role's maximum session duration if DurationSeconds was passed.")
		return
	}
	if d.PrincipalType == PrincipalAnonymous {
		s.add(fmt.Sprintf("The request was anonymous (unsigned): only a resource-based policy can allow it, so open %s; if the caller meant to sign the request, check that its SDK or client found credentials.", s.resourcePolicyCommand()))
		return
	}
	if d.Principal == nil && d.Action == nil && !d.Encoded {
		s.add(fmt.Sprintf("The message names neither principal nor action: find the call in CloudTrail (`aws cloudtrail lookup-events --lookup-attributes AttributeKey=EventName,AttributeValue=%s`) for the caller, action and resource, and run `iamwhy explain` on that record.", deref(d.Operation, "<operation>")))
	}
	s.add(fmt.Sprintf("The message does not name the policy type: check in order %s; %s; the permissions boundary and any session policy; the SCPs and RCPs (from the management account); a VPC endpoint policy.", s.principalPolicies(), s.resourcePolicyCommand()))
	s.simulate()
}

// s3Generic reports whether the message is S3's generic "Access Denied"
// with no service named otherwise (S3 answers so to requests from outside
// the bucket owner's organization, and for several non-policy causes).
func s3Generic(d *Denial) bool {
	if d.Service != nil && *d.Service != "s3" {
		return false
	}
	return d.Principal == nil && d.Action == nil && strings.EqualFold(strings.TrimRight(strings.TrimSpace(d.Message), "."), "access denied")
}

// policyPrincipal is how to name the caller in a resource-based policy
// (bucket, key, queue, trust policy). A session's ARN changes with every
// session name, so the policy names the role: its ARN is
// arn:aws:iam::ACCOUNT:role/PATH/NAME, and the session ARN does not carry
// the path ("IAM JSON policy elements: Principal", role sessions).
func policyPrincipal(d *Denial) string {
	if d.Principal == nil {
		return "the caller"
	}
	if d.PrincipalType == PrincipalAssumedRole {
		role, _ := roleOfSession(*d.Principal)
		if roleARN, ok := arn.SessionRoleARN(*d.Principal); ok && d.Account != nil {
			return fmt.Sprintf("the role %s, not the session ARN %s (if the role has a path, take its ARN from `aws iam get-role --role-name %s --query Role.Arn`)", roleARN, *d.Principal, role)
		}
	}
	return *d.Principal
}

// bodiless403 reports whether d is a 403 whose response carried no error
// body: only the status (boto's "(403) ... Forbidden", an SDK's Forbidden).
func bodiless403(d *Denial) bool {
	if d.Principal != nil || d.ErrorCode != nil && *d.ErrorCode != "403" && !strings.EqualFold(*d.ErrorCode, "Forbidden") {
		return false
	}
	m := strings.ToLower(strings.TrimSpace(d.Message))
	return m == "" || m == "forbidden" || m == "null" || m == "forbidden: null"
}
