package denial

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// policyPhrases maps the policy-type phrases AWS uses in access-denied
// messages to a PolicyType, longest phrases first so that "role trust
// policy" wins over "trust policy". "sessions policy" is spelled so in the
// IAM troubleshooting page's own example.
var policyPhrases = []struct {
	phrase string
	typ    PolicyType
}{
	{"service control policies", PolicySCP},
	{"service control policy", PolicySCP},
	{"resource control policies", PolicyRCP},
	{"resource control policy", PolicyRCP},
	{"identity-based policies", PolicyIdentity},
	{"identity-based policy", PolicyIdentity},
	{"identity based policy", PolicyIdentity},
	{"resource-based policies", PolicyResource},
	{"resource-based policy", PolicyResource},
	{"resource based policy", PolicyResource},
	{"permissions boundary policy", PolicyBoundary},
	{"permissions boundaries", PolicyBoundary},
	{"permissions boundary", PolicyBoundary},
	{"permission boundary", PolicyBoundary},
	{"sessions policy", PolicySession},
	{"session policies", PolicySession},
	{"session policy", PolicySession},
	{"vpc endpoint policies", PolicyVPCEndpoint},
	{"vpc endpoint policy", PolicyVPCEndpoint},
	{"role trust policy", PolicyResource},
	{"trust policy", PolicyResource},
	{"key policy", PolicyResource},
	{"bucket policy", PolicyResource},
}

// phraseAt reports the policy type whose phrase starts s (after an optional
// article), and the length consumed.
func phraseAt(s string) (PolicyType, int) {
	n := 0
	for _, art := range []string{"a ", "an ", "the "} {
		if strings.HasPrefix(s, art) {
			n = len(art)
			break
		}
	}
	for _, p := range policyPhrases {
		if strings.HasPrefix(s[n:], p.phrase) {
			return p.typ, n + len(p.phrase)
		}
	}
	return PolicyUnknown, 0
}

// unwrapLines undoes line wrapping and terminal decoration: it repairs the
// paste (repairLines: log prefixes, Terraform's box characters, escaped
// quotes) and joins its lines, without a space where the break cut an
// ARN, an action or a word (wrapJoin), with one elsewhere.
func unwrapLines(text string) string {
	return joinLines(repairLines(text))
}

// joinLines joins repaired lines into one line of text.
func joinLines(lines []pasteLine) string {
	var b strings.Builder
	for i, l := range lines {
		if i > 0 && !lines[i-1].hardWrap {
			b.WriteString(wrapJoin(lines[i-1].text, l.text))
		}
		b.WriteString(l.text)
	}
	return collapseSpaces(b.String())
}

