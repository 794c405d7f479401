package policy

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// Pages cited in the case names (all under https://docs.aws.amazon.com/):
const (
	pageGrammar   = "IAM/latest/UserGuide/reference_policies_grammar.html"
	pageVersion   = "IAM/latest/UserGuide/reference_policies_elements_version.html"
	pageEffect    = "IAM/latest/UserGuide/reference_policies_elements_effect.html"
	pagePrincipal = "IAM/latest/UserGuide/reference_policies_elements_principal.html"
	pageNotPrinc  = "IAM/latest/UserGuide/reference_policies_elements_notprincipal.html"
	pageResource  = "IAM/latest/UserGuide/reference_policies_elements_resource.html"
	pageCondition = "IAM/latest/UserGuide/reference_policies_elements_condition.html"
	pageSid       = "IAM/latest/UserGuide/reference_policies_elements_sid.html"
	pageSCP       = "organizations/latest/userguide/orgs_manage_policies_scps_syntax.html"
	pageRCP       = "organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html"
	pageVPCE      = "vpc/latest/privatelink/vpc-endpoints-access.html"
	pageJSON      = "RFC 8259 (JSON)"
)

type rejectCase struct {
	rule string // the rule broken
	page string // where the rule is documented
	typ  Type
	doc  string
	// want holds one "line:col message-fragment" per expected error, in
	// source order.
	want []string
}

// Statement fragments reused below. A statement that is valid for TypeAny.
const okStmt = `{"Effect":"Allow","Action":"*","Resource":"*"}`

