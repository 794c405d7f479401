package eval

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/iamwhy/iamwhy/policy"
)

// globReference is the obvious implementation of IAM's wildcard match that
// globMatch must agree with: the encoded pattern turned into an anchored
// regular expression, '*' as ".*" and '?' as "." (one character), every
// other character literal. With fold, ASCII letters are lower-cased on both
// sides first (globMatch folds ASCII only, as action names are ASCII).
func globReference(encoded, s string, fold bool) bool {
	if fold {
		encoded, s = lowerASCIIString(encoded), lowerASCIIString(s)
	}
	var b strings.Builder
	b.WriteString(`(?s)\A`)
	for _, r := range encoded {
		switch r {
		case wildStar:
			b.WriteString(".*")
		case wildQuest:
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString(`\z`)
	return regexp.MustCompile(b.String()).MatchString(s)
}

func lowerASCIIString(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = lowerASCII(c)
	}
	return string(b)
}

func FuzzGlobMatch(f *testing.F) {
	for _, seed := range []struct {
		p, s string
		fold bool
	}{
		{"s3:Get*", "s3:GetObject", true},
		{"S3:getobject", "s3:GetObject", true},
		{"iam:*AccessKey?", "iam:CreateAccessKeys", true},
		{"*", "", false},
		{"a*b*c", "aXbYbZc", false},
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b:c", false},
		{"???", "ééé", false},
		{"caf?", "café", false},
		{"*?*?*", "x", false},
		{"a**b", "ab", false},
		{"home/*/docs/*", "home/alice/photos/x", false},
		{"\x01literal", "*literal", false},
	} {
		f.Add(seed.p, seed.s, seed.fold)
	}
	f.Fuzz(func(t *testing.T, p, s string, fold bool) {
		enc := encodeWildcards(p)
		got := globMatch(enc, s, fold)
		if gotBytes := globMatch([]byte(enc), s, fold); gotBytes != got {
			t.Fatalf("string and []byte patterns disagree on %q vs %q", p, s)
		}
		if shaped := matchShaped(enc, shapeOf(enc), s, fold); shaped != got {
			t.Fatalf("matchShaped(%q, %q, fold=%v) = %v, globMatch says %v", p, s, fold, shaped, got)
		}
		if !utf8.ValidString(p) || !utf8.ValidString(s) {
			return // the reference works on characters; invalid UTF-8 only must not panic
		}
		if want := globReference(enc, s, fold); got != want {
			t.Fatalf("globMatch(%q, %q, fold=%v) = %v, reference says %v", p, s, fold, got, want)
		}
	})
}

// arnReference matches a Resource entry against a request resource the way
// the Resource element page describes it, using globReference per field.
func arnReference(pattern, s string) bool {
	if pattern == "*" {
		return true
	}
	if s == "*" {
		return false
	}
	enc := encodeWildcards(pattern)
	pf := strings.SplitN(enc, ":", 6)
	if len(pf) == 6 && globReference(pf[0], "arn", false) {
		if !strings.HasPrefix(s, "arn:") {
			return false
		}
		sf := strings.SplitN(s, ":", 6)
		if len(sf) != 6 {
			return false
		}
		for i := 1; i < 6; i++ {
			if !globReference(pf[i], sf[i], false) {
				return false
			}
		}
		return true
	}
	return globReference(enc, s, false)
}

func FuzzARNMatch(f *testing.F) {
	for _, seed := range [][2]string{
		{"arn:aws:s3:::amzn-s3-demo-bucket/*", "arn:aws:s3:::amzn-s3-demo-bucket/a/b"},
		{"arn:aws:ec2:*:111122223333:instance/*", "arn:aws:ec2:eu-west-1:111122223333:instance/i-1"},
		{"arn:aws:sqs:*:queue", "arn:aws:sqs:us-east-1:111122223333:queue"},
		{"arn:aws:logs:us-east-1:111122223333:log-group:app:*", "arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:x"},
		{"*", "*"},
		{"arn:aws:s3:::*", "*"},
		{"arn:*:iam::*:role/?", "arn:aws:iam::111122223333:role/x"},
		{"a*:b:c:d:e:f", "arn:b:c:d:e:f"},
		{"arn:::::", "arn:::::"},
		{"not-an-arn*", "not-an-arn:x"},
		{"", ""},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, pattern, s string) {
		// The parser refuses control characters in Resource values (IAM's
		// PolicyDocument pattern), and the compiled form reserves them for
		// wildcards: such a pattern never reaches the matcher.
		if strings.ContainsAny(pattern, "\x01\x02") {
			return
		}
		pat := compileARNPattern(encodeWildcards(pattern))
		got := pat.match(s)
		rr := newRequestResource(s)
		if m, isARN := matchEncodedBytes([]byte(encodeWildcards(pattern)), &rr); m != got || isARN != pat.isARN {
			t.Fatalf("matchEncodedBytes(%q, %q) = %v (ARN %v), compiled pattern says %v (ARN %v)", pattern, s, m, isARN, got, pat.isARN)
		}
		if parts, ok := arnParts(s); ok {
			if joined := "arn:" + strings.Join(parts[:], ":"); joined != s {
				t.Fatalf("arnParts(%q) does not rejoin: %q", s, joined)
			}
		}
		_ = ParsePrincipal(s)
		if !utf8.ValidString(pattern) || !utf8.ValidString(s) {
			return
		}
		if want := arnReference(pattern, s); got != want {
			t.Fatalf("ARN pattern %q vs %q = %v, reference says %v", pattern, s, got, want)
		}
	})
}

