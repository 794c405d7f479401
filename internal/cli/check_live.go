package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/iamwhy/iamwhy/check"
	"github.com/iamwhy/iamwhy/reproduce"
)

// checkLiveOptions are the flags of `iamwhy check --live`.
type checkLiveOptions struct {
	Enabled bool
	awsFlags
}

// liveSessionName is the role session name of a live check's calls, so
// that CloudTrail shows which calls it made.
const liveSessionName = "iamwhy-check"

func (o *checkLiveOptions) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&o.Enabled, "live", false, "also perform each environment-mode case in AWS (read-only calls, EC2 dry runs) and compare")
	f.StringVar(&o.Profile, "profile", "", "with --live: the AWS profile whose credentials assume the cases' roles")
	f.StringVar(&o.Region, "region", "", "with --live: the Region of calls whose case and resource name none")
}

// attach makes runner perform each result in AWS, when --live is given.
func (o *checkLiveOptions) attach(ctx context.Context, runner *check.Runner) error {
	if !o.Enabled {
		if o.Profile != "" || o.Region != "" {
			return errors.New("--profile and --region are for --live")
		}
		return nil
	}
	if ctx == nil {
		ctx = context.Background()
	}
	cfg, err := o.config(ctx, "--live")
	if err != nil {
		return err
	}
	live := &check.Live{Runner: &reproduce.Runner{Config: cfg, SessionName: liveSessionName, DryRunWrites: true}}
	runner.Live = func(c *check.Case, res *check.Result, env check.Environment) { live.Apply(ctx, c, res, env) }
	return nil
}

// liveLine is a result's live outcome in one line of text.
func liveLine(r *check.Result) string {
	l := r.Live
	switch {
	case l == nil:
		return ""
	case l.Skipped != nil:
		return "live: skipped: " + *l.Skipped
	case l.Error != nil:
		return "live: could not run: " + *l.Error
	}
	s := "live: AWS " + l.Run.Answer
	if l.Run.ErrorCode != nil {
		s += " (" + *l.Run.ErrorCode + ")"
	}
	switch {
	case *l.Decision == "undetermined":
		return s + ": not an authorization answer, inconclusive"
	case isFalse(l.AgreesWithExpected) || isFalse(l.AgreesWithSimulator):
		return s + fmt.Sprintf(": DISAGREES (expected %s, iamwhy %s, AWS %s)", r.Expected, r.Decision, *l.Decision)
	}
	return s + ": agrees"
}

// liveSummaryLine counts the live outcomes in one line of text.
func liveSummaryLine(s *check.LiveSummary) string {
	if s == nil {
		return ""
	}
	return fmt.Sprintf("live: %d performed (%d agreed, %d disagreed, %d inconclusive), %d skipped, %d could not run",
		s.Performed, s.Agreed, s.Disagreed, s.Inconclusive, s.Skipped, s.Errors)
}

func isFalse(b *bool) bool { return b != nil && !*b }
