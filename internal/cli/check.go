package cli

import (
	"errors"
	"fmt"

	"github.com/iamwhy/iamwhy/check"
	"github.com/spf13/cobra"
)

// checkOptions are the typed flags of `iamwhy check`.
type checkOptions struct {
	Output string
	Files  []string
}

func newCheckCmd(s Streams) *cobra.Command {
	o := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check [--output text|json|junit|sarif] FILE...",
		Short: "Assert expected allow/deny decisions from check files (for CI)",
		Long: `check evaluates every case of every check file (spec/check-file.md) and compares the
decision with the case's expectation.

Exit status: 0 all cases pass; 1 at least one case fails; 2 the command could not run.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Files = args
			return runCheck(s, o)
		},
	}
	cmd.Flags().StringVarP(&o.Output, "output", "o", "text", "output format: text, json, junit or sarif")
	return cmd
}

func runCheck(s Streams, o *checkOptions) error {
	render, ok := checkRenderers[o.Output]
	if !ok {
		return fmt.Errorf("unknown --output %q (want text, json, junit or sarif)", o.Output)
	}
	files := make([]*check.File, 0, len(o.Files))
	for _, path := range o.Files {
		f, err := check.LoadFile(path)
		if err != nil {
			var fe *check.FileError
			if errors.As(err, &fe) {
				return &ExitError{Code: 2, Err: err}
			}
			return err
		}
		files = append(files, f)
	}
	runner := &check.Runner{LoadEnvironment: loadCheckEnvironment, Reference: catalogReference()}
	rep := &check.Report{Results: []check.Result{}}
	for _, f := range files {
		runner.Run(f, rep)
	}
	if err := render(s.Out, rep); err != nil {
		return err
	}
	if rep.Summary.Failed > 0 {
		return silentExit(1)
	}
	return nil
}
