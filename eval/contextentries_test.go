package eval

import (
	"reflect"
	"testing"
)

// TestParseContextEntries checks the text form of request context keys:
// KEY=VALUE, KEY=[V1,V2] for a list, a key given again (in any case: key
// names are case-insensitive) adds values and makes it multivalued.
func TestParseContextEntries(t *testing.T) {
	tests := []struct {
		rule    string
		entries []string
		want    []ContextEntry
	}{
		{"one value", []string{"aws:SourceIp=203.0.113.7"}, []ContextEntry{{Key: "aws:SourceIp", Values: []string{"203.0.113.7"}}}},
		{"a list is multivalued", []string{"aws:TagKeys=[a, b]"}, []ContextEntry{{Key: "aws:TagKeys", Values: []string{"a", "b"}, Multi: true}}},
		{"a key given twice in another case is one multivalued key, first spelling kept",
			[]string{"aws:TagKeys=a", "s3:prefix=home/", "AWS:tagkeys=b"},
			[]ContextEntry{{Key: "aws:TagKeys", Values: []string{"a", "b"}, Multi: true}, {Key: "s3:prefix", Values: []string{"home/"}}}},
		{"the value keeps '=' and spaces; spaces around the name go", []string{" k =a=b "}, []ContextEntry{{Key: "k", Values: []string{"a=b "}}}},
		{"an empty value is a value", []string{"k="}, []ContextEntry{{Key: "k", Values: []string{""}}}},
	}
	for _, tc := range tests {
		got, err := ParseContextEntries(tc.entries)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %+v, %v; want %+v", tc.rule, got, err, tc.want)
		}
	}
	for _, bad := range []string{"novalue", "=v", " =v"} {
		if _, err := ParseContextEntries([]string{bad}); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
