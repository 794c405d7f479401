package eval

import (
	"net/netip"
	"strings"

	"github.com/iamwhy/iamwhy/policy"
)

// PublicStatement is an Allow statement that makes an S3 bucket or access
// point policy public in the sense of S3 Block Public Access.
type PublicStatement struct {
	// Index is the statement's 0-based index, Sid its Sid ("" when none).
	Index int
	Sid   string
	Pos   policy.Pos
	// Reason says why the statement counts as public.
	Reason string
}

// PublicPolicyStatements returns the statements that make doc public as
// Amazon S3 judges it ("The meaning of public", S3 User Guide). An Allow
// statement is public when it grants to a wildcard principal ("*" or
// {"AWS": "*"}) or uses NotPrincipal, unless one of its conditions pins the
// request to fixed values of a key AWS lists:
//   - aws:SourceArn, aws:SourceVpc, aws:SourceVpce, aws:SourceOwner,
//     aws:SourceAccount, aws:PrincipalOrgID,
//     s3:x-amz-server-side-encryption-aws-kms-key-id, and for access point
//     delegation s3:DataAccessPointArn and s3:DataAccessPointAccount;
//   - aws:userid, fixed and not of the form "AROLEID:*";
//   - aws:SourceIp, with IpAddress and CIDR blocks no wider than /8 for
//     IPv4 and /32 for IPv6.
//
// Fixed means: a positive operator (StringEquals, StringEqualsIgnoreCase,
// StringLike, ArnEquals, ArnLike, IpAddress; not a Not..., IfExists or
// ForAllValues form, which also match requests without the key) and values
// with no wildcard and no policy variable. Deny statements never make a
// policy public. A nil document is not public.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status
func PublicPolicyStatements(doc *policy.Policy) []PublicStatement {
	if doc == nil {
		return nil
	}
	var out []PublicStatement
	for i := range doc.Statements {
		s := &doc.Statements[i]
		if why, public := publicStatement(s, doc.VariablesEnabled()); public {
			out = append(out, PublicStatement{Index: i, Sid: s.Sid, Pos: s.Pos, Reason: why + notPinned})
		}
	}
	return out
}

// IsPublicPolicy reports whether doc is public as Amazon S3 judges it; see
// PublicPolicyStatements for the rule. It does not allocate.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status
func IsPublicPolicy(doc *policy.Policy) bool {
	if doc == nil {
		return false
	}
	for i := range doc.Statements {
		if _, public := publicStatement(&doc.Statements[i], doc.VariablesEnabled()); public {
			return true
		}
	}
	return false
}

func publicStatement(s *policy.Statement, vars bool) (string, bool) {
	if s.Effect != policy.Allow || !s.Principal.Present {
		return "", false
	}
	why := ""
	switch {
	case s.Principal.Not:
		why = "Allow with NotPrincipal grants to every principal not named"
	case s.Principal.Wildcard:
		why = `Principal "*" grants to everyone`
	default:
		for _, e := range s.Principal.Entries {
			if strings.Contains(e.Value, "*") {
				why = `a wildcard principal grants to everyone`
				break
			}
		}
	}
	if why == "" {
		return "", false // every principal is fixed
	}
	for i := range s.Conditions {
		if pinsToFixed(&s.Conditions[i], vars) {
			return "", false
		}
	}
	return why, true
}

const notPinned = " and no condition limits it to fixed values of aws:SourceArn, aws:SourceVpc, aws:SourceVpce, aws:SourceAccount, aws:PrincipalOrgID or a narrow aws:SourceIp"

// fixedKeys are the condition keys whose fixed values make a wildcard
// grant non-public ("The meaning of public").
var fixedKeys = [...]string{
	"aws:sourcearn", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceowner", "aws:sourceaccount",
	"aws:principalorgid", "s3:x-amz-server-side-encryption-aws-kms-key-id",
	"s3:dataaccesspointarn", "s3:dataaccesspointaccount",
}

// pinsToFixed reports whether a condition restricts the request to fixed
// values of a key that, per AWS, makes a grant non-public.
func pinsToFixed(c *policy.Condition, vars bool) bool {
	op := c.Operator
	// A qualifier other than ForAnyValue, or IfExists, lets a request
	// without the key through.
	if i := strings.IndexByte(op, ':'); i >= 0 {
		if !strings.EqualFold(op[:i], "ForAnyValue") {
			return false
		}
		op = op[i+1:]
	}
	if len(op) > len("IfExists") && strings.EqualFold(op[len(op)-len("IfExists"):], "IfExists") {
		return false
	}
	if len(c.Values) == 0 {
		return false
	}
	key := c.Key
	switch {
	case strings.EqualFold(key, "aws:SourceIp"):
		if !strings.EqualFold(op, "IpAddress") {
			return false
		}
		for _, v := range c.Values {
			if !narrowCIDR(v.Text) {
				return false
			}
		}
		return true
	case strings.EqualFold(key, "aws:userid"):
		if !fixedStringOperator(op) {
			return false
		}
		for _, v := range c.Values {
			// "aws:userid outside the pattern AROLEID:*": a role's
			// every session is not a fixed principal.
			if !fixedValue(v.Text, vars) || strings.HasSuffix(v.Text, ":*") {
				return false
			}
		}
		return true
	}
	known := false
	for _, k := range fixedKeys {
		if strings.EqualFold(key, k) {
			known = true
			break
		}
	}
	if !known || !fixedStringOperator(op) {
		return false
	}
	for _, v := range c.Values {
		if !fixedValue(v.Text, vars) {
			return false
		}
	}
	return true
}

func fixedStringOperator(op string) bool {
	for _, o := range [...]string{"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike"} {
		if strings.EqualFold(op, o) {
			return true
		}
	}
	return false
}

// fixedValue: no wildcard and, where variables are enabled, no variable.
func fixedValue(v string, vars bool) bool {
	if v == "" || strings.ContainsAny(v, "*?") {
		return false
	}
	return !vars || !strings.Contains(v, "${")
}

// narrowCIDR: an IPv4 block of /8 or narrower, an IPv6 block of /32 or
// narrower; a bare address is a single host.
func narrowCIDR(v string) bool {
	if !strings.Contains(v, "/") {
		_, err := netip.ParseAddr(v)
		return err == nil
	}
	p, err := netip.ParsePrefix(v)
	if err != nil {
		return false
	}
	if p.Addr().Is4() {
		return p.Bits() >= 8
	}
	return p.Bits() >= 32
}
