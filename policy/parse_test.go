package policy

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// mustParse parses a document that the test expects to be valid.
func mustParse(t *testing.T, doc string, typ Type) *Policy {
	t.Helper()
	p, err := ParseString(doc, Options{Type: typ, Source: "test.json"})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return p
}

// TestParsePositions checks that every element of the model carries the
// line:column of its key or value (1-based, byte columns).
func TestParsePositions(t *testing.T) {
	doc := `{
  "Version": "2012-10-17",
  "Id": "doc1",
  "Statement": [
    {
      "Sid": "One",
      "Effect": "Allow",
      "Principal": {"AWS": ["111122223333", "arn:aws:iam::111122223333:role/R"], "Service": "ec2.amazonaws.com"},
      "Action": ["s3:GetObject", "s3:PutObject"],
      "Resource": "arn:aws:s3:::b/*",
      "Condition": {
        "StringEquals": {"aws:PrincipalTag/team": ["a", "b"], "s3:prefix": "home/"},
        "NumericLessThan": {"s3:max-keys": 10},
        "Bool": {"aws:SecureTransport": true}
      }
    },
    {"Effect": "Deny", "NotPrincipal": {"AWS": "*"}, "NotAction": "iam:*", "NotResource": ["*"]}
  ]
}`
	p := mustParse(t, doc, TypeAny)
	// at is the full position of line:col in doc: the file, and the byte
	// offset counted from the text.
	lineStarts := []int{0}
	for i := range len(doc) {
		if doc[i] == '\n' {
			lineStarts = append(lineStarts, i+1)
		}
	}
	at := func(line, col int) Pos {
		return Pos{File: "test.json", Line: line, Col: col, Offset: lineStarts[line-1] + col - 1}
	}
	check := func(what string, got Pos, line, col int) {
		t.Helper()
		if got != at(line, col) {
			t.Errorf("%s at %+v, want %+v", what, got, at(line, col))
		}
	}
	check("policy", p.Pos, 1, 1)
	check("Version", p.VersionPos, 2, 3)
	check("Id", p.IDPos, 3, 3)
	if p.Version != Version2012 || p.ID != "doc1" || !p.VariablesEnabled() {
		t.Errorf("Version %q Id %q", p.Version, p.ID)
	}
	if len(p.Statements) != 2 {
		t.Fatalf("%d statements", len(p.Statements))
	}
	s := p.Statements[0]
	check("statement 0", s.Pos, 5, 5)
	check("Sid", s.SidPos, 6, 7)
	check("Effect", s.EffectPos, 7, 7)
	check("Principal", s.Principal.Pos, 8, 7)
	check("Action", s.Action.Pos, 9, 7)
	check("Action[1]", s.Action.Values[1].Pos, 9, 34)
	check("Resource", s.Resource.Pos, 10, 7)
	check("Resource[0]", s.Resource.Values[0].Pos, 10, 19)
	if s.Sid != "One" || s.Effect != Allow || s.Label() != "One" {
		t.Errorf("Sid %q Effect %q", s.Sid, s.Effect)
	}
	wantEntries := []PrincipalEntry{
		{Kind: PrincipalAWS, Value: "111122223333", Pos: at(8, 29)},
		{Kind: PrincipalAWS, Value: "arn:aws:iam::111122223333:role/R", Pos: at(8, 45)},
		{Kind: PrincipalService, Value: "ec2.amazonaws.com", Pos: at(8, 93)},
	}
	if !reflect.DeepEqual(s.Principal.Entries, wantEntries) {
		t.Errorf("principal entries\n got %+v\nwant %+v", s.Principal.Entries, wantEntries)
	}
	if !s.Principal.Present || s.Principal.Not || s.Principal.Wildcard {
		t.Errorf("principal flags %+v", s.Principal)
	}
	wantConds := []Condition{
		{Operator: "StringEquals", OperatorPos: at(12, 9), Key: "aws:PrincipalTag/team", KeyPos: at(12, 26),
			Values: []Value{{"a", at(12, 52)}, {"b", at(12, 57)}}},
		{Operator: "StringEquals", OperatorPos: at(12, 9), Key: "s3:prefix", KeyPos: at(12, 63),
			Values: []Value{{"home/", at(12, 76)}}},
		{Operator: "NumericLessThan", OperatorPos: at(13, 9), Key: "s3:max-keys", KeyPos: at(13, 29),
			Values: []Value{{"10", at(13, 44)}}},
		{Operator: "Bool", OperatorPos: at(14, 9), Key: "aws:SecureTransport", KeyPos: at(14, 18),
			Values: []Value{{"true", at(14, 41)}}},
	}
	if !reflect.DeepEqual(s.Conditions, wantConds) {
		t.Errorf("conditions\n got %+v\nwant %+v", s.Conditions, wantConds)
	}
	s = p.Statements[1]
	check("statement 1", s.Pos, 17, 5)
	if s.Index != 1 || s.Label() != "1" || s.Effect != Deny {
		t.Errorf("statement 1: index %d label %q effect %q", s.Index, s.Label(), s.Effect)
	}
	if !s.Principal.Not || s.Principal.Wildcard || len(s.Principal.Entries) != 1 || s.Principal.Entries[0] != (PrincipalEntry{PrincipalAWS, "*", at(17, 48)}) {
		t.Errorf("NotPrincipal %+v", s.Principal)
	}
	if !s.Action.Not || !s.Resource.Not || s.Action.Values[0].Text != "iam:*" || s.Resource.Values[0].Text != "*" {
		t.Errorf("NotAction %+v NotResource %+v", s.Action, s.Resource)
	}
	check("NotAction", s.Action.Pos, 17, 54)
	check("NotResource", s.Resource.Pos, 17, 76)
}

