package policy

import (
	"strings"
	"testing"
)

// IAM's PolicyDocument pattern is [\u0009\u000A\u000D\u0020-\u00FF]+: a
// control character in an Action or Resource value is refused.
func TestControlCharactersAreRefused(t *testing.T) {
	for _, v := range []string{`\u0001`, `arn:aws:s3:::b/\u0002`, `s3:Get\u001bObject`} {
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + v + `","Resource":"*"}]}`
		if _, err := Parse([]byte(doc), Options{}); err == nil || !strings.Contains(err.Error(), "control character") {
			t.Errorf("Action %s: err %v, want a control-character error", v, err)
		}
		doc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"` + v + `"}]}`
		if _, err := Parse([]byte(doc), Options{}); err == nil {
			t.Errorf("Resource %s: accepted", v)
		}
	}
	if _, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/a\tb"}]}`), Options{}); err != nil {
		t.Errorf("a tab (allowed by IAM) was refused: %v", err)
	}
}
