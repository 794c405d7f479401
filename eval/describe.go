package eval

import (
	"fmt"
	"strings"
)

// Location returns "file:line:col" of the deciding statement, or "" when no
// statement decided.
func (d *Decision) Location() string {
	if d.Policy == nil || d.Policy.Doc == nil || d.Statement < 0 || d.Statement >= len(d.Policy.Doc.Statements) {
		return ""
	}
	s := &d.Policy.Doc.Statements[d.Statement]
	src := d.Policy.Doc.Source
	if src == "" {
		src = d.Policy.Name
	}
	if !s.Pos.IsValid() {
		return src
	}
	return s.Pos.In(src).String()
}

// Describe explains a decision in one paragraph: what decided, and for an
// implicit deny the near misses of the layer that failed (which element or
// condition did not match, with the expected and actual values).
func Describe(d Decision, tr *Trace) string {
	var b strings.Builder
	switch d.Outcome {
	case Allow:
		if d.Policy != nil {
			fmt.Fprintf(&b, "allowed by statement %s of %s policy %s", d.StatementSid(), d.Layer, d.Policy.Name)
			if loc := d.Location(); loc != "" {
				fmt.Fprintf(&b, " (%s)", loc)
			}
		} else {
			fmt.Fprintf(&b, "allowed (%s)", d.Reason)
		}
	case ExplicitDeny:
		fmt.Fprintf(&b, "explicitly denied by statement %s of %s policy %s", d.StatementSid(), layerName(d.Layer, d.Level), d.Policy.Name)
		if loc := d.Location(); loc != "" {
			fmt.Fprintf(&b, " (%s)", loc)
		}
	case ImplicitDeny:
		fmt.Fprintf(&b, "implicitly denied: %s", d.Reason)
		if d.Layer == LayerSCP || d.Layer == LayerRCP {
			fmt.Fprintf(&b, " (at %s)", layerName(d.Layer, d.Level))
		}
	case Undetermined:
		fmt.Fprintf(&b, "undetermined: %s", d.Reason)
	}
	if tr != nil && d.Outcome == ImplicitDeny {
		misses := nearMisses(tr, d.Layer, d.Level)
		if len(misses) > 0 {
			b.WriteString("; near misses: ")
			b.WriteString(strings.Join(misses, "; "))
		}
	}
	return b.String()
}

func layerName(l Layer, level int) string {
	if (l == LayerSCP || l == LayerRCP) && level >= 0 {
		return fmt.Sprintf("%s level %d", l, level)
	}
	return string(l)
}

// nearMisses lists, for the layer that failed, the statements that almost
// allowed: Allow statements that failed on one kind of element.
func nearMisses(tr *Trace, layer Layer, level int) []string {
	var out []string
	for _, lt := range tr.Layers {
		if lt.Layer != layer || (level >= 0 && lt.Level != level) {
			continue
		}
		for _, st := range lt.Statements {
			if st.Effect != "Allow" || st.Result == "match" || len(st.Failed) == 0 {
				continue
			}
			label := st.Sid
			if label == "" {
				label = fmt.Sprint(st.Index)
			}
			parts := make([]string, 0, len(st.Failed))
			for _, f := range st.Failed {
				parts = append(parts, f.String())
			}
			out = append(out, fmt.Sprintf("statement %s of %s: %s", label, st.Policy, strings.Join(parts, ", ")))
			if len(out) == 5 {
				return out
			}
		}
	}
	return out
}

// String describes the mismatch for people.
func (m Mismatch) String() string {
	switch m.Element {
	case "condition":
		actual := "absent"
		if len(m.Actual) > 0 {
			actual = "[" + strings.Join(m.Actual, ", ") + "]"
		}
		return fmt.Sprintf("condition %s %s expected [%s], got %s", m.Operator, m.Key, strings.Join(m.Expected, ", "), actual)
	default:
		return fmt.Sprintf("%s %s not in [%s]", m.Element, strings.Join(m.Actual, ", "), strings.Join(m.Expected, ", "))
	}
}