var rejectCases = []rejectCase{
	// --- JSON syntax: every malformed document is an error with a position.
	{"empty document", pageJSON, TypeAny, "  \n ", []string{"2:2 empty document"}},
	{"unexpected closing brace", pageJSON, TypeAny, `{"Statement": [}`, []string{"1:16 unexpected character '}': want a JSON value"}},
	{"trailing comma in object", pageJSON, TypeAny, `{"Statement":{"Effect":"Allow",}}`, []string{"1:32 want a quoted member name"}},
	{"trailing comma in array", pageJSON, TypeAny, `{"Statement":[` + okStmt + `,]}`, []string{"1:62 unexpected character ']': want a JSON value"}},
	{"unterminated string at end of input", pageJSON, TypeAny, `{"Statement":"abc`, []string{"1:18 unterminated string"}},
	{"raw newline in a string", pageJSON, TypeAny, "{\n\"Statement\":\"a\nb\"}", []string{"2:15 raw newline"}},
	{"control character in a string", pageJSON, TypeAny, "{\"Statement\":\"a\tb\"}", []string{"1:16 raw control character 0x09"}},
	{"invalid escape", pageJSON, TypeAny, `{"Statement":"a\x"}`, []string{`1:16 invalid escape "\\x"`}},
	{"short unicode escape", pageJSON, TypeAny, `{"Statement":"\u12"}`, []string{`1:15 invalid \u escape`}},
	{"invalid UTF-8", pageJSON, TypeAny, "{\"Statement\":\"a\xff\"}", []string{"1:16 invalid UTF-8 byte 0xff"}},
	{"text after the document", pageJSON, TypeAny, `{"Statement":` + okStmt + `} x`, []string{"1:62 unexpected character 'x' after the end"}},
	{"single quotes are not JSON", pageJSON, TypeAny, `{'Statement':[]}`, []string{"1:2 unexpected character '\\'' in object: want a quoted member name"}},
	{"comments are not JSON", pageJSON, TypeAny, "{\n // c\n}", []string{"2:2 unexpected character '/'"}},
	{"leading zero in a number", pageJSON, TypeAny, `{"Version":01}`, []string{"1:13 unexpected character '1' in object: want ',' or '}'"}},
	{"number without digits after the point", pageJSON, TypeAny, `{"Version":1.}`, []string{"1:14 want a digit after the decimal point"}},
	{"NaN is not JSON", pageJSON, TypeAny, `{"Version":NaN}`, []string{"1:12 unexpected character 'N': want a JSON value"}},
	{"misspelled literal", pageJSON, TypeAny, `{"Version":tru}`, []string{`1:12 invalid literal: want "true"`}},
	{"missing colon", pageJSON, TypeAny, `{"Version" "x"}`, []string{`1:12 unexpected character '"' after member name "Version": want ':'`}},
	{"unclosed array at end of input", pageJSON, TypeAny, `{"Statement":[` + okStmt, []string{"1:61 unexpected end of input in array"}},
	{"nesting deeper than the limit", pageJSON, TypeAny, `{"Statement":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`, []string{"1:78 JSON nested deeper than 64 levels"}},

	// --- Document level.
	{"the document is an object", pageGrammar, TypeAny, `[` + okStmt + `]`, []string{"1:1 a policy document must be a JSON object, not an array"}},
	{"Statement is required", pageGrammar, TypeAny, `{"Version":"2012-10-17"}`, []string{"1:1 the policy has no Statement"}},
	{"Statement list must not be empty", pageGrammar, TypeAny, `{"Statement":[]}`, []string{"1:14 Statement is an empty list"}},
	{"Statement is an object or a list", pageGrammar, TypeAny, `{"Statement":"Allow"}`, []string{"1:14 Statement must be an object or a list of objects, not a string"}},
	{"statements are objects", pageGrammar, TypeAny, `{"Statement":[` + okStmt + `,"x"]}`, []string{"1:62 a statement must be a JSON object, not a string"}},
	{"Version is 2012-10-17 or 2008-10-17", pageVersion, TypeAny, `{"Version":"2012-10-18","Statement":` + okStmt + `}`, []string{`1:2 unknown Version "2012-10-18"`}},
	{"Version is case- and format-exact", pageVersion, TypeAny, `{"Version":"2012-10-17 ","Statement":` + okStmt + `}`, []string{`1:2 unknown Version "2012-10-17 "`}},
	{"Version is a string", pageVersion, TypeAny, `{"Version":2012,"Statement":` + okStmt + `}`, []string{"1:12 Version must be a string"}},
	{"empty Version string", pageVersion, TypeAny, `{"Version":"","Statement":` + okStmt + `}`, []string{`1:2 unknown Version ""`}},
	{"Id is a string", pageGrammar, TypeAny, `{"Id":7,"Statement":` + okStmt + `}`, []string{"1:7 Id must be a string, not a number"}},
	{"unknown document element", pageGrammar, TypeAny, `{"Statements":[` + okStmt + `]}`, []string{"1:1 the policy has no Statement", `1:2 unknown policy element "Statements"`}},
	{"element names are case-sensitive", pageGrammar, TypeAny, `{"statement":[` + okStmt + `]}`, []string{"1:1 the policy has no Statement", `1:2 unknown policy element "statement": element names are case-sensitive, did you mean "Statement"?`}},
	{"duplicate document element", pageGrammar, TypeAny, `{"Version":"2012-10-17","Version":"2008-10-17","Statement":` + okStmt + `}`, []string{`1:25 duplicate policy element "Version" (first at 1:2)`}},

	// --- Effect.
	{"Effect is required", pageEffect, TypeAny, `{"Statement":{"Action":"*"}}`, []string{"1:14 statement 0 has no Effect"}},
	{"Effect value is case-sensitive", pageEffect, TypeAny, `{"Statement":{"Effect":"allow","Action":"*"}}`, []string{`1:15 Effect must be "Allow" or "Deny" (case-sensitive), not "allow"`}},
	{"Effect is Allow or Deny", pageEffect, TypeAny, `{"Statement":{"Sid":"S","Effect":"Permit","Action":"*"}}`, []string{`1:25 Effect must be "Allow" or "Deny" (case-sensitive), not "Permit"`}},
	{"Effect is a string, not a list", pageEffect, TypeAny, `{"Statement":{"Effect":["Allow"],"Action":"*"}}`, []string{`1:24 Effect must be the string "Allow" or "Deny", not an array`}},
	{"duplicate Effect", pageGrammar, TypeAny, `{"Statement":{"Effect":"Deny","Effect":"Allow","Action":"*"}}`, []string{`1:31 duplicate statement element "Effect" (first at 1:15)`}},

	// --- Statement elements.
	{"unknown statement element", pageGrammar, TypeAny, `{"Statement":{"Effect":"Allow","Action":"*","Principals":"*"}}`, []string{`1:45 unknown statement element "Principals"`}},
	{"statement element names are case-sensitive", pageGrammar, TypeAny, `{"Statement":{"Effect":"Allow","action":"*"}}`, []string{"1:14 statement 0 has neither Action nor NotAction", `1:32 unknown statement element "action": element names are case-sensitive, did you mean "Action"?`}},
	{"Sid is a string", pageSid, TypeAny, `{"Statement":{"Sid":1,"Effect":"Allow","Action":"*"}}`, []string{"1:21 Sid must be a string, not a number"}},

	// --- Action / NotAction.
	{"Action or NotAction is required", pageGrammar, TypeAny, `{"Statement":{"Effect":"Allow","Resource":"*"}}`, []string{"1:14 statement 0 has neither Action nor NotAction"}},
	{"Action and NotAction are exclusive", pageGrammar, TypeAny, `{"Statement":{"Effect":"Allow","NotAction":"s3:*","Action":"*"}}`, []string{"1:51 a statement cannot have both Action and NotAction"}},
	{"Action list must not be empty", pageGrammar, TypeAny, `{"Statement":{"Effect":"Allow","Action":[]}}`, []string{"1:41 Action is an empty list"}},
	{"Action entries are strings", pageGrammar, TypeAny, `{"Statement":{"Effect":"Allow","Action":["s3:GetObject",5,null]}}`, []string{"1:57 Action entries must be strings, not a number", "1:59 Action entries must be strings, not null"}},
	{"Action is a string or a list", pageGrammar, TypeAny, `{"Statement":{"Effect":"Allow","NotAction":{"s3":"*"}}}`, []string{"1:44 NotAction must be a string or a list of strings, not an object"}},

	// --- Resource / NotResource.
	{"Resource and NotResource are exclusive", pageGrammar, TypeAny, `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","NotResource":"*"}}`, []string{"1:60 a statement cannot have both Resource and NotResource"}},
	{"Resource list must not be empty", pageGrammar, TypeAny, `{"Statement":{"Effect":"Allow","Action":"*","NotResource":[]}}`, []string{"1:59 NotResource is an empty list"}},
	{"Resource is a string or a list", pageGrammar, TypeAny, `{"Statement":{"Effect":"Allow","Action":"*","Resource":true}}`, []string{"1:56 Resource must be a string or a list of strings, not a boolean"}},

	// --- Principal / NotPrincipal grammar.
	{"Principal and NotPrincipal are exclusive", pagePrincipal, TypeAny, `{"Statement":{"Effect":"Deny","Principal":"*","NotPrincipal":"*","Action":"*"}}`, []string{"1:47 a statement cannot have both Principal and NotPrincipal"}},
	{"Principal as a string must be \"*\"", pagePrincipal, TypeAny, `{"Statement":{"Effect":"Allow","Principal":"arn:aws:iam::123456789012:root","Action":"*"}}`, []string{`1:44 Principal as a string must be "*"`}},
	{"Principal is \"*\" or a map, not a list", pagePrincipal, TypeAny, `{"Statement":{"Effect":"Allow","Principal":["*"],"Action":"*"}}`, []string{"1:44 Principal must be \"*\" or an object"}},
	{"Principal map must name a principal", pagePrincipal, TypeAny, `{"Statement":{"Effect":"Allow","Principal":{},"Action":"*"}}`, []string{"1:44 Principal is an empty object"}},
	{"Principal map keys are AWS, Service, Federated, CanonicalUser", pagePrincipal, TypeAny, `{"Statement":{"Effect":"Allow","Principal":{"User":"x"},"Action":"*"}}`, []string{`1:45 unknown Principal element "User"`}},
	{"Principal map keys are case-sensitive", pagePrincipal, TypeAny, `{"Statement":{"Effect":"Allow","Principal":{"aws":"123456789012"},"Action":"*"}}`, []string{`1:45 unknown Principal element "aws": element names are case-sensitive, did you mean "AWS"?`}},
	{"Principal list must not be empty", pagePrincipal, TypeAny, `{"Statement":{"Effect":"Allow","Principal":{"AWS":[]},"Action":"*"}}`, []string{"1:51 Principal AWS is an empty list"}},
	{"Principal values are strings", pagePrincipal, TypeAny, `{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":[123456789012]},"Action":"*"}}`, []string{"1:54 NotPrincipal AWS entries must be strings, not a number"}},
	{"duplicate Principal type", pagePrincipal, TypeAny, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"1","AWS":"2"},"Action":"*"}}`, []string{`1:55 duplicate Principal type "AWS" (first at 1:45)`}},

	// --- Condition grammar.
	{"Condition is an object", pageCondition, TypeAny, `{"Statement":{"Effect":"Allow","Action":"*","Condition":"x"}}`, []string{"1:57 Condition must be an object"}},
	{"condition operator maps to an object", pageCondition, TypeAny, `{"Statement":{"Effect":"Allow","Action":"*","Condition":{"StringEquals":["a"]}}}`, []string{"1:73 condition operator StringEquals must map to an object of condition keys, not an array"}},
	{"condition value must not be null", pageCondition, TypeAny, `{"Statement":{"Effect":"Allow","Action":"*","Condition":{"Null":{"k":null}}}}`, []string{"1:70 condition Null k: the value must be a string, number, boolean or a list of them, not null"}},
	{"condition value must not be an object", pageCondition, TypeAny, `{"Statement":{"Effect":"Allow","Action":"*","Condition":{"StringEquals":{"k":{"a":"b"}}}}}`, []string{"1:78 condition StringEquals k: the value must be a string, number, boolean or a list of them, not an object"}},
	{"condition value list must not be empty", pageCondition, TypeAny, `{"Statement":{"Effect":"Allow","Action":"*","Condition":{"StringEquals":{"k":[]}}}}`, []string{"1:78 condition StringEquals k has an empty list of values"}},
	{"condition values are not nested lists", pageCondition, TypeAny, `{"Statement":{"Effect":"Allow","Action":"*","Condition":{"StringEquals":{"k":["a",["b"],null]}}}}`, []string{"1:83 condition StringEquals k: a value must be a string, number or boolean, not an array", "1:89 condition StringEquals k: a value must be a string, number or boolean, not null"}},
	{"duplicate condition operator", pageCondition, TypeAny, `{"Statement":{"Effect":"Allow","Action":"*","Condition":{"Bool":{"a":"true"},"Bool":{"b":"true"}}}}`, []string{`1:78 duplicate condition operator "Bool" (first at 1:58)`}},
	{"duplicate condition key", pageCondition, TypeAny, `{"Statement":{"Effect":"Allow","Action":"*","Condition":{"Bool":{"a":"true","a":"false"}}}}`, []string{`1:77 duplicate condition key under Bool "a" (first at 1:66)`}},

	// --- Identity-based, boundary and session policies.
	{"Principal is forbidden in identity-based policies", pagePrincipal, TypeIdentity, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}`, []string{"1:32 Principal is not allowed in an identity-based policy"}},
	{"NotPrincipal is forbidden in identity-based policies", pageNotPrinc, TypeIdentity, `{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"1"},"Action":"*","Resource":"*"}}`, []string{"1:31 NotPrincipal is not allowed in an identity-based policy"}},
	{"Resource is required in identity-based policies", pageResource, TypeIdentity, `{"Statement":{"Effect":"Allow","Action":"*"}}`, []string{"1:14 statement 0 has neither Resource nor NotResource, which an identity-based policy requires"}},
	{"Principal is forbidden in permissions boundaries", pagePrincipal, TypeBoundary, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"1"},"Action":"*","Resource":"*"}}`, []string{"1:32 Principal is not allowed in a permissions boundary"}},
	{"Resource is required in permissions boundaries", pageResource, TypeBoundary, `{"Statement":[` + okStmt + `,{"Effect":"Deny","Action":"iam:*"}]}`, []string{"1:62 statement 1 has neither Resource nor NotResource, which a permissions boundary requires"}},
	{"Principal is forbidden in session policies", pagePrincipal, TypeSession, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}`, []string{"1:32 Principal is not allowed in a session policy"}},
	{"Resource is required in session policies", pageResource, TypeSession, `{"Statement":{"Effect":"Allow","Action":"*"}}`, []string{"1:14 statement 0 has neither Resource nor NotResource, which a session policy requires"}},
	{"IAM Sids are ASCII letters and digits", pageSid, TypeIdentity, `{"Statement":{"Sid":"Allow reads","Effect":"Allow","Action":"*","Resource":"*"}}`, []string{`1:15 Sid "Allow reads": IAM accepts only ASCII letters and digits`}},
	{"IAM Sids are unique", pageSid, TypeIdentity, `{"Statement":[{"Sid":"A","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"*","Resource":"*"}]}`, []string{`1:73 Sid "A" is used twice (first at 1:16)`}},

	// --- Resource-based policies.
	{"Principal is required in resource-based policies", pagePrincipal, TypeResource, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, []string{"1:14 statement 0 has no Principal, which a resource-based policy requires"}},
	{"NotPrincipal must be used with Deny (trust policy)", pageNotPrinc, TypeTrust, `{"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"1"},"Action":"sts:AssumeRole"}}`, []string{`1:32 NotPrincipal is not supported in a role trust policy`}},

	// --- Role trust policies.
	{"Principal is required in trust policies", pagePrincipal, TypeTrust, `{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}`, []string{"1:14 statement 0 has no Principal, which a role trust policy requires"}},
	{"Resource is prohibited in trust policies", pageResource, TypeTrust, `{"Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}}`, []string{"1:102 Resource is not allowed in a role trust policy"}},
	{"NotResource is prohibited in trust policies", pageResource, TypeTrust, `{"Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","NotResource":"*"}}`, []string{"1:102 NotResource is not allowed in a role trust policy"}},
	{"NotPrincipal is not supported in trust policies", pageNotPrinc, TypeTrust, `{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"1"},"Action":"sts:AssumeRole"}}`, []string{"1:31 NotPrincipal is not supported in a role trust policy"}},
	{"IAM Sids are unique in trust policies", pageSid, TypeTrust, `{"Statement":[{"Sid":"T","Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"},{"Sid":"T","Effect":"Allow","Principal":"*","Action":"sts:TagSession"}]}`, []string{`1:87 Sid "T" is used twice`}},

	// --- SCPs.
	{"Principal is not an SCP element", pageSCP, TypeSCP, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}}`, []string{"1:54 Principal is not allowed in a service control policy (SCP)"}},
	{"NotPrincipal is not an SCP element", pageNotPrinc, TypeSCP, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"1"},"Action":"*","Resource":"*"}}`, []string{"1:54 NotPrincipal is not allowed in a service control policy (SCP)"}},
	{"SCP Version must be 2012-10-17", pageSCP, TypeSCP, `{"Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}`, []string{`1:1 a service control policy (SCP) must have a Version element with value "2012-10-17"`}},
	{"SCP Version 2008-10-17 is not accepted", pageSCP, TypeSCP, `{"Version":"2008-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}`, []string{`1:2 a service control policy (SCP) must have Version "2012-10-17", not "2008-10-17"`}},

	// --- RCPs.
	{"RCP Principal is required", pageRCP, TypeRCP, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*"}}`, []string{"1:37 statement 0 has no Principal, which a resource control policy (RCP) requires"}},
	{"RCP Principal must be \"*\"", pageRCP, TypeRCP, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"*"}}`, []string{`1:54 an RCP Principal must be "*"`}},
	{"RCP Effect Allow is reserved for RCPFullAWSAccess", pageRCP, TypeRCP, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}}`, []string{`1:38 an RCP statement must have Effect "Deny"`}},
	{"RCP full-access statement with a Condition is not RCPFullAWSAccess", pageRCP, TypeRCP, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}}`, []string{`1:38 an RCP statement must have Effect "Deny"`, `1:80 a customer managed RCP cannot use "*" as an action`}},
	{"NotAction is not an RCP element", pageRCP, TypeRCP, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","NotAction":"s3:*","Resource":"*"}}`, []string{"1:70 NotAction is not supported in a resource control policy (RCP)"}},
	{"NotPrincipal is not an RCP element", pageNotPrinc, TypeRCP, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"1"},"Action":"s3:*","Resource":"*"}}`, []string{"1:54 NotPrincipal is not supported in a resource control policy (RCP)"}},
	{"RCP Resource or NotResource is required", pageRCP, TypeRCP, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*"}}`, []string{"1:37 statement 0 has neither Resource nor NotResource, which a resource control policy (RCP) requires"}},
	{"customer RCPs cannot use Action \"*\"", pageRCP, TypeRCP, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":["s3:*","*"],"Resource":"*"}}`, []string{`1:87 a customer managed RCP cannot use "*" as an action`}},
	{"RCP Version is required", pageRCP, TypeRCP, `{"Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}}`, []string{`1:1 a resource control policy (RCP) must have a Version element`}},

	// --- VPC endpoint policies.
	{"VPC endpoint policy must contain a Principal", pageVPCE, TypeVPCEndpoint, `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, []string{"1:15 statement 0 has no Principal, which a VPC endpoint policy requires"}},
	{"VPC endpoint NotPrincipal must be used with Deny", pageNotPrinc, TypeVPCEndpoint, `{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"1"},"Action":"*","Resource":"*"}]}`, []string{`1:33 NotPrincipal must be used with Effect "Deny"`}},

	// --- Several problems are all reported, in source order.
	{"every problem is reported in source order", pageGrammar, TypeIdentity,
		"{\n \"Version\": \"1\",\n \"Statement\": [\n  {\"Effect\": \"allow\", \"Action\": [], \"Principal\": \"*\"},\n  {\"Effect\": \"Deny\", \"Action\": \"*\", \"Resource\": \"*\", \"Foo\": 1}\n ]\n}",
		[]string{`2:2 unknown Version "1"`, "4:3 statement 0 has neither Resource nor NotResource", `4:4 Effect must be "Allow" or "Deny"`, "4:33 Action is an empty list", "4:37 Principal is not allowed", "5:54 unknown statement element \"Foo\""}},
}

func TestParseRejects(t *testing.T) {
	for _, tc := range rejectCases {
		t.Run(tc.rule, func(t *testing.T) {
			p, err := ParseString(tc.doc, Options{Type: tc.typ, Source: "doc.json"})
			if err == nil {
				t.Fatalf("accepted; want errors %q (rule from %s)", tc.want, tc.page)
			}
			if p != nil {
				t.Errorf("a policy was returned with errors")
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("error %T is not an ErrorList", err)
			}
			var got []string
			for _, e := range list {
				got = append(got, fmt.Sprintf("%s %s", e.Pos.LineCol(), e.Msg))
				if e.Source != "doc.json" {
					t.Errorf("error source %q", e.Source)
				}
			}
			ok := len(got) == len(tc.want)
			for i := 0; ok && i < len(got); i++ {
				pos, frag, _ := strings.Cut(tc.want[i], " ")
				gpos, gmsg, _ := strings.Cut(got[i], " ")
				ok = pos == gpos && strings.Contains(gmsg, frag)
			}
			if !ok {
				t.Errorf("rule from %s\n got %q\nwant %q", tc.page, got, tc.want)
			}
		})
	}
}

// TestAnyTypeIsGrammarOnly checks that TypeAny applies no per-type rule:
// every statement shape that some policy type accepts parses.
func TestAnyTypeIsGrammarOnly(t *testing.T) {
	for _, doc := range []string{
		`{"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"1"},"Action":"*"}}`,
		`{"Statement":{"Effect":"Allow","Principal":{"AWS":"1"},"Action":"sts:AssumeRole","Resource":"*"}}`,
		`{"Statement":{"Sid":"with spaces","Effect":"Allow","Action":"*"}}`,
		`{"Statement":[{"Sid":"A","Effect":"Allow","Action":"*"},{"Sid":"A","Effect":"Allow","Action":"*"}]}`,
	} {
		if _, err := ParseString(doc, Options{}); err != nil {
			t.Errorf("%s: %v", doc, err)
		}
	}
}

