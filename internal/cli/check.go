package cli

import (
	"context"
	"errors"
	"fmt"

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
		// runCheck turns the collector off below a limit (noGCBelow).
		Annotations: map[string]string{ownGC: "noGCBelow"},
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
	defer noGCBelow(checkHeapLimit)()
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

// checkHeapLimit is the soft memory limit of a check run, under which the
// collector does not run.
const checkHeapLimit = 512 << 20

// checkFileError gives a check file's error exit status 2.
func checkFileError(err error) error {
	var fe *check.FileError
	if errors.As(err, &fe) {
		return &ExitError{Code: 2, Err: err}
	}
	return err
}
