package catalog

import (
	"bytes"
	"compress/gzip"
	"testing"

	"github.com/iamwhy/iamwhy/catalog/internal/catdata"
)

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		rule, pattern, s string
		want             bool
	}{
		{"star matches all", "*", "s3:GetObject", true},
		{"star matches empty", "s3:get*", "s3:Get", true},
		{"case-insensitive", "s3:getobject", "S3:GETOBJECT", true},
		{"question mark one char", "s3:getobjec?", "s3:GetObject", true},
		{"question mark not zero chars", "s3:getobject?", "s3:GetObject", false},
		{"inner star backtracks", "s3:*object*acl", "s3:GetObjectVersionAcl", true},
		{"literal mismatch", "s3:put*", "s3:GetObject", false},
		{"trailing literal", "*acl", "s3:GetObjectAclX", false},
		{"many stars", "**:**", "ec2:RunInstances", true},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			if got := globMatch(tt.pattern, tt.s); got != tt.want {
				t.Errorf("globMatch(%q, %q) = %v", tt.pattern, tt.s, got)
			}
		})
	}
}

func TestTemplate(t *testing.T) {
	tests := []struct {
		rule, tmpl, s string
		fold, want    bool
	}{
		{"variable takes at least one char", "aws:resourcetag/${TagKey}", "aws:resourcetag/", true, false},
		{"variable at end", "aws:resourcetag/${TagKey}", "aws:resourcetag/owner", true, true},
		{"variable in middle", "a/${x}.value", "a/b.c.value", false, true},
		{"angle variable", "s3:existingobjecttag/<key>", "s3:existingobjecttag/env", true, true},
		{"literal suffix required", "a/${x}.value", "a/b.type", false, false},
		{"two variables", "${A}/${B}", "bucket/key", false, true},
		{"two variables need the separator", "${A}/${B}", "bucket", false, false},
		{"unclosed variable is literal", "a${b", "a${b", false, true},
		{"less-than without closing is literal", "a<b", "a<b", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			tp := parseTemplate(tt.tmpl, tt.fold)
			if got := tp.match(tt.s); got != tt.want {
				t.Errorf("template %q match %q = %v (segs %+v)", tt.tmpl, tt.s, got, tp.segs)
			}
		})
	}
}

// TestDecodeRoundTrip encodes a small dataset the way the generator does
// and decodes it with the catalog's decoder.
func TestDecodeRoundTrip(t *testing.T) {
	ds := &catdata.Dataset{
		Version: "1.2.3", UpdatedAt: "2026-01-02T03:04:05Z",
		Services: []catdata.Service{{
			Prefix: "demo", Name: "Demo Service", RCP: true,
			ResourceTypes: []catdata.ResourceType{{Name: "thing", ARNFormats: []string{"arn:${Partition}:demo:${Region}:${Account}:thing/${Id}"}, ConditionKeys: []string{"demo:Color"}}},
			ConditionKeys: []catdata.ConditionKey{{Name: "demo:Color", Type: "String", Description: "the colour"}},
			Actions: []catdata.Action{{FullName: "demo:GetThing", Description: "gets a thing", AccessLevel: "Read",
				Resources:     []catdata.ResourceRef{{Type: "thing", Required: true, ConditionKeys: []string{"demo:Color"}}},
				ConditionKeys: []string{"aws:RequestTag/${TagKey}"}}},
		}},
		GlobalKeys: []catdata.GlobalKey{{Name: "aws:PrincipalTag/tag-key", Type: "String", Category: "principal"}},
	}
	main, desc := catdata.Encode(ds)
	c, err := decode(main)
	if err != nil {
		t.Fatal(err)
	}
	c.descGz = gz(t, desc)
	a, ok := c.Action("DEMO:getthing")
	if !ok || a.Access != AccessRead || !a.Resources[0].Required || a.Resources[0].Type.Name != "thing" || a.Description() != "gets a thing" {
		t.Fatalf("decoded action %+v", a)
	}
	if k, ok := c.ConditionKey("demo:color"); !ok || k.Description() != "the colour" {
		t.Errorf("condition key %+v", k)
	}
	if k, ok := c.ConditionKey("aws:PrincipalTag/x"); !ok || k.Name != "aws:PrincipalTag/${TagKey}" {
		t.Errorf("global template %+v", k)
	}
	if rts := c.ResourceTypesForARN("arn:aws:demo:eu-west-1:123456789012:thing/42"); len(rts) != 1 {
		t.Errorf("ARN types %v", rts)
	}
	// Every truncation of the stream is an error, never a panic.
	for i := 0; i < len(main); i++ {
		if _, err := decode(main[:i]); err == nil {
			t.Fatalf("truncated stream of %d bytes decoded without error", i)
		}
		if _, err := decodeWith(main[:i], false); err == nil {
			t.Fatalf("truncated stream of %d bytes decoded without error when trusted", i)
		}
	}
}

func gz(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// FuzzDecode feeds arbitrary bytes to the catalog decoder: it must return
// an error or a catalog, never panic or allocate without bound.
func FuzzDecode(f *testing.F) {
	// Seeds: testdata/fuzz/FuzzDecode, plus the start of the real stream.
	f.Add(embeddedIAMData[:4096])
	f.Fuzz(func(t *testing.T, b []byte) {
		// The trusted decoder must not panic either (what it lets
		// through is not used: only the embedded data is trusted).
		if c, err := decodeWith(b, false); err == nil && c == nil {
			t.Fatal("nil trusted catalog without error")
		}
		c, err := decode(b)
		if err == nil && c == nil {
			t.Fatal("nil catalog without error")
		}
		if err == nil {
			c.MatchActions("*")
			c.KeyType("aws:SourceIp")
			c.ResourceTypesForARN("arn:aws:s3:::b/k")
		}
	})
}

// FuzzTemplate checks the wildcard and template matchers on arbitrary
// input: no panics, and a template always matches its own literal text
// when it has no variable.
func FuzzTemplate(f *testing.F) {
	f.Add("aws:ResourceTag/${TagKey}", "aws:ResourceTag/x")
	f.Add("s3:ExistingObjectTag/<key>", "s3:ExistingObjectTag/")
	f.Add("${A}/${B}", "a/b/c")
	f.Fuzz(func(t *testing.T, tmpl, s string) {
		tp := parseTemplate(tmpl, false)
		tp.match(s)
		if !tp.hasVar() && !tp.match(tmpl) {
			t.Fatalf("template without variables %q does not match itself", tmpl)
		}
		_ = globMatch(tmpl, s) // must not panic
		tokensIntersect(globTokens(tmpl), formatTokens(s))
		if !tokensIntersect(globTokens(s), globTokens(s)) {
			t.Fatalf("pattern %q does not meet itself", s)
		}
	})
}
