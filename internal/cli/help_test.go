package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// helpWidth is the widest line any help may print.
const helpWidth = 100

// The rule: every command's help has an Examples section and fits in 100
// columns (flag help wrapped, long texts written to fit).
func TestEveryCommandHasExamplesAndFits(t *testing.T) {
	root := NewRoot(Streams{})
	walkCommands(root, func(c *cobra.Command) {
		name := c.CommandPath()
		if c.Hidden {
			return
		}
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%s: no Example", name)
		}
		var b bytes.Buffer
		c.SetOut(&b)
		c.SetErr(&b)
		if err := c.Help(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		help := b.String()
		if c.Example != "" && !strings.Contains(help, "Examples:\n") {
			t.Errorf("%s: help shows no Examples section", name)
		}
		// pflag shows the first `quoted` word of a flag's help as its
		// value's placeholder: a quoted phrase garbles the flag column.
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if ph, _ := pflag.UnquoteUsage(f); strings.ContainsAny(ph, " \t") {
				t.Errorf("%s --%s: placeholder %q is not one word", name, f.Name, ph)
			}
		})
		for i, line := range strings.Split(help, "\n") {
			if n := len([]rune(line)); n > helpWidth {
				t.Errorf("%s: help line %d is %d columns (max %d):\n%s", name, i+1, n, helpWidth, line)
			}
		}
	})
}
