package check

import (
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// resolveAgrees reports whether resolvePlain gives v the tag yaml.v3 gives
// the plain scalar v, or leaves v to yaml.v3.
func resolveAgrees(t *testing.T, v string) {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte("- "+v+"\n"), &n); err != nil {
		return
	}
	if len(n.Content) != 1 || len(n.Content[0].Content) != 1 {
		return
	}
	item := n.Content[0].Content[0]
	if item.Kind != yaml.ScalarNode || item.Style != 0 || item.Value != v {
		return // not one plain scalar
	}
	var got string
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(bail); !ok {
					panic(r)
				}
				got = "bail"
			}
		}()
		got = resolvePlain(v)
	}()
	if got != "bail" && got != item.Tag {
		t.Errorf("%q: fast reader %s, yaml.v3 %s", v, got, item.Tag)
	}
}

func TestResolvePlainMatchesYAMLv3(t *testing.T) {
	for _, v := range strings.Fields(`0 1 -1 +1 007 0x1F 0X1f 0o17 0O17 0b101 0B1 -0b1 -0o7 +0b1 0b+0 0o+7 0x+1
		-0b+1 -0o-7 9223372036854775807 9223372036854775808 -9223372036854775809 18446744073709551615
		1.5 .5 -.5 +.5 1. 1e5 1E5 1e+5 1.5e-3 .5e3 1_0 0_ 1__ 0x_1 +inf -inf inf Inf +Inf -Infinity
		+infinity nan NaN +nan .inf -.Inf +.INF .nan 0x1p4 0x1.8p1 1e 1e+ 0x 0b 0o - + . -. +.
		1.2.3 1-2 1:2 2024-01-01 12:30 0.0 -0 +0 -0.0 00 08 09 0.1_2 1,000 1e1_0 0e0 0E0`) {
		resolveAgrees(t, v)
		if yamlStyleFloat(v) != yamlv3StyleFloat.MatchString(v) {
			t.Errorf("%q: yamlStyleFloat %v", v, yamlStyleFloat(v))
		}
	}
}

// yaml.v3's own expression (resolve.go).
var yamlv3StyleFloat = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

func FuzzResolvePlain(f *testing.F) {
	for _, s := range []string{"0b+0", "+inf", "0_", "1e5", "0x1p4", "-0o7"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if yamlStyleFloat(v) != yamlv3StyleFloat.MatchString(v) {
			t.Fatalf("%q: yamlStyleFloat %v, yaml.v3's expression %v", v, yamlStyleFloat(v), yamlv3StyleFloat.MatchString(v))
		}
		if v == "" || strings.ContainsAny(v, "\x00\n\r\t #:,[]{}'\"&*!|>%@`") {
			return
		}
		resolveAgrees(t, v)
	})
}
