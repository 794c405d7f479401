// Package cli holds the iamwhy commands: each file turns flags into typed
// options, calls a library and renders the result. No domain logic lives
// here.
package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

// ExitError carries a command's exit status. Commands return it when the
// contract names a status other than 0 (success) or 2 (could not run).
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// silentExit is an exit status with nothing more to print.
func silentExit(code int) error { return &ExitError{Code: code} }

// commands lists every subcommand constructor; each lives in its own file.
var commands = []func(Streams) *cobra.Command{
	newVersionCmd,
	newCollectCmd,
	newCheckCmd,
	newSimulateCmd,
	newWhoCanCmd,
	newCanCmd,
	newExplainCmd,
	newDiagnoseCmd,
	newActionsCmd,
	newLintCmd,
	newTrailCmd,
}

// NewRoot builds the command tree on the given streams.
func NewRoot(s Streams) *cobra.Command {
	root := &cobra.Command{
		Use:           "iamwhy",
		Short:         "Find out why AWS answered AccessDenied, and keep it from happening again",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	for _, c := range commands {
		root.AddCommand(c(s))
	}
	// mcp runs this command tree for each tool call, so it is added here
	// rather than listed in commands (whose initialisation would then
	// depend on itself).
	root.AddCommand(newMCPCmd(s))
	return root
}

// Main runs the CLI and returns the process exit status: the command's
// ExitError code, 2 for any other error (the command could not run), else 0.
func Main(args []string, s Streams) int {
	return MainContext(context.Background(), args, s)
}

// MainContext is Main under a context: a command stops when ctx ends.
func MainContext(ctx context.Context, args []string, s Streams) int {
	root := NewRoot(s)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Err != nil {
			fmt.Fprintln(s.Err, "iamwhy:", ee.Err)
		}
		return ee.Code
	}
	fmt.Fprintln(s.Err, "iamwhy:", err)
	return 2
}