// TestValidateOtherType parses once as TypeAny and re-validates for the types
// the document is and is not valid for.
func TestValidateOtherType(t *testing.T) {
	p := mustParse(t, string(readDoc(t, "trust_oidc.json")), TypeAny)
	if errs := p.Validate(TypeTrust); len(errs) != 0 {
		t.Errorf("as trust: %v", errs)
	}
	errs := p.Validate(TypeIdentity)
	if len(errs) != 4 { // two statements, each with a Principal and without Resource
		t.Fatalf("as identity: %d errors %v, want 4", len(errs), errs)
	}
	if errs[0].Pos.String() != "test.json:4:5" || !strings.Contains(errs[0].Msg, "neither Resource nor NotResource") {
		t.Errorf("first error %v", errs[0])
	}
}

// TestValidateBuiltInCode checks documents built in code, without positions:
// errors then carry the zero position.
func TestValidateBuiltInCode(t *testing.T) {
	p := &Policy{Statements: []Statement{{
		Effect:     "Maybe",
		Action:     List{Present: true},
		Resource:   List{Present: true, Values: []Value{{Text: "*"}}},
		Conditions: []Condition{{Operator: "StringEquals", Key: "k"}},
	}}}
	var got []string
	for _, e := range p.Validate(TypeIdentity) {
		got = append(got, e.Error())
	}
	want := []string{
		`policy: Effect must be "Allow" or "Deny" (case-sensitive), not "Maybe"`,
		"policy: Action is empty",
		"policy: condition StringEquals k has no values",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestParseErrorsAreBounded(t *testing.T) {
	doc := `{"Statement":[` + strings.Repeat(`1,`, 500) + `1]}`
	_, err := ParseString(doc, Options{Source: "big.json"})
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("err %v", err)
	}
	if len(list) != MaxErrors+1 {
		t.Fatalf("%d errors, want %d", len(list), MaxErrors+1)
	}
	last := list[MaxErrors]
	if last.Msg != "401 more problems not shown" || last.Pos != list[MaxErrors-1].Pos {
		t.Errorf("last error %v", last)
	}
}
