package eval

import "github.com/iamwhy/iamwhy/arn"

// keys is the request context as the engine reads it: the keys the caller
// gave, then the keys AWS sets from the principal itself (aws:PrincipalArn,
// aws:PrincipalAccount, aws:PrincipalType, aws:username,
// aws:PrincipalIsAWSService, aws:PrincipalServiceName) for those the
// caller did not give. AWS adds these to every signed request, so a request
// built by hand must not be decided as if they were absent.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
//
// The derived values live in the evaluator (no allocation); only the role
// ARN of an assumed-role session is built, on first use, when the caller
// gave no aws:PrincipalArn.
type keys struct {
	ctx *Context
	// The principal's fields the role ARN is built from (copies: a
	// pointer to the evaluator's Principal would move the evaluator to
	// the heap).
	pType              PrincipalType
	partition, account string
	name               string
	// vals holds one derived value per derivedKey slot; lookups return a
	// one-element slice of it.
	vals    [derivedKeyCount]string
	has     [derivedKeyCount]bool
	roleARN bool // vals[keyPrincipalArn] still to be built
}

const (
	keyPrincipalArn = iota
	keyPrincipalAccount
	keyPrincipalType
	keyUsername
	keyPrincipalIsAWSService
	keyPrincipalServiceName
	derivedKeyCount
)

// derivedKeyNames are the lower-cased names of the derived keys, by slot.
var derivedKeyNames = [derivedKeyCount]string{
	"aws:principalarn", "aws:principalaccount", "aws:principaltype", "aws:username",
	"aws:principalisawsservice", "aws:principalservicename",
}

// derivedKeyDisplay are the derived keys as AWS spells them.
var derivedKeyDisplay = [derivedKeyCount]string{
	"aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalType", "aws:username",
	"aws:PrincipalIsAWSService", "aws:PrincipalServiceName",
}

// derive fills the derived values from the principal, as
// Request.FillPrincipalContext does (one definition: it calls this).
func (k *keys) derive(ctx *Context, p *Principal) {
	k.ctx = ctx
	k.pType, k.partition, k.account, k.name = p.Type, p.Partition, p.Account, p.Name
	k.has = [derivedKeyCount]bool{}
	k.roleARN = false
	set := func(slot int, v string) {
		if v != "" {
			k.vals[slot], k.has[slot] = v, true
		}
	}
	switch p.Type {
	case PrincipalUser:
		set(keyPrincipalArn, p.ARN)
		set(keyPrincipalType, "User")
		set(keyUsername, p.Name)
	case PrincipalRole, PrincipalAssumedRole:
		if p.Type == PrincipalRole {
			set(keyPrincipalArn, p.ARN)
		} else {
			// For a role session aws:PrincipalArn is the role's ARN;
			// the session ARN does not carry the role's path, so "/" is
			// assumed (give aws:PrincipalArn when the path matters).
			k.has[keyPrincipalArn], k.roleARN = true, true
		}
		set(keyPrincipalType, "AssumedRole")
	case PrincipalFederatedUser:
		set(keyPrincipalArn, p.ARN)
		set(keyPrincipalType, "FederatedUser")
	case PrincipalRoot:
		if arn.IsAccountID(p.ARN) {
			// Built on use, like a session's role ARN.
			k.has[keyPrincipalArn], k.roleARN = true, true
		} else {
			set(keyPrincipalArn, p.ARN)
		}
		set(keyPrincipalType, "Account")
	case PrincipalService:
		set(keyPrincipalIsAWSService, "true")
		set(keyPrincipalServiceName, p.Name)
		return
	case PrincipalAnonymous:
		// An unsigned request's aws:PrincipalType is "Anonymous"; keys
		// present only for signed requests stay absent.
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#principaltable
		set(keyPrincipalType, "Anonymous")
		return
	default:
		return
	}
	set(keyPrincipalAccount, p.Account)
	set(keyPrincipalIsAWSService, "false")
}

// lookup takes a lower-cased key: the caller's value if given, else the
// derived one.
func (k *keys) lookup(lkey string) (contextEntry, bool) {
	if e, ok := k.ctx.lookup(lkey); ok {
		return e, true
	}
	if len(lkey) < len("aws:username") || lkey[:4] != "aws:" || lkey[4] != 'p' && lkey[4] != 'u' {
		return contextEntry{}, false
	}
	for i := range derivedKeyNames {
		if derivedKeyNames[i] != lkey || !k.has[i] {
			continue
		}
		if i == keyPrincipalArn && k.roleARN {
			k.vals[i], k.roleARN = k.builtPrincipalARN(), false
		}
		return contextEntry{name: lkey, values: k.vals[i : i+1 : i+1]}, true
	}
	return contextEntry{}, false
}

// builtPrincipalARN builds aws:PrincipalArn for a role session (the
// role's ARN) or a bare account ID (the root user's ARN).
func (k *keys) builtPrincipalARN() string {
	if k.pType == PrincipalRoot {
		return "arn:aws:iam::" + k.account + ":root"
	}
	return "arn:" + k.partition + ":iam::" + k.account + ":role/" + k.name
}
