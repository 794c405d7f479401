package eval

import "fmt"

// The engine's enums marshal as their text forms (JSON and YAML print
// "allow" and "assumed-role", not 1 and 3), and parse back.

// MarshalText returns the outcome's contract spelling.
func (o Outcome) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// UnmarshalText reads allow, implicit-deny, explicit-deny or undetermined.
func (o *Outcome) UnmarshalText(b []byte) error {
	for i, n := range outcomeNames {
		if n == string(b) {
			*o = Outcome(i)
			return nil
		}
	}
	return fmt.Errorf("unknown outcome %q (want allow, implicit-deny, explicit-deny or undetermined)", b)
}
