package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/iamwhy/iamwhy/trail"
)

// trailInputFlags are the flags of every command that reads CloudTrail
// (trail denied, trail diagnose, generate, unused): the time window, the
// decoding workers and the progress bar. They are declared once, so they
// have the same names, help and checks everywhere.
type trailInputFlags struct {
	Since, Until string
	Workers      int
	NoProgress   bool
}

func (f *trailInputFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.Since, "since", "", "only events at or after this time (RFC 3339, YYYY-MM-DD, or a duration ago such as 36h or 7d)")
	fl.StringVar(&f.Until, "until", "", "only events before this time (same forms as --since)")
	fl.IntVar(&f.Workers, "workers", 0, "files decoded at once (default: the number of CPUs)")
	noProgressFlag(cmd, &f.NoProgress)
}

// noProgressFlag declares --no-progress: progress bars are drawn on
// standard error only when it is a terminal, and this turns them off there
// too.
func noProgressFlag(cmd *cobra.Command, p *bool) {
	cmd.Flags().BoolVar(p, "no-progress", false, "do not draw the progress bar (drawn only when standard error is a terminal)")
}

// wantProgress reports whether a command draws a progress bar: standard
// error is a terminal, the bar is not turned off, and the output is not a
// document for a program (JSON).
func wantProgress(s Streams, noProgress bool, output string) bool {
	return s.IsTerminal && !noProgress && output != "json"
}

// window reads --since and --until.
func (f *trailInputFlags) window(now time.Time) (since, until time.Time, err error) {
	if since, err = parseTimeFlag("--since", f.Since, now); err != nil {
		return
	}
	until, err = parseTimeFlag("--until", f.Until, now)
	return
}

// options converts the flags into trail.Options reading s's standard
// input for "-".
func (f *trailInputFlags) options(s Streams, now time.Time) (trail.Options, error) {
	var o trail.Options
	var err error
	if o.Filter.Since, o.Filter.Until, err = f.window(now); err != nil {
		return o, err
	}
	if f.Workers < 0 {
		return o, fmt.Errorf("--workers %d: must not be negative", f.Workers)
	}
	o.Workers = f.Workers
	o.Stdin = s.In
	return o, nil
}

// progress returns a progress bar on standard error when it is a
// terminal, the bar is wanted and output is not JSON, else nil.
func (f *trailInputFlags) progress(s Streams, output string) *progressBar {
	if !wantProgress(s, f.NoProgress, output) {
		return nil
	}
	return newProgressBar(s.term())
}

// trailFilterFlags are the trail input flags and the record filters of
// the trail subcommands.
type trailFilterFlags struct {
	trailInputFlags
	Accounts, Regions, Principals        []string
	EventSources, EventNames, ErrorCodes []string
}

func (f *trailFilterFlags) register(cmd *cobra.Command) {
	f.trailInputFlags.register(cmd)
	fl := cmd.Flags()
	fl.StringSliceVar(&f.Accounts, "account", nil, "only events recorded in these accounts (recipientAccountId)")
	fl.StringSliceVar(&f.Regions, "region", nil, "only events in these regions (awsRegion)")
	fl.StringSliceVar(&f.Principals, "principal", nil, "only events by these principal ARNs (* and ? wildcards; a role ARN selects its sessions)")
	fl.StringSliceVar(&f.EventSources, "event-source", nil, "only events from these sources (e.g. s3.amazonaws.com; wildcards allowed)")
	fl.StringSliceVar(&f.EventNames, "event-name", nil, "only these event names (wildcards allowed)")
	fl.StringSliceVar(&f.ErrorCodes, "error-code", nil, "only these error codes (wildcards allowed)")
}

// options converts the flags into trail.Options.
func (f *trailFilterFlags) options(s Streams, now time.Time) (trail.Options, error) {
	o, err := f.trailInputFlags.options(s, now)
	if err != nil {
		return o, err
	}
	o.Filter.Accounts = f.Accounts
	o.Filter.Regions = f.Regions
	o.Filter.Principals = f.Principals
	o.Filter.EventSources = f.EventSources
	o.Filter.EventNames = f.EventNames
	o.Filter.ErrorCodes = f.ErrorCodes
	return o, nil
}
