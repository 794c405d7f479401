package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sync"

	"github.com/iamwhy/iamwhy/eval"

	"github.com/iamwhy/iamwhy/check"
	"github.com/spf13/cobra"
)

// checkOptions are the typed flags of `iamwhy check`.
type checkOptions struct {
	Output string
	Files  []string
	// Live performs the cases in AWS too (check_live.go).
	Live checkLiveOptions
}

func newCheckCmd(s Streams) *cobra.Command {
	o := &checkOptions{}
	cmd := &cobra.Command{
		Use:   "check [--output FORMAT] [--live [--profile P] [--region R]] FILE...",
		Short: "Assert expected allow/deny decisions from check files (for CI)",
		Long: `check evaluates every case of every check file (spec/check-file.md) and compares the
decision with the case's expectation.

With --live, each environment-mode case is also performed in AWS (docs/check-live.md): the
case's role is assumed with the credentials of --profile, the call its action authorizes is
made (read-only calls only, EC2's as dry runs), and AWS's answer must agree with the
expectation and with iamwhy's decision; a disagreement fails the case with both answers. Cases
that cannot be performed safely or faithfully are skipped with the reason and counted.

Exit status: 0 all cases pass; 1 at least one case fails; 2 the command could not run.`,
		Example: `  iamwhy check examples/checks/guides.yaml examples/checks/environment.yaml
  iamwhy check examples/iac/checks.yaml                   # a Terraform plan as the environment
  iamwhy check -o junit examples/checks/*.yaml > report.xml`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Files = args
			return runCheck(cmd.Context(), s, o)
		},
	}
	outputFlag(cmd, &o.Output, "text", "json", "junit", "sarif", "markdown")
	o.Live.register(cmd)
	return cmd
}

func runCheck(ctx context.Context, s Streams, o *checkOptions) error {
	sink, ok := newCheckSink(s.Out, o.Output)
	if !ok {
		return fmt.Errorf("unknown --output %q (want text, json, junit, sarif or markdown)", o.Output)
	}
	defer checkGC()()
	// The service reference is decoded on the other core while the files
	// are read.
	refReady := make(chan eval.Reference, 1)
	go func() { refReady <- catalogReference() }()
	// Every file is opened (and, unless it is streamed, read whole) before
	// any case runs, so an unreadable file stops the command before output.
	sources := make([]*check.Source, 0, len(o.Files))
	for _, path := range o.Files {
		src, err := check.Open(path)
		if err != nil {
			return checkFileError(err)
		}
		sources = append(sources, src)
	}
	runner := &check.Runner{LoadEnvironment: loadCheckEnvironment, Reference: <-refReady, Brief: checkBrief(o.Output)}
	if err := o.Live.attach(ctx, runner); err != nil {
		return err
	}
	var sum check.Summary
	emit := func(r *check.Result) error {
		sum.Add(r)
		return sink.result(r)
	}
	for _, src := range sources {
		if err := runner.RunSource(src, emit); err != nil {
			if ferr := sink.finish(sum, err); ferr != nil {
				return ferr
			}
			return checkFileError(err)
		}
	}
	if err := sink.finish(sum, nil); err != nil {
		return err
	}
	if sum.Failed > 0 {
		return silentExit(1)
	}
	return nil
}

// checkFileError gives a check file's error exit status 2.
func checkFileError(err error) error {
	var fe *check.FileError
	if errors.As(err, &fe) {
		return &ExitError{Code: 2, Err: err}
	}
	return err
}

// checkGC lets the garbage collector run less often during a check run
// and returns the function that restores it. A run's live heap is small
// (the policies, a batch of cases and results) while it allocates several
// times that, so at Go's default the collector took a quarter of the CPU
// of a 20,000-case run. At 400 the heap may grow to five times the live
// data between collections; the 512 MiB soft limit keeps a very large run
// (a million streamed cases) within bounds whatever the ratio. A GOGC or
// GOMEMLIMIT the user set wins. Runs in one process (tests, serve) share
// the setting: the first sets it, the last restores it.
func checkGC() (restore func()) {
	checkGCMu.Lock()
	defer checkGCMu.Unlock()
	if checkGCRuns++; checkGCRuns == 1 {
		checkGCPrev, checkGCLimit = -2, -1
		if os.Getenv("GOGC") == "" {
			checkGCPrev = debug.SetGCPercent(400)
		}
		if os.Getenv("GOMEMLIMIT") == "" {
			checkGCLimit = debug.SetMemoryLimit(512 << 20)
		}
	}
	return func() {
		checkGCMu.Lock()
		defer checkGCMu.Unlock()
		if checkGCRuns--; checkGCRuns > 0 {
			return
		}
		if checkGCPrev != -2 {
			debug.SetGCPercent(checkGCPrev)
		}
		if checkGCLimit >= 0 {
			debug.SetMemoryLimit(checkGCLimit)
		}
	}
}

var (
	checkGCMu                sync.Mutex
	checkGCRuns, checkGCPrev int
	checkGCLimit             int64
)
