package cli

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/iamwhy/iamwhy/catalog"
	"github.com/iamwhy/iamwhy/diagnose"
	"github.com/iamwhy/iamwhy/replay"
	"github.com/iamwhy/iamwhy/snapshot"
	"github.com/iamwhy/iamwhy/trail"
)

// trailDiagnoseOptions are the flags of `iamwhy trail diagnose`.
type trailDiagnoseOptions struct {
	Paths []string
	envFlags
	Output string
	Filter trailFilterFlags
}

func newTrailDiagnoseCmd(s Streams) *cobra.Command {
	var o trailDiagnoseOptions
	cmd := &cobra.Command{
		Use:   "diagnose PATH... --env ENV",
		Short: "Diagnose every access-denied event in CloudTrail logs, grouped by root cause",
		Long: `Replays every access-denied event of the logs against an environment (as 'iamwhy diagnose
--event' does for one), and groups the events by root cause: the layer, the policy, the
statement and the condition that decided. Each group lists its events, callers and actions,
and the fixes proposed (proven by re-simulation). Events the replay allows, or cannot replay
(a caller the environment does not hold), are grouped with the reason.

Exit status: 0; 1 when some inputs could not be read; 2 when the command could not run.`,
		Example: `  iamwhy trail diagnose examples/trail --env examples/env
  iamwhy trail diagnose --since 24h --env prod/ -o json s3://org-trail/AWSLogs/o-abc123def4/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Paths = args
			return runTrailDiagnose(cmd.Context(), s, o)
		},
	}
	o.envFlags.register(cmd)
	outputFlag(cmd, &o.Output, "text", "json")
	o.Filter.register(cmd)
	return cmd
}

func runTrailDiagnose(ctx context.Context, s Streams, o trailDiagnoseOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	env, err := o.envFlags.require("the environment to replay the events in")
	if err != nil {
		return err
	}
	opts, err := o.Filter.options(s, time.Now())
	if err != nil {
		return err
	}
	opts.Filter.DeniedOnly = true
	opts.Serial = true
	bar := o.Filter.progress(s, o.Output)
	if bar != nil {
		opts.Progress = bar.update
	}
	var records []*trail.Record
	st, err := trail.Read(ctx, o.Paths, opts, func(r *trail.Record) error {
		records = append(records, r.Clone())
		return nil
	})
	if bar != nil {
		bar.clear()
	}
	if err != nil {
		return err
	}
	if err := failNoInput(s, &st); err != nil {
		return err
	}
	// Workers deliver records in any order: sort on a total order so the
	// groups, their lists and examples are the same from run to run.
	sort.Slice(records, func(i, j int) bool {
		a, b := records[i], records[j]
		if a.EventTime != b.EventTime {
			return a.EventTime < b.EventTime
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Index != b.Index {
			return a.Index < b.Index
		}
		return a.EventID < b.EventID
	})
	out := diagnoseRecords(env, records)
	out.Stats = st
	if err := trailDiagnoseRenderers[o.Output](s.Out, out); err != nil {
		return err
	}
	for _, p := range st.Problems {
		fmt.Fprintf(s.Err, "iamwhy: trail: %s\n", p)
	}
	if len(st.Problems) > 0 {
		return silentExit(1)
	}
	return nil
}

// diagnoseRecords replays each distinct request once and groups the events
// by what decided.
func diagnoseRecords(env *snapshot.Environment, records []*trail.Record) *diagnose.Denials {
	return diagnose.GroupDenials(env, records, diagnose.DenialsOptions{
		Options: diagnose.Options{Actions: catalog.Default().ServiceActions},
		Request: trail.RequestOptions{Actions: replay.DefaultOptions().EventActions},
	})
}

// trailDiagnoseRenderers are trail diagnose's outputs, by --output format.
var trailDiagnoseRenderers = map[string]func(io.Writer, *diagnose.Denials) error{
	"json": func(w io.Writer, d *diagnose.Denials) error {
		// The read statistics in snake_case, as trail denied writes them.
		return writeVersionedJSON(w, struct {
			*diagnose.Denials
			Stats deniedStatsJSON `json:"stats"`
		}{d, trailStatsJSON(&d.Stats)})
	},
	"text": renderTrailDiagnosis,
}

func renderTrailDiagnosis(w io.Writer, d *diagnose.Denials) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%d access-denied events (%d distinct requests) in %d groups by root cause.\n", d.Events, d.Distinct, len(d.Groups))
	for i, g := range d.Groups {
		fmt.Fprintf(&b, "\n%d. %d× ", i+1, g.Count)
		if rc := g.RootCause; rc != nil {
			fmt.Fprintf(&b, "%s by the %s layer: %s\n", strings.ToUpper(g.Decision), rc.Layer, rc.Summary)
			if rc.Policy != "" {
				fmt.Fprintf(&b, "   policy %s", rc.Policy)
				if rc.Statement != nil {
					fmt.Fprintf(&b, ", statement %s", *rc.Statement)
				}
				b.WriteString("\n")
			}
		} else {
			fmt.Fprintf(&b, "%s\n", g.Reason)
		}
		fmt.Fprintf(&b, "   callers: %s\n   actions: %s\n", strings.Join(limit(g.Principals, 5), ", "), strings.Join(limit(g.Actions, 5), ", "))
		fmt.Fprintf(&b, "   first %s, last %s; e.g. event %s\n", g.First, g.Last, g.EventIDs[0])
		for _, f := range g.Findings {
			fmt.Fprintf(&b, "   [%s] %s\n", f.Code, f.Message)
		}
		for _, f := range g.Fixes {
			fmt.Fprintf(&b, "   fix: %s (verified: %v, grants beyond the request: %v)\n", f.Description, f.Verified, f.GrantsBeyondRequest)
		}
		for j, c := range g.Candidates {
			if j == 3 {
				break
			}
			fmt.Fprintf(&b, "   candidate: %s\n", c)
		}
	}
	fmt.Fprintf(&b, "\nRead %d files, %d records; %d problems.\n", d.Stats.Files, d.Stats.Records, len(d.Stats.Problems))
	_, err := io.WriteString(w, b.String())
	return err
}

func limit(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(append([]string(nil), s[:n]...), fmt.Sprintf("and %d more", len(s)-n))
}
