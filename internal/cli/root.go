// Package cli holds the iamwhy commands: each file turns flags into typed
// options, calls a library and renders the result. No domain logic lives
// here.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/iamwhy/iamwhy/inputfile"
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
	newGenerateCmd,
	newUnusedCmd,
	newAccessDiffCmd,
	newDriftCmd,
	newTrustCmd,
	newReproduceCmd,
}

// NewRoot builds the command tree on the given streams.
func NewRoot(s Streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "iamwhy",
		Short: "Find out why AWS answered AccessDenied, and keep it from happening again",
		Example: `  iamwhy explain --env examples/env --file error.txt   # what the error says, and its root cause
  iamwhy simulate --env examples/env --principal ARN --action s3:GetObject --resource ARN
  iamwhy check examples/checks/guides.yaml              # permission tests for CI
  iamwhy trail denied ./trail-logs/                     # the denials of a trail, grouped`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	var maxFile fileSize
	var noColor bool
	root.PersistentFlags().Var(&maxFile, "max-file-size", fmt.Sprintf("largest file read whole, e.g. 256MiB (default %s; trails stream)", inputfile.Size(inputfile.DefaultLimit)))
	root.PersistentFlags().BoolVar(&noColor, "no-color", false, "no colour in text output (also when NO_COLOR is set; colour is used on a terminal only)")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if cmd.Annotations[ownGC] == "" {
			releaseStartHold()
		}
		inputfile.SetLimit(int64(maxFile))
		if noColor {
			setColor(s.Out, false)
		}
		return checkFlags(cmd)
	}
	root.Version = versionLine()
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	for _, c := range commands {
		root.AddCommand(c(s))
	}
	// mcp and serve run this command tree for each call, so they are added here
	// rather than listed in commands (whose initialisation would then
	// depend on itself).
	root.AddCommand(newMCPCmd(s), newServeCmd(s))
	setHelp(root)
	markUsageErrors(root)
	registerCompletions(root)
	return root
}

// Main runs the CLI and returns the process exit status: the command's
// ExitError code, 2 for any other error (the command could not run), else 0.
//
// Everything written to Out and Err is escaped (escape.go): most of what
// iamwhy prints comes from logs, policies and messages it was given.
// SIGINT and SIGTERM cancel the command's context: commands stop, remove
// their temporary files and say what was kept.
func Main(args []string, s Streams) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return MainContext(ctx, args, s)
}

// MainContext is Main under a context: a command stops when ctx ends.
// Out and Err are escaped as in Main.
func MainContext(ctx context.Context, args []string, s Streams) int {
	out, errw := newEscapingWriter(s.Out), newEscapingWriter(s.Err)
	out.color = colorWanted(s.OutIsTerminal)
	defer out.Flush()
	defer errw.Flush()
	if s.Term == nil {
		s.Term = s.Err
	}
	counted := &countingWriter{w: out}
	s.Out, s.Err = counted, errw
	root := NewRoot(s)
	root.SetArgs(expandListArgs(root, args))
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return 0
	}
	code := 2
	var ee *ExitError
	switch {
	case ctx.Err() != nil:
		// Interrupted: 130, as shells report a command stopped by SIGINT.
		code = 130
		fmt.Fprintln(s.Err, "iamwhy: interrupted:", err)
	case errors.As(err, &ee):
		code = ee.Code
		if ee.Err == nil {
			return code
		}
		fmt.Fprintln(s.Err, "iamwhy:", ee.Err)
	default:
		fmt.Fprintln(s.Err, "iamwhy:", err)
	}
	var ue *usageError
	if errors.As(err, &ue) && cmd != nil {
		fmt.Fprint(s.Err, "\n"+cmd.UsageString())
	}
	// Under --output json a command that failed before printing its
	// document prints the error as one: a program reading stdout gets JSON
	// whatever happened.
	if counted.n == 0 && (wantsJSON(cmd) || errors.As(err, &ue) && argsAskJSON(cmd, args)) {
		writeJSONErrorStatus(s.Out, err, code)
	}
	return code
}

// fileSize is a --max-file-size value: bytes, or a number with a unit
// (KB, MB, GB, KiB, MiB, GiB; K, M, G are the binary units).
type fileSize int64

func (f *fileSize) String() string {
	if *f == 0 {
		return ""
	}
	return inputfile.Size(int64(*f))
}

func (f *fileSize) Type() string { return "size" }

func (f *fileSize) Set(v string) error {
	s := strings.TrimSpace(v)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}} {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return fmt.Errorf("%q: want a positive size such as 256MiB", v)
	}
	*f = fileSize(n * mult)
	return nil
}