// FuzzDecide compiles any document the parser accepts and decides a request
// with it in every layer: no input may panic, and Decide must agree with
// Explain (which takes the traced path through the same rules).
func FuzzDecide(f *testing.F) {
	for _, seed := range []struct{ doc, principal, action, resource, key, value string }{
		{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:Get*","Resource":"arn:aws:s3:::b/${aws:username}/*"}}`,
			"arn:aws:iam::111122223333:user/alice", "s3:GetObject", "arn:aws:s3:::b/alice/x", "aws:SourceIp", "203.0.113.1"},
		{`{"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":["111122223333","arn:aws:iam::111122223333:role/r"]},"NotAction":"iam:*","NotResource":"arn:aws:s3:::b","Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":["a*"]}}}]}`,
			"arn:aws:sts::111122223333:assumed-role/r/s", "s3:PutObject", "arn:aws:s3:::b/k", "aws:TagKeys", "abc"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*","Condition":{"DateGreaterThanIfExists":{"aws:CurrentTime":"2020"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"Null":{"x":"true"},"BinaryEquals":{"k":"AAE="}}}]}`,
			"arn:aws:iam::111122223333:root", "kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/k", "aws:CurrentTime", "1700000000"},
		{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com","Federated":"accounts.google.com"},"Action":"sts:AssumeRole*"}]}`,
			"accounts.google.com", "sts:AssumeRoleWithWebIdentity", "arn:aws:iam::111122223333:role/r", "accounts.google.com:aud", "x"},
	} {
		f.Add(seed.doc, seed.principal, seed.action, seed.resource, seed.key, seed.value)
	}
	f.Fuzz(func(t *testing.T, doc, principal, action, resource, key, value string) {
		parsed, err := policy.Parse([]byte(doc), policy.Options{Type: policy.TypeAny, Source: "fuzz"})
		if err != nil {
			return
		}
		p := Compile("fuzz", parsed)
		ctx := &Context{}
		if key != "" {
			ctx.Set(key, value)
			ctx.SetMulti(key+"/multi", value, value+"2")
		}
		req := &Request{Principal: principal, Action: action, Resource: resource, Context: ctx}
		bare := &Request{Principal: principal, Action: action, Resource: resource, Context: ctx.Clone()}
		req.FillPrincipalContext("")
		unknown := []UnknownLayer{{Layer: LayerResource, Reason: "not collected"}, {Layer: LayerSCP, Reason: "not collected"}}
		for _, l := range []*Layers{
			{Identity: []*Policy{p}, Unknown: unknown},
			{Boundary: p, Unknown: []UnknownLayer{{Layer: LayerIdentity}, {Layer: LayerSession}, {Layer: LayerVPCEndpoint}, {Layer: LayerRCP}}},
			{Identity: []*Policy{p}},
			{Resource: p, Identity: []*Policy{p}, Boundary: p, Session: []*Policy{p}},
			{SCP: [][]*Policy{{p}, {p}}, RCP: [][]*Policy{{p}}, VPCEndpoint: p, Resource: p, Identity: []*Policy{p}, ManagementAccount: "111122223333"},
		} {
			d := Decide(req, l)
			e, tr := Explain(req, l)
			if d.Outcome != e.Outcome || d.Layer != e.Layer {
				t.Fatalf("Decide %v/%v, Explain %v/%v", d.Outcome, d.Layer, e.Outcome, e.Layer)
			}
			_ = Describe(e, tr)
			_ = e.Location()
			if _, err := json.Marshal(tr); err != nil {
				t.Fatalf("trace does not marshal: %v", err)
			}
			// Decide derives the principal's keys: a request without
			// them is decided as the filled one.
			if b := Decide(bare, l); b.Outcome != d.Outcome {
				t.Fatalf("bare request %v (%s), filled %v (%s)", b.Outcome, b.Reason, d.Outcome, d.Reason)
			}
			if len(l.Unknown) > 0 && d.Outcome == Allow && d.Layer != LayerNone {
				t.Fatalf("allowed by %v with an unknown layer", d.Layer)
			}
		}
	})
}
