package eval

import (
	"fmt"
	"testing"

	"github.com/iamwhy/iamwhy/policy"
)

// Rule: an undetermined decision always says why. Values no key can be
// compared with (a number beyond float64, such as 1e400, an impossible
// date, a bad CIDR, non-base64 binary) make the condition unknown, and the
// reason names the value and the operator, in every layer and effect.
func TestUndeterminedReasonInEveryLayerAndEffect(t *testing.T) {
	for _, tc := range []struct{ op, key, value, ctx string }{
		{"NumericLessThan", "s3:max-keys", "1e400", "5"},
		{"NumericEquals", "s3:max-keys", "-1e400", "5"},
		{"NumericNotEquals", "s3:max-keys", "1e400", "5"},
		{"NumericGreaterThanEquals", "s3:max-keys", "NaN", "5"},
		{"NumericLessThanIfExists", "s3:max-keys", "1e400", "5"},
		{"ForAnyValue:NumericLessThan", "s3:max-keys", "1e400", "5"},
		{"ForAllValues:NumericLessThan", "s3:max-keys", "1e400", "5"},
		{"ForAllValues:NumericLessThanIfExists", "s3:max-keys", "1e400", "5"},
		{"DateLessThan", "aws:CurrentTime", "2024-13-45", "2024-01-01T00:00:00Z"},
		{"IpAddress", "aws:SourceIp", "10.0.0.0/99", "10.0.0.1"},
		{"BinaryEquals", "aws:x", "!!!", "AA=="},
	} {
		for _, effect := range []string{"Allow", "Deny"} {
			name := fmt.Sprintf("%s %s %s", effect, tc.op, tc.value)
			t.Run(name, func(t *testing.T) {
				doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":%q,"Action":"s3:GetObject","Resource":"*","Condition":{%q:{%q:%q}}},{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:none":"true"}}}]}`,
					effect, tc.op, tc.key, tc.value)
				p, err := ParseAndCompile("p", []byte(doc), policy.TypeIdentity)
				if err != nil {
					t.Skipf("refused at parse time: %v", err) // also a reason
				}
				req := &Request{Principal: "arn:aws:iam::111122223333:user/a", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: &Context{}}
				req.Context.Set(tc.key, tc.ctx)
				d := Decide(req, &Layers{Identity: []*Policy{p}})
				if d.Outcome == Undetermined && d.Reason == "" {
					t.Fatalf("undetermined without a reason: %+v", d)
				}
				if d.Outcome == Undetermined {
					return
				}
				// Allow with an unusable value cannot be allow.
				if effect == "Allow" && d.Outcome == Allow {
					t.Fatalf("allowed on an unusable value: %+v", d)
				}
			})
		}
	}
}
