package cli

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/iamwhy/iamwhy/check"
)

// The JSON writer of check results writes what encoding/json writes, for
// every field of check.Result (a field added to Result and not to the
// writer fails here) and for strings that need escaping.
func TestAppendCheckResultMatchesEncodingJSON(t *testing.T) {
	awkward := []string{"", "plain", "quote \" backslash \\ slash /", "<script>&amp;</script>", "ctl \x00\x01\b\f\n\r\t\x1f\x7f",
		"utf8 é € 😀", "bad \xff\xfe utf8", "sep \u2028 \u2029", "\x1b[31mred\x1b[0m"}
	for _, s := range awkward {
		msg := s
		var full check.Result
		// Every field set, by reflection, so new fields are covered.
		v := reflect.ValueOf(&full).Elem()
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			switch f.Kind() {
			case reflect.String:
				f.SetString(s + v.Type().Field(i).Name)
			case reflect.Bool:
				f.SetBool(true)
			case reflect.Int:
				f.SetInt(42)
			case reflect.Pointer:
				if f.Type() == reflect.TypeOf(&msg) {
					f.Set(reflect.ValueOf(&msg))
				} else {
					// A struct (the live outcome): encoded by encoding/json.
					f.Set(reflect.New(f.Type().Elem()))
				}
			case reflect.Slice:
				f.Set(reflect.ValueOf([]string{s, "w2"}))
			default:
				t.Fatalf("field %s of kind %s: teach appendCheckResult and this test", v.Type().Field(i).Name, f.Kind())
			}
		}
		for _, r := range []check.Result{full, {File: s, Name: s}} {
			want, err := json.MarshalIndent(&r, "    ", "  ")
			if err != nil {
				t.Fatal(err)
			}
			if got := appendCheckResult(nil, &r); string(got) != string(want) {
				t.Errorf("%q:\n got %s\nwant %s", s, got, want)
			}
		}
	}
}
