package cli

import (
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// helpColumns is the width help is written for: flag help is wrapped to
// it, and TestEveryCommandHasExamplesAndFits holds every other line of
// every command's help (Long, Example, Short, Use) to it.
const helpColumns = 100

// registerHelpFuncs adds the template function the usage template calls;
// cobra's template functions are process-wide, so it is added once.
var registerHelpFuncs sync.Once

// setHelp makes the help of the whole tree wrap flag help at helpColumns
// and puts cobra's own help and completion commands in the tree now, so
// they get examples like every other command.
func setHelp(root *cobra.Command) {
	registerHelpFuncs.Do(func() {
		cobra.AddTemplateFunc("wrappedFlagUsages", func(fs *pflag.FlagSet) string {
			return fs.FlagUsagesWrapped(helpColumns)
		})
	})
	t := root.UsageTemplate()
	t = strings.Replace(t, "{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}", "{{wrappedFlagUsages .LocalFlags | trimTrailingWhitespaces}}", 1)
	t = strings.Replace(t, "{{.InheritedFlags.FlagUsages | trimTrailingWhitespaces}}", "{{wrappedFlagUsages .InheritedFlags | trimTrailingWhitespaces}}", 1)
	root.SetUsageTemplate(t)

	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		switch c.Name() {
		case "help":
			c.Example = "  iamwhy help simulate\n  iamwhy help trail query"
		case "completion":
			c.Example = "  source <(iamwhy completion bash)\n  iamwhy completion zsh > \"${fpath[1]}/_iamwhy\""
			for _, sh := range c.Commands() {
				sh.Example = "  iamwhy completion " + sh.Name() + " > iamwhy-completion." + sh.Name()
			}
		}
	}
}