// TestParseAcceptedForms checks each form the grammar allows, on the model
// it produces. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
func TestParseAcceptedForms(t *testing.T) {
	cases := []struct {
		rule  string
		typ   Type
		doc   string
		check func(t *testing.T, p *Policy)
	}{
		{"Version 2012-10-17 enables policy variables (reference_policies_elements_version)", TypeIdentity,
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::${aws:username}"}}`,
			func(t *testing.T, p *Policy) {
				if !p.VariablesEnabled() {
					t.Error("variables not enabled")
				}
			}},
		{"Version 2008-10-17 is accepted and disables variables (reference_policies_elements_version)", TypeIdentity,
			`{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}}`,
			func(t *testing.T, p *Policy) {
				if p.VariablesEnabled() || p.Version != Version2008 {
					t.Errorf("version %q", p.Version)
				}
			}},
		{"Version absent is accepted (reference_policies_elements_version)", TypeIdentity,
			`{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}}`,
			func(t *testing.T, p *Policy) {
				if p.Version != "" || p.VersionPos.IsValid() || p.VariablesEnabled() {
					t.Errorf("version %q at %s", p.Version, p.VersionPos)
				}
			}},
		{"Statement as a single object (reference_policies_elements_statement)", TypeAny,
			`{"Statement":{"Sid":"A1","Effect":"Deny","Action":"*","Resource":"*"}}`,
			func(t *testing.T, p *Policy) {
				if len(p.Statements) != 1 || p.Statements[0].Sid != "A1" || p.Statements[0].Effect != Deny {
					t.Errorf("statements %+v", p.Statements)
				}
			}},
		{"Action and Resource as strings become lists of one (reference_policies_grammar)", TypeIdentity,
			`{"Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}`,
			func(t *testing.T, p *Policy) {
				s := p.Statements[0]
				if len(s.Action.Values) != 1 || s.Action.Values[0].Text != "ec2:Describe*" || s.Action.Not || !s.Action.Present {
					t.Errorf("action %+v", s.Action)
				}
				if len(s.Resource.Values) != 1 || s.Resource.Values[0].Text != "*" {
					t.Errorf("resource %+v", s.Resource)
				}
			}},
		{"Principal \"*\" sets Wildcard (reference_policies_elements_principal)", TypeResource,
			`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`,
			func(t *testing.T, p *Policy) {
				pr := p.Statements[0].Principal
				if !pr.Wildcard || len(pr.Entries) != 0 || pr.Not {
					t.Errorf("principal %+v", pr)
				}
			}},
		{"Principal {\"AWS\":\"*\"} is an AWS entry \"*\" (reference_policies_elements_principal)", TypeResource,
			`{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:GetObject","Resource":"*"}]}`,
			func(t *testing.T, p *Policy) {
				pr := p.Statements[0].Principal
				if pr.Wildcard || len(pr.Entries) != 1 || pr.Entries[0].Kind != PrincipalAWS || pr.Entries[0].Value != "*" {
					t.Errorf("principal %+v", pr)
				}
			}},
		{"Principal kinds AWS, Service, Federated, CanonicalUser in source order (reference_policies_elements_principal)", TypeResource,
			`{"Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com","CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be","AWS":["123456789012","arn:aws:iam::123456789012:root","arn:aws:iam::123456789012:user/u","arn:aws:sts::123456789012:assumed-role/r/s","arn:aws:sts::123456789012:federated-user/f"],"Service":["s3.amazonaws.com"]},"Action":"s3:GetObject","Resource":"*"}]}`,
			func(t *testing.T, p *Policy) {
				var got []string
				for _, e := range p.Statements[0].Principal.Entries {
					got = append(got, string(e.Kind)+"="+e.Value)
				}
				want := []string{"Federated=cognito-identity.amazonaws.com",
					"CanonicalUser=79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
					"AWS=123456789012", "AWS=arn:aws:iam::123456789012:root", "AWS=arn:aws:iam::123456789012:user/u",
					"AWS=arn:aws:sts::123456789012:assumed-role/r/s", "AWS=arn:aws:sts::123456789012:federated-user/f",
					"Service=s3.amazonaws.com"}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("entries %q", got)
				}
			}},
		{"Condition values: string, number, boolean and lists keep their JSON text (reference_policies_elements_condition)", TypeAny,
			`{"Statement":[{"Effect":"Allow","Action":"*","Condition":{"NumericEquals":{"k1":10,"k2":[1.5,-2e3]},"Bool":{"k3":false},"StringEquals":{"k4":["x",true,7]}}}]}`,
			func(t *testing.T, p *Policy) {
				var got []string
				for _, c := range p.Statements[0].Conditions {
					var vals []string
					for _, v := range c.Values {
						vals = append(vals, v.Text)
					}
					got = append(got, c.Operator+" "+c.Key+"="+strings.Join(vals, ","))
				}
				want := []string{"NumericEquals k1=10", "NumericEquals k2=1.5,-2e3", "Bool k3=false", "StringEquals k4=x,true,7"}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("conditions %q", got)
				}
			}},
		{"Condition operators with qualifiers and IfExists are kept as written (reference_policies_elements_condition_operators)", TypeAny,
			`{"Statement":[{"Effect":"Deny","Action":"*","Condition":{"ForAllValues:StringLikeIfExists":{"aws:TagKeys":"a*"},"ForAnyValue:StringEquals":{"aws:CalledVia":"cloudformation.amazonaws.com"}}}]}`,
			func(t *testing.T, p *Policy) {
				c := p.Statements[0].Conditions
				if len(c) != 2 || c[0].Operator != "ForAllValues:StringLikeIfExists" || c[1].Operator != "ForAnyValue:StringEquals" {
					t.Errorf("conditions %+v", c)
				}
			}},
		{"empty Condition block names no condition (undocumented; accepted)", TypeAny,
			`{"Statement":[{"Effect":"Allow","Action":"*","Condition":{}}]}`,
			func(t *testing.T, p *Policy) {
				if len(p.Statements[0].Conditions) != 0 {
					t.Errorf("conditions %+v", p.Statements[0].Conditions)
				}
			}},
		{"JSON escapes are decoded, including surrogate pairs (RFC 8259)", TypeAny,
			`{"Statement":[{"Effect":"Allow","Action":"s3:\u0047et\/x","Resource":"arn:aws:s3:::b/\ud83d\ude00\t\"q\"\\"}]}`,
			func(t *testing.T, p *Policy) {
				s := p.Statements[0]
				if s.Action.Values[0].Text != "s3:Get/x" || s.Resource.Values[0].Text != "arn:aws:s3:::b/\U0001F600\t\"q\"\\" {
					t.Errorf("action %q resource %q", s.Action.Values[0].Text, s.Resource.Values[0].Text)
				}
			}},
		{"byte columns count multi-byte UTF-8 and a BOM; CRLF ends lines", TypeAny,
			"\xEF\xBB\xBF{\"Statement\":[{\"Sid\":\"é\",\r\n \"Effect\":\"Allow\",\"Action\":\"a:b\",\"Resource\":\"é\", \"Condition\":{\"StringEquals\":{\"k\":\"v\"}}}]}",
			func(t *testing.T, p *Policy) {
				s := p.Statements[0]
				if p.Pos.LineCol() != "1:4" || s.EffectPos.LineCol() != "2:2" || s.Resource.Values[0].Pos.LineCol() != "2:45" || s.Conditions[0].Values[0].Pos.LineCol() != "2:84" || p.Pos.Offset != 3 {
					t.Errorf("policy %s effect %s resource %s value %s", p.Pos, s.EffectPos, s.Resource.Values[0].Pos, s.Conditions[0].Values[0].Pos)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.rule, func(t *testing.T) {
			tc.check(t, mustParse(t, tc.doc, tc.typ))
		})
	}
}

func TestParseErrorType(t *testing.T) {
	_, err := ParseString(`{"Statement": []}`, Options{Source: "f.json"})
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 1 {
		t.Fatalf("err = %#v, want an ErrorList of one", err)
	}
	if got := list[0].Error(); got != "f.json:1:15: Statement is an empty list: a policy needs at least one statement" {
		t.Errorf("message %q", got)
	}
	if list[0].Source != "f.json" {
		t.Errorf("source %q", list[0].Source)
	}
}