// collapseSpaces turns every run of white space (Unicode's, so that the
// no-break spaces of copied web pages count) into one space. It copies runs
// of other bytes whole.
func collapseSpaces(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	start := 0 // start of the pending run of non-space bytes
	flush := func(end int) {
		if start < end {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteString(s[start:end])
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		width := 1
		isSpace := false
		if c < utf8.RuneSelf {
			isSpace = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
		} else {
			var r rune
			r, width = utf8.DecodeRuneInString(s[i:])
			isSpace = unicode.IsSpace(r)
		}
		if isSpace {
			flush(i)
			space = true
			start = i + width
		}
		i += width
	}
	flush(len(s))
	return b.String()
}

// nextToken returns the white-space delimited token at the start of s.
func nextToken(s string) string {
	if i := strings.IndexByte(s, ' '); i >= 0 {
		return s[:i]
	}
	return s
}

// trimTokenEnd removes sentence punctuation a message puts after an ARN or
// action ("...policy/Deny. Go to ...", "...action\"").
func trimTokenEnd(s string) string {
	return strings.TrimRight(s, ".,;\"')")
}

// isActionToken reports whether s looks like an IAM action, service:Name.
func isActionToken(s string) bool {
	i := strings.IndexByte(s, ':')
	if i <= 0 || i == len(s)-1 {
		return false
	}
	for _, r := range s[:i] {
		if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	for _, r := range s[i+1:] {
		if !(r == '*' || r == '?' || r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// recognizedPhrases are message fragments that only access-denied errors
// carry (compared lower-cased).
var recognizedPhrases = []string{
	"is not authorized to perform",
	"not authorized to perform this operation",
	"with an explicit deny",
	"access denied",
	"accessdenied",
	"is denied",
	"are not allowed to access",
	"not authorized to access",
	"encoded authorization failure message",
}

// parseMessage reads the access-denied message itself (no wrapper) into d
// and reports whether the message is recognisably an access-denied one.
func parseMessage(msg string, d *Denial) bool {
	d.Message = msg
	lower := asciiLower(msg)
	recognized := false
	for _, p := range recognizedPhrases {
		if strings.Contains(lower, p) {
			recognized = true
			break
		}
	}

	// EC2 and other services append an encoded authorization failure
	// message (https://docs.aws.amazon.com/STS/latest/APIReference/API_DecodeAuthorizationMessage.html).
	const encMarker = "encoded authorization failure message:"
	if i := strings.Index(lower, encMarker); i >= 0 {
		d.Encoded = true
		d.EncodedMessage = trimTokenEnd(nextToken(strings.TrimSpace(msg[i+len(encMarker):])))
		msg = strings.TrimSpace(msg[:i])
		lower = lower[:i]
	}

	// The authorization-ID trailer: "Go to https://...#/authorization-details/ID
	// for complete details, or call the GetRequestAuthorizationDetails API with
	// the following authorization id: ID".
	const authMarker = "authorization id:"
	if i := strings.LastIndex(lower, authMarker); i >= 0 {
		if id := trimTokenEnd(nextToken(strings.TrimSpace(msg[i+len(authMarker):]))); id != "" {
			d.AuthorizationID = strp(id)
		}
	}
	if d.AuthorizationID == nil {
		if i := strings.Index(lower, "/authorization-details/"); i >= 0 {
			if id := trimTokenEnd(nextToken(msg[i+len("/authorization-details/"):])); id != "" {
				d.AuthorizationID = strp(id)
			}
		}
	}
	if i := strings.Index(lower, ". go to https://"); i >= 0 {
		msg = msg[:i+1]
		lower = lower[:i+1]
	} else if i := strings.Index(lower, " go to https://"); i >= 0 {
		msg = msg[:i]
		lower = lower[:i]
	}

	parseKMSCiphertext(lower, d)
	parseAccessToResource(msg, lower, d)
	parseAccessKey(msg, lower, d)
	if parseNotAllowedToExecute(msg, lower, d) || parseNotAuthorizedToAccess(msg, lower, d) {
		return true
	}

	// EC2 prefixes the enhanced message with its own sentence ("You are
	// not authorized to perform this operation. User: ... is not
	// authorized to perform: ec2:..."): prefer the sentence with a subject.
	const perform = "not authorized to perform"
	pi := strings.Index(lower, "is "+perform)
	if pi >= 0 {
		pi += len("is ")
	} else {
		pi = strings.Index(lower, perform)
	}
	if pi < 0 {
		parseReason(msg, lower, d)
		return recognized
	}
	parsePrincipal(msg[:pi], d)

	rest := msg[pi+len(perform):]
	restLower := lower[pi+len(perform):]
	rest = strings.TrimPrefix(rest, ":")
	restLower = strings.TrimPrefix(restLower, ":")
	rest = strings.TrimLeft(rest, " ")
	restLower = strings.TrimLeft(restLower, " ")
	tok := nextToken(rest)
	// Some SDKs and loggers quote the action ("s3:ListBucket"), and a
	// JSON-escaped paste keeps the quotes once unescaped.
	if act := strings.Trim(trimTokenEnd(strings.Trim(tok, `"'`)), `"'`); isActionToken(act) {
		d.Action = strp(act)
		rest = strings.TrimLeft(rest[len(tok):], " ")
		restLower = strings.TrimLeft(restLower[len(tok):], " ")
	}

	switch {
	case strings.HasPrefix(restLower, "on resource:"), strings.HasPrefix(restLower, "on resource "):
		rest = strings.TrimLeft(rest[len("on resource:"):], " ")
		restLower = strings.TrimLeft(restLower[len("on resource:"):], " ")
		res, n := resourceAt(rest)
		if res != "" {
			d.Resource = strp(res)
		}
		rest, restLower = strings.TrimLeft(rest[n:], " "), strings.TrimLeft(restLower[n:], " ")
	case strings.HasPrefix(restLower, "on \""):
		// "User X is not authorized to perform s3:GetObject on "arn:..." because ..."
		res, n := resourceAt(rest[len("on "):])
		if res != "" {
			d.Resource = strp(res)
		}
		rest, restLower = strings.TrimLeft(rest[len("on ")+n:], " "), strings.TrimLeft(restLower[len("on ")+n:], " ")
	case strings.HasPrefix(restLower, "on this resource"):
		rest, restLower = rest[len("on this resource"):], restLower[len("on this resource"):]
	case strings.HasPrefix(restLower, "on the resource associated with this ciphertext"):
		n := len("on the resource associated with this ciphertext")
		rest, restLower = rest[n:], restLower[n:]
	}
	parseReason(rest, restLower, d)
	return true
}

// resourceAt reads the resource after "on resource:": a quoted value (S3
// quotes its ARNs, and object keys may hold spaces) or one token.
func resourceAt(s string) (string, int) {
	if strings.HasPrefix(s, "\"") {
		if j := strings.IndexByte(s[1:], '"'); j >= 0 {
			return s[1 : 1+j], j + 2
		}
	}
	tok := nextToken(s)
	if strings.HasPrefix(tok, "arn:") || tok == "*" {
		return trimTokenEnd(tok), len(tok)
	}
	// A name that is not an ARN may hold spaces ("role TestReadOnly" in
	// legacy messages): it runs to the reason clause or the sentence end.
	lower := asciiLower(s)
	end := len(s)
	for _, stop := range []string{" because ", " with an explicit deny", " with an implicit deny", ". ", " with access key", " (access key", " access key "} {
		if i := strings.Index(lower, stop); i >= 0 && i < end {
			end = i
		}
	}
	return trimTokenEnd(s[:end]), end
}

// parsePrincipal reads the principal before "is not authorized to perform":
// "User: ARN", "User ARN", or a bare ARN.
func parsePrincipal(before string, d *Denial) {
	before = strings.TrimSpace(before)
	before = strings.TrimSuffix(before, " is")
	before = strings.TrimSuffix(before, " are") // "You are not authorized ..."
	before = strings.TrimSpace(before)
	tok := before[strings.LastIndexByte(before, ' ')+1:]
	tok = strings.Trim(tok, "\"'")
	switch {
	case tok == "" || strings.EqualFold(tok, "user") || strings.EqualFold(tok, "user:") || strings.EqualFold(tok, "you"):
		return
	case strings.EqualFold(tok, "anonymous"):
		d.Principal = strp("anonymous")
		d.PrincipalType = PrincipalAnonymous
		return
	}
	if strings.HasPrefix(tok, "arn:") && validPrincipalARN(tok) {
		d.Principal = strp(tok)
		d.PrincipalType = principalTypeOf(tok)
		d.Account = accountOf(tok)
		return
	}
	if strings.HasSuffix(tok, ".amazonaws.com") && !strings.ContainsAny(tok, ":/") {
		d.Principal = strp(tok)
		d.PrincipalType = PrincipalService
	}
}

// parseReason reads the clause after the resource: "with an explicit deny in
// a TYPE[: ARN | , with policy ARN: ARN] [transitively through a TYPE]",
// "because no TYPE allows the ACTION action", S3 Block Public Access and
// other reasons.
func parseReason(rest, lower string, d *Denial) {
	if i := strings.Index(lower, "cross-account"); i >= 0 {
		d.CrossAccount = boolp(true)
	}
	// Implicit clauses: "because no TYPE allows ...".
	for off := 0; ; {
		// "because no" is sometimes printed without the following space
		// ("because noresource-based policy allows", WAFv2).
		i := strings.Index(lower[off:], "because no")
		if i < 0 {
			break
		}
		at := off + i + len("because no")
		if at < len(lower) && lower[at] == ' ' {
			at++
		}
		typ, n := phraseAt(lower[at:])
		if typ != PolicyUnknown {
			d.AlsoImplicit = append(d.AlsoImplicit, typ)
			// The action named a second time ("allows the X action"):
			// the first spelling wins, so only fill an empty Action.
			tail := lower[at+n:]
			if strings.HasPrefix(tail, " allows the ") && d.Action == nil {
				act := trimTokenEnd(nextToken(rest[at+n+len(" allows the "):]))
				if isActionToken(act) {
					d.Action = strp(act)
				}
			}
		}
		off = at
	}
	// "because the role trust policy allows the sts:AssumeRole action" is
	// how the IAM guide prints the implicit role-trust denial.
	if strings.Contains(lower, "because the role trust policy allows") {
		d.AlsoImplicit = append(d.AlsoImplicit, PolicyResource)
	}

	explicit := false
	if i := strings.Index(lower, "with an explicit deny"); i >= 0 {
		explicit = true
		d.Deny = DenyExplicit
		at := i + len("with an explicit deny")
		tail := lower[at:]
		if strings.HasPrefix(tail, " in ") {
			at += len(" in ")
			typ, n := phraseAt(lower[at:])
			d.PolicyType = typ
			at += n
			// Policy ARN forms: "...policy: arn:..." (2025) and
			// "...policy, with policy ARN: arn:..." (2026).
			after := rest[at:]
			afterLower := lower[at:]
			switch {
			case strings.HasPrefix(afterLower, ": arn:"), strings.HasPrefix(afterLower, ":arn:"):
				d.PolicyARN = strp(trimTokenEnd(nextToken(strings.TrimLeft(after[1:], " "))))
			case strings.HasPrefix(afterLower, ", with policy arn: "):
				d.PolicyARN = strp(trimTokenEnd(nextToken(after[len(", with policy arn: "):])))
			}
			if j := strings.Index(afterLower, "transitively through "); j >= 0 {
				via, _ := phraseAt(afterLower[j+len("transitively through "):])
				if via != PolicyUnknown {
					// The IAM guide says to look for the Deny in the
					// later-named policy (the SCP); the first-named
					// policy is the path the request took.
					d.Via = d.PolicyType
					d.PolicyType = via
				}
			}
		}
	}
	if !explicit && len(d.AlsoImplicit) > 0 {
		d.Deny = DenyImplicit
		d.PolicyType = d.AlsoImplicit[0]
		d.AlsoImplicit = d.AlsoImplicit[1:]
	}
	if !explicit && strings.Contains(lower, "with an implicit deny") {
		d.Deny = DenyImplicit
	}

	// S3 Block Public Access reasons, both wordings S3 has used.
	for _, setting := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
		if strings.Contains(lower, "by the "+strings.ToLower(setting)+" ") && strings.Contains(lower, "block public access") {
			d.BlockPublicAccess = setting
			break
		}
	}

	// Keep the reason clause verbatim when it names no policy type (Block
	// Public Access, SSE-C, KMS's compound reason).
	if i := strings.Index(lower, "because "); i >= 0 && (d.PolicyType == "" || d.PolicyType == PolicyUnknown) {
		d.Reason = strp(strings.TrimRight(strings.TrimSpace(rest[i+len("because "):]), "."))
	}
	// KMS: "because the resource does not exist in this Region, no
	// resource-based policies allow access, or a resource-based policy
	// explicitly denies access" names the key policy, but not whether it
	// denied explicitly.
	if strings.Contains(lower, "no resource-based policies allow access") {
		d.PolicyType = PolicyResource
		d.Deny = DenyUnknown
		d.Reason = strp(strings.TrimRight(strings.TrimSpace(rest[strings.Index(lower, "because ")+len("because "):]), "."))
	}
}

// parseKMSCiphertext recognises KMS's key-lookup denial, which names
// neither principal nor action: "The ciphertext refers to a customer master
// key that does not exist, does not exist in this region, or you are not
// allowed to access."
func parseKMSCiphertext(lower string, d *Denial) {
	if strings.Contains(lower, "ciphertext refers to a customer master key") ||
		strings.Contains(lower, "ciphertext refers to a kms key") {
		d.KMSCiphertext = true
		d.Service = strp("kms")
	}
	if strings.Contains(lower, "resource associated with this ciphertext") {
		d.Service = strp("kms")
	}
}

// parseAccessToResource reads SQS's legacy form "Access to the resource
// https://sqs.REGION.amazonaws.com/ACCOUNT/QUEUE is denied." and turns the
// queue URL into the queue ARN (the URL carries region, account and name).
func parseAccessToResource(msg, lower string, d *Denial) {
	const pre = "access to the resource "
	i := strings.Index(lower, pre)
	if i < 0 || !strings.Contains(lower[i:], " is denied") {
		return
	}
	res := trimTokenEnd(nextToken(msg[i+len(pre):]))
	if res == "" {
		return
	}
	if arn, ok := sqsURLToARN(res); ok {
		d.Resource = strp(arn)
		d.Service = strp("sqs")
		return
	}
	d.Resource = strp(res)
}

// parseNotAllowedToExecute reads the bracketed form CodePipeline, CodeStar
// and CodeBuild print: "Principal [ARN] is not allowed to execute
// [ACTION] on [the] resource [ARN]".
func parseNotAllowedToExecute(msg, lower string, d *Denial) bool {
	i := strings.Index(lower, "is not allowed to execute")
	if i < 0 {
		return false
	}
	if p, ok := bracketed(msg[:i], true); ok {
		parsePrincipal(p, d)
	}
	rest := msg[i+len("is not allowed to execute"):]
	if a, ok := bracketed(rest, false); ok {
		for _, tok := range strings.FieldsFunc(a, func(r rune) bool { return r == ',' || r == ' ' }) {
			if isActionToken(tok) {
				d.Action = strp(tok)
				break
			}
		}
	}
	restLower := asciiLower(rest)
	if j := strings.Index(restLower, "resource"); j >= 0 {
		if r, ok := bracketed(rest[j:], false); ok && r != "" {
			d.Resource = strp(r)
		}
	}
	parseReason(rest, restLower, d)
	return true
}

// bracketed returns the text inside the first (or, with last, the last)
// [...] of s.
func bracketed(s string, last bool) (string, bool) {
	var i int
	if last {
		i = strings.LastIndexByte(s, '[')
	} else {
		i = strings.IndexByte(s, '[')
	}
	if i < 0 {
		return "", false
	}
	j := strings.IndexByte(s[i:], ']')
	if j < 0 {
		return "", false
	}
	return strings.TrimSpace(s[i+1 : i+j]), true
}

// parseNotAuthorizedToAccess reads the forms that name no action: API
// Gateway's and Amazon Location's "User: ARN is not authorized to access
// this resource [with an explicit deny]" and IoT's and AppSync's "Not
// authorized to access resource ARN".
func parseNotAuthorizedToAccess(msg, lower string, d *Denial) bool {
	const phrase = "not authorized to access"
	i := strings.Index(lower, phrase)
	if i < 0 || strings.Contains(lower, "not authorized to perform") {
		return false
	}
	before := msg[:i]
	if strings.HasSuffix(strings.TrimSpace(asciiLower(before)), " is") || strings.HasSuffix(strings.TrimSpace(asciiLower(before)), " are") {
		parsePrincipal(before, d)
	}
	rest := strings.TrimLeft(msg[i+len(phrase):], " ")
	restLower := asciiLower(rest)
	switch {
	case strings.HasPrefix(restLower, "this resource"):
		rest, restLower = rest[len("this resource"):], restLower[len("this resource"):]
	case strings.HasPrefix(restLower, "resource"):
		rest = strings.TrimLeft(strings.TrimPrefix(rest[len("resource"):], ":"), " ")
		// "Not authorized to access resource ARN arn:aws:...": the word
		// ARN before the ARN itself.
		if len(rest) > 4 && strings.EqualFold(rest[:4], "arn ") {
			rest = strings.TrimLeft(rest[4:], " ")
		}
		res, n := resourceAt(rest)
		if strings.HasPrefix(res, "arn:") || res == "*" {
			d.Resource = strp(res)
		}
		rest = rest[n:]
		restLower = asciiLower(rest)
	}
	parseReason(rest, restLower, d)
	return true
}

// parseAccessKey notes the access key ID a message names ("... with
// access key AKIA..."): it identifies the caller's credentials, not a
// principal ARN, so it goes to Note (`aws sts get-access-key-info` tells
// its account).
func parseAccessKey(msg, lower string, d *Denial) {
	i := strings.Index(lower, "access key ")
	if i < 0 {
		return
	}
	rest := msg[i+len("access key "):]
	for _, skip := range []string{"ID ", "id ", "Id ", "ID: ", "id: "} {
		rest = strings.TrimPrefix(rest, skip)
	}
	tok := trimTokenEnd(nextToken(strings.TrimLeft(rest, ": ")))
	if isAccessKeyID(tok) {
		d.AccessKeyID = tok
	}
}

// isAccessKeyID reports whether s has the form of an access key ID: AKIA
// (long-term) or ASIA (temporary) and 16 more upper-case letters or digits
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids).
func isAccessKeyID(s string) bool {
	if len(s) != 20 || !(strings.HasPrefix(s, "AKIA") || strings.HasPrefix(s, "ASIA")) {
		return false
	}
	for i := 4; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// asciiLower lower-cases ASCII letters only, so that byte offsets found in
// the result are valid in the original (strings.ToLower changes the length
// of invalid UTF-8 and of some letters). Every phrase the parser looks for
// is ASCII.
func asciiLower(s string) string {
	i := 0
	for i < len(s) && !(s[i] >= 'A' && s[i] <= 'Z') {
		i++
	}
	if i == len(s) {
		return s
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		if c := b[i]; c >= 'A' && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}
