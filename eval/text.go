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

// MarshalText returns the principal type's name (user, role, assumed-role,
// federated-user, root, service, anonymous, federated, unknown).
func (t PrincipalType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText reads a principal type's name.
func (t *PrincipalType) UnmarshalText(b []byte) error {
	for i, n := range principalTypeNames {
		if n == string(b) {
			*t = PrincipalType(i)
			return nil
		}
	}
	return fmt.Errorf("unknown principal type %q", b)
}
