package access

import (
	"strings"
	"testing"
)

// FuzzWitness: any operator and values (as a policy may write them) give a
// witness or none, without panicking; a condition rendered for people
// names its key.
func FuzzWitness(f *testing.F) {
	for _, s := range [][2]string{
		{"StringEquals", "a"}, {"ForAnyValue:StringLikeIfExists", "a*b?"}, {"NumericLessThan", "1e308"},
		{"DateGreaterThan", "2026-01-01T00:00:00Z"}, {"IpAddress", "10.0.0.0/8"}, {"Null", "false"},
		{"StringNotEqualsIfExists", "x"}, {"BoolIfExists", "true"}, {"", ""}, {"ForAllValues:", "${x}"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, op, vals string) {
		values := strings.Split(vals, "\x00")
		satisfying(op, values)
		falsifying(op, values)
		for _, neg := range []bool{false, true} {
			c := Condition{Operator: op, Key: "k", Values: values, Negated: neg}
			if !strings.Contains(c.String(), " k ") {
				t.Errorf("%q does not name the key", c.String())
			}
		}
	})
}
